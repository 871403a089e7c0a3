"""Small builders for test data: each test makes only what it needs."""

from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from indicadores.models import Indicador, Meta, Reporte
from politicas.models import Dependencia, Entidad, Nivel, Plan

_n = count(1)


def entidad(**campos) -> Entidad:
    campos.setdefault("nombre", f"Entidad {next(_n)}")
    return Entidad.objects.create(**campos)


def dependencia(**campos) -> Dependencia:
    campos.setdefault("entidad", campos.get("entidad") or entidad())
    campos.setdefault("nombre", f"Dependencia {next(_n)}")
    return Dependencia.objects.create(**campos)


def plan(**campos) -> Plan:
    campos.setdefault("codigo", f"plan-{next(_n)}")
    campos.setdefault("nombre", "Plan de prueba")
    campos.setdefault("tipo", Plan.Tipo.POLITICA_PUBLICA)
    campos.setdefault("entidad", campos.get("entidad") or entidad())
    campos.setdefault("anio_inicio", 2022)
    campos.setdefault("anio_fin", 2032)
    campos.setdefault("nombres_niveles", "Objetivo, Producto")
    return Plan.objects.create(**campos)


def nivel(**campos) -> Nivel:
    campos.setdefault("plan", campos.get("plan") or plan())
    campos.setdefault("codigo", str(next(_n)))
    campos.setdefault("nombre", "Nivel de prueba")
    return Nivel.objects.create(**campos)


def indicador(*, metas: dict[int, str] | None = None, reportes: dict | None = None, **campos) -> Indicador:
    """An indicator with its targets ({2023: "2"}) and reports ({(2023, 1): "3"} or {2023: "3"})."""
    if "nivel" not in campos:
        campos["nivel"] = nivel(plan=campos.get("plan") or plan())
    campos.setdefault("plan", campos["nivel"].plan)
    campos.setdefault("dependencia", campos.get("dependencia") or dependencia(entidad=campos["plan"].entidad))
    campos.setdefault("codigo", f"IND-{next(_n)}")
    campos.setdefault("nombre", "Indicador de prueba")
    creado = Indicador.objects.create(**campos)
    for anio, valor in (metas or {}).items():
        Meta.objects.create(indicador=creado, anio=anio, valor=Decimal(valor))
    for clave, valor in (reportes or {}).items():
        anio, periodo = clave if isinstance(clave, tuple) else (clave, 1)
        Reporte.objects.create(
            indicador=creado, anio=anio, periodo=periodo, valor=Decimal(valor), estado=Reporte.Estado.APROBADO
        )
    return creado


def usuario(username: str | None = None, *, grupos: tuple[str, ...] = (), dependencias=(), **campos):
    User = get_user_model()
    creado = User.objects.create_user(username=username or f"u{next(_n)}", password="clave-de-prueba-123", **campos)
    for nombre in grupos:
        from django.contrib.auth.models import Group

        creado.groups.add(Group.objects.get_or_create(name=nombre)[0])
    for dep in dependencias:
        dep.usuarios.add(creado)
    return creado
