"""Filtering and sorting of the indicator table (Anexo 1) on results already in memory.

The dashboard reads the plan's results once; filters and sort order come from the URL's GET
parameters (so a filtered view can be bookmarked, shared, printed or exported) and are applied
here in plain Python, without further queries.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from politicas.arbol import clave_codigo
from seguimiento.metodologia.resultados import ResultadoIndicador, Semaforo

# Sortable columns: name in the URL → how to read the value from a result.
COLUMNAS: dict[str, Callable[[ResultadoIndicador], object]] = {
    "codigo": lambda r: r.codigo,
    "nombre": lambda r: r.nombre.lower(),
    "tipo": lambda r: r.tipo,
    "periodicidad": lambda r: r.periodicidad,
    "meta": lambda r: r.meta_anio,
    "avance": lambda r: r.avance_anio,
    "pav": lambda r: r.pav,
    "pahv": lambda r: r.pahv,
    "paa": lambda r: r.paa,
}
ORDEN_POR_DEFECTO = "codigo"


def _entero(texto: str | None) -> int | None:
    try:
        return int(texto) if texto not in (None, "") else None
    except ValueError:
        return None


@dataclass(frozen=True)
class FiltrosAnexo:
    """What the user asked for in the URL; unknown or malformed values are ignored, never an error."""

    banda: Semaforo | None = None
    dependencia: int | None = None
    nivel: int | None = None
    tipo: str = ""
    enfoque: int | None = None
    orden: str = ORDEN_POR_DEFECTO
    descendente: bool = False

    @classmethod
    def desde_get(cls, datos: Mapping[str, str]) -> "FiltrosAnexo":
        banda_txt = datos.get("banda") or ""
        banda = Semaforo(banda_txt) if banda_txt in {b.value for b in Semaforo} else None
        orden_txt = datos.get("orden") or ORDEN_POR_DEFECTO
        descendente = orden_txt.startswith("-")
        orden = orden_txt.lstrip("-")
        if orden not in COLUMNAS:
            orden, descendente = ORDEN_POR_DEFECTO, False
        return cls(
            banda=banda,
            dependencia=_entero(datos.get("dependencia")),
            nivel=_entero(datos.get("nivel")),
            tipo=(datos.get("tipo") or "").strip(),
            enfoque=_entero(datos.get("enfoque")),
            orden=orden,
            descendente=descendente,
        )

    @property
    def activos(self) -> bool:
        return any([self.banda, self.dependencia, self.nivel, self.tipo, self.enfoque])

    def orden_para(self, columna: str) -> str:
        """The `orden` value a column header links to: ascending first, then toggles."""
        if columna == self.orden and not self.descendente:
            return f"-{columna}"
        return columna

    def aria_sort(self, columna: str) -> str:
        if columna != self.orden:
            return "none"
        return "descending" if self.descendente else "ascending"


def filtrar(
    indicadores: Iterable[ResultadoIndicador],
    filtros: FiltrosAnexo,
    *,
    enfoques_por_indicador: Mapping[int, set[int]] | None = None,
    niveles_bajo: Mapping[int, set[int]] | None = None,
) -> list[ResultadoIndicador]:
    """Keep the indicators that match every active filter (band is the headline, PAHV, status)."""
    enfoques_por_indicador = enfoques_por_indicador or {}
    dentro = (niveles_bajo or {}).get(filtros.nivel, {filtros.nivel}) if filtros.nivel else None
    resultado = []
    for r in indicadores:
        if filtros.banda and r.semaforo != filtros.banda:
            continue
        if filtros.dependencia and r.dependencia_id != filtros.dependencia:
            continue
        if filtros.tipo and r.tipo != filtros.tipo:
            continue
        if dentro is not None and r.nivel_id not in dentro:
            continue
        if filtros.enfoque and filtros.enfoque not in enfoques_por_indicador.get(r.indicador_id, set()):
            continue
        resultado.append(r)
    return resultado


def ordenar(indicadores: Iterable[ResultadoIndicador], filtros: FiltrosAnexo) -> list[ResultadoIndicador]:
    """Sort by the chosen column; rows without a value (sin información) always go last."""
    leer = COLUMNAS[filtros.orden]
    lista = list(indicadores)
    lista.sort(key=lambda r: clave_codigo(r.codigo))  # stable tie-break: the plan's order
    if filtros.orden == "codigo":
        if filtros.descendente:
            lista.reverse()
        return lista
    con_valor = [r for r in lista if leer(r) is not None]
    sin_valor = [r for r in lista if leer(r) is None]

    def clave(r: ResultadoIndicador):
        valor = leer(r)
        return valor if isinstance(valor, (Decimal, int)) else str(valor)

    con_valor.sort(key=clave, reverse=filtros.descendente)
    return con_valor + sin_valor
