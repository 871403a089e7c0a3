"""Which indicator results a user may read: the one rule behind the dashboard, the results API,
the Excel export and the printable reports.

The engine (`reportes.selectors.plan_resultados`) computes a whole plan. Its level and plan totals
are aggregates and may be shown to whoever sees the plan; the per-indicator results (codes, names,
percentages) only for the indicators the user may read (`permisos.indicadores_legibles`).
"""

from indicadores import permisos
from indicadores.models import Indicador
from politicas.models import Plan
from seguimiento.metodologia.resultados import ResultadoIndicador, ResultadoPlan


def ve_todo_el_plan(plan: Plan, user) -> bool:
    """A published plan is public; readers of everything (officials, auditors, reviewers) read all."""
    return bool(plan.publicado or permisos.lee_todo(user))


def ids_legibles(plan: Plan, user) -> set[int] | None:
    """Ids of the plan's indicators the user may read, or None when they may read them all.
    At most one query."""
    if ve_todo_el_plan(plan, user):
        return None
    return set(permisos.indicadores_legibles(user, Indicador.objects.filter(plan=plan)).values_list("id", flat=True))


def resultados_visibles(resultado: ResultadoPlan, user, plan: Plan) -> list[ResultadoIndicador]:
    """The indicator results of `resultado` the user may read: all of them on a published plan
    or for readers of everything; otherwise those of `permisos.indicadores_legibles`."""
    ids = ids_legibles(plan, user)
    if ids is None:
        return list(resultado.indicadores)
    return [r for r in resultado.indicadores if r.indicador_id in ids]


def niveles_visibles(niveles: list[dict], visibles: list[ResultadoIndicador], *, restringido: bool) -> list[dict]:
    """Levels (dicts with id, padre_id, profundidad) a restricted user may list: the top level,
    which the dashboard shows as aggregates, and the ancestors of the indicators they read.
    Everyone else gets every level."""
    if not restringido:
        return niveles
    por_id = {n["id"]: n for n in niveles}
    abiertos = {n["id"] for n in niveles if n["profundidad"] == 0}
    for r in visibles:
        # Walk up until an open level: its own ancestors were opened with it.
        nivel = por_id.get(r.nivel_id)
        while nivel is not None and nivel["id"] not in abiertos:
            abiertos.add(nivel["id"])
            nivel = por_id.get(nivel["padre_id"])
    return [n for n in niveles if n["id"] in abiertos]

