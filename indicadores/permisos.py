"""Who may see and change what (roles of issue 2, object-level scoping per dependencia).

Planners (Planeador) read and write the indicators of their own dependencias; officials
(Funcionario), auditors (Auditor) and the planning office (Revisor) read everything; anonymous
visitors read published plans only. Every view, admin, API endpoint and import asks here.
"""

from django.db.models import Q, QuerySet

from indicadores.models import Indicador, Reporte
from politicas.models import Plan

PLANEADOR = "Planeador"
FUNCIONARIO = "Funcionario"
AUDITOR = "Auditor"
REVISOR = "Revisor"
ROLES = (PLANEADOR, FUNCIONARIO, AUDITOR, REVISOR)
ROLES_LECTORES = {FUNCIONARIO, AUDITOR, REVISOR}


def _grupos(user) -> set[str]:
    if not hasattr(user, "_grupos_seguimiento"):
        user._grupos_seguimiento = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return user._grupos_seguimiento


def lee_todo(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _grupos(user) & ROLES_LECTORES))


def es_revisor(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or REVISOR in _grupos(user)))


def es_planeador(user) -> bool:
    return bool(user.is_authenticated and PLANEADOR in _grupos(user))


def dependencias_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_dependencias_seguimiento"):
        user._dependencias_seguimiento = set(user.dependencias.values_list("id", flat=True))
    return user._dependencias_seguimiento


def planes_visibles(user, planes: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    planes = Plan.objects.all() if planes is None else planes
    if lee_todo(user):
        return planes
    if user.is_authenticated:
        # A planner sees the plans where they report an indicator or whose lead office is theirs
        # (a policy followed only through its qualitative report may have no indicators).
        return planes.filter(
            Q(publicado=True) | Q(indicadores__dependencia__usuarios=user) | Q(dependencia_lider__usuarios=user)
        ).distinct()
    return planes.filter(publicado=True)


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


def puede_auditar(user) -> bool:
    """Auditors read the audit trail and export it; so do the planning office and administrators."""
    return bool(user.is_authenticated and (user.is_superuser or _grupos(user) & {AUDITOR, REVISOR}))
