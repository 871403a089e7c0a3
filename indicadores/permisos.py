"""Who may see and change which indicators and reports (object-level scoping per dependencia).

Planners (Planeador) read and write the indicators of their own dependencias; officials
(Funcionario), auditors (Auditor) and the planning office (Revisor) read everything; anonymous
visitors read published plans only. Every view, admin, API endpoint and import asks here.

The roles and the checks on a user's groups live in `seguimiento.roles`, the plans and
dependencias a user reaches in `politicas.roles`; they are re-exported here so that callers keep
asking one module.
"""

from django.db.models import Q, QuerySet

from indicadores.models import Indicador, Reporte
from politicas.roles import dependencias_ids, planes_visibles
from seguimiento.roles import (
    AUDITOR,
    FUNCIONARIO,
    PLANEADOR,
    REVISOR,
    ROLES,
    ROLES_LECTORES,
    es_planeador,
    es_revisor,
    lee_todo,
    puede_auditar,
)

__all__ = [
    "AUDITOR", "FUNCIONARIO", "PLANEADOR", "REVISOR", "ROLES", "ROLES_LECTORES",
    "es_planeador", "es_revisor", "lee_todo", "puede_auditar", "dependencias_ids", "planes_visibles",
    "indicadores_visibles", "indicadores_legibles", "reportes_visibles", "indicadores_editables",
    "puede_editar_indicador",
]


def indicadores_visibles(user, indicadores: QuerySet[Indicador] | None = None) -> QuerySet[Indicador]:
    """Indicators a user may read: all for readers, their dependencias' for planners."""
    indicadores = Indicador.objects.all() if indicadores is None else indicadores
    if lee_todo(user):
        return indicadores
    if user.is_authenticated:
        return indicadores.filter(dependencia_id__in=dependencias_ids(user))
    return indicadores.filter(plan__publicado=True)


def indicadores_legibles(user, indicadores: QuerySet[Indicador] | None = None) -> QuerySet[Indicador]:
    """Indicators a user may read where published data is shown (dashboards, API, exports):
    their own scope plus every indicator of a published plan, so logging in never hides what an
    anonymous visitor sees. The admin keeps the strict scope of `indicadores_visibles`."""
    indicadores = Indicador.objects.all() if indicadores is None else indicadores
    if lee_todo(user):
        return indicadores
    return indicadores.filter(Q(plan__publicado=True) | Q(dependencia_id__in=dependencias_ids(user)))


def reportes_visibles(user, reportes: QuerySet[Reporte] | None = None) -> QuerySet[Reporte]:
    """Reports a user may read, with their narratives (API, Excel export).

    One rule: readers of everything see every report; planners see every report (drafts, sent,
    returned) of their dependencias' indicators; everyone sees the approved reports of the
    indicators they may read (`indicadores_legibles`). A draft never leaves its dependencia.
    """
    reportes = Reporte.objects.all() if reportes is None else reportes
    if lee_todo(user):
        return reportes
    # Approved + legible indicator, spelled as `indicadores_legibles` spells it (no subquery).
    # A report whose correction is under review is still approved: its approved copy is public.
    aprobados_legibles = (Q(estado=Reporte.Estado.APROBADO) | Q(valor_oficial__isnull=False)) & (
        Q(indicador__plan__publicado=True) | Q(indicador__dependencia_id__in=dependencias_ids(user))
    )
    return reportes.filter(aprobados_legibles | Q(indicador__dependencia_id__in=dependencias_ids(user)))


def indicadores_editables(user, indicadores: QuerySet[Indicador] | None = None) -> QuerySet[Indicador]:
    indicadores = Indicador.objects.all() if indicadores is None else indicadores
    if user.is_authenticated and user.is_superuser:
        return indicadores
    if es_planeador(user):
        return indicadores.filter(dependencia_id__in=dependencias_ids(user))
    return indicadores.none()


def puede_editar_indicador(user, indicador: Indicador) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    return es_planeador(user) and indicador.dependencia_id in dependencias_ids(user)

