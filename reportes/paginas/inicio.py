"""The home page: one card per plan the user may see, with its headline figures at its latest cut."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from indicadores import permisos
from politicas.models import Plan
from reportes import selectors
from reportes.graficos import ORDEN_BANDAS
from reportes.paginas.cortes import corte_de_fecha, periodos_registrados, ultimo_corte
from reportes.paginas.html import sin_informacion_alguna
from seguimiento.metodologia.resultados import CorteRef, ResultadoPlan, Semaforo


@dataclass
class TarjetaPlan:
    plan: Plan
    corte: CorteRef | None
    avance: Decimal | None
    trayectoria: Decimal | None
    brecha: Decimal | None
    conteo: list[tuple[Semaforo, int]]
    total: int
    informe: CorteRef | None = None  # the latest semester report, for plans followed qualitatively
    sin_reportes: bool = False  # indicators, but none with information at the cut

    @property
    def sin_indicadores(self) -> bool:
        return self.total == 0


def _cortes_por_defecto(planes: list[Plan]) -> tuple[dict[int, CorteRef], dict[int, CorteRef | None]]:
    """Each plan's default cut and latest semester report, from one query for all of them."""
    periodos: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for plan_id, anio, semestre, tipo in periodos_registrados([p.id for p in planes]):
        periodos[plan_id].append((anio, semestre, tipo))
    hoy = corte_de_fecha(datetime.date.today())
    cortes = {plan.id: ultimo_corte(periodos[plan.id], plan, hoy) for plan in planes}
    informes = {
        plan.id: max((CorteRef(a, s) for a, s, t in periodos[plan.id] if t == "informe"), default=None)
        for plan in planes
    }
    return cortes, informes


def tarjetas_inicio(user) -> list[TarjetaPlan]:
    """The plans a user may see, each with its headline figures at its latest cut.

    Queries: plans, their cuts and semester reports (one query, see `cortes.periodos_registrados`),
    then the engine's batch selector once per distinct latest cut (levels + indicators of every
    plan at that cut): the count never grows with plans' sizes.
    """
    planes = list(permisos.planes_visibles(user).select_related("entidad").order_by("entidad__nombre", "nombre"))
    cortes, informes = _cortes_por_defecto(planes)
    por_corte: dict[CorteRef, list[Plan]] = defaultdict(list)
    for plan in planes:
        por_corte[cortes[plan.id]].append(plan)
    resultados_por_plan: dict[int, ResultadoPlan] = {}
    for corte, grupo in por_corte.items():
        for resultado in selectors.planes_resultados(corte=corte, planes=grupo, con_indicadores=True):
            resultados_por_plan[resultado.plan_id] = resultado
    tarjetas = []
    for plan in planes:
        resultado = resultados_por_plan[plan.id]
        conteo = resultado.conteo_semaforo()
        total = resultado.total
        tarjetas.append(
            TarjetaPlan(
                plan=plan,
                corte=resultado.corte,
                avance=total.avance if total else None,
                trayectoria=total.trayectoria if total else None,
                brecha=total.brecha if total else None,
                conteo=[(b, conteo[b]) for b in ORDEN_BANDAS],
                total=len(resultado.indicadores),
                informe=informes[plan.id],
                sin_reportes=sin_informacion_alguna(resultado.indicadores),
            )
        )
    return tarjetas
