"""The level hierarchy of a plan (Eje → Componente → Programa, Objetivo → Producto), walked in one
place: every page, export, import and selector orders and climbs the tree with these functions.

Levels may be model instances or dicts (rows read with `.values()`); each needs `id`, `padre_id`,
and for ordering `orden` and `codigo`. Nothing here touches the database.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

N = TypeVar("N")
_TROZOS = re.compile(r"(\d+)")


def clave_codigo(codigo: str) -> tuple:
    """Natural order for codes written by plans: 1.1.9 before 1.1.10, 44010030007 as a number."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in _TROZOS.split(codigo or "") if t)


def _leer(nodo: Any, campo: str) -> Any:
    return nodo[campo] if isinstance(nodo, Mapping) else getattr(nodo, campo)


def clave_hermanos(nodo: Any) -> tuple:
    """How siblings are ordered everywhere: the plan's `orden`, then the code in natural order."""
    return (_leer(nodo, "orden"), clave_codigo(_leer(nodo, "codigo")), _leer(nodo, "id"))


def en_orden(niveles: Iterable[N]) -> list[N]:
    """A plan's levels in display order: pre-order of the tree (each level followed by what hangs
    from it), siblings by `clave_hermanos`."""
    hijos: dict[Any, list[N]] = {}
    for nivel in niveles:
        hijos.setdefault(_leer(nivel, "padre_id"), []).append(nivel)
    for grupo in hijos.values():
        grupo.sort(key=clave_hermanos)
    ordenados: list[N] = []
    pila = list(reversed(hijos.get(None, [])))
    while pila:
        nivel = pila.pop()
        ordenados.append(nivel)
        pila.extend(reversed(hijos.get(_leer(nivel, "id"), [])))
    return ordenados


def ruta(por_id: Mapping[int, N], nivel_id: int | None) -> list[N]:
    """The levels from the top of the plan down to `nivel_id` (itself included)."""
    cadena: list[N] = []
    nodo = por_id.get(nivel_id)
    while nodo is not None:
        cadena.append(nodo)
        nodo = por_id.get(_leer(nodo, "padre_id"))
    return cadena[::-1]


def descendientes(pares: Iterable[tuple[int, int | None]]) -> dict[int, set[int]]:
    """Each level id → itself and every level below it, from (id, parent id) pairs."""
    hijos: dict[int | None, list[int]] = {}
    ids: list[int] = []
    for nivel_id, padre_id in pares:
        hijos.setdefault(padre_id, []).append(nivel_id)
        ids.append(nivel_id)
    resultado: dict[int, set[int]] = {}
    for nivel_id in ids:
        pendientes, vistos = [nivel_id], set()
        while pendientes:
            actual = pendientes.pop()
            if actual in vistos:
                continue
            vistos.add(actual)
            pendientes.extend(hijos.get(actual, []))
        resultado[nivel_id] = vistos
    return resultado


def profundidad_maxima(niveles: Sequence[Any]) -> int:
    """How many levels deep the plan goes (0 for a plan without levels)."""
    return 1 + max((_leer(n, "profundidad") for n in niveles), default=-1)
