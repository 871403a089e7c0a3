"""One demo user per role, with fixed passwords that the command prints.

The passwords are demo-only and documented here and in the command's output; each run sets them
again, so a demo installation can always be entered with them. All users can use the admin
(`is_staff`); what they see there is limited by their group and, for planners, their dependencias.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR
from indicadores.demo import bogota, cali
from politicas.models import Dependencia
from politicas.roles import asegurar_grupos


@dataclass(frozen=True)
class UsuarioDemo:
    username: str
    password: str
    rol: str  # a group name, or "Administrador" for the superuser
    nombre: str
    dependencias: tuple[tuple[str, str], ...] = ()  # (entidad, dependencia)


BOGOTA = "Alcaldía Mayor de Bogotá"
CALI = "Alcaldía de Santiago de Cali"
ADMINISTRADOR = "Administrador"

USUARIOS = [
    UsuarioDemo(
        "planeador", "demo-planeador-2024", PLANEADOR, "Paula Planeadora",
        ((BOGOTA, bogota.GESTION_PUBLICA), (CALI, cali.SECRETARIA)),
    ),
    # Another dependencia, to show that a planner sees and edits only their own indicators.
    UsuarioDemo("planeador2", "demo-planeador2-2024", PLANEADOR, "Pedro Planeador", ((BOGOTA, bogota.EDUCACION),)),
    UsuarioDemo("funcionario", "demo-funcionario-2024", FUNCIONARIO, "Fernanda Funcionaria"),
    UsuarioDemo("auditor", "demo-auditor-2024", AUDITOR, "Andrés Auditor"),
    UsuarioDemo("revisor", "demo-revisor-2024", REVISOR, "Rosa Revisora (oficina de planeación)"),
    UsuarioDemo("admin", "demo-admin-2024", ADMINISTRADOR, "Administración"),
]


def cargar_cuentas() -> dict[str, Any]:
    """The demo users with their role groups and passwords, by username.

    Loaded before the plans: the loader writes the seeds as the demo administrator and closes
    the published cuts as the demo reviewer (`indicadores.demo.Cuentas`).
    """
    User = get_user_model()
    grupos = asegurar_grupos()  # the role groups with their permissions (politicas.roles)
    cuentas = {}
    for demo in USUARIOS:
        nombre, _, apellido = demo.nombre.partition(" ")
        usuario, _ = User.objects.get_or_create(username=demo.username)
        usuario.first_name, usuario.last_name = nombre, apellido
        usuario.is_staff = True
        usuario.is_superuser = demo.rol == ADMINISTRADOR
        usuario.is_active = True
        if not usuario.check_password(demo.password):
            usuario.set_password(demo.password)
        usuario.save()
        usuario.groups.set([grupos[demo.rol]] if demo.rol in grupos else [])
        cuentas[demo.username] = usuario
    return cuentas


def asignar_dependencias(cuentas: dict[str, Any]) -> list[UsuarioDemo]:
    """Each planner's dependencias, once the plans that create them are loaded; returns the demo
    users for the command's summary."""
    for demo in USUARIOS:
        usuario = cuentas[demo.username]
        dependencias = [Dependencia.objects.get(entidad__nombre=e, nombre=d) for e, d in demo.dependencias]
        for dependencia in Dependencia.objects.filter(usuarios=usuario).exclude(pk__in=[d.pk for d in dependencias]):
            dependencia.usuarios.remove(usuario)
        for dependencia in dependencias:
            dependencia.usuarios.add(usuario)
    return USUARIOS
