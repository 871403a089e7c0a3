"""Writes of follow-up results: the official figures a closed cut publishes.

They run when `indicadores.services` closes, re-publishes or reopens a cut, through its signals
`corte_cerrado` and `corte_reabierto` (connected in `reportes.apps`), inside the same transaction;
nothing else writes `CifrasCorte`.
"""

from django.db import transaction

from indicadores.models import Corte
from reportes import congelar, selectors
from reportes.models import CifrasCorte
from seguimiento.metodologia.resultados import CorteRef


@transaction.atomic
def cifras_congelar(*, corte: Corte, usuario, motivo: str = "") -> CifrasCorte:
    """Store the cut's figures computed from the approved values of now; the previous published
    version, if any, is kept as superseded (`vigente=False`)."""
    cifras_retirar(corte=corte)
    resultado = selectors.plan_resultados_vivos(plan=corte.plan, corte=CorteRef(corte.anio, corte.semestre))
    return CifrasCorte.objects.create(corte=corte, congelado_por=usuario, motivo=motivo, **congelar.a_json(resultado))


def cifras_retirar(*, corte: Corte) -> None:
    """The cut is no longer frozen (reopened or about to be re-published): its figures stay on
    record as superseded."""
    CifrasCorte.objects.filter(corte=corte, vigente=True).update(vigente=False)


def al_cerrar_corte(*, corte: Corte, usuario, motivo: str = "", **_) -> None:
    cifras_congelar(corte=corte, usuario=usuario, motivo=motivo)


def al_reabrir_corte(*, corte: Corte, **_) -> None:
    cifras_retirar(corte=corte)
