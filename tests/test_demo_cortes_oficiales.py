"""The demo's official figures hold after their cut closes (issue 10): Bogotá publishes 43,92 /
50,48 / −6,56 at 2024-1 and keeps publishing them once 2024-1 is closed, although a planner then
reports 3.1.1's December value for 2024-2; Cali's approved 2017 value stays the official one
while its correction waits for review."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicadores import services
from indicadores.models import Corte, Reporte
from politicas.models import Plan
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef

pytestmark = pytest.mark.django_db

BOGOTA, CALI = "bogota-conpes-29", "cali-2016"
JUNIO_2024, DICIEMBRE_2024 = CorteRef.parse("2024-1"), CorteRef.parse("2024-2")
PUBLICADAS_2024_1 = {"avance": Decimal("43.92"), "trayectoria": Decimal("50.48"), "brecha": Decimal("-6.56")}


def _usuario(username: str):
    return get_user_model().objects.get(username=username)


def _cifras(codigo_plan: str, corte: CorteRef) -> dict[str, Decimal]:
    """The plan's avance, trajectory and gap in points, rounded as the report rounds (half up)."""
    total = plan_resultados(plan=Plan.objects.get(codigo=codigo_plan), corte=corte).total
    return {
        campo: getattr(total, campo).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for campo in ("avance", "trayectoria", "brecha")
    }


def _indicador(codigo_plan: str, corte: CorteRef, codigo: str):
    resultado = plan_resultados(plan=Plan.objects.get(codigo=codigo_plan), corte=corte)
    return next(r for r in resultado.indicadores if r.codigo == codigo)


def _reporte(codigo_plan: str, codigo: str, anio: int) -> Reporte:
    return Reporte.objects.select_related("indicador").get(
        indicador__plan__codigo=codigo_plan, indicador__codigo=codigo, anio=anio
    )


def _corregir(reporte: Reporte, valor: str, usuario) -> Reporte:
    """The planner's correction of the value, written over the version they read."""
    return services.reporte_registrar(
        indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, valor=Decimal(valor),
        usuario=usuario, observaciones=reporte.observaciones, plan_de_choque=reporte.plan_de_choque,
        version_esperada=reporte.version,
    )


def _enviar_y_aprobar(reporte: Reporte) -> Reporte:
    enviado = services.reporte_enviar(reporte=reporte, usuario=_usuario("planeador"), version_esperada=reporte.version)
    return services.reporte_aprobar(reporte=enviado, usuario=_usuario("revisor"), version_esperada=enviado.version)


@pytest.fixture
def bogota_con_junio_2024_cerrado(datos_demo):
    """The demo with cut 2024-1 closed by the planning office."""
    corte = Corte.objects.get(plan__codigo=BOGOTA, anio=2024, semestre=1)
    return services.corte_cerrar(corte=corte, usuario=_usuario("revisor"))


def test_bogota_reproduce_las_cifras_publicadas_al_corte_2024_1(datos_demo):
    assert _cifras(BOGOTA, JUNIO_2024) == PUBLICADAS_2024_1


def test_al_cerrar_2024_1_se_guardan_las_mismas_cifras_publicadas(bogota_con_junio_2024_cerrado):
    resultado = plan_resultados(plan=Plan.objects.get(codigo=BOGOTA), corte=JUNIO_2024)
    assert resultado.oficial_congelado
    assert resultado.publicacion.cerrado_en == bogota_con_junio_2024_cerrado.cerrado_en
    assert _cifras(BOGOTA, JUNIO_2024) == PUBLICADAS_2024_1


def test_el_valor_de_diciembre_cuenta_en_2024_2_y_2024_1_sigue_como_se_publico(bogota_con_junio_2024_cerrado):
    """3.1.1 is annual: its 2024 period was still running at the June cut, so its December value
    is accepted after 2024-1 closed, and counts from 2024-2 on, once approved."""
    planeador = _usuario("planeador")
    diciembre_antes = _cifras(BOGOTA, DICIEMBRE_2024)
    assert _indicador(BOGOTA, DICIEMBRE_2024, "3.1.1").avance_anio == Decimal("0.33")

    correccion = _corregir(_reporte(BOGOTA, "3.1.1", 2024), "0.7", planeador)
    # Under review: every figure still counts the approved 0,33.
    assert correccion.en_correccion and correccion.valor_publicado == Decimal("0.33")
    assert _cifras(BOGOTA, DICIEMBRE_2024) == diciembre_antes

    aprobado = _enviar_y_aprobar(correccion)

    assert aprobado.estado == Reporte.Estado.APROBADO and aprobado.valor_publicado == Decimal("0.7")
    junio = _indicador(BOGOTA, JUNIO_2024, "3.1.1")
    assert (junio.avance_anio, junio.pav) == (Decimal("0.33"), Decimal("41.25"))
    assert _cifras(BOGOTA, JUNIO_2024) == PUBLICADAS_2024_1
    diciembre = _indicador(BOGOTA, DICIEMBRE_2024, "3.1.1")
    assert (diciembre.avance_anio, diciembre.pav) == (Decimal("0.7"), Decimal("87.5"))
    # 3.1.1 weighs 3 points: its PAA goes from 0,33/0,8 to 0,7/0,8 of them.
    subida = _cifras(BOGOTA, DICIEMBRE_2024)["avance"] - diciembre_antes["avance"]
    assert subida == (3 * (Decimal("0.7") - Decimal("0.33")) / Decimal("0.8")).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_el_tablero_de_2024_1_cerrado_muestra_las_cifras_oficiales_despues_del_valor_de_diciembre(
    client, bogota_con_junio_2024_cerrado
):
    _enviar_y_aprobar(_corregir(_reporte(BOGOTA, "3.1.1", 2024), "0.7", _usuario("planeador")))

    html = client.get(reverse("tablero", args=[BOGOTA]), {"corte": "2024-1"}).content.decode()

    assert "Cifras oficiales del corte, cerrado el" in html
    assert "43,92 %" in html and "50,48 %" in html and "−6,56 pp" in html


def test_cali_corregir_el_valor_aprobado_deja_la_cifra_oficial_hasta_la_aprobacion(datos_demo):
    """Correcting the approved 14.523 of 44010010002 (2017) to 17.480 is a proposal: the plan keeps
    the figure it publishes until the planning office approves it."""
    corte = CorteRef.parse("2017-2")
    oficial = _cifras(CALI, corte)
    reporte = _reporte(CALI, "44010010002", 2017)
    assert (reporte.estado, reporte.valor) == (Reporte.Estado.APROBADO, Decimal(14523))

    correccion = _corregir(reporte, "17480", _usuario("planeador"))

    assert correccion.estado == Reporte.Estado.BORRADOR and correccion.valor == Decimal(17480)
    assert correccion.valor_publicado == Decimal(14523)
    assert _indicador(CALI, corte, "44010010002").avance_anio == Decimal(14523)
    assert _cifras(CALI, corte) == oficial
    enviado = services.reporte_enviar(
        reporte=correccion, usuario=_usuario("planeador"), version_esperada=correccion.version
    )
    assert _cifras(CALI, corte) == oficial  # sent, not yet reviewed

    services.reporte_aprobar(reporte=enviado, usuario=_usuario("revisor"), version_esperada=enviado.version)

    assert _indicador(CALI, corte, "44010010002").avance_anio == Decimal(17480)
    assert _cifras(CALI, corte)["avance"] > oficial["avance"]
