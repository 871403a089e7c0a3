"""The printable reports: the follow-up report (SPEC §8, Bogotá format) and the per-indicator
report (Cali format).

The follow-up report prints the dashboard (`paginas.tablero.Tablero`) with the narratives of
the indicators in the low and over-execution bands. The qualitative semester report (Sopó
format, SPEC §7) reads its figures from `reportes.selectors_cualitativo`.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from indicadores import permisos
from indicadores.models import Indicador, Meta, Reporte
from politicas import arbol
from politicas.models import Nivel, Plan
from reportes.filtros import FiltrosAnexo
from reportes.paginas.indicador import FilaAnio, avances_por_anio, cuenta_al_corte
from reportes.paginas.tablero import Fila, Tablero, tablero_plan
from seguimiento.metodologia.resultados import CorteRef, Semaforo


def narrativas(plan: Plan, ids: list[int], corte: CorteRef) -> dict[int, Reporte]:
    """The latest approved report up to the cut of each indicator in `ids`: its observaciones and
    plan de choque are the narrative the follow-up report quotes. One query."""
    ultimo: dict[int, Reporte] = {}
    qs = (
        Reporte.objects.oficiales().filter(indicador_id__in=ids, anio__lte=corte.anio)
        .select_related("indicador")
        .order_by("indicador_id", "anio", "periodo")
    )
    for reporte in qs:
        if cuenta_al_corte(reporte.indicador, reporte, corte):
            ultimo[reporte.indicador_id] = reporte.como_publicado()
    return ultimo


# Follow-up report (Bogotá) ---------------------------------------------------------------------


@dataclass
class InformeSeguimiento:
    """The dashboard at the cut, unfiltered, and the rows the report comments on, each with its
    latest narrative (None when it has none)."""

    tablero: Tablero
    bajos: list[tuple[Fila, Reporte | None]]
    sobre: list[tuple[Fila, Reporte | None]]
    conteo: dict[Semaforo, int]


def informe_seguimiento(*, plan: Plan, corte: CorteRef, cortes: list[CorteRef], user) -> InformeSeguimiento:
    """The follow-up report: the dashboard's queries plus one for the narratives."""
    datos = tablero_plan(plan=plan, corte=corte, cortes=cortes, user=user, filtros=FiltrosAnexo())
    bajos = [f for f in datos.filas if f.r.semaforo == Semaforo.BAJO]
    sobre = [f for f in datos.filas if f.r.semaforo == Semaforo.SOBRE_EJECUCION]
    citas = narrativas(plan, [f.r.indicador_id for f in bajos + sobre], corte)
    return InformeSeguimiento(
        tablero=datos,
        bajos=[(f, citas.get(f.r.indicador_id)) for f in bajos],
        sobre=[(f, citas.get(f.r.indicador_id)) for f in sobre],
        conteo=dict((b, n) for b, n, _ in datos.conteo),
    )


# Per-indicator report (Cali) -------------------------------------------------------------------


@dataclass
class IndicadorCali:
    indicador: Indicador
    anios: list[FilaAnio]
    reportes: list[Reporte]


@dataclass
class GrupoCali:
    ruta: list[Nivel]  # the levels opened by this group (only those not already open)
    indicadores: list[IndicadorCali]


def informe_indicadores(
    *, plan: Plan, corte: CorteRef, dependencia_id: int | None, codigos: list[str], user
) -> list[GrupoCali]:
    """The Cali per-indicator report: indicators grouped under their levels, each with LB, the year
    table and the narratives of the cut's year. Queries: levels, indicators, targets, reports."""
    niveles = {n.id: n for n in Nivel.objects.filter(plan=plan)}
    for n in niveles.values():
        n.plan = plan
    qs = permisos.indicadores_legibles(user, Indicador.objects.filter(plan=plan))
    if dependencia_id:
        qs = qs.filter(dependencia_id=dependencia_id)
    if codigos:
        qs = qs.filter(codigo__in=codigos)
    indicadores = list(
        qs.select_related("plan", "dependencia").prefetch_related(
            Prefetch("metas", queryset=Meta.objects.order_by("anio")),
            Prefetch("reportes", queryset=Reporte.objects.oficiales().order_by("anio", "periodo")),
        )
    )

    def ruta_de(nivel_id: int) -> list[Nivel]:
        return arbol.ruta(niveles, nivel_id)

    indicadores.sort(
        key=lambda i: ([arbol.clave_codigo(n.codigo) for n in ruta_de(i.nivel_id)], arbol.clave_codigo(i.codigo))
    )
    grupos: list[GrupoCali] = []
    abiertos: list[int] = []
    for ind in indicadores:
        ruta = ruta_de(ind.nivel_id)
        ids = [n.id for n in ruta]
        if ids != abiertos or not grupos:
            comun = 0
            while comun < min(len(ids), len(abiertos)) and ids[comun] == abiertos[comun]:
                comun += 1
            grupos.append(GrupoCali(ruta=ruta[comun:], indicadores=[]))
            abiertos = ids
        metas = {m.anio: m.valor for m in ind.metas.all()}
        reportes = [r.como_publicado() for r in ind.reportes.all() if cuenta_al_corte(ind, r, corte)]
        grupos[-1].indicadores.append(
            IndicadorCali(
                indicador=ind,
                anios=avances_por_anio(ind, metas, reportes, corte),
                reportes=[r for r in reportes if r.anio == corte.anio and (r.observaciones or r.plan_de_choque)],
            )
        )
    return grupos
