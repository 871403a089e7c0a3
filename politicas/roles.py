"""The four roles of issue 2 as Django groups, with their model permissions, and the plans and
dependencias each user reaches.

The roles' names and the checks on a user's groups (`es_revisor`, `lee_todo`…) live in
`seguimiento.roles`. `asegurar_grupos()` is idempotent: it runs after every `migrate` (see
`PoliticasConfig.ready`) and from the demo loader, and leaves each group with exactly the
permissions written here, so the definition below is the single source of truth. Object-level
scoping is not a Django permission: which plans a user sees is `planes_visibles` below, which
indicators and reports `indicadores.permisos`.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from politicas.models import Plan
from seguimiento.roles import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR, lee_todo

# Models of the domain, as (app_label, model_name).
MODELOS = [
    ("politicas", "entidad"),
    ("politicas", "dependencia"),
    ("politicas", "plan"),
    ("politicas", "nivel"),
    ("politicas", "informecualitativo"),
    ("politicas", "actividadcualitativa"),
    ("indicadores", "enfoque"),
    ("indicadores", "indicador"),
    ("indicadores", "meta"),
    ("indicadores", "corte"),
    ("indicadores", "reporte"),
    ("indicadores", "evidencia"),
]
# The audit trail: django-simple-history's historical models.
MODELOS_HISTORICOS = [
    ("politicas", "historicalplan"),
    ("politicas", "historicalnivel"),
    ("politicas", "historicalinformecualitativo"),
    ("indicadores", "historicalindicador"),
    ("indicadores", "historicalmeta"),
    ("indicadores", "historicalcorte"),
    ("indicadores", "historicalreporte"),
    ("indicadores", "historicalevidencia"),
]


def _ver(modelos: list[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(app, f"view_{modelo}") for app, modelo in modelos}


def _permisos(app: str, modelo: str, *acciones: str) -> set[tuple[str, str]]:
    return {(app, f"{accion}_{modelo}") for accion in acciones}


PERMISOS: dict[str, set[tuple[str, str]]] = {
    # The planner's daily tool: reads the plan, corrects its indicators' targets and reports.
    PLANEADOR: _ver(MODELOS)
    | _permisos("indicadores", "indicador", "change")
    | _permisos("indicadores", "meta", "add", "change", "delete")
    | _permisos("indicadores", "reporte", "add", "change")
    | _permisos("indicadores", "evidencia", "add", "change", "delete")
    | _permisos("politicas", "informecualitativo", "add", "change")
    | _permisos("politicas", "actividadcualitativa", "add", "change", "delete"),
    # Officials read dashboards and every plan.
    FUNCIONARIO: _ver(MODELOS),
    # Auditors read everything, including who changed what.
    AUDITOR: _ver(MODELOS) | _ver(MODELOS_HISTORICOS),
    # The planning office reviews reports, opens and closes cuts and scores qualitative reports.
    REVISOR: _ver(MODELOS)
    | _ver(MODELOS_HISTORICOS)
    | _permisos("indicadores", "reporte", "change")
    | _permisos("indicadores", "corte", "add", "change")
    | _permisos("politicas", "informecualitativo", "add", "change")
    | _permisos("politicas", "actividadcualitativa", "add", "change", "delete"),
}


def asegurar_grupos() -> dict[str, Group]:
    """Create the groups Planeador, Funcionario, Auditor and Revisor with their permissions.

    Safe to call any number of times. Permissions not yet created (an app whose post_migrate has
    not run) are skipped; the next call completes them.
    """
    todas = set().union(*PERMISOS.values())
    condicion = Q(pk__in=[])
    for app, codename in todas:
        condicion |= Q(content_type__app_label=app, codename=codename)
    existentes = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(condicion).select_related("content_type")
    }
    grupos = {}
    for nombre, permisos in PERMISOS.items():
        grupo, _ = Group.objects.get_or_create(name=nombre)
        grupo.permissions.set([existentes[clave] for clave in permisos if clave in existentes])
        grupos[nombre] = grupo
    return grupos


def crear_grupos_tras_migrar(sender, **kwargs) -> None:
    """post_migrate receiver: the groups exist on any database that has been migrated."""
    if sender.label in {"politicas", "indicadores"}:
        asegurar_grupos()


# --- What a user reaches ------------------------------------------------------------------


def dependencias_ids(user) -> set[int]:
    """The dependencias a user belongs to (a planner reports for these), read once per request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_dependencias_seguimiento"):
        user._dependencias_seguimiento = set(user.dependencias.values_list("id", flat=True))
    return user._dependencias_seguimiento


def planes_visibles(user, planes: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    """Plans a user may read: all for readers of everything, published ones for anonymous
    visitors, and for a planner also the plans their dependencias take part in."""
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
