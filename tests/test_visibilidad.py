"""Who reads which indicator results and reports: export, results API, dashboard, printed reports.

Drafts and their narratives never leave their dependencia; on an unpublished plan a planner reads
their own indicators only (plan and level totals stay, they are aggregates)."""

import html
import io

import openpyxl
import pytest
from django.urls import reverse

from indicadores.models import Indicador, Reporte
from politicas.models import Plan

BOGOTA = "bogota-conpes-29"
CORTE = "2024-1"
SECRETO_PROPIO = "Borrador secreto de Educación"
SECRETO_AJENO = "Borrador secreto de Hábitat"


def _entrar(client, usuario: str) -> None:
    assert client.login(username=usuario, password=f"demo-{usuario}-2024")


def _texto_del_libro(respuesta) -> str:
    libro = openpyxl.load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)))
    return "\n".join(
        str(celda) for hoja in libro.worksheets for fila in hoja.iter_rows(values_only=True) for celda in fila if celda
    )


def _exportar(client) -> str:
    respuesta = client.get(reverse("exportar_plan", args=[BOGOTA]), {"corte": CORTE})
    assert respuesta.status_code == 200
    return _texto_del_libro(respuesta)


def _volver_borrador(codigo: str, texto: str) -> None:
    """The latest report of `codigo` that counts at the cut goes back to draft with a narrative."""
    reporte = Reporte.objects.filter(indicador__plan__codigo=BOGOTA, indicador__codigo=codigo, anio__lte=2024).latest(
        "anio", "periodo"
    )
    reporte.estado = Reporte.Estado.BORRADOR
    reporte.observaciones = texto
    reporte.save()


@pytest.fixture
def borradores_propio_y_ajeno(datos_demo):
    educacion = Indicador.objects.filter(plan__codigo=BOGOTA, dependencia__nombre="Educación").order_by("codigo")
    _volver_borrador(educacion.first().codigo, SECRETO_PROPIO)
    _volver_borrador("1.1.2", SECRETO_AJENO)  # Hábitat


@pytest.fixture
def bogota_sin_publicar(datos_demo):
    Plan.objects.filter(codigo=BOGOTA).update(publicado=False)
    propios = set(
        Indicador.objects.filter(plan__codigo=BOGOTA, dependencia__nombre="Educación").values_list("codigo", flat=True)
    )
    ajenos = list(
        Indicador.objects.filter(plan__codigo=BOGOTA).exclude(codigo__in=propios).values_list("codigo", "nombre")
    )
    assert len(propios) == 4 and len(ajenos) == 32
    return propios, ajenos


def _sin_ajenos(texto: str, ajenos: list[tuple[str, str]]) -> None:
    texto = html.unescape(texto)
    filtrados = [codigo for codigo, nombre in ajenos if codigo in texto or nombre[:40] in texto]
    assert filtrados == []


# 1. Drafts in the Excel export -----------------------------------------------------------------


def test_la_exportacion_anonima_de_un_plan_publicado_no_tiene_borradores(client, borradores_propio_y_ajeno):
    texto = _exportar(client)
    assert SECRETO_PROPIO not in texto and SECRETO_AJENO not in texto
    assert "Borrador" not in texto.replace("borrador, enviado", "")  # the Acerca de sheet names the states


def test_planeador_de_otra_dependencia_no_recibe_sus_borradores(client, borradores_propio_y_ajeno):
    _entrar(client, "planeador2")  # Educación
    texto = _exportar(client)
    assert SECRETO_PROPIO in texto  # their own draft, with its narrative
    assert SECRETO_AJENO not in texto


def test_quienes_leen_todo_reciben_cada_borrador(client, borradores_propio_y_ajeno):
    _entrar(client, "auditor")
    texto = _exportar(client)
    assert SECRETO_PROPIO in texto and SECRETO_AJENO in texto


def test_la_api_de_reportes_sigue_la_misma_regla(client, borradores_propio_y_ajeno):
    def observaciones() -> set[str]:
        filas = client.get("/api/v1/reportes/", {"plan": BOGOTA, "page_size": 1000}).json()["results"]
        return {f["observaciones"] for f in filas}

    assert not observaciones() & {SECRETO_PROPIO, SECRETO_AJENO}
    _entrar(client, "planeador2")
    assert SECRETO_PROPIO in observaciones() and SECRETO_AJENO not in observaciones()


# 2. Indicator results of an unpublished plan ---------------------------------------------------


def test_la_api_de_resultados_lista_solo_los_indicadores_del_planeador(client, bogota_sin_publicar):
    propios, ajenos = bogota_sin_publicar
    _entrar(client, "planeador2")
    respuesta = client.get(f"/api/v1/planes/{BOGOTA}/resultados/", {"corte": CORTE})
    assert respuesta.status_code == 200
    datos = respuesta.json()
    assert {r["codigo"] for r in datos["indicadores"]} == propios
    assert sum(datos["conteo_semaforo"].values()) == 36  # the plan's count is an aggregate
    assert datos["total"] is not None
    _sin_ajenos(respuesta.content.decode(), ajenos)
    client.logout()
    _entrar(client, "auditor")
    assert len(client.get(f"/api/v1/planes/{BOGOTA}/resultados/", {"corte": CORTE}).json()["indicadores"]) == 36


def test_la_exportacion_de_un_plan_no_publicado_tiene_solo_los_indicadores_del_planeador(client, bogota_sin_publicar):
    propios, ajenos = bogota_sin_publicar
    _entrar(client, "planeador2")
    texto = _exportar(client)
    assert all(codigo in texto for codigo in propios)
    _sin_ajenos(texto, ajenos)


@pytest.mark.parametrize("vista", ["tablero", "informe_seguimiento", "informe_indicadores", "grafico_historia"])
def test_las_paginas_de_un_plan_no_publicado_no_nombran_indicadores_de_otra_dependencia(
    client, bogota_sin_publicar, vista
):
    propios, ajenos = bogota_sin_publicar
    _entrar(client, "planeador2")
    respuesta = client.get(reverse(vista, args=[BOGOTA]), {"corte": CORTE})
    assert respuesta.status_code == 200
    texto = respuesta.content.decode()
    _sin_ajenos(texto, ajenos)
    if vista != "grafico_historia":
        assert all(codigo in texto for codigo in propios)


def test_el_informe_imprimible_cuenta_las_brechas_ocultas_sin_nombrarlas(client, bogota_sin_publicar):
    _entrar(client, "planeador2")
    texto = client.get(reverse("informe_seguimiento", args=[BOGOTA]), {"corte": CORTE}).content.decode()
    assert "de otras dependencias" in texto
    client.logout()
    _entrar(client, "auditor")  # reads everything: gaps are explained by name
    texto = client.get(reverse("informe_seguimiento", args=[BOGOTA]), {"corte": CORTE}).content.decode()
    assert "de otras dependencias" not in texto and "1.1.2" in texto


# 4. The band filter only looks at visible plans -------------------------------------------------


def test_filtro_por_banda_de_un_plan_invisible_no_calcula_nada(client, bogota_sin_publicar, monkeypatch):
    from reportes import selectors

    def prohibido(**kwargs):
        raise AssertionError("no results are computed for a plan the user cannot see")

    monkeypatch.setattr(selectors, "plan_resultados", prohibido)
    respuesta = client.get("/api/v1/indicadores/", {"plan": BOGOTA, "corte": CORTE, "banda": "bajo"})
    assert respuesta.status_code == 200 and respuesta.json()["results"] == []
    respuesta = client.get("/api/v1/indicadores/", {"plan": "no-existe", "corte": CORTE, "banda": "bajo"})
    assert respuesta.status_code == 200 and respuesta.json()["results"] == []
