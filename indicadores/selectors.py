"""Reads of indicators' data that the write services need, apart from them (reads in selectors,
writes in services)."""

from decimal import Decimal

from indicadores import reglas
from indicadores.models import Corte, Reporte
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import Semaforo
from seguimiento.semaforo import umbrales


def reporte_semaforo_al_corte(reporte: Reporte) -> tuple[Semaforo, Decimal | None, str]:
    """The indicator's headline status (PAHV semáforo) at the cut of this report, with PAHV and
    the cut («2024-1»). Counts every report the indicator has, drafts included: it is the
    planner's own picture before sending."""
    indicador = reporte.indicador
    cerrados = Corte.objects.filter(plan_id=indicador.plan_id, estado=Corte.Estado.CERRADO).values_list("anio", "semestre")
    # The cut the report serves: December's for an annual value once June's cut is closed.
    anio, semestre, _ = reglas.corte_del_reporte(
        periodicidad=indicador.periodicidad, anio=reporte.anio, periodo=reporte.periodo, cerrados=cerrados
    )
    metas = dict(indicador.metas.values_list("anio", "valor"))
    filas = [(r.anio, r.periodo, r.valor) for r in indicador.reportes.exclude(pk=reporte.pk)]
    filas.append((reporte.anio, reporte.periodo, reporte.valor))
    calculo = calculos.calcular_indicador(
        tipo=indicador.tipo_anualizacion,
        linea_base=indicador.linea_base,
        metas=calculos.resumen_metas(metas, anio),
        reportes=calculos.resumen_reportes(
            filas, periodicidad=indicador.periodicidad, corte_anio=anio, corte_semestre=semestre
        ),
        f=calculos.fraccion_anio(indicador.periodicidad, semestre),
    )
    banda = calculos.semaforo(calculo.pahv, umbrales())
    return banda, calculo.pahv, f"{anio}-{semestre}"
