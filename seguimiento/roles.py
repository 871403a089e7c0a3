"""The four roles of issue 2 and the checks that need only the user's groups.

Planners (Planeador) write the indicators of their own dependencias; officials (Funcionario),
auditors (Auditor) and the planning office (Revisor) read everything. This module names the
roles and answers "which role is this user?"; every app asks here. What a role reaches is decided
above: the plans a user sees in `politicas.roles`, indicators and reports in
`indicadores.permisos`; the groups' model permissions in `politicas.roles.PERMISOS`.
"""

PLANEADOR = "Planeador"
FUNCIONARIO = "Funcionario"
AUDITOR = "Auditor"
REVISOR = "Revisor"
ROLES = (PLANEADOR, FUNCIONARIO, AUDITOR, REVISOR)
ROLES_LECTORES = {FUNCIONARIO, AUDITOR, REVISOR}


def _grupos(user) -> set[str]:
    """The user's group names, read once per request (cached on the user object)."""
    if not hasattr(user, "_grupos_seguimiento"):
        user._grupos_seguimiento = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return user._grupos_seguimiento


def lee_todo(user) -> bool:
    """Readers of everything: administrators, officials, auditors and the planning office."""
    return bool(user.is_authenticated and (user.is_superuser or _grupos(user) & ROLES_LECTORES))


def es_revisor(user) -> bool:
    """The planning office (or an administrator): reviews reports, closes cuts."""
    return bool(user.is_authenticated and (user.is_superuser or REVISOR in _grupos(user)))


def es_planeador(user) -> bool:
    """A planner: writes the targets and reports of their dependencias' indicators."""
    return bool(user.is_authenticated and PLANEADOR in _grupos(user))


def puede_auditar(user) -> bool:
    """Auditors read the audit trail and export it; so do the planning office and administrators."""
    return bool(user.is_authenticated and (user.is_superuser or _grupos(user) & {AUDITOR, REVISOR}))
