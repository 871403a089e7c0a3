"""The one xlsx writer of the project: sheets of rows streamed into a SpreadsheetML file.

Every workbook the app produces goes through here: the follow-up export, the import templates
(`reportes.excel`) and the audit export. It belongs to the shared base: it knows cells, styles
and sheets, nothing of plans, indicators or bands (a band's colour arrives as an ARGB fill).

Each sheet is a `Hoja`: a name, its columns (title and width) and an iterator of rows. The writer
streams every row straight into the xlsx file as it comes, so memory does not grow with the number
of rows. It writes the SpreadsheetML by hand rather than through openpyxl's write-only mode: the
XML is the same, but openpyxl spends ~5 µs on each styled cell and a 30,000-indicator plan has over
a million of them (see benchmarks/RESULTADOS_EXCEL.md). Tests read every workbook back with
openpyxl.

What the cells promise:
- numbers are numeric cells with Colombian display formats (`#,##0`, `#,##0.00`), percentages are
  real fractions (0.4125) shown as `0.0%`, optionally on a fill (`Porcentaje`, `Relleno`);
- whole numbers that are names (years, periods: `Entero`) are shown as `0`, never «2.023»;
- text is always an inline string, never a formula (no `<f>` is ever written), with `quotePrefix`
  when it starts with = + - @ once leading blanks (tab, CR) and the characters dropped below are
  skipped, or once Excel reads its `_xHHHH_` escapes, so no spreadsheet runs a cell as a formula
  (not even after the user edits it); column titles follow the same rule (a level's name is one);
- characters XML 1.0 cannot carry (pasted control characters, U+FFFE, lone surrogates) are
  dropped everywhere (cells, titles, sheet names, the author), so the file opens; a CR is kept;
- a text longer than Excel's 32.767 characters a cell is cut with a mark (« […]»);
- sheet names follow Excel's rules (31 characters, none of []:*?/\\, no repeats), and the
  author in docProps/core.xml is bounded.

Styles: a few are fixed (header, dates, numbers by decimals); a style with a fill is registered
the first time a cell asks for it. Indices never change once given, so the XML of repeated cells
can be cached across workbooks, and `styles.xml` (written when the workbook closes) holds every
style registered so far.

Why one module of ~630 lines: the cell types, the style table, the cell cache and the hot loop
of `LibroXlsx.escribir` are tuned together (a style index is baked into cached cell XML; the loop
is ~1 µs a cell), and the package parts written at `cerrar` only make sense beside them. Split,
a reader would have to hold the same pieces in several files.
"""

from __future__ import annotations

import datetime
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl.utils import get_column_letter

# ---------------------------------------------------------------------------------------------
# Cell values that carry a style
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Porcentaje:
    """A percentage in percent units (41.25) written as the fraction 0.4125, on `relleno` if given.

    Without a value the cell keeps its fill alone (the text beside it says why).
    """

    valor: Decimal | None
    relleno: str | None = None  # ARGB, e.g. "FFA9D08E"


@dataclass(frozen=True, slots=True)
class Relleno:
    """Text on a coloured fill (a band's name beside its percentage)."""

    texto: str
    relleno: str  # ARGB


@dataclass(frozen=True, slots=True)
class Num:
    """A number shown with a fixed number of decimals (computed figures: 3,76 points)."""

    valor: Decimal | None
    decimales: int = 2


@dataclass(frozen=True, slots=True)
class Entero:
    """A whole number that is a name rather than a quantity (a year, a period): shown as 2023, not 2.023."""

    valor: int | None


@dataclass(frozen=True, slots=True)
class Texto:
    """Long text shown wrapped (narratives)."""

    valor: str


@dataclass(frozen=True, slots=True)
class Titulo:
    """A sheet's title line: bold and larger (the first line of an instructions sheet)."""

    valor: str


# ---------------------------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------------------------

MAX_DECIMALES = 6
_FORMATOS = {  # numFmtId → code (164+ are custom)
    164: "#,##0.0",
    165: "#,##0.00",
    166: "#,##0.000",
    167: "#,##0.0000",
    168: "#,##0.00000",
    169: "#,##0.000000",
    170: "dd/mm/yyyy hh:mm",
    171: "0.0%",
}
_FMT_DECIMALES = {0: 3, 1: 164, 2: 165, 3: 166, 4: 167, 5: 168, 6: 169}  # 3 is the builtin #,##0
_FMT_PORCENTAJE, _FMT_FECHA, _FMT_ENTERO = 171, 170, 1  # 1 is the builtin "0": no thousands separator
_FUENTES = [  # fontId → XML: 0 normal, 1 bold, 2 title
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font>',
]
_F_NEGRITA, _F_TITULO = 1, 2
COLOR_ENCABEZADO = "FFE7E6E6"

# fillId → ARGB colour; 0 and 1 are the two fills every workbook must start with.
_RELLENOS: list[str | None] = [None, None]
_RELLENO_ID: dict[str, int] = {}
# xfId → (numFmtId, fontId, fillId, quotePrefix, wrap)
_XFS: list[tuple[int, int, int, bool, bool]] = []
_XF_ID: dict[tuple[int, int, str | None, bool, bool], int] = {}
_CERROJO = threading.Lock()  # registration only; reading an index needs no lock


def estilo(
    *, formato: int = 0, fuente: int = 0, relleno: str | None = None, comilla: bool = False, ajuste: bool = False
) -> int:
    """The index of a cell style, registered the first time it is asked for."""
    clave = (formato, fuente, relleno, comilla, ajuste)
    indice = _XF_ID.get(clave)
    if indice is not None:
        return indice
    with _CERROJO:
        indice = _XF_ID.get(clave)
        if indice is None:
            relleno_id = 0
            if relleno is not None:
                relleno_id = _RELLENO_ID.get(relleno, len(_RELLENOS))
                if relleno_id == len(_RELLENOS):
                    _RELLENOS.append(relleno)
                    _RELLENO_ID[relleno] = relleno_id
            _XFS.append((formato, fuente, relleno_id, comilla, ajuste))
            indice = _XF_ID[clave] = len(_XFS) - 1
    return indice


# The fixed styles, registered in this order so their indices are constants.
S_NORMAL = estilo()
S_ENCABEZADO = estilo(fuente=_F_NEGRITA, relleno=COLOR_ENCABEZADO, ajuste=True)
S_ENCABEZADO_FORMULA = estilo(fuente=_F_NEGRITA, relleno=COLOR_ENCABEZADO, ajuste=True, comilla=True)
S_FORMULA = estilo(comilla=True)  # text that looks like a formula
S_LARGO = estilo(ajuste=True)  # wrapped text
S_LARGO_FORMULA = estilo(comilla=True, ajuste=True)
S_FECHA = estilo(formato=_FMT_FECHA)
S_ENTERO = estilo(formato=_FMT_ENTERO)
S_NUMERO = {decimales: estilo(formato=fmt) for decimales, fmt in _FMT_DECIMALES.items()}
S_PORCENTAJE = estilo(formato=_FMT_PORCENTAJE)
S_TITULO = estilo(fuente=_F_TITULO)


def _styles_xml() -> str:
    with _CERROJO:  # a snapshot: another thread may be registering a style
        rellenos, xfs_tabla = list(_RELLENOS), list(_XFS)
    formatos = "".join(f'<numFmt numFmtId="{i}" formatCode="{_esc(c)}"/>' for i, c in _FORMATOS.items())
    fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    for color in rellenos[2:]:
        fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="{_esc(color)}"/><bgColor indexed="64"/></patternFill></fill>')
    xfs = []
    for num, fuente, relleno, comilla, ajuste in xfs_tabla:
        atributos = f'numFmtId="{num}" fontId="{fuente}" fillId="{relleno}" borderId="0" xfId="0"'
        atributos += ' applyNumberFormat="1"' if num else ""
        atributos += ' applyFont="1"' if fuente else ""
        atributos += ' applyFill="1"' if relleno else ""
        atributos += ' quotePrefix="1"' if comilla else ""
        if ajuste:
            xfs.append(f'<xf {atributos} applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>')
        else:
            xfs.append(f"<xf {atributos}/>")
    return (
        _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
        f'<numFmts count="{len(_FORMATOS)}">{formatos}</numFmts>'
        f'<fonts count="{len(_FUENTES)}">{"".join(_FUENTES)}</fonts>'
        f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# Characters XML 1.0 cannot carry at all (pasted control characters, lone surrogates that no
# encoding holds): they are dropped, so the file opens and the response never fails on them.
_ILEGALES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What may stand before a formula's first character and vanish on the way in: blanks (a tab or a
# CR that a spreadsheet skips) and the characters `_ILEGALES` drops («\x01=1» is written «=1»).
_ANTES_DE_FORMULA = re.compile("[\\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]*")
_ARRANQUE_FORMULA = ("=", "+", "-", "@")
_ESCAPE_OOXML = re.compile("_x([0-9A-Fa-f]{4})_")  # how SpreadsheetML writes a character: _x003D_ is «=»
# Excel's limits: characters in a cell (a longer text makes Excel "repair" the file, losing it),
# in a sheet's name (and the characters a name may not hold), in a document property.
MAX_CARACTERES_CELDA = 32_767
MAX_NOMBRE_HOJA = 31
_PROHIBIDOS_HOJA = re.compile(r"[\[\]:*?/\\]")
MAX_PROPIEDAD = 255
CORTADO = " […]"  # the end of a text cut at MAX_CARACTERES_CELDA
_EPOCA = datetime.datetime(1899, 12, 30)
MAX_FILAS_EXCEL = 1_048_576
MAX_LISTA = 255  # characters Excel accepts in a drop-down's inline list


def _esc(texto: str) -> str:
    """Text as XML element content or attribute: what XML cannot carry dropped, the rest escaped
    (a CR as a reference, so it is read back as a CR rather than as a line feed)."""
    texto = _ILEGALES.sub("", texto)
    return (
        texto.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def parece_formula(texto: str) -> bool:
    """Text a spreadsheet could take for a formula (or a DDE payload) if it were typed in: one
    that starts with = + - @ once the blanks and the characters the writer drops are skipped,
    read as written or as Excel reads its escapes («_x003D_1+1» is «=1+1» in Excel)."""
    inicio = _ANTES_DE_FORMULA.match(texto).end()
    if texto[inicio : inicio + 1] in _ARRANQUE_FORMULA:
        return True
    if "_x" in texto[inicio:]:
        leido = _ESCAPE_OOXML.sub(lambda m: chr(int(m.group(1), 16)), texto)
        inicio = _ANTES_DE_FORMULA.match(leido).end()
        return leido[inicio : inicio + 1] in _ARRANQUE_FORMULA
    return False


def texto_de_celda(texto: str) -> str:
    """The text a cell holds: what XML cannot carry dropped, cut to Excel's maximum with a mark."""
    texto = _ILEGALES.sub("", texto)
    if len(texto) > MAX_CARACTERES_CELDA:
        texto = texto[: MAX_CARACTERES_CELDA - len(CORTADO)] + CORTADO
    return texto


def nombre_de_hoja(nombre: str, usados: set[str] | None = None) -> str:
    """A name Excel accepts for a tab: at most 31 characters, none of []:*?/\\ (each becomes a
    space), not starting or ending with an apostrophe, not empty and, with `usados` (lower-case
    names already given, updated here), not repeated: «Datos», «Datos (2)»."""
    limpio = _PROHIBIDOS_HOJA.sub(" ", _ILEGALES.sub("", nombre)).strip().strip("'").strip()
    limpio = limpio[:MAX_NOMBRE_HOJA].rstrip().rstrip("'") or "Hoja"
    if usados is None:
        return limpio
    candidato, n = limpio, 1
    while candidato.lower() in usados:
        n += 1
        sufijo = f" ({n})"
        candidato = limpio[: MAX_NOMBRE_HOJA - len(sufijo)].rstrip("'") + sufijo
    usados.add(candidato.lower())
    return candidato


def letra_columna(numero: int) -> str:
    """The letters of the 1-based column `numero`: 1 → "A", 28 → "AB"."""
    return get_column_letter(numero)


def _numero_xml(valor: Decimal | int | float) -> tuple[str, int]:
    """The number as the XML writes it (no exponent, no trailing zeros) and its decimals shown."""
    if isinstance(valor, float):
        valor = Decimal(repr(valor))
    texto = format(valor, "f")
    if "." not in texto:
        return texto, 0
    texto = texto.rstrip("0").rstrip(".")
    punto = texto.find(".")
    return texto, (0 if punto < 0 else min(MAX_DECIMALES, len(texto) - punto - 1))


def _texto_xml(texto: str, estilo_id: int | None) -> str:
    if len(texto) > MAX_CARACTERES_CELDA:
        texto = texto_de_celda(texto)
    atributo = f' s="{estilo_id}"' if estilo_id is not None else ""
    return f'{atributo} t="inlineStr"><is><t xml:space="preserve">{_esc(texto)}</t></is></c>'


def _cola_calculada(valor: Any) -> str:
    """Everything of a cell's XML after `<c r="A1"`, or "" for an empty cell."""
    if isinstance(valor, bool):
        return _texto_xml("Sí" if valor else "No", None)
    if isinstance(valor, Texto):
        if not valor.valor:
            return ""
        return _texto_xml(valor.valor, S_LARGO_FORMULA if parece_formula(valor.valor) else S_LARGO)
    if isinstance(valor, Porcentaje):
        con_relleno = estilo(formato=_FMT_PORCENTAJE, relleno=valor.relleno)
        if valor.valor is None:  # no value: the fill alone, the text beside it says why
            return f' s="{con_relleno}"/>' if valor.relleno else ""
        return f' s="{con_relleno}"><v>{_numero_xml(valor.valor / 100)[0]}</v></c>'
    if isinstance(valor, Relleno):
        return _texto_xml(valor.texto, estilo(relleno=valor.relleno, comilla=parece_formula(valor.texto)))
    if isinstance(valor, Entero):
        if valor.valor is None:
            return ""
        return f' s="{S_ENTERO}"><v>{int(valor.valor)}</v></c>'
    if isinstance(valor, Num):
        if valor.valor is None:
            return ""
        texto, _ = _numero_xml(valor.valor.quantize(Decimal(1).scaleb(-valor.decimales)))
        return f' s="{S_NUMERO[valor.decimales]}"><v>{texto}</v></c>'
    if isinstance(valor, (Decimal, int, float)):
        texto, decimales = _numero_xml(valor)
        return f' s="{S_NUMERO[decimales]}"><v>{texto}</v></c>'
    if isinstance(valor, datetime.datetime):
        if timezone.is_aware(valor):
            valor = timezone.localtime(valor).replace(tzinfo=None)
        return f' s="{S_FECHA}"><v>{(valor - _EPOCA).total_seconds() / 86400!r}</v></c>'
    if isinstance(valor, Titulo):
        return _texto_xml(valor.valor, estilo(fuente=_F_TITULO, comilla=parece_formula(valor.valor)))
    if isinstance(valor, str):
        return _texto_xml(valor, S_FORMULA if parece_formula(valor) else None)
    return _cola(str(valor))


# Targets, bands and percentages repeat a lot in a plan: their XML is computed once. The key is
# the value with its type (True is not 1); equal Decimals (10 and 10.000000) write the same XML.
_CACHE: dict[tuple[type, Any], str] = {}
_CACHE_MAXIMO = 10_000


def _cola(valor: Any) -> str:
    if type(valor) is str:
        if not valor:
            return ""
        if len(valor) > 200:  # long free text rarely repeats: not worth a cache slot
            return _texto_xml(valor, S_FORMULA if parece_formula(valor) else None)
    clave = (type(valor), valor)
    cola = _CACHE.get(clave)
    if cola is None:
        cola = _cola_calculada(valor)
        if len(_CACHE) >= _CACHE_MAXIMO:
            _CACHE.clear()  # bounded: memory stays flat whatever the number of rows
        _CACHE[clave] = cola
    return cola


def _celda(ref: str, valor: Any) -> str:
    """The XML of one cell, or "" for an empty one."""
    if valor is None:
        return ""
    cola = _cola(valor)
    return f'<c r="{ref}"{cola}' if cola else ""


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columna:
    titulo: str
    ancho: float = 14


@dataclass(frozen=True)
class Lista:
    """A drop-down on the cells `rango` ("F2:F5000"): one of `opciones`, or blank."""

    rango: str
    opciones: Sequence[str]
    titulo_error: str = "Valor no válido"
    mensaje_error: str = "Elija un valor de la lista."

    def formula(self) -> str:
        if any("," in o or '"' in o for o in self.opciones):
            raise ValueError("Las opciones de una lista desplegable no pueden llevar comas ni comillas.")
        formula = '"' + ",".join(self.opciones) + '"'
        if len(formula) > MAX_LISTA:
            raise ValueError(f"La lista desplegable de {self.rango} supera {MAX_LISTA} caracteres.")
        return formula


@dataclass
class Hoja:
    """One sheet: its name, its columns and the rows to write (an iterator is consumed once).

    With `encabezado` the first row holds the columns' titles and stays visible when scrolling;
    without it (an instructions sheet) the rows start at the top and nothing is frozen.
    """

    nombre: str
    columnas: list[Columna]
    filas: Iterable[list[Any]]
    congelar_columnas: int = 0  # columns kept visible when scrolling right
    filtro: bool = True
    posicion: int | None = None  # place among the tabs when it differs from the writing order
    listas: Sequence[Lista] = field(default_factory=tuple)
    encabezado: bool = True


def _estilo_encabezado(titulo: str) -> int:
    """A column title is text like any other: with the quote prefix when it looks like a formula
    (a level's name from the plan becomes a title in the follow-up export)."""
    return S_ENCABEZADO_FORMULA if parece_formula(titulo) else S_ENCABEZADO


def _vista(hoja: Hoja) -> str:
    if not hoja.encabezado:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    congelar_columnas = hoja.congelar_columnas
    if congelar_columnas:
        celda = f"{get_column_letter(congelar_columnas + 1)}2"
        panel = (
            f'<pane xSplit="{congelar_columnas}" ySplit="1" topLeftCell="{celda}" activePane="bottomRight" state="frozen"/>'
            f'<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="{celda}" sqref="{celda}"/>'
        )
    else:
        panel = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    return f'<sheetViews><sheetView workbookViewId="0">{panel}</sheetView></sheetViews>'


def _validaciones(listas: Sequence[Lista]) -> str:
    if not listas:
        return ""
    partes = "".join(
        f'<dataValidation type="list" allowBlank="1" showErrorMessage="1" errorTitle="{_esc(lista.titulo_error)}" '
        f'error="{_esc(lista.mensaje_error)}" sqref="{_esc(lista.rango)}"><formula1>{_esc(lista.formula())}</formula1>'
        "</dataValidation>"
        for lista in listas
    )
    return f'<dataValidations count="{len(listas)}">{partes}</dataValidations>'


class LibroXlsx:
    """Streams sheets into an xlsx file: `escribir(hoja)` for each, then `cerrar()`.

    `progreso(hoja, filas)` is called every `cada` rows so commands can show how far they are.
    """

    def __init__(self, destino: str | IO[bytes], *, autor: str = "", progreso=None, cada: int = 5000):
        self._zip = zipfile.ZipFile(destino, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._hojas: list[tuple[int, int, str, str | None]] = []  # tab position, file number, name, filter ref
        self._nombres: set[str] = set()  # tab names given, lower-case (Excel compares them so)
        self._autor = autor
        self._progreso = progreso
        self._cada = cada

    def _cabecera(self, hoja: Hoja, letras: list[str]) -> str:
        anchos = "".join(
            f'<col min="{i}" max="{i}" width="{columna.ancho}" customWidth="1"/>'
            for i, columna in enumerate(hoja.columnas, start=1)
        )
        inicio = (
            _XML_DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
            + _vista(hoja)
            + '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{anchos}</cols>" if anchos else "")
            + "<sheetData>"
        )
        if not hoja.encabezado:
            return inicio
        return (
            inicio
            + '<row r="1">'
            + "".join(
                f'<c r="{letra}1"' + _texto_xml(columna.titulo, _estilo_encabezado(columna.titulo))
                for letra, columna in zip(letras, hoja.columnas)
            )
            + "</row>"
        )

    def escribir(self, hoja: Hoja) -> int:
        """Write one sheet; returns the number of data rows written."""
        numero = len(self._hojas) + 1
        letras = [get_column_letter(i + 1) for i in range(len(hoja.columnas))]
        primera = 1 if hoja.encabezado else 0  # rows above the data
        filas = 0
        with self._zip.open(f"xl/worksheets/sheet{numero}.xml", "w", force_zip64=True) as salida:
            escribir = salida.write
            escribir(self._cabecera(hoja, letras).encode())
            bloque: list[str] = []
            agregar = bloque.append
            cola_de = _cola
            for fila in hoja.filas:
                filas += 1
                r = filas + primera
                if r > MAX_FILAS_EXCEL:
                    raise ValueError(f"La hoja «{hoja.nombre}» supera el máximo de filas de Excel.")
                agregar(f'<row r="{r}">')
                for letra, valor in zip(letras, fila):  # the hot loop: ~1 µs a cell, kept flat
                    if valor is not None:
                        cola = cola_de(valor)
                        if cola:
                            agregar(f'<c r="{letra}{r}"{cola}')
                agregar("</row>")
                if filas % 500 == 0:
                    escribir("".join(bloque).encode())
                    bloque.clear()
                if self._progreso and filas % self._cada == 0:
                    self._progreso(hoja.nombre, filas)
            ref = f"A1:{letras[-1]}{filas + primera}" if hoja.filtro and hoja.encabezado and letras else None
            bloque.append("</sheetData>")
            if ref:
                bloque.append(f'<autoFilter ref="{ref}"/>')
            bloque.append(_validaciones(hoja.listas))
            bloque.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
            bloque.append("</worksheet>")
            escribir("".join(bloque).encode())
        nombre = nombre_de_hoja(hoja.nombre, self._nombres)
        self._hojas.append((numero if hoja.posicion is None else hoja.posicion, numero, nombre, ref))
        if self._progreso:
            self._progreso(hoja.nombre, filas)
        return filas

    def abandonar(self) -> None:
        """Close the half-written file after an error (it is not a valid workbook)."""
        try:
            self._zip.close()
        except (ValueError, OSError):
            pass

    def cerrar(self) -> None:
        hojas = self._hojas
        tipos = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(hojas) + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f"{tipos}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            _XML_DECL + f'<Relationships xmlns="{_NS_PKG}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>",
        )
        ahora = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        self._zip.writestr(
            "docProps/core.xml",
            _XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_esc(texto_de_celda(self._autor or 'Seguimiento')[:MAX_PROPIEDAD])}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{ahora}</dcterms:created>'
            "</cp:coreProperties>",
        )
        pestanas = sorted(hojas)
        nombres = "".join(
            f'<sheet name="{_esc(nombre)}" sheetId="{numero}" r:id="rId{numero}"/>' for _, numero, nombre, _ in pestanas
        )
        filtros = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_referencia_hoja(nombre)}!{_absoluta(ref)}</definedName>"
            for i, (_, _, nombre, ref) in enumerate(pestanas)
            if ref
        )
        self._zip.writestr(
            "xl/workbook.xml",
            _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{nombres}</sheets>" + (f"<definedNames>{filtros}</definedNames>" if filtros else "") + "</workbook>",
        )
        relaciones = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(hojas) + 1)
        )
        n = len(hojas) + 1
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _XML_DECL + f'<Relationships xmlns="{_NS_PKG}">{relaciones}'
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", _styles_xml())
        self._zip.close()


def _referencia_hoja(nombre: str) -> str:
    """A sheet's name as a formula names it: quoted, its apostrophes doubled."""
    return "'" + _esc(nombre).replace("'", "''") + "'"


def _absoluta(ref: str) -> str:
    return "$" + re.sub(r"([A-Z]+)(\d+)", r"\1$\2", ref).replace(":", ":$")


def escribir_libro(destino: str | IO[bytes], hojas: Iterable[Hoja], *, autor: str = "", progreso=None) -> dict[str, int]:
    """Write the sheets, in order, to `destino`; returns rows written per sheet."""
    libro = LibroXlsx(destino, autor=autor, progreso=progreso)
    conteo = {}
    try:
        for hoja in hojas:
            conteo[hoja.nombre] = libro.escribir(hoja)
    except BaseException:
        libro.abandonar()
        raise
    libro.cerrar()
    return conteo
