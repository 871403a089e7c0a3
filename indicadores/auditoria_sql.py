"""The audit trail's listing in SQL: which history rows it shows, in which order, a page at a time.

One SELECT per audited model, joined by UNION ALL and ordered in the database, so the trail is
filtered (plan or indicator, user, dates) and paged without reading the history into Python.
Each row comes with its previous version's history_id (`LAG` over the object's versions), which
`indicadores.auditoria` reads to show before → after.

A modification that changes nothing (a form saved as it was) and has no reason is not shown; the
database decides it by comparing each audited field with the previous version's, with the same
rule as `auditoria._cambios`. Rows outside the dates or by another user still serve as a shown
row's previous version, so the window reads every version up to `hasta` and the other filters
apply outside it.

Written as raw SQL because the ORM cannot filter after a window function without moving the
other conditions inside it. Only table and column names from the models' metadata and integer
positions are put into the text; every value travels as a parameter.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import connection, models

# Bookkeeping fields that change on every save and say nothing to an auditor.
IGNORADOS = {"actualizado_en"}
_VENTANA = "PARTITION BY id ORDER BY history_date, history_id"


class FuenteSQL(Protocol):
    historico: type[models.Model]  # the historical model (HistoricalReporte…)
    condicion: str  # SQL on its table, "" for every row
    parametros: tuple


@dataclass(frozen=True)
class Filtros:
    usuario_id: int | None = None
    inicio: datetime.datetime | None = None  # inclusive, aware
    fin: datetime.datetime | None = None  # inclusive, aware


def campos(modelo_historico: type[models.Model]) -> list[models.Field]:
    """The fields a change is made of: the model's own, without the history's bookkeeping."""
    return [
        campo
        for campo in modelo_historico._meta.fields
        if not campo.name.startswith("history_") and campo.name not in IGNORADOS and campo.name != "id"
    ]


def de_indicadores_del_plan(historico_indicador: type[models.Model], plan_id: int) -> tuple[str, tuple]:
    """Targets' and reports' condition: their indicator belonged to the plan in some version."""
    tabla = connection.ops.quote_name(historico_indicador._meta.db_table)
    return f"indicador_id IN (SELECT id FROM {tabla} WHERE plan_id = %s)", (plan_id,)


def _fecha(valor: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(valor)


def _es_texto(campo: models.Field) -> bool:
    return isinstance(campo, (models.CharField, models.TextField))


def _se_muestra(lista: list[models.Field]) -> str:
    """SQL true for a row the trail shows: a creation or a deletion, a modification with a reason,
    or one that changes a field. Without a previous version a modification counts the fields it
    sets (not NULL nor ''), as `_cambios` lists them."""
    distintos = " OR ".join(f"(c{i} <> a{i} OR (c{i} IS NULL) <> (a{i} IS NULL))" for i in range(len(lista)))
    puestos = " OR ".join(
        f"(c{i} IS NOT NULL AND c{i} <> '')" if _es_texto(campo) else f"c{i} IS NOT NULL" for i, campo in enumerate(lista)
    )
    return (
        "(history_type <> '~' OR COALESCE(history_change_reason, '') <> ''"
        f" OR (anterior_id IS NULL AND ({puestos})) OR (anterior_id IS NOT NULL AND ({distintos})))"
    )


def _de_una_fuente(posicion: int, fuente: FuenteSQL, filtros: Filtros) -> tuple[str, list]:
    """The rows of one model: (fuente, history_id, history_date, id, anterior_id)."""
    q = connection.ops.quote_name
    lista = campos(fuente.historico)
    actuales = ", ".join(f"{q(campo.column)} AS c{i}" for i, campo in enumerate(lista))
    anteriores = ", ".join(f"LAG({q(campo.column)}) OVER w AS a{i}" for i, campo in enumerate(lista))
    dentro, parametros = [], []
    if fuente.condicion:
        dentro.append(fuente.condicion)
        parametros += fuente.parametros
    if filtros.fin is not None:
        dentro.append("history_date <= %s")
        parametros.append(_fecha(filtros.fin))
    fuera = [_se_muestra(lista)]
    if filtros.inicio is not None:
        fuera.append("history_date >= %s")
        parametros.append(_fecha(filtros.inicio))
    if filtros.usuario_id is not None:
        fuera.append("history_user_id = %s")
        parametros.append(filtros.usuario_id)
    donde = f" WHERE {' AND '.join(dentro)}" if dentro else ""
    versiones = (
        "SELECT history_id, history_date, id, history_type, history_user_id, history_change_reason, "
        f"LAG(history_id) OVER w AS anterior_id, {actuales}, {anteriores} "
        f"FROM {q(fuente.historico._meta.db_table)}{donde} WINDOW w AS ({_VENTANA})"
    )
    sql = (
        f"SELECT {int(posicion)} AS fuente, history_id, history_date, id, anterior_id "
        f"FROM ({versiones}) AS v{int(posicion)} WHERE {' AND '.join(fuera)}"
    )
    return sql, parametros


def visibles(fuentes: Sequence[FuenteSQL], filtros: Filtros) -> tuple[str, list]:
    """Every shown row of every source, unordered: (fuente, history_id, history_date, id, anterior_id),
    `fuente` being the source's position in `fuentes`."""
    partes = [_de_una_fuente(posicion, fuente, filtros) for posicion, fuente in enumerate(fuentes)]
    return " UNION ALL ".join(sql for sql, _ in partes), [p for _, parametros in partes for p in parametros]


def ordenados(consulta: tuple[str, list], *, desde: int = 0, cuantos: int | None = None) -> tuple[str, list]:
    """(fuente, history_id, anterior_id) newest first, `cuantos` of them from position `desde`.

    Changes at the same instant keep the order of the sources, then of the object and its
    versions (as the trail always listed them)."""
    sql, parametros = consulta
    sql = (
        f"SELECT fuente, history_id, anterior_id FROM ({sql}) AS t "
        "ORDER BY history_date DESC, fuente, id, history_id"
    )
    if cuantos is not None:
        return f"{sql} LIMIT %s OFFSET %s", [*parametros, cuantos, desde]
    if desde:  # to the end: SQLite needs a LIMIT before OFFSET, PostgreSQL takes none
        sin_limite = connection.ops.no_limit_value()
        limite = "" if sin_limite is None else f" LIMIT {int(sin_limite)}"
        return f"{sql}{limite} OFFSET %s", [*parametros, desde]
    return sql, list(parametros)
