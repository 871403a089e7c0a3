"""Which cuts a plan can be read at, its default (latest) one, and the cut asked for in the URL.

Every page and the Excel export choose their cut here, so a plan without cuts, without reports or
with only qualitative semester reports opens at the same cut everywhere.
"""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Exists, IntegerField, Max, OuterRef, Value

from indicadores.models import Corte, Reporte
from politicas.models import InformeCualitativo, Plan
from seguimiento.metodologia.resultados import CorteRef


def corte_de_fecha(fecha: datetime.date) -> CorteRef:
    """The latest cut whose date has passed by `fecha`."""
    if fecha >= datetime.date(fecha.year, 12, 31):
        return CorteRef(fecha.year, 2)
    if fecha >= datetime.date(fecha.year, 6, 30):
        return CorteRef(fecha.year, 1)
    return CorteRef(fecha.year - 1, 2)


@dataclass
class PeriodosPlan:
    """The cuts a plan can be read at (oldest first) and its semester reports (newest first)."""

    cortes: list[CorteRef]
    informes: list[CorteRef]

    @property
    def ultimo_informe(self) -> CorteRef | None:
        return self.informes[0] if self.informes else None


def periodos_registrados(plan_ids: list[int]) -> list[tuple[int, int, int, str]]:
    """(plan, año, semestre, tipo) rows, one query: the plans' cuts («corte»), semester reports
    («informe») and, only for plans with neither, their last year with reports («reporte»).

    The reports are read only for plans without cuts or semester reports (an empty set for
    plans in use), so large plans pay nothing for this fallback.
    """

    def tipo(nombre: str) -> Value:
        return Value(nombre, output_field=CharField())

    cortes = (
        Corte.objects.filter(plan_id__in=plan_ids).annotate(tipo=tipo("corte"))
        .values_list("plan_id", "anio", "semestre", "tipo").order_by()
    )
    informes = (
        InformeCualitativo.objects.filter(plan_id__in=plan_ids).annotate(tipo=tipo("informe"))
        .values_list("plan_id", "anio", "semestre", "tipo").order_by()
    )
    sin_periodos = (
        Plan.objects.filter(id__in=plan_ids)
        .exclude(Exists(Corte.objects.filter(plan=OuterRef("pk"))))
        .exclude(Exists(InformeCualitativo.objects.filter(plan=OuterRef("pk"))))
        .values("id")
    )
    reportes = (
        Reporte.objects.filter(indicador__plan_id__in=sin_periodos)
        .values("indicador__plan_id")
        .annotate(ultimo=Max("anio"), semestre=Value(2, output_field=IntegerField()), tipo=tipo("reporte"))
        .values_list("indicador__plan_id", "ultimo", "semestre", "tipo")
        .order_by()
    )
    return list(cortes.union(informes, reportes, all=True))


def ultimo_corte(periodos: list[tuple[int, int, str]], plan: Plan, hoy: CorteRef) -> CorteRef:
    """The plan's default cut from its (año, semestre, tipo) rows: its latest opened cut, else its
    latest semester report, else the December cut of its last year with reports (not later than
    today's cut), else today's cut within the plan's years."""
    for buscado in ("corte", "informe"):
        refs = [CorteRef(a, s) for a, s, t in periodos if t == buscado]
        if refs:
            return max(refs)
    anios = [a for a, _s, t in periodos if t == "reporte"]
    return min(hoy, CorteRef(max(anios), 2)) if anios else min(hoy, CorteRef(plan.anio_fin, 2))


def periodos_del_plan(plan: Plan) -> PeriodosPlan:
    """Every semester cut from the plan's first year to its default cut, and its semester reports.

    The default (latest) cut is the last one that exists for the plan: its latest Corte, else its
    latest semester report, else the last year with reports; today's date only when the plan
    has no data at all. One query.
    """
    periodos = [(a, s, t) for _p, a, s, t in periodos_registrados([plan.id])]
    ultimo = ultimo_corte(periodos, plan, corte_de_fecha(datetime.date.today()))
    cortes = [CorteRef(a, s) for a in range(plan.anio_inicio, ultimo.anio + 1) for s in (1, 2)]
    informes = sorted({CorteRef(a, s) for a, s, t in periodos if t == "informe"}, reverse=True)
    return PeriodosPlan(cortes=[c for c in cortes if c <= ultimo] or [ultimo], informes=informes)


def cortes_del_plan(plan: Plan) -> list[CorteRef]:
    """The cuts a plan can be read at, oldest first (see `periodos_del_plan`)."""
    return periodos_del_plan(plan).cortes


def elegir_corte(texto: str | None, disponibles: list[CorteRef]) -> CorteRef:
    """The cut asked for in the URL when it is one of the plan's available cuts; a malformed
    text or a cut the plan does not have falls back to the latest one."""
    if texto:
        try:
            pedido = CorteRef.parse(texto)
        except ValueError:
            pedido = None
        if pedido in disponibles:
            return pedido
    return disponibles[-1]
