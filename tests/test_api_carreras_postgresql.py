"""Concurrent writes through /api/v1/reportes/ (issue 10): the second writer is refused and told
what the first one did; nothing is overwritten or lost.

On PostgreSQL each client runs in its own thread with its own database connection, and the
threads meet at a barrier inside the write service, right before the step that decides, so the
writes really overlap (row locks and the unique constraint decide, not luck). Elsewhere (SQLite
serialises writers anyway) the same scenario runs one request after the other, so each test still
asserts the answer the second writer gets.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos, services
from indicadores.models import Reporte
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

EN_PARALELO = connection.vendor == "postgresql"
ESPERA_MAXIMA = 20  # seconds a thread waits for the others before the test fails


@pytest.fixture
def dependencia_con_tres_planeadores():
    """A published plan's semestral indicator of Gestión Pública and three of its planners."""
    gestion = factories.dependencia(nombre="Gestión Pública")
    plan = factories.plan(entidad=gestion.entidad, publicado=True, anio_inicio=2023, anio_fin=2032)
    indicador = factories.indicador(
        plan=plan, codigo="3.1.1", dependencia=gestion, periodicidad="semestral", tipo_anualizacion="constante",
        metas={2024: "0.8"},
    )
    planeadores = [
        factories.usuario(nombre, grupos=(permisos.PLANEADOR,), dependencias=[gestion])
        for nombre in ("ana", "beto", "caro")
    ]
    return {"indicador": indicador, "planeadores": planeadores}


def _cliente(usuario) -> APIClient:
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=usuario)[0].key}")
    return cliente


def _reunir_antes_de(monkeypatch, paso: str, partes: int) -> list[int]:
    """On PostgreSQL, make `partes` writers wait for each other right before `services.<paso>`.
    Returns the list of threads that arrived there (empty where the requests run one by one)."""
    llegadas: list[int] = []
    if not EN_PARALELO:
        return llegadas
    barrera = threading.Barrier(partes, timeout=ESPERA_MAXIMA)
    original = getattr(services, paso)

    def esperar_a_los_demas(*args, **kwargs):
        llegadas.append(threading.get_ident())
        barrera.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, paso, esperar_a_los_demas)
    return llegadas


def _a_la_vez(*peticiones) -> list:
    """The responses of the requests, run at once in threads on PostgreSQL, in order elsewhere."""
    if not EN_PARALELO:
        return [peticion() for peticion in peticiones]
    respuestas: list = [None] * len(peticiones)
    errores: list[BaseException] = []

    def correr(indice: int, peticion) -> None:
        try:
            respuestas[indice] = peticion()
        except BaseException as error:  # re-raised in the test's thread
            errores.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    hilos = [threading.Thread(target=correr, args=pareja) for pareja in enumerate(peticiones)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(2 * ESPERA_MAXIMA)
    assert not any(hilo.is_alive() for hilo in hilos), "Una escritura quedó bloqueada: ¿un bloqueo que no se suelta?"
    if errores:
        raise errores[0]
    return respuestas


def test_varios_clientes_crean_el_mismo_periodo_a_la_vez_y_solo_uno_lo_crea(
    dependencia_con_tres_planeadores, monkeypatch
):
    escena = dependencia_con_tres_planeadores
    clientes = [_cliente(planeador) for planeador in escena["planeadores"]]
    valores = ["0,31", "0,32", "0,33"]  # Colombian text, read as the import reads it
    # All of them have seen the period empty; they meet right before inserting.
    llegadas = _reunir_antes_de(monkeypatch, "_reporte_crear", partes=len(clientes))

    def crear(cliente, valor):
        datos = {"indicador": escena["indicador"].pk, "anio": 2024, "periodo": 1, "valor": valor}
        return lambda: cliente.post("/api/v1/reportes/", datos, format="json")

    respuestas = _a_la_vez(*(crear(cliente, valor) for cliente, valor in zip(clientes, valores, strict=True)))

    assert len(llegadas) == (len(clientes) if EN_PARALELO else 0)
    codigos = sorted(respuesta.status_code for respuesta in respuestas)
    assert codigos == [201, 409, 409], [respuesta.content for respuesta in respuestas]
    creador = next(i for i, respuesta in enumerate(respuestas) if respuesta.status_code == 201)
    reporte = Reporte.objects.get()
    assert (reporte.valor, reporte.creado_por, reporte.version, reporte.history.count()) == (
        Decimal(valores[creador].replace(",", ".")), escena["planeadores"][creador], 1, 1,
    )
    for respuesta in respuestas:
        if respuesta.status_code == 409:
            cuerpo = respuesta.json()
            assert cuerpo["detail"].startswith("Ya existe el reporte 3.1.1 2024 · semestre 1 (borrador, versión 1")
            assert (cuerpo["actual"]["id"], cuerpo["actual"]["valor"]) == (reporte.pk, float(reporte.valor))


def test_dos_correcciones_sobre_la_misma_version_a_la_vez_no_se_pisan(dependencia_con_tres_planeadores, monkeypatch):
    escena = dependencia_con_tres_planeadores
    ana, beto = escena["planeadores"][:2]
    reporte = Reporte.objects.create(
        indicador=escena["indicador"], anio=2024, periodo=1, valor=Decimal("0.33"), observaciones="Primer dato.",
        creado_por=ana,
    )
    url = f"/api/v1/reportes/{reporte.pk}/"
    correcciones = {
        "ana": {"valor": 0.5, "version": 1},
        "beto": {"observaciones": "Dato de la Secretaría.", "version": 1},
    }
    # Both have read version 1; they meet right before the service locks the row.
    llegadas = _reunir_antes_de(monkeypatch, "reporte_verificar", partes=2)

    respuestas = dict(
        zip(
            correcciones,
            _a_la_vez(
                lambda: _cliente(ana).patch(url, correcciones["ana"], format="json"),
                lambda: _cliente(beto).patch(url, correcciones["beto"], format="json"),
            ),
            strict=True,
        )
    )

    assert len(llegadas) == (2 if EN_PARALELO else 0)
    assert sorted(r.status_code for r in respuestas.values()) == [200, 409], [r.content for r in respuestas.values()]
    ganador = next(nombre for nombre, respuesta in respuestas.items() if respuesta.status_code == 200)
    perdedor = "beto" if ganador == "ana" else "ana"
    lo_que_hizo_el_ganador = {
        "ana": "avance: «0,33» → «0,5» (por ana)",
        "beto": "observaciones: «Primer dato.» → «Dato de la Secretaría.» (por beto)",
    }[ganador]
    rechazo = respuestas[perdedor].json()
    assert rechazo["cambios"] == [lo_que_hizo_el_ganador]
    assert lo_que_hizo_el_ganador in rechazo["detail"]
    assert rechazo["actual"]["version"] == 2
    reporte.refresh_from_db()
    assert (reporte.version, reporte.history.count()) == (2, 2)

    # Nothing is lost: the second writer re-applies on top of the current version, alone.
    monkeypatch.undo()
    nueva = {**correcciones[perdedor], "version": rechazo["actual"]["version"]}
    usuario = ana if perdedor == "ana" else beto
    assert _cliente(usuario).patch(url, nueva, format="json").status_code == 200
    reporte.refresh_from_db()
    assert (reporte.valor, reporte.observaciones, reporte.version) == (Decimal("0.5"), "Dato de la Secretaría.", 3)
