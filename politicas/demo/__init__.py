"""Demo data built from the three seed reports (`fixtures/seeds/`), one module per seed.

The seed files are copied into the repository because they are the product's demo data: a fresh
clone, the CI and a closed-network install all load the same plans without the shared folder.
Every loader is idempotent (natural keys, and a row is written only when a value changed, so a
second run adds no history either) and runs inside the command's single transaction.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from indicadores.models import Indicador, Meta, Reporte

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


def guardar_metas(indicador: Indicador, metas: dict[int, Decimal]) -> None:
    """The seed's yearly targets, and no others (a target of a year the seed drops is removed)."""
    existentes = {meta.anio: meta for meta in Meta.objects.filter(indicador=indicador)}
    for anio, valor in metas.items():
        meta = existentes.pop(anio, None) or Meta(indicador=indicador, anio=anio)
        if meta.pk and meta.valor == valor:
            continue
        meta.indicador, meta.valor = indicador, valor
        meta.full_clean(validate_unique=False, validate_constraints=False, exclude=["indicador"])
        meta.save()
    for sobrante in existentes.values():
        sobrante.delete()  # one by one, so the history records the deletion


def guardar_reporte(
    indicador: Indicador, *, anio: int, valor: Decimal, observaciones: str, plan_de_choque: str, ilustrativo: bool
) -> Reporte:
    """An approved annual report taken from the seed.

    Written directly rather than through `reporte_registrar`: these are historical figures already
    reviewed in the published report, not a planner's draft entering the workflow.
    """
    return guardar(
        Reporte,
        buscar={"indicador": indicador, "anio": anio, "periodo": 1},
        valores={
            "valor": valor,
            "observaciones": observaciones,
            "plan_de_choque": plan_de_choque,
            "estado": Reporte.Estado.APROBADO,
            "ilustrativo": ilustrativo,
        },
    )
