"""Writing reports through /api/v1/reportes/: who may, what is validated, stale writes."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos
from indicadores.models import Reporte
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicador_semestral_publicado():
    entidad = factories.entidad()
    gestion = factories.dependencia(entidad=entidad, nombre="Gestión Pública")
    mujeres = factories.dependencia(entidad=entidad, nombre="Mujeres")
    plan = factories.plan(entidad=entidad, publicado=True, anio_inicio=2023, anio_fin=2032)
    semestral = factories.indicador(
        plan=plan, codigo="3.1.1", dependencia=gestion, periodicidad="semestral", tipo_anualizacion="constante",
        metas={2024: "0.8"},
    )
    return {
        "plan": plan,
        "indicador": semestral,
        "planeador": factories.usuario("planeadora", grupos=(permisos.PLANEADOR,), dependencias=[gestion]),
        "otro_planeador": factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[mujeres]),
        "funcionario": factories.usuario(grupos=(permisos.FUNCIONARIO,)),
        "auditor": factories.usuario(grupos=(permisos.AUDITOR,)),
    }


def _cliente(usuario=None) -> APIClient:
    cliente = APIClient()
    if usuario is not None:
        cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=usuario)[0].key}")
    return cliente


def _semestre(indicador_semestral_publicado, **cambios) -> dict:
    datos = {
        "indicador": indicador_semestral_publicado["indicador"].pk, "anio": 2024, "periodo": 1, "valor": 0.33,
        "observaciones": "Se formaron 33 de cada 100 servidores.",
    }
    return {**datos, **cambios}


def test_planeador_registra_el_reporte_de_un_semestre(indicador_semestral_publicado):
    respuesta = _cliente(indicador_semestral_publicado["planeador"]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json"
    )
    assert respuesta.status_code == 201, respuesta.content
    cuerpo = respuesta.json()
    assert (cuerpo["valor"], cuerpo["estado"], cuerpo["version"], cuerpo["creado_por"]) == (
        0.33, "borrador", 1, "planeadora",
    )
    reporte = Reporte.objects.get()
    assert (reporte.anio, reporte.periodo, str(reporte.valor)) == (2024, 1, "0.330000")


def test_volver_a_enviar_el_periodo_se_rechaza_y_se_corrige_con_su_version(indicador_semestral_publicado):
    cliente = _cliente(indicador_semestral_publicado["planeador"])
    creado = cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").json()
    respuesta = cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado, valor=0.4), format="json")
    assert respuesta.status_code == 409
    cuerpo = respuesta.json()
    assert cuerpo["detail"].startswith(
        "Ya existe el reporte 3.1.1 2024 · semestre 1 (borrador, versión 1, avance 0,33)"
    )
    assert f"PATCH /api/v1/reportes/{creado['id']}/" in cuerpo["detail"]
    assert (cuerpo["actual"]["id"], cuerpo["actual"]["valor"], cuerpo["actual"]["version"]) == (creado["id"], 0.33, 1)
    assert str(Reporte.objects.get().valor) == "0.330000"
    # The correction goes on top of the version read.
    respuesta = cliente.patch(f"/api/v1/reportes/{creado['id']}/", {"valor": 0.4, "version": 1}, format="json")
    assert respuesta.status_code == 200, respuesta.content
    assert (respuesta.json()["valor"], respuesta.json()["version"]) == (0.4, 2)
    assert Reporte.objects.count() == 1


def test_patch_corrige_y_conserva_lo_no_enviado(indicador_semestral_publicado):
    cliente = _cliente(indicador_semestral_publicado["planeador"])
    creado = cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").json()
    respuesta = cliente.patch(
        f"/api/v1/reportes/{creado['id']}/", {"plan_de_choque": "Curso virtual en agosto.", "version": 1}, format="json"
    )
    assert respuesta.status_code == 200, respuesta.content
    reporte = Reporte.objects.get()
    assert (reporte.plan_de_choque, reporte.observaciones, reporte.version) == (
        "Curso virtual en agosto.", "Se formaron 33 de cada 100 servidores.", 2,
    )


def test_escritura_sobre_una_version_vieja_se_rechaza_con_lo_que_cambio(indicador_semestral_publicado):
    cliente = _cliente(indicador_semestral_publicado["planeador"])
    creado = cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").json()
    cliente.patch(f"/api/v1/reportes/{creado['id']}/", {"valor": 0.5, "version": 1}, format="json")
    respuesta = cliente.put(
        f"/api/v1/reportes/{creado['id']}/", {"valor": 0.9, "version": 1}, format="json"
    )
    assert respuesta.status_code == 409
    assert respuesta.json()["actual"]["valor"] == 0.5
    assert "versión 1" in respuesta.json()["detail"]
    assert respuesta.json()["cambios"] == ["avance: «0,33» → «0,5» (por planeadora)"]
    assert Reporte.objects.get().valor == 0.5


def test_el_periodo_de_un_reporte_no_se_cambia_al_corregirlo(indicador_semestral_publicado):
    cliente = _cliente(indicador_semestral_publicado["planeador"])
    creado = cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").json()
    respuesta = cliente.patch(
        f"/api/v1/reportes/{creado['id']}/", {"periodo": 2, "valor": 0.35, "version": 1}, format="json"
    )
    assert respuesta.status_code == 200, respuesta.content
    assert (Reporte.objects.get().periodo, str(Reporte.objects.get().valor)) == (1, "0.350000")


@pytest.mark.parametrize(
    "cambios, campo, texto",
    [
        ({"periodo": 3}, "periodo", "periodos de 1 a 2"),
        ({"anio": 2040}, "anio", "fuera de la vigencia"),
        ({"valor": "muchos"}, "valor", ""),
        ({"valor": None}, "valor", ""),
        ({"indicador": 999999}, "indicador", ""),
    ],
)
def test_errores_de_validacion_nombran_el_campo(indicador_semestral_publicado, cambios, campo, texto):
    respuesta = _cliente(indicador_semestral_publicado["planeador"]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado, **cambios), format="json"
    )
    assert respuesta.status_code == 400
    assert texto in " ".join(respuesta.json()[campo])
    assert not Reporte.objects.exists()


@pytest.mark.parametrize("quien", ["otro_planeador", "funcionario", "auditor"])
def test_solo_el_planeador_de_la_dependencia_escribe(indicador_semestral_publicado, quien):
    respuesta = _cliente(indicador_semestral_publicado[quien]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json"
    )
    assert respuesta.status_code == 403
    assert not Reporte.objects.exists()


def test_corregir_un_reporte_ajeno_no_muestra_su_contenido(indicador_semestral_publicado):
    creado = _cliente(indicador_semestral_publicado["planeador"]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json"
    ).json()
    # Another planner cannot even see it; an auditor sees it but may not change it.
    otro = _cliente(indicador_semestral_publicado["otro_planeador"])
    assert otro.patch(f"/api/v1/reportes/{creado['id']}/", {"valor": "1"}, format="json").status_code == 404
    respuesta = otro.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado, version=99), format="json")
    assert respuesta.status_code == 403
    assert "Se formaron" not in respuesta.content.decode()
    auditor = _cliente(indicador_semestral_publicado["auditor"])
    assert auditor.patch(f"/api/v1/reportes/{creado['id']}/", {"valor": "1"}, format="json").status_code == 403
    assert str(Reporte.objects.get().valor) == "0.330000"


def test_anonimo_no_escribe(indicador_semestral_publicado):
    respuesta = APIClient().post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json")
    assert respuesta.status_code == 401
    assert respuesta["WWW-Authenticate"] == "Token"


def test_sesion_del_navegador_exige_csrf(indicador_semestral_publicado):
    cliente = APIClient(enforce_csrf_checks=True)
    cliente.force_login(indicador_semestral_publicado["planeador"])
    assert cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").status_code == 403
    assert not Reporte.objects.exists()


def test_token_se_obtiene_con_usuario_y_clave(indicador_semestral_publicado):
    respuesta = APIClient().post(
        "/api/v1/token/", {"username": "planeadora", "password": "clave-de-prueba-123"}, format="json"
    )
    assert respuesta.status_code == 200
    assert respuesta.json()["token"] == Token.objects.get(user=indicador_semestral_publicado["planeador"]).key
    mala = APIClient().post("/api/v1/token/", {"username": "planeadora", "password": "otra"}, format="json")
    assert mala.status_code == 400


def test_un_corte_cerrado_no_admite_reportes_salvo_administrador_con_motivo(indicador_semestral_publicado):
    from indicadores.models import Corte

    Corte.objects.create(plan=indicador_semestral_publicado["plan"], anio=2024, semestre=1, estado=Corte.Estado.CERRADO)
    respuesta = _cliente(indicador_semestral_publicado["planeador"]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json"
    )
    assert respuesta.status_code == 400
    assert "cerrado" in respuesta.json()["non_field_errors"][0]
    administrador = factories.usuario(is_superuser=True)
    cliente = _cliente(administrador)
    assert cliente.post("/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json").status_code == 400
    respuesta = cliente.post(
        "/api/v1/reportes/",
        _semestre(indicador_semestral_publicado, motivo="Error de digitación confirmado por la Secretaría."),
        format="json",
    )
    assert respuesta.status_code == 201, respuesta.content
    assert "motivo" not in respuesta.json()


def test_dos_primeros_reportes_simultaneos_del_periodo_dan_409_no_500(indicador_semestral_publicado, monkeypatch):
    from django.db import IntegrityError

    from indicadores import services

    def registrar_en_carrera(**_campos):
        raise IntegrityError("UNIQUE constraint failed: reporte_unico_por_periodo")

    monkeypatch.setattr(services, "reporte_registrar", registrar_en_carrera)
    respuesta = _cliente(indicador_semestral_publicado["planeador"]).post(
        "/api/v1/reportes/", _semestre(indicador_semestral_publicado), format="json"
    )
    assert respuesta.status_code == 409
    assert "al mismo tiempo" in respuesta.json()["detail"]
