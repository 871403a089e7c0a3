"""Reading an uploaded workbook: every sheet's titles and non-empty cells, then typed values.

`leer_libro` opens the file once (read-only, formulas refused) and keeps the sheets the import
knows; `Lector` reads one sheet's cells by their declared column (`reportes.excel.columnas`):
texts as the database keeps them, Colombian numbers through `seguimiento.numeros.parse_numero`,
choices by label or code. Nothing stops at the first problem: each becomes an `Error` with its
sheet, row, column and a Spanish message, and the import shows them all.
"""

from __future__ import annotations

import datetime
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

import openpyxl
from openpyxl.cell.read_only import EmptyCell

from indicadores import reglas
from reportes.excel.columnas import (
    HOJA_INDICADORES,
    HOJA_NIVELES,
    HOJA_PLAN,
    HOJA_REPORTES,
    ColumnaImportacion,
    TipoCelda,
)
from reportes.excel.limites import Rechazo, no_es_un_libro, revisar_libro
from seguimiento.limites import MAX_TEXTO, mensaje_largo
from seguimiento.numeros import NumeroInvalido, formato_numero, parse_numero

MAX_FILAS = 50_000  # per sheet; a larger file is refused before anything is checked
MAX_BYTES = 20 * 1024 * 1024  # the upload itself; what it unpacks to is bounded in `reportes.excel.limites`
_SEIS_DECIMALES = Decimal("0.000001")
_MAXIMO_VALOR = Decimal(10) ** 14  # VALOR fields hold 20 digits, 6 of them decimals
ARCHIVO = "(archivo)"


@dataclass(frozen=True)
class Error:
    """A problem found in the workbook, where it is and what to do, in Spanish."""

    hoja: str
    fila: int | None
    columna: str | None
    mensaje: str

    def __str__(self) -> str:
        lugar = [f"Hoja «{self.hoja}»"] if self.hoja != ARCHIVO else ["Archivo"]
        if self.fila:
            lugar.append(f"fila {self.fila}")
        if self.columna:
            lugar.append(f"columna «{self.columna}»")
        return f"{', '.join(lugar)}: {self.mensaje}"


def normalizar(texto: str) -> str:
    """Header and choice matching ignores case, accents and extra spaces: «Código» = «codigo»."""
    sin_tildes = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return " ".join(sin_tildes.lower().split())


@dataclass(frozen=True, slots=True)
class Celda:
    valor: Any
    ref: str


@dataclass
class FilaLeida:
    numero: int
    celdas: dict[str, Celda]


@dataclass
class HojaLeida:
    nombre: str
    titulos: dict[str, str]  # normalized → as written
    filas: list[FilaLeida]


def leer_libro(archivo: str | IO[bytes], *, max_filas: int = MAX_FILAS) -> tuple[dict[str, HojaLeida], list[Error]]:
    """Every sheet's header and non-empty rows, keyed by the normalized sheet name.

    First `reportes.excel.limites.revisar_libro` checks the zip (declared sizes, parts, XML) and
    every sheet (rows, columns, cells) without parsing it: a workbook past a bound is refused with
    that one message and openpyxl never opens it. Then openpyxl streams (read-only) exactly the
    range of each sheet that holds cells, never the dimension the sheet declares. Formula cells
    are errors (the value a formula shows is not stored reliably, and a template must hold values).
    """
    try:
        dimensiones = revisar_libro(archivo, leer_hoja=lambda titulo: normalizar(titulo) in _HOJAS_LEIDAS,
                                    max_filas=max_filas)
    except Rechazo as rechazo:
        return {}, [Error(rechazo.hoja or ARCHIVO, None, None, rechazo.mensaje)]
    errores: list[Error] = []
    try:
        libro = openpyxl.load_workbook(archivo, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, missing parts): all mean the same
        return {}, [Error(ARCHIVO, None, None, no_es_un_libro(type(exc).__name__))]
    hojas: dict[str, HojaLeida] = {}
    try:
        for ws in libro.worksheets:
            clave = normalizar(ws.title)
            if clave not in _HOJAS_LEIDAS or not hasattr(ws, "iter_rows"):
                continue  # instructions, "Acerca de", the user's own notes, chart sheets
            dimension = dimensiones.get(ws.title)
            filas: list[FilaLeida] = []
            titulos: list[str] = []
            demasiadas = False
            if dimension is not None and dimension.filas:
                # Exactly the range holding cells (checked above), whatever the sheet declares.
                rango = ws.iter_rows(min_row=1, max_row=min(dimension.filas, max_filas + 1), min_col=1,
                                     max_col=dimension.columnas)
            else:
                rango = iter(())  # no cells (or a sheet the check could not find: nothing to trust)
            for numero, fila in enumerate(rango, start=1):
                if numero == 1:
                    titulos = ["" if c.value is None else str(c.value).strip() for c in fila]
                    continue
                if numero - 1 > max_filas:
                    demasiadas = True
                    break
                celdas: dict[str, Celda] = {}
                for celda, titulo in zip(fila, titulos):
                    if not titulo or isinstance(celda, EmptyCell):
                        continue
                    if celda.data_type == "f":
                        errores.append(
                            Error(ws.title, numero, titulo, f"La celda {celda.coordinate} tiene una fórmula; escriba el valor.")
                        )
                        continue
                    valor = celda.value
                    if valor is None or (isinstance(valor, str) and not valor.strip()):
                        continue
                    celdas[normalizar(titulo)] = Celda(valor, celda.coordinate)
                if celdas:
                    filas.append(FilaLeida(numero, celdas))
            if demasiadas:
                errores.append(
                    Error(ws.title, None, None, f"La hoja tiene más de {formato_numero(max_filas)} filas de datos; "
                          "divídala en varios archivos.")
                )
            hojas[clave] = HojaLeida(ws.title, {normalizar(t): t for t in titulos if t}, filas)
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError, EOFError, SyntaxError) as exc:
        # SyntaxError: xml.etree's ParseError; IndexError: a shared string that does not exist.
        errores.append(Error(ARCHIVO, None, None, f"No se pudo leer el libro ({type(exc).__name__}): ¿está dañado?"))
    finally:
        libro.close()
    return hojas, errores


_HOJAS_LEIDAS = {normalizar(h) for h in (HOJA_PLAN, HOJA_NIVELES, HOJA_INDICADORES, HOJA_REPORTES)}


class Lector:
    """Reads typed values from one sheet's rows, collecting every problem as an `Error`."""

    def __init__(self, hoja: HojaLeida, errores: list[Error]):
        self.hoja = hoja
        self.errores = errores

    def error(self, fila: FilaLeida | None, columna: str | None, mensaje: str) -> None:
        self.errores.append(Error(self.hoja.nombre, fila.numero if fila else None, columna, mensaje))

    def _celda(self, fila: FilaLeida, columna: str) -> Celda | None:
        return fila.celdas.get(normalizar(columna))

    def tiene(self, columna: str) -> bool:
        return normalizar(columna) in self.hoja.titulos

    def texto(self, fila: FilaLeida, columna: str, *, requerido: bool = False, maximo: int | None = None) -> str:
        """A cell's text as the database keeps it. Longer than `maximo` (the column's field's, see
        `columnas.largo`; `limites.MAX_TEXTO` when the column declares none) is an error of the
        cell with both figures, and only the first `maximo` characters go on to the other checks."""
        maximo = maximo or MAX_TEXTO
        celda = self._celda(fila, columna)
        if celda is None:
            if requerido:
                self.error(fila, columna, "Falta el valor: esta columna es obligatoria.")
            return ""
        valor = celda.valor
        if isinstance(valor, float) and valor.is_integer():
            valor = int(valor)  # a code like 44010030007 typed as a number
        # As the database keeps texts (LF line breaks, no surrounding blanks): a cell saved with
        # CRLF or a trailing space is the same text, not a change.
        texto = reglas.normalizar_texto(str(valor))
        if len(texto) > maximo:
            self.error(fila, columna, f"{mensaje_largo(len(texto), maximo)} (celda {celda.ref})")
            return texto[:maximo]
        return texto

    def numero(self, fila: FilaLeida, columna: str, *, requerido: bool = False) -> Decimal | None:
        celda = self._celda(fila, columna)
        if celda is None:
            if requerido:
                self.error(fila, columna, "Falta el valor: escriba un número (por ejemplo 7.480 o 0,33).")
            return None
        if isinstance(celda.valor, (datetime.date, datetime.time, datetime.timedelta)):
            self.error(fila, columna, f"La celda {celda.ref} tiene una fecha, no un número; cambie su formato a número.")
            return None
        try:
            valor = parse_numero(celda.valor)
        except NumeroInvalido as exc:
            self.error(fila, columna, f"{exc} (celda {celda.ref})")
            return None
        if not valor.is_finite() or abs(valor) >= _MAXIMO_VALOR:
            self.error(fila, columna, f"El número de la celda {celda.ref} es demasiado grande.")
            return None
        return valor.quantize(_SEIS_DECIMALES, rounding=ROUND_HALF_UP).normalize() + 0

    def entero(self, fila: FilaLeida, columna: str, *, requerido: bool = False) -> int | None:
        valor = self.numero(fila, columna, requerido=requerido)
        if valor is None:
            return None
        if valor != valor.to_integral_value() or not 0 <= valor <= 32767:
            self.error(fila, columna, f"«{formato_numero(valor, 6)}» no es un número entero válido.")
            return None
        return int(valor)

    def opcion(self, fila: FilaLeida, columna: str, opciones, *, requerido: bool = False, defecto: str = "") -> str:
        """A value of a TextChoices, written as its label (what the export writes: «Constante») or its
        stored code («constante»), ignoring case and accents («numero» = «Número»)."""
        texto = self.texto(fila, columna, requerido=requerido)
        if not texto:
            return defecto
        por_nombre = {normalizar(v): v for v in opciones.values} | {normalizar(label): v for v, label in opciones.choices}
        elegido = por_nombre.get(normalizar(texto))
        if elegido is None:
            validos = ", ".join(opciones.labels)
            self.error(fila, columna, f"«{self._recortado(texto)}» no es un valor válido; use uno de: {validos}.")
            return defecto
        return elegido

    def booleano(self, fila: FilaLeida, columna: str) -> bool:
        texto = normalizar(self.texto(fila, columna))
        if texto in ("", "no", "n", "0", "false", "falso"):
            return False
        if texto in ("si", "s", "1", "true", "verdadero", "x"):
            return True
        self.error(fila, columna, f"Escriba «Sí» o «No» (se recibió «{self._recortado(self.texto(fila, columna))}»).")
        return False

    @staticmethod
    def _recortado(texto: str, largo: int = 80) -> str:
        """A cell's text quoted in a message: its beginning, never a whole page."""
        return texto if len(texto) <= largo else texto[: largo - 1] + "…"

    def booleano_o_nada(self, fila: FilaLeida, columna: str) -> bool | None:
        """`booleano`, or None when the cell is empty: «keep what is stored»."""
        if self._celda(fila, columna) is None:
            return None
        return self.booleano(fila, columna)

    def valor(self, fila: FilaLeida, columna: ColumnaImportacion, *, en: str | None = None) -> Any:
        """The cell of a declared column, read by its type; `en` reads it from another column
        (the «Valor» of a «Plan» row). An empty cell gives the column's `defecto`."""
        titulo = en or columna.titulo
        tipo = columna.tipo
        if tipo == TipoCelda.TEXTO:
            valor = self.texto(fila, titulo, requerido=columna.requerido, maximo=columna.maximo)
        elif tipo == TipoCelda.NUMERO:
            valor = self.numero(fila, titulo, requerido=columna.requerido)
        elif tipo == TipoCelda.ENTERO:
            valor = self.entero(fila, titulo, requerido=columna.requerido)
        elif tipo == TipoCelda.OPCION:
            defecto = "" if columna.defecto is None else columna.defecto
            return self.opcion(fila, titulo, columna.opciones, requerido=columna.requerido, defecto=defecto)
        elif tipo == TipoCelda.SI_NO:
            return self.booleano(fila, titulo)
        else:
            return self.booleano_o_nada(fila, titulo)
        if columna.defecto is not None and not valor:
            return columna.defecto
        return valor

    def columnas_obligatorias(self, columnas: list[ColumnaImportacion] | list[str]) -> bool:
        """Whether the title row has every column given (declared columns or titles); one error per missing one."""
        titulos = [c if isinstance(c, str) else c.titulo for c in columnas]
        faltan = [c for c in titulos if not self.tiene(c)]
        for columna in faltan:
            self.errores.append(Error(self.hoja.nombre, 1, columna, f"Falta la columna «{columna}» en la fila de títulos."))
        return not faltan


def duplicados(lector: Lector, filas_claves: list[tuple[FilaLeida, object, str]], columna: str, que: str) -> None:
    """An error on each row whose key already appeared in an earlier row."""
    vistos: dict[object, int] = {}
    for fila, clave, texto in filas_claves:
        if clave in vistos:
            lector.error(fila, columna, f"{que} «{texto}» está repetido (ya aparece en la fila {vistos[clave]}).")
        else:
            vistos[clave] = fila.numero


def mensajes_de(errores: Mapping[str, list[str]]) -> list[str]:
    """Every message of a rule's {field: [messages]}, in order."""
    return [m for lista in errores.values() for m in lista]
