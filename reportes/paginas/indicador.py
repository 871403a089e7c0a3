"""The indicator page: its place in the plan, the year table and chart (meta against ejecución),
its percentages at the cut and its reports with their narratives and evidence.

The year table (`avances_por_anio`) and the rule of which reports count at a cut
(`cuenta_al_corte`) are shared with the Cali report (`paginas.informes`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString

from indicadores import permisos
from indicadores.models import Enfoque, Indicador, Meta, Reporte
from politicas import arbol
from politicas.models import Nivel, Plan
from reportes import graficos, selectors
from reportes.graficos import COLOR_AVANCE, COLOR_META, Serie
from reportes.paginas.html import porcentajes_html
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import ESTADOS_OFICIALES, CorteRef, ResultadoIndicador


@dataclass
class FilaAnio:
    anio: int
    meta: Decimal | None
    avance: Decimal | None
    porcentaje: Decimal | None  # avance of the year against its target, as PAV would compute it


@dataclass
class PaginaIndicador:
    plan: Plan
    indicador: Indicador
    corte: CorteRef
    cortes: list[CorteRef]
    ruta: list[Nivel]
    resultado: ResultadoIndicador | None
    anios: list[FilaAnio]
    reportes: list[Reporte]
    enfoques: list[Enfoque]
    grafico: SafeString
    ve_borradores: bool
    pav: SafeString | None = None
    pahv: SafeString | None = None
    paa: SafeString | None = None
    publicacion: object | None = None  # reportes.congelar.Publicacion of a closed cut


def cuenta_al_corte(indicador: Indicador, reporte: Reporte, corte: CorteRef) -> bool:
    """Whether the report's period has begun by the cut (SPEC §2), so the cut counts it."""
    return calculos.reporte_cuenta(
        periodicidad=indicador.periodicidad, anio=reporte.anio, periodo=reporte.periodo,
        corte_anio=corte.anio, corte_semestre=corte.semestre,
    )


def avances_por_anio(
    indicador: Indicador, metas: dict[int, Decimal], reportes: list[Reporte], corte: CorteRef
) -> list[FilaAnio]:
    """The Cali year table: meta and ejecución of every year up to the cut's year.

    A[y] follows SPEC §2 (sum of the year's reports for `suma`, the last one otherwise); the
    cut's own year only counts the periods begun by the cut.
    """
    tripletas = [(r.anio, r.periodo, r.valor) for r in reportes]
    anios = sorted({*metas, *(r.anio for r in reportes)} | set(range(indicador.plan.anio_inicio, corte.anio + 1)))
    filas = []
    for anio in anios:
        if anio > corte.anio and anio not in metas:
            continue
        semestre = corte.semestre if anio == corte.anio else 2
        if anio > corte.anio:
            avance = None
        else:
            resumen = calculos.resumen_reportes(
                tripletas, periodicidad=indicador.periodicidad, corte_anio=anio, corte_semestre=semestre
            )
            avance = calculos.avance_anio(indicador.tipo_anualizacion, resumen)
        meta = metas.get(anio)
        porcentaje = calculos.porcentaje_vigencia(indicador.tipo_anualizacion, indicador.linea_base, meta, avance)
        filas.append(FilaAnio(anio=anio, meta=meta, avance=avance, porcentaje=porcentaje))
    return filas


def _reportes_de_la_pagina(
    indicador: Indicador, corte: CorteRef, *, ve_borradores: bool
) -> tuple[list[Reporte], list[Reporte]]:
    """(the reports the page lists, the official ones the year table counts), both up to the cut.
    One query, with the evidence."""
    reportes_qs = Reporte.objects.filter(indicador=indicador).prefetch_related("evidencias").order_by("anio", "periodo")
    if not ve_borradores:
        reportes_qs = reportes_qs.oficiales()
    reportes = [r for r in reportes_qs if cuenta_al_corte(indicador, r, corte)]
    for reporte in reportes:
        reporte.indicador = indicador  # its period's name reads the periodicidad: no query per row
    oficiales = [r.como_publicado() for r in reportes if r.es_oficial]
    if not ve_borradores:
        # The public reads the approved copy of a report whose correction is under review.
        reportes = oficiales
    return reportes, oficiales


def pagina_indicador(*, plan: Plan, indicador: Indicador, corte: CorteRef, cortes: list[CorteRef], user) -> PaginaIndicador:
    """Queries: levels of the plan, targets, reports with their evidence, enfoques, results at the cut."""
    niveles = {n.id: n for n in Nivel.objects.filter(plan=plan)}
    ruta = arbol.ruta(niveles, indicador.nivel_id)
    for n in ruta:
        n.plan = plan  # nombre_tipo reads the plan: avoid one query per level
    metas = dict(Meta.objects.filter(indicador=indicador).values_list("anio", "valor"))
    ve_borradores = permisos.puede_editar_indicador(user, indicador) or permisos.es_revisor(user)
    reportes, oficiales = _reportes_de_la_pagina(indicador, corte, ve_borradores=ve_borradores)
    anios = avances_por_anio(indicador, metas, oficiales, corte)
    enfoques = list(indicador.enfoques.all())
    del_plan = selectors.plan_resultados(plan=plan, corte=corte, estados=ESTADOS_OFICIALES)
    resultado = next((r for r in del_plan.indicadores if r.indicador_id == indicador.id), None)
    grafico = graficos.barras(
        titulo=f"Meta y ejecución por vigencia del indicador {indicador.codigo}",
        categorias=[str(f.anio) for f in anios],
        series=[
            Serie("Meta", [f.meta for f in anios], COLOR_META, discontinua=True),
            Serie("Ejecución", [f.avance for f in anios], COLOR_AVANCE),
        ],
        unidad="",
    )
    pagina = PaginaIndicador(
        plan=plan, indicador=indicador, corte=corte, cortes=cortes, ruta=ruta, resultado=resultado, anios=anios,
        reportes=reportes, enfoques=enfoques, grafico=grafico, ve_borradores=ve_borradores,
        publicacion=del_plan.publicacion,
    )
    if resultado:
        pagina.pav, pagina.pahv, pagina.paa = porcentajes_html(resultado)
    return pagina
