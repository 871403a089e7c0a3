"""Demo data built from the three seed reports (`fixtures/seeds/`), one module per seed.

The seed files are copied into the repository because they are the product's demo data: a fresh
clone, the CI and a closed-network install all load the same plans without the shared folder.
Every loader is idempotent (natural keys, and a row is written only when a value changed, so a
second run adds no history either) and runs inside the command's single transaction. Targets,
reports and cuts are written through `indicadores.services`, the one write path of the
admin, the API and the imports, so the rules on closed cuts and history hold here too.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from indicadores import services
from indicadores.models import Corte, Indicador, Meta
from politicas.models import Plan

SEEDS_DIR: Path = Path(settings.BASE_DIR) / "fixtures" / "seeds"


def ruta_seed(nombre: str) -> Path:
    """The path of one seed file; a missing file is an error that names it."""
    ruta = SEEDS_DIR / nombre
    if not ruta.exists():
        raise FileNotFoundError(f"No se encuentra el archivo semilla {ruta}.")
    return ruta


def leer_seed(nombre: str) -> str:
    return ruta_seed(nombre).read_text(encoding="utf-8")


def guardar(modelo: type[models.Model], *, buscar: dict[str, Any], valores: dict[str, Any] | None = None):
    """Create the row found by `buscar`, or update it, validating it first with `full_clean()`.

    Nothing is written when every value is already the same, so loading the demo twice leaves the
    database (and its history tables) exactly as the first run left it.
    """
    valores = valores or {}
    obj = modelo.objects.filter(**buscar).first()
    if obj is None:
        obj = modelo(**buscar, **valores)
    else:
        for campo, valor in buscar.items():
            setattr(obj, campo, valor)  # the same values; caches related objects for clean()
        cambios = {campo: valor for campo, valor in valores.items() if not _igual(obj, campo, valor)}
        if not cambios:
            return obj
        for campo, valor in cambios.items():
            setattr(obj, campo, valor)
    # Uniqueness holds by construction (the row is looked up by its natural key); the model's
    # field and business rules are what need checking.
    obj.full_clean(validate_unique=False, validate_constraints=False, exclude=_relaciones(obj))
    obj.save()
    return obj


def _relaciones(obj: models.Model) -> list[str]:
    """Foreign keys set from saved instances: checking that they exist is one query each, for nothing."""
    return [f.name for f in obj._meta.concrete_fields if f.many_to_one and getattr(obj, f.attname) is not None]


def _igual(obj: models.Model, campo: str, valor: Any) -> bool:
    field = obj._meta.get_field(campo)
    if field.is_relation and field.many_to_one:
        # Compare ids, not instances: no query per foreign key.
        return getattr(obj, field.attname) == (valor.pk if valor is not None else None)
    return getattr(obj, campo) == valor


def parrafos(texto: str) -> list[str]:
    """Paragraphs of text extracted from a PDF, with page breaks mended.

    Each line of the extraction is a paragraph, but page breaks split sentences: a paragraph that
    does not end a sentence, or a following one that starts in lower case, is the same sentence
    continued.
    List items («- …», «1. …») always start a new paragraph.
    """
    salida: list[str] = []
    for linea in (l.replace("\\$", "$").strip() for l in texto.splitlines()):
        if not linea:
            continue
        es_item = bool(re.match(r"^(-|\d+\.)\s", linea))
        if salida and not es_item and (not re.search(r"[.:;!?)”\"]$", salida[-1]) or linea[:1].islower()):
            salida[-1] = f"{salida[-1]} {linea}"
        else:
            salida.append(linea)
    return salida


@dataclass(frozen=True)
class Cuentas:
    """Who the loader writes as, through the services like any other writer.

    The demo administrator loads the published seed figures: past years' targets are frozen for
    everyone else, and an administrator changes them only with a reason (`MOTIVO_CARGA`, kept in
    the history). The demo reviewer closes the cuts the seeds publish as closed, as the planning
    office does.
    """

    administrador: Any
    revisor: Any


MOTIVO_CARGA = "Carga de los datos de demostración (cifras publicadas en las semillas)"


def guardar_metas(indicador: Indicador, metas: dict[int, Decimal], *, cuentas: Cuentas) -> None:
    """The seed's yearly targets, and no others (a target of a year the seed drops is removed).

    Only a new or changed target is written, so a second load adds no history.
    """
    existentes = {meta.anio: meta for meta in Meta.objects.filter(indicador=indicador)}
    for anio, valor in metas.items():
        meta = existentes.pop(anio, None)
        if meta is not None and meta.valor == valor:
            continue
        services.meta_cargar(
            indicador=indicador, anio=anio, valor=valor, usuario=cuentas.administrador, motivo=MOTIVO_CARGA
        )
    for sobrante in existentes.values():
        services.meta_eliminar(meta=sobrante, usuario=cuentas.administrador, motivo=MOTIVO_CARGA)


def guardar_reporte(
    indicador: Indicador, *, anio: int, valor: Decimal, observaciones: str, plan_de_choque: str, ilustrativo: bool,
    cuentas: Cuentas,
) -> bool:
    """An annual report taken from the seed, written approved (`services.reporte_publicado_cargar`):
    these are historical figures already reviewed in the published report, not a planner's draft
    entering the workflow.

    Returns False when the report was kept as it is: it differs from the seed but belongs to a
    closed cut's published figures, which only an administrator's correction with its reason
    changes (the loader does not reopen what the workflow closed).
    """
    try:
        services.reporte_publicado_cargar(
            indicador=indicador, anio=anio, periodo=1, valor=valor, observaciones=observaciones,
            plan_de_choque=plan_de_choque, ilustrativo=ilustrativo, usuario=cuentas.administrador,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) != "congelado":
            raise
        return False
    return True


def cargar_cortes(plan: Plan, cortes: Iterable[tuple[int, int, bool]], *, cuentas: Cuentas) -> None:
    """The seed's cuts (year, semester, closed?), opened once by the demo reviewer; those the
    seed publishes as closed are closed right away, after the plan's reports and targets are
    loaded, so their official figures are stored as the workflow stores them.

    A cut that exists keeps the state the workflow gave it: never closed again, never reopened.
    """
    existentes = set(Corte.objects.filter(plan=plan).values_list("anio", "semestre"))
    for anio, semestre, cerrado in cortes:
        if (anio, semestre) in existentes:
            continue
        corte = services.corte_abrir(plan=plan, anio=anio, semestre=semestre, usuario=cuentas.revisor)
        if cerrado:
            services.corte_cerrar(corte=corte, usuario=cuentas.revisor)
