"""Writes of indicators' data. The admin, the API, imports and commands all call these, so the
rules (validation, permissions, closed cuts) hold whichever door a change comes through."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from indicadores import permisos
from indicadores.models import Indicador, Reporte


def reporte_verificar(*, indicador: Indicador, anio: int, periodo: int, usuario) -> None:
    """Raise PermissionDenied or ValidationError if `usuario` may not write this period's report.

    `reporte_registrar` calls it; forms call it too, so a refusal shows as a form error.
    """
    if not permisos.puede_editar_indicador(usuario, indicador):
        raise PermissionDenied(f"No puede reportar el indicador {indicador.codigo}: no es de sus dependencias.")


@transaction.atomic
def reporte_registrar(
    *,
    indicador: Indicador,
    anio: int,
    periodo: int,
    valor: Decimal,
    usuario,
    observaciones: str = "",
    plan_de_choque: str = "",
) -> Reporte:
    """Create or correct the report of one period, as a draft of the planner who writes it."""
    reporte_verificar(indicador=indicador, anio=anio, periodo=periodo, usuario=usuario)
    reporte = Reporte.objects.filter(indicador=indicador, anio=anio, periodo=periodo).first() or Reporte(
        indicador=indicador, anio=anio, periodo=periodo, creado_por=usuario
    )
    reporte.valor = valor
    reporte.observaciones = observaciones
    reporte.plan_de_choque = plan_de_choque
    reporte.full_clean()
    if reporte.pk:
        reporte.version += 1
    reporte._history_user = usuario
    reporte.save()
    return reporte


__all__ = ["reporte_registrar", "reporte_verificar", "ValidationError", "PermissionDenied"]
