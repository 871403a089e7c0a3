"""/api/v1/reportes/ keeps official figures trustworthy (issue 10): a create never overwrites, a
correction names the version it was written on, an unchanged write changes nothing, a correction
of an approved report stays a proposal, and closed cuts freeze the periods that ended by them."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos, services
from indicadores.api import MENSAJE_SIN_VERSION
from indicadores.models import Reporte
from tests import factories

pytestmark = pytest.mark.django_db

OBSERVACIONES = "Se formaron 33 de cada 100 servidores.\nFaltan las localidades del sur."


@pytest.fixture
def plan_con_un_reporte_aprobado():
    """A published plan with two annual indicators of Gestión Pública: 3.1.1 has an approved 2024
    report with two lines of observaciones; 1.1.5 has none. Its planner, a reviewer, an
    administrator and a planner of another dependencia."""
    entidad = factories.entidad()
    gestion = factories.dependencia(entidad=entidad, nombre="Gestión Pública")
    mujeres = factories.dependencia(entidad=entidad, nombre="Mujeres")
    plan = factories.plan(entidad=entidad, publicado=True, anio_inicio=2023, anio_fin=2032)
    aprobado = factories.indicador(
        plan=plan, codigo="3.1.1", dependencia=gestion, tipo_anualizacion="constante", metas={2024: "0.8"}
    )
    Reporte.objects.create(
        indicador=aprobado, anio=2024, valor="0.33", observaciones=OBSERVACIONES, plan_de_choque="Curso virtual.",
        estado=Reporte.Estado.APROBADO,
    )
    sin_reporte = factories.indicador(plan=plan, codigo="1.1.5", dependencia=gestion, metas={2024: "2"})
    return {
        "plan": plan,
        "reporte": Reporte.objects.get(indicador=aprobado),
        "sin_reporte": sin_reporte,
        "planeador": factories.usuario("planeadora", grupos=(permisos.PLANEADOR,), dependencias=[gestion]),
        "otro_planeador": factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[mujeres]),
        "revisor": factories.usuario("revisora", grupos=(permisos.REVISOR,)),
        "administrador": factories.usuario("admin", is_superuser=True),
    }


def _cliente(usuario=None) -> APIClient:
    cliente = APIClient()
    if usuario is not None:
        cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=usuario)[0].key}")
    return cliente


def _url(reporte) -> str:
    return f"/api/v1/reportes/{reporte.pk}/"


def _foto(reporte) -> tuple:
    """What an unchanged write must leave as it was."""
    reporte.refresh_from_db()
    return reporte.valor, reporte.observaciones, reporte.estado, reporte.version, reporte.history.count()


def _estado(fila: dict) -> tuple:
    """A report as the API shows it: value, official value, state, correction under way."""
    return fila["valor"], fila["valor_oficial"], fila["estado"], fila["en_correccion"]


def _cerrar(plan_con_un_reporte_aprobado, anio: int, semestre: int):
    corte = services.corte_abrir(
        plan=plan_con_un_reporte_aprobado["plan"], anio=anio, semestre=semestre,
        usuario=plan_con_un_reporte_aprobado["revisor"],
    )
    return services.corte_cerrar(corte=corte, usuario=plan_con_un_reporte_aprobado["revisor"])


# --- A create never overwrites --------------------------------------------------------------


def test_crear_sobre_un_reporte_aprobado_responde_409_y_no_lo_toca(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    antes = _foto(reporte)
    respuesta = _cliente(plan_con_un_reporte_aprobado["planeador"]).post(
        "/api/v1/reportes/", {"indicador": reporte.indicador_id, "anio": 2024, "valor": 0.9}, format="json"
    )
    assert respuesta.status_code == 409
    cuerpo = respuesta.json()
    assert "Ya existe el reporte 3.1.1 2024 (aprobado, versión 1, avance 0,33)" in cuerpo["detail"]
    assert (cuerpo["actual"]["estado"], cuerpo["actual"]["valor"], cuerpo["cambios"]) == ("aprobado", 0.33, [])
    assert _foto(reporte) == antes


def test_crear_un_reporte_ajeno_existente_no_lo_muestra(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    respuesta = _cliente(plan_con_un_reporte_aprobado["otro_planeador"]).post(
        "/api/v1/reportes/", {"indicador": reporte.indicador_id, "anio": 2024, "valor": 0.9}, format="json"
    )
    assert respuesta.status_code == 403
    assert "Se formaron" not in respuesta.content.decode()


# --- A correction names the version it was written on ---------------------------------------


@pytest.mark.parametrize("metodo", ["put", "patch"])
@pytest.mark.parametrize("version", ["sin", None])
def test_corregir_sin_version_responde_400_y_no_cambia_nada(plan_con_un_reporte_aprobado, metodo, version):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    antes = _foto(reporte)
    datos = {"valor": 0.5} if version == "sin" else {"valor": 0.5, "version": None}
    respuesta = getattr(_cliente(plan_con_un_reporte_aprobado["planeador"]), metodo)(
        _url(reporte), datos, format="json"
    )
    assert respuesta.status_code == 400
    assert respuesta.json() == {"version": [MENSAJE_SIN_VERSION]}
    assert _foto(reporte) == antes


def test_version_vieja_responde_409_con_lo_que_cambio_y_el_reporte_actual(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    planeadora = _cliente(plan_con_un_reporte_aprobado["planeador"])
    assert planeadora.patch(
        _url(reporte), {"observaciones": "Cifra revisada con la Secretaría.", "version": 1}, format="json"
    ).status_code == 200
    respuesta = planeadora.patch(_url(reporte), {"valor": 0.9, "version": 1}, format="json")
    assert respuesta.status_code == 409
    cuerpo = respuesta.json()
    assert "usted abrió la versión 1, la actual es la 2" in cuerpo["detail"]
    assert cuerpo["cambios"] == [
        f"observaciones: «{OBSERVACIONES}» → «Cifra revisada con la Secretaría.»",
        "estado: «Aprobado» → «Borrador» (por planeadora)",
    ]
    assert (cuerpo["actual"]["version"], cuerpo["actual"]["observaciones"]) == (2, "Cifra revisada con la Secretaría.")
    reporte.refresh_from_db()
    assert (str(reporte.valor), reporte.version) == ("0.330000", 2)


# --- An unchanged write changes nothing -------------------------------------------------------


@pytest.mark.parametrize(
    "observaciones",
    [
        OBSERVACIONES,
        OBSERVACIONES.replace("\n", "\r\n"),  # a browser's textarea
        "  " + OBSERVACIONES.replace("\n", "\r") + " \r\n",  # a spreadsheet, with surrounding blanks
    ],
    ids=["igual", "crlf", "cr-y-blancos"],
)
@pytest.mark.parametrize("metodo", ["put", "patch"])
def test_escribir_los_mismos_valores_no_cambia_nada(plan_con_un_reporte_aprobado, metodo, observaciones):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    antes = _foto(reporte)
    datos = {"valor": 0.330000, "observaciones": observaciones, "plan_de_choque": " Curso virtual.\r\n", "version": 1}
    respuesta = getattr(_cliente(plan_con_un_reporte_aprobado["planeador"]), metodo)(
        _url(reporte), datos, format="json"
    )
    assert respuesta.status_code == 200, respuesta.content
    assert (respuesta.json()["estado"], respuesta.json()["version"], respuesta.json()["en_correccion"]) == (
        "aprobado", 1, False,
    )
    assert _foto(reporte) == antes


# --- A correction of an approved report is a proposal -----------------------------------------


def test_corregir_un_aprobado_deja_oficial_el_valor_aprobado(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    respuesta = _cliente(plan_con_un_reporte_aprobado["planeador"]).patch(
        _url(reporte), {"valor": 0.5, "observaciones": "Nueva medición.", "version": 1}, format="json"
    )
    assert respuesta.status_code == 200, respuesta.content
    cuerpo = respuesta.json()
    assert (cuerpo["estado"], cuerpo["valor"], cuerpo["valor_oficial"], cuerpo["en_correccion"], cuerpo["version"]) == (
        "borrador", 0.5, 0.33, True, 2,
    )
    assert cuerpo["nombre_periodo"] == "2024"
    reporte.refresh_from_db()
    assert str(reporte.valor_publicado) == "0.330000"


def test_quien_no_ve_los_borradores_sigue_viendo_el_reporte_aprobado(plan_con_un_reporte_aprobado):
    """The public (and another dependencia) keep reading the published report, never the proposal."""
    reporte = plan_con_un_reporte_aprobado["reporte"]
    _cliente(plan_con_un_reporte_aprobado["planeador"]).patch(
        _url(reporte), {"valor": 0.5, "observaciones": "Nueva medición.", "version": 1}, format="json"
    )
    for cliente in (_cliente(), _cliente(plan_con_un_reporte_aprobado["otro_planeador"])):
        filas = cliente.get("/api/v1/reportes/?estado=aprobado").json()["results"]
        assert [_estado(fila) for fila in filas] == [(0.33, 0.33, "aprobado", False)]
        assert filas[0]["observaciones"] == OBSERVACIONES
        assert "Nueva medición" not in cliente.get(_url(reporte)).content.decode()
        assert cliente.get("/api/v1/reportes/?estado=borrador").json()["count"] == 0
    # Their planner and the planning office read the proposal, and see it is one.
    for usuario in (plan_con_un_reporte_aprobado["planeador"], plan_con_un_reporte_aprobado["revisor"]):
        fila = _cliente(usuario).get(_url(reporte)).json()
        assert _estado(fila) == (0.5, 0.33, "borrador", True)
        assert _cliente(usuario).get("/api/v1/reportes/?estado=aprobado").json()["count"] == 0


def test_escribir_de_nuevo_los_valores_aprobados_retira_la_correccion(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    planeadora = _cliente(plan_con_un_reporte_aprobado["planeador"])
    planeadora.patch(_url(reporte), {"valor": 0.5, "version": 1}, format="json")
    respuesta = planeadora.patch(_url(reporte), {"valor": 0.33, "version": 2}, format="json")
    assert respuesta.status_code == 200, respuesta.content
    assert (respuesta.json()["estado"], respuesta.json()["en_correccion"], respuesta.json()["valor_oficial"]) == (
        "aprobado", False, 0.33,
    )


def test_aprobar_la_correccion_la_vuelve_oficial(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    _cliente(plan_con_un_reporte_aprobado["planeador"]).patch(
        _url(reporte), {"valor": 0.5, "version": 1}, format="json"
    )
    enviado = services.reporte_enviar(
        reporte=reporte, usuario=plan_con_un_reporte_aprobado["planeador"], version_esperada=2
    )
    services.reporte_aprobar(reporte=enviado, usuario=plan_con_un_reporte_aprobado["revisor"], version_esperada=3)
    fila = _cliente().get(_url(reporte)).json()
    assert _estado(fila) == (0.5, 0.5, "aprobado", False)


# --- Closed cuts freeze the periods that ended by them ---------------------------------------


def test_un_corte_cerrado_congela_el_anio_terminado_para_el_planeador(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    _cerrar(plan_con_un_reporte_aprobado, 2024, 2)
    planeadora = _cliente(plan_con_un_reporte_aprobado["planeador"])
    antes = _foto(reporte)
    # With or without a version, the first thing the planner learns is that the period is frozen.
    for datos in ({"valor": 0.5, "version": 1}, {"valor": 0.5}):
        respuesta = planeadora.patch(_url(reporte), datos, format="json")
        assert respuesta.status_code == 400
        assert respuesta.json() == {"non_field_errors": [
            "El corte 2024-2 del plan está cerrado y el periodo 2024 ya había terminado: su reporte es parte de las "
            "cifras oficiales publicadas y ya no se puede modificar. Solo un administrador puede corregirlo, "
            "indicando el motivo."
        ]}
    assert _foto(reporte) == antes
    nuevo = {"indicador": plan_con_un_reporte_aprobado["sin_reporte"].pk, "anio": 2024, "valor": "2"}
    respuesta = planeadora.post("/api/v1/reportes/", nuevo, format="json")
    assert respuesta.status_code == 400
    assert "El corte 2024-2 del plan está cerrado" in respuesta.json()["non_field_errors"][0]
    assert not Reporte.objects.filter(indicador=plan_con_un_reporte_aprobado["sin_reporte"]).exists()


def test_un_administrador_corrige_un_periodo_congelado_con_motivo(plan_con_un_reporte_aprobado):
    reporte = plan_con_un_reporte_aprobado["reporte"]
    _cerrar(plan_con_un_reporte_aprobado, 2024, 2)
    administrador = _cliente(plan_con_un_reporte_aprobado["administrador"])
    sin_motivo = administrador.patch(_url(reporte), {"valor": 0.5, "version": 1}, format="json")
    assert sin_motivo.status_code == 400
    assert "escribe el motivo" in sin_motivo.json()["non_field_errors"][0]
    motivo = "Error de digitación confirmado por la Secretaría."
    respuesta = administrador.patch(_url(reporte), {"valor": 0.5, "version": 1, "motivo": motivo}, format="json")
    assert respuesta.status_code == 200, respuesta.content
    assert "motivo" not in respuesta.json()
    assert reporte.history.order_by("-history_date", "-history_id").first().history_change_reason == motivo


def test_con_el_corte_de_junio_cerrado_se_acepta_el_valor_anual_de_diciembre(plan_con_un_reporte_aprobado):
    """An annual 2024 report is still running at the June cut: only 2024-2 (or later) freezes it."""
    _cerrar(plan_con_un_reporte_aprobado, 2024, 1)
    services.corte_abrir(
        plan=plan_con_un_reporte_aprobado["plan"], anio=2024, semestre=2,
        usuario=plan_con_un_reporte_aprobado["revisor"],
    )
    planeadora = _cliente(plan_con_un_reporte_aprobado["planeador"])
    nuevo = {"indicador": plan_con_un_reporte_aprobado["sin_reporte"].pk, "anio": 2024, "valor": "2"}
    assert planeadora.post("/api/v1/reportes/", nuevo, format="json").status_code == 201
    respuesta = planeadora.patch(
        _url(plan_con_un_reporte_aprobado["reporte"]), {"valor": 0.7, "version": 1}, format="json"
    )
    assert respuesta.status_code == 200, respuesta.content
    assert respuesta.json()["valor"] == 0.7
