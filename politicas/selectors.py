"""Reads of plans and their hierarchy, each in a fixed number of queries."""

from collections import defaultdict
from decimal import Decimal

from politicas import reglas
from politicas.models import Nivel, Plan

PESO_TOTAL = Decimal(100)


def plan_errores_pesos(*, plan: Plan) -> list[str]:
    """Every place in the plan where siblings' weights do not add up to their parent's.

    Two queries whatever the plan's size: its levels and its indicators.
    """
    niveles = list(Nivel.objects.filter(plan=plan).values("id", "padre_id", "codigo", "nombre", "peso"))
    hijos: dict[int | None, list[tuple[str, Decimal | None]]] = defaultdict(list)
    for nivel in niveles:
        hijos[nivel["padre_id"]].append((nivel["codigo"], nivel["peso"]))
    # The plan's indicators through its reverse relation: this layer does not import indicadores.
    for indicador in plan.indicadores.values("nivel_id", "codigo", "peso"):
        hijos[indicador["nivel_id"]].append((indicador["codigo"], indicador["peso"]))

    errores = reglas.errores_pesos(padre=f"el plan «{plan.codigo}»", peso_padre=PESO_TOTAL, hijos=hijos[None])
    for nivel in niveles:
        errores += reglas.errores_pesos(
            padre=f"el nivel {nivel['codigo']}", peso_padre=nivel["peso"], hijos=hijos[nivel["id"]]
        )
    return errores
