"""What the reviewer decides with (`reportes.revision`): the year's target, the approved report
before → after, the figures approving gives beside the official ones (the same as the
dashboards'), the plan de choque rule, and the band of each report in the queue, in a fixed
number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicadores import services
from indicadores.models import Corte, Evidencia, Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from reportes import revision
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef, Semaforo
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def indicador_semestral_de_salud():
    """A semestral suma indicator with a target of 10 in 2024 (5 due at June), its planner and
    the planning office."""
    dep = factories.dependencia(nombre="Salud")
    plan = factories.plan(entidad=dep.entidad, anio_inicio=2023, anio_fin=2030)
    nivel = factories.nivel(plan=plan, peso=D(100))
    indicador = factories.indicador(
        plan=plan, nivel=nivel, dependencia=dep, codigo="1.1.5", tipo_anualizacion="suma", periodicidad="semestral",
        metas={2024: "10", 2025: "10"}, meta_final=D("20"),
    )
    return {
        "plan": plan,
        "indicador": indicador,
        "planeador": factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dep], is_staff=True),
        "revisor": factories.usuario("revisora", grupos=(REVISOR,), is_staff=True),
    }


def _aprobado(e, valor: str, periodo: int = 1, **textos) -> Reporte:
    """A report written, sent and approved through the services, as the workflow does it."""
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=periodo, valor=D(valor), usuario=e["planeador"], **textos
    )
    reporte = services.reporte_enviar(reporte=reporte, usuario=e["planeador"], version_esperada=reporte.version)
    return services.reporte_aprobar(reporte=reporte, usuario=e["revisor"], version_esperada=reporte.version)


def _corregir(e, reporte: Reporte, valor: str, **textos) -> Reporte:
    return services.reporte_registrar(
        indicador=e["indicador"], anio=reporte.anio, periodo=reporte.periodo, valor=D(valor),
        usuario=e["planeador"], version_esperada=reporte.version, **textos,
    )


def _fila_oficial(e, corte: CorteRef):
    resultado = plan_resultados(plan=e["plan"], corte=corte)
    return next(i for i in resultado.indicadores if i.indicador_id == e["indicador"].pk)


def test_correccion_muestra_antes_y_despues_de_valor_narrativas_y_evidencias(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=1, valor=D("4"), usuario=e["planeador"],
        observaciones="Cuatro talleres.",
    )
    for descripcion in ("Acta de enero", "Lista de asistencia"):
        services.evidencia_agregar(reporte=reporte, usuario=e["planeador"], enlace="https://x.gov.co/a",
                                   descripcion=descripcion)
    reporte = services.reporte_enviar(reporte=reporte, usuario=e["planeador"], version_esperada=reporte.version)
    reporte = services.reporte_aprobar(reporte=reporte, usuario=e["revisor"], version_esperada=reporte.version)
    # The planner then corrects it: one evidence removed, one added, value and texts changed.
    Evidencia.objects.get(descripcion="Lista de asistencia").delete()
    services.evidencia_agregar(reporte=reporte, usuario=e["planeador"], enlace="https://x.gov.co/b",
                               descripcion="Informe de interventoría")
    reporte = _corregir(e, reporte, "4.5", observaciones="Cuatro talleres\r\ny medio.", plan_de_choque="")
    assert reporte.en_correccion

    vista = revision.revision_reporte(Reporte.objects.select_related("indicador").get(pk=reporte.pk))

    assert vista.es_correccion and vista.meta_anio == D("10")
    cambios = {c.etiqueta: (c.antes, c.despues, c.cambia) for c in vista.cambios}
    assert cambios["avance"] == ("4", "4,5", True)
    assert cambios["observaciones"] == ("Cuatro talleres.", "Cuatro talleres\ny medio.", True)
    assert cambios["plan de choque"] == ("—", "—", False)
    assert cambios["evidencias"][0] == "Acta de enero\nLista de asistencia"
    assert cambios["evidencias"][1] == "Acta de enero\nInforme de interventoría (nueva)"


def test_un_reporte_nuevo_no_tiene_antes_y_despues(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=1, valor=D("4"), usuario=e["planeador"]
    )
    vista = revision.revision_reporte(reporte)
    assert not vista.es_correccion and vista.cambios == []


def test_cifras_oficiales_y_al_aprobar_son_las_del_tablero_antes_y_despues(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = _aprobado(e, "4")  # 4 of the 5 due at June: PAHV 80 %, alto
    reporte = _corregir(e, reporte, "2", plan_de_choque="Se contrató el operador.")  # 40 %: bajo
    reporte = services.reporte_enviar(reporte=reporte, usuario=e["planeador"], version_esperada=reporte.version)

    vista = revision.revision_reporte(reporte)

    assert vista.corte == CorteRef(2024, 1) and not vista.corte_cerrado
    oficial = _fila_oficial(e, vista.corte)
    assert (vista.oficial.pav, vista.oficial.pahv, vista.oficial.banda) == (oficial.pav, oficial.pahv, oficial.semaforo)
    assert (vista.oficial.pahv, vista.oficial.banda) == (D(80), Semaforo.ALTO)
    assert (vista.al_aprobar.pahv, vista.al_aprobar.banda) == (D(40), Semaforo.BAJO)
    assert vista.requiere_plan_de_choque and vista.tiene_plan_de_choque and not vista.falta_plan_de_choque
    assert vista.que_plan_de_choque == "un plan de choque"

    services.reporte_aprobar(reporte=reporte, usuario=e["revisor"], version_esperada=reporte.version)
    despues = _fila_oficial(e, vista.corte)
    assert (despues.pav, despues.pahv, despues.semaforo) == (
        vista.al_aprobar.pav, vista.al_aprobar.pahv, vista.al_aprobar.banda
    )


def test_sobre_ejecucion_pide_justificacion_y_avisa_si_falta(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=1, valor=D("9"), usuario=e["planeador"]
    )
    vista = revision.revision_reporte(reporte)
    assert vista.al_aprobar.banda == Semaforo.SOBRE_EJECUCION
    assert vista.falta_plan_de_choque
    assert vista.que_plan_de_choque == "la justificación de la sobre ejecución"
    # The official figures do not count a draft: the indicator has not started.
    assert vista.oficial.pahv is None and vista.oficial.motivo == "No ha iniciado"


def test_con_el_corte_de_junio_cerrado_un_anual_cambia_las_cifras_de_diciembre(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    anual = factories.indicador(
        plan=e["plan"], nivel=e["indicador"].nivel, dependencia=e["indicador"].dependencia, codigo="2.1.1",
        tipo_anualizacion="constante", periodicidad="anual", metas={2024: "0.8"}, meta_final=D("0.8"),
    )
    Corte.objects.create(plan=e["plan"], anio=2024, semestre=1, estado=Corte.Estado.CERRADO)
    reporte = services.reporte_registrar(indicador=anual, anio=2024, periodo=1, valor=D("0.4"), usuario=e["planeador"])
    vista = revision.revision_reporte(reporte)
    assert vista.corte == CorteRef(2024, 2) and not vista.corte_cerrado
    assert vista.al_aprobar.pahv == D(50)


def test_corte_cerrado_compara_con_las_cifras_que_publico(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = _aprobado(e, "4")
    corte = services.corte_abrir(plan=e["plan"], anio=2024, semestre=1, usuario=e["revisor"])
    services.corte_cerrar(corte=corte, usuario=e["revisor"])
    # An administrator corrects the frozen report (with a reason); the published figures stay.
    admin = factories.usuario("admin", is_superuser=True, is_staff=True)
    services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=1, valor=D("1"), usuario=admin,
        version_esperada=reporte.version, motivo="Oficio 12",
    )
    vista = revision.revision_reporte(Reporte.objects.select_related("indicador").get(pk=reporte.pk))
    assert vista.corte == CorteRef(2024, 1) and vista.corte_cerrado
    assert (vista.oficial.pahv, vista.oficial.banda) == (D(80), Semaforo.ALTO)  # as published
    assert (vista.al_aprobar.pahv, vista.al_aprobar.banda) == (D(20), Semaforo.BAJO)


def test_cifras_oficiales_del_demo_de_bogota_iguales_a_las_del_tablero(datos_demo):
    reportes = list(
        Reporte.objects.select_related("indicador__plan").filter(indicador__plan__codigo="bogota-conpes-29")
    )
    plan = reportes[0].indicador.plan
    por_corte = {}
    assert len(reportes) > 30
    for reporte in reportes:
        vista = revision.revision_reporte(reporte)
        if vista.corte not in por_corte:
            resultado = plan_resultados(plan=plan, corte=vista.corte)
            por_corte[vista.corte] = {i.indicador_id: i for i in resultado.indicadores}
        fila = por_corte[vista.corte][reporte.indicador_id]
        assert (vista.oficial.pav, vista.oficial.pahv, vista.oficial.banda) == (fila.pav, fila.pahv, fila.semaforo), (
            str(reporte)
        )
    # 2023 is frozen by the closed cut 2023-2; 2024 counts at the open 2024-1.
    assert set(por_corte) == {CorteRef(2023, 2), CorteRef(2024, 1)}
    tres_uno_uno = next(r for r in reportes if r.indicador.codigo == "3.1.1" and r.anio == 2024)
    vista = revision.revision_reporte(tres_uno_uno)
    assert (vista.oficial.banda, vista.al_aprobar) == (Semaforo.BAJO, vista.oficial)  # approved: nothing to change


def test_bandas_de_la_cola_iguales_a_las_de_la_pagina_de_revision(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    _aprobado(e, "4", periodo=1)
    services.reporte_registrar(indicador=e["indicador"], anio=2024, periodo=2, valor=D("30"), usuario=e["planeador"])
    otro = factories.indicador(
        plan=e["plan"], nivel=e["indicador"].nivel, dependencia=e["indicador"].dependencia, codigo="3.1.1",
        tipo_anualizacion="constante", periodicidad="anual", metas={2023: "0.8", 2024: "0.8"},
        reportes={2023: "0", 2024: "0.33"},
    )
    reportes = Reporte.objects.select_related("indicador").all()
    bandas = revision.bandas_al_aprobar(Reporte.objects.all())
    assert bandas == {r.pk: revision.revision_reporte(r).al_aprobar.banda for r in reportes}
    assert bandas[otro.reportes.get(anio=2024).pk] == Semaforo.BAJO
    propios = {r.periodo: bandas[r.pk] for r in reportes if r.indicador_id == e["indicador"].pk}
    assert propios == {1: Semaforo.ALTO, 2: Semaforo.SOBRE_EJECUCION}  # 4 of 5 at June; 34 of 10 at December


def _poblar(e, n: int) -> None:
    """n more indicators with targets and an approved report each."""
    for i in range(n):
        factories.indicador(
            plan=e["plan"], nivel=e["indicador"].nivel, dependencia=e["indicador"].dependencia,
            periodicidad="semestral", metas={2024: "10", 2025: "10"}, reportes={(2024, 1): str(i % 9)},
        )


def _consultas(funcion) -> int:
    with CaptureQueriesContext(connection) as consultas:
        funcion()
    return len(consultas)


def test_cola_y_pagina_de_revision_con_numero_fijo_de_consultas(indicador_semestral_de_salud):
    e = indicador_semestral_de_salud
    reporte = _corregir(e, _aprobado(e, "4"), "5")
    _poblar(e, 2)
    pocos_cola = _consultas(lambda: revision.bandas_al_aprobar(Reporte.objects.all()))
    pocos_pagina = _consultas(lambda: revision.revision_reporte(reporte))
    _poblar(e, 40)
    services.reporte_registrar(indicador=e["indicador"], anio=2024, periodo=2, valor=D("3"), usuario=e["planeador"])
    for k in range(5):
        services.evidencia_agregar(reporte=reporte, usuario=e["planeador"], enlace=f"https://x.gov.co/{k}")
    assert _consultas(lambda: revision.bandas_al_aprobar(Reporte.objects.all())) == pocos_cola == 4
    assert _consultas(lambda: revision.revision_reporte(reporte)) == pocos_pagina
