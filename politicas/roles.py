"""The four roles of issue 2 as Django groups, with their model permissions.

`asegurar_grupos()` is idempotent: it runs after every `migrate` (see `PoliticasConfig.ready`) and
from the demo loader, and leaves each group with exactly the permissions written here, so the
definition below is the single source of truth. Object-level scoping (a planner sees only their
dependencias) is not a Django permission: it lives in `indicadores.permisos`.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR

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
