"""Follow-up workbooks for auditors (issue 5): small exporters that yield rows, one writer.

Each sheet is a `Hoja`: a name, its columns (title and width) and an iterator of rows. The writer
streams every row straight into the xlsx file as it comes, so memory does not grow with the number
of rows. It writes the SpreadsheetML by hand rather than through openpyxl's write-only mode: the
XML is the same, but openpyxl spends ~5 µs on each styled cell and a 30,000-indicator plan has over
a million of them (see benchmarks/RESULTADOS_EXCEL.md). Tests read every workbook back with
openpyxl.

What the cells promise:
- numbers are numeric cells with Colombian display formats (`#,##0`, `#,##0.00`), percentages are
  real fractions (0.4125) shown as `0.0%`, with the band's fill and the band's name beside them;
- years and periods are whole numbers shown as `0` (2023, never «2.023» with a thousands point),
  and a report's period is also written by its name («2023», «2023 · semestre 1», «2023 · junio»);
- choices (tipo, periodicidad, unidad, estado) show the labels users know («Constante», «Anual»),
  which the import reads back as well as the stored codes;
- text is always an inline string with `quotePrefix` when it starts with = + - @, so no
  spreadsheet ever runs a cell as a formula (not even after the user edits it).

The sheets "Plan", "Niveles", "Indicadores" and "Reportes" are also the import format
(`reportes.importar`): exporting a plan and importing the workbook into an empty database
reproduces it.
"""

from __future__ import annotations

import datetime
import functools
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl.utils import get_column_letter

import seguimiento
from politicas import arbol
from reportes.resultados import ESTADOS_OFICIALES, CorteRef, ResultadoIndicador, ResultadoPlan, Semaforo

# ---------------------------------------------------------------------------------------------
# Cell values that carry a style
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Porcentaje:
    """A percentage in percent units (41.25) written as the fraction 0.4125 with its band's fill."""

    valor: Decimal | None
    banda: Semaforo | None = None


@dataclass(frozen=True, slots=True)
class Banda:
    """A band's name, on the band's fill."""

    banda: Semaforo


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


# Fills per band; the colour names are the Semaforo's (SPEC §4), the shades light enough to read.
RELLENOS = {
    Semaforo.SOBRE_EJECUCION: "FFF4B183",  # naranja
    Semaforo.ALTO: "FFA9D08E",  # verde
    Semaforo.MEDIO: "FFFFE699",  # amarillo
    Semaforo.BAJO: "FFF8A3A3",  # rojo
    Semaforo.SIN_INFORMACION: "FFD9D9D9",  # gris
}
BANDAS = list(RELLENOS)

# ---------------------------------------------------------------------------------------------
# Styles: a fixed table, known before any row is written
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

# (numFmtId, fontId, fillId, quotePrefix, wrap); fills: 0 none, 1 gray125, 2 header, 3+ bands.
_XFS: list[tuple[int, int, int, bool, bool]] = [
    (0, 0, 0, False, False),  # 0 default
    (0, 1, 2, False, True),  # 1 header
    (0, 0, 0, True, False),  # 2 text that looks like a formula
    (0, 0, 0, False, True),  # 3 wrapped text
    (0, 0, 0, True, True),  # 4 wrapped text that looks like a formula
    (170, 0, 0, False, False),  # 5 date and time
    (1, 0, 0, False, False),  # 6 year or period: the builtin "0", no thousands separator
]
S_ENCABEZADO, S_FORMULA, S_LARGO, S_LARGO_FORMULA, S_FECHA, S_ENTERO = 1, 2, 3, 4, 5, 6
S_NUMERO = {}
for _decimales, _fmt in _FMT_DECIMALES.items():
    S_NUMERO[_decimales] = len(_XFS)
    _XFS.append((_fmt, 0, 0, False, False))
S_PORCENTAJE: dict[Semaforo | None, int] = {None: len(_XFS)}
_XFS.append((171, 0, 0, False, False))  # a percentage without a band (trajectory)
S_BANDA = {}
for _i, _banda in enumerate(BANDAS):
    S_PORCENTAJE[_banda] = len(_XFS)
    _XFS.append((171, 0, 3 + _i, False, False))
    S_BANDA[_banda] = len(_XFS)
    _XFS.append((0, 0, 3 + _i, False, False))


def _styles_xml() -> str:
    formatos = "".join(f'<numFmt numFmtId="{i}" formatCode="{_esc(c)}"/>' for i, c in _FORMATOS.items())
    rellenos = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    for color in ["FFE7E6E6", *RELLENOS.values()]:
        rellenos.append(f'<fill><patternFill patternType="solid"><fgColor rgb="{color}"/><bgColor indexed="64"/></patternFill></fill>')
    xfs = []
    for num, fuente, relleno, comilla, ajuste in _XFS:
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
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{len(rellenos)}">{"".join(rellenos)}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# Characters XML 1.0 cannot carry at all; a pasted control character must not break the file.
_ILEGALES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ARRANQUE_FORMULA = ("=", "+", "-", "@")
_EPOCA = datetime.datetime(1899, 12, 30)
MAX_FILAS_EXCEL = 1_048_576


def _esc(texto: str) -> str:
    texto = _ILEGALES.sub("", texto)
    return texto.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def parece_formula(texto: str) -> bool:
    """Text a spreadsheet could take for a formula (or a DDE payload) if it were typed in."""
    return texto.lstrip()[:1] in _ARRANQUE_FORMULA


@dataclass(frozen=True)
class Columna:
    titulo: str
    ancho: float = 14


@dataclass
class Hoja:
    """One sheet: its name, its columns and the rows to write (an iterator is consumed once)."""

    nombre: str
    columnas: list[Columna]
    filas: Iterable[list[Any]]
    congelar_columnas: int = 0  # columns kept visible when scrolling right
    filtro: bool = True
    posicion: int | None = None  # place among the tabs when it differs from the writing order


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


def _texto_xml(texto: str, estilo: int | None) -> str:
    atributo = f' s="{estilo}"' if estilo is not None else ""
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
        if valor.valor is None:  # no value: the fill alone, the band's name says why
            return f' s="{S_PORCENTAJE[valor.banda]}"/>' if valor.banda else ""
        return f' s="{S_PORCENTAJE[valor.banda]}"><v>{_numero_xml(valor.valor / 100)[0]}</v></c>'
    if isinstance(valor, Banda):
        return _texto_xml(valor.banda.etiqueta, S_BANDA[valor.banda])
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


def _vista(congelar_columnas: int) -> str:
    if congelar_columnas:
        celda = f"{get_column_letter(congelar_columnas + 1)}2"
        panel = (
            f'<pane xSplit="{congelar_columnas}" ySplit="1" topLeftCell="{celda}" activePane="bottomRight" state="frozen"/>'
            f'<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="{celda}" sqref="{celda}"/>'
        )
    else:
        panel = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    return f'<sheetViews><sheetView workbookViewId="0">{panel}</sheetView></sheetViews>'


class LibroXlsx:
    """Streams sheets into an xlsx file: `escribir(hoja)` for each, then `cerrar()`.

    `progreso(hoja, filas)` is called every `cada` rows so commands can show how far they are.
    """

    def __init__(self, destino: str | IO[bytes], *, autor: str = "", progreso=None, cada: int = 5000):
        self._zip = zipfile.ZipFile(destino, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._hojas: list[tuple[int, int, str, str | None]] = []  # tab position, file number, name, filter ref
        self._autor = autor
        self._progreso = progreso
        self._cada = cada

    def escribir(self, hoja: Hoja) -> int:
        """Write one sheet; returns the number of data rows written."""
        numero = len(self._hojas) + 1
        letras = [get_column_letter(i + 1) for i in range(len(hoja.columnas))]
        anchos = "".join(
            f'<col min="{i}" max="{i}" width="{columna.ancho}" customWidth="1"/>'
            for i, columna in enumerate(hoja.columnas, start=1)
        )
        filas = 0
        with self._zip.open(f"xl/worksheets/sheet{numero}.xml", "w", force_zip64=True) as salida:
            escribir = salida.write
            escribir(
                (
                    _XML_DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
                    + _vista(hoja.congelar_columnas)
                    + '<sheetFormatPr defaultRowHeight="15"/>'
                    + f"<cols>{anchos}</cols><sheetData>"
                    + '<row r="1">'
                    + "".join(
                        f'<c r="{letra}1" s="{S_ENCABEZADO}" t="inlineStr"><is><t>{_esc(columna.titulo)}</t></is></c>'
                        for letra, columna in zip(letras, hoja.columnas)
                    )
                    + "</row>"
                ).encode()
            )
            bloque: list[str] = []
            agregar = bloque.append
            cola_de = _cola
            for fila in hoja.filas:
                filas += 1
                r = filas + 1
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
            ref = f"A1:{letras[-1]}{filas + 1}" if hoja.filtro and letras else None
            bloque.append("</sheetData>")
            if ref:
                bloque.append(f'<autoFilter ref="{ref}"/>')
            bloque.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
            bloque.append("</worksheet>")
            escribir("".join(bloque).encode())
        self._hojas.append((numero if hoja.posicion is None else hoja.posicion, numero, hoja.nombre, ref))
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
            f"<dc:creator>{_esc(self._autor or 'Seguimiento')}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{ahora}</dcterms:created>'
            "</cp:coreProperties>",
        )
        pestanas = sorted(hojas)
        nombres = "".join(
            f'<sheet name="{_esc(nombre)}" sheetId="{numero}" r:id="rId{numero}"/>' for _, numero, nombre, _ in pestanas
        )
        filtros = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{_esc(nombre)}'!{_absoluta(ref)}</definedName>"
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


# ---------------------------------------------------------------------------------------------
# The follow-up workbook of a plan at a cut
# ---------------------------------------------------------------------------------------------

# Column titles shared with the import (reportes.importar reads them back by name).
HOJA_PLAN, HOJA_NIVELES, HOJA_INDICADORES, HOJA_REPORTES, HOJA_ACERCA = (
    "Plan", "Niveles", "Indicadores", "Reportes", "Acerca de",
)
CAMPOS_PLAN = [
    ("codigo", "Código"),
    ("nombre", "Nombre"),
    ("tipo", "Tipo"),
    ("documento", "Documento"),
    ("entidad", "Entidad"),
    ("anio_inicio", "Año de inicio"),
    ("anio_fin", "Año de fin"),
    ("nombres_niveles", "Nombres de los niveles"),
    ("dependencia_lider", "Dependencia líder"),
    ("objetivo", "Objetivo"),
    ("publicado", "Publicado"),
]
COLUMNAS_NIVELES = [
    Columna("Código", 12), Columna("Código del padre", 12), Columna("Nivel", 14), Columna("Nombre", 60),
    Columna("Ponderación", 13),
]
COLUMNAS_NIVELES_RESULTADO = [
    Columna("Ponderación efectiva", 13), Columna("Avance (puntos)", 13), Columna("Trayectoria (puntos)", 13),
    Columna("Brecha (puntos)", 13),
]
COLUMNAS_INDICADOR = [
    Columna("Código", 14), Columna("Indicador", 60), Columna("Nivel", 10), Columna("Producto", 40),
    Columna("Unidad", 12), Columna("Tipo", 12), Columna("Periodicidad", 13), Columna("Dependencia", 30),
    Columna("Ponderación", 13), Columna("Línea base", 13), Columna("Año de línea base", 10), Columna("Meta final", 13),
    Columna("Enfoques", 20), Columna("Ilustrativo", 10), Columna("Fuente", 20),
]
COLUMNAS_RESULTADO = [
    Columna("PAV", 9), Columna("Semáforo PAV", 20), Columna("PAHV", 9), Columna("Semáforo PAHV", 20),
    Columna("PAA", 9), Columna("Semáforo PAA", 20), Columna("Trayectoria ideal", 11), Columna("Sin información", 18),
]
COLUMNAS_REPORTES = [
    Columna("Código del indicador", 14), Columna("Indicador", 50), Columna("Año", 8), Columna("Periodo", 8),
    Columna("Avance", 13), Columna("Estado", 11), Columna("Observaciones", 60), Columna("Plan de choque", 60),
    Columna("Ilustrativo", 10),
]
# What the exported Reportes sheet adds to the import format, after its columns (so a row copied
# into the template keeps its place; the import reads columns by title and ignores these):
# the period by its name («2023 · semestre 1»), the official value the figures count, and
# whether that approved value is being corrected (the correction is not official yet).
COLUMNAS_REPORTES_EXPORTADOS = COLUMNAS_REPORTES + [
    Columna("Periodo (nombre)", 22), Columna("Avance oficial", 13), Columna("En corrección", 12),
]


@functools.cache
def etiquetas() -> dict[str, dict[str, str]]:
    """Label per stored code of each choice the workbook shows: {"tipo": {"constante": "Constante"}, ...}.

    Taken from the models' choices, so the workbook says what the admin and the dashboards say.
    """
    from indicadores.models import Periodicidad, Reporte, TipoAnualizacion, Unidad

    return {
        "unidad": dict(Unidad.choices),
        "tipo": dict(TipoAnualizacion.choices),
        "periodicidad": dict(Periodicidad.choices),
        "estado": dict(Reporte.Estado.choices),
    }


def etiqueta(campo: str, codigo: str) -> str:
    """The label of a stored code (an unknown code is shown as it is rather than hidden)."""
    return etiquetas()[campo].get(codigo, codigo)


def titulo_meta(anio: int) -> str:
    return f"Meta {anio}"


def titulo_avance(anio: int) -> str:
    return f"Avance {anio}"


@dataclass
class DatosPlan:
    """Everything the workbook shows of one plan, read in a fixed number of queries."""

    plan: Any
    niveles: list[dict]  # tree order: parents before children
    indicadores: list[dict]  # visible ones, the plan's order
    metas: dict[int, dict[int, Decimal]]
    avances: dict[int, dict[int, Decimal]]  # A[y] per indicator and year, filled by `hoja_reportes`
    visibles: Any  # queryset of the indicators' ids, for the streamed Reportes sheet
    enfoques: dict[int, list[str]]  # names, as the workbook shows them
    enfoque_ids: dict[int, set[int]]


def datos_plan(*, plan, corte: CorteRef, usuario) -> DatosPlan:
    """The plan's levels, the indicators `usuario` may read, their targets, enfoques and reports.

    Four queries whatever the plan's size: levels, indicators, targets, enfoques. Reports are
    streamed once, by the Reportes sheet, which also reduces them to A[y] (`avances`).
    """
    from indicadores import permisos
    from indicadores.models import Indicador, Meta
    from politicas.models import Nivel

    niveles = arbol.en_orden(
        Nivel.objects.filter(plan=plan).values("id", "padre_id", "codigo", "nombre", "peso", "profundidad", "orden")
    )
    visibles = permisos.indicadores_legibles(usuario, Indicador.objects.filter(plan=plan))
    indicadores = list(
        visibles.order_by("orden", "codigo").values(
            "id", "codigo", "nombre", "nivel_id", "producto", "unidad", "tipo_anualizacion", "periodicidad",
            "dependencia_id", "dependencia__nombre", "peso", "linea_base", "anio_linea_base", "meta_final",
            "ilustrativo", "fuente",
        )
    )
    ids = visibles.values("id")
    metas: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicador_id, anio, valor in Meta.objects.filter(indicador__in=ids).values_list("indicador_id", "anio", "valor"):
        metas[indicador_id][anio] = valor
    enfoques: dict[int, list[str]] = defaultdict(list)
    enfoque_ids: dict[int, set[int]] = defaultdict(set)
    for indicador_id, enfoque_id, codigo, nombre in (
        Indicador.enfoques.through.objects.filter(indicador__in=ids)
        .order_by("enfoque__codigo")
        .values_list("indicador_id", "enfoque_id", "enfoque__codigo", "enfoque__nombre")
    ):
        # The name reads better; the import accepts names and codes, and the list is split on
        # commas, so a name with a comma in it goes out as its code.
        enfoques[indicador_id].append(codigo if "," in nombre else nombre)
        enfoque_ids[indicador_id].add(enfoque_id)
    return DatosPlan(
        plan=plan, niveles=niveles, indicadores=indicadores, metas=metas, avances=defaultdict(dict), visibles=ids,
        enfoques=enfoques, enfoque_ids=enfoque_ids,
    )


class AvancesPorAnio:
    """Reduces a stream of reports, ordered by indicator and year, to A[y] (SPEC §2).

    Each (indicator, year) group is reduced with the engine's own functions as soon as it ends,
    so no report is kept in memory. Only approved reports that count at the cut are added.
    """

    def __init__(self, *, tipos: Mapping[int, tuple[str, str]], corte: CorteRef, destino: dict[int, dict[int, Decimal]]):
        self.tipos = tipos
        self.corte = corte
        self.destino = destino
        self.clave: tuple[int, int] | None = None
        self.lista: list[tuple[int, int, Decimal]] = []

    def agregar(self, indicador_id: int, anio: int, periodo: int, valor: Decimal) -> None:
        if (indicador_id, anio) != self.clave:
            self.cerrar()
            self.clave = (indicador_id, anio)
        self.lista.append((anio, periodo, valor))

    def cerrar(self) -> None:
        from reportes.calculos import avance_anio, resumen_reportes

        if self.clave is not None and self.lista:
            indicador_id, anio = self.clave
            tipo, periodicidad = self.tipos[indicador_id]
            semestre = self.corte.semestre if anio == self.corte.anio else 2
            resumen = resumen_reportes(self.lista, periodicidad=periodicidad, corte_anio=anio, corte_semestre=semestre)
            valor = avance_anio(tipo, resumen)
            if valor is not None:
                self.destino[indicador_id][anio] = valor
        self.lista = []


_SEMESTRES = {1: "primer", 2: "segundo"}


def _texto_corte(corte: CorteRef) -> str:
    """«2024-1: primer semestre de 2024, con corte al 30/06/2024»."""
    return f"{corte.clave}: {_SEMESTRES[corte.semestre]} semestre de {corte.anio}, con corte al {corte.fecha:%d/%m/%Y}"


def _texto_cifras(resultado: ResultadoPlan) -> str:
    """Whether the figures are a closed cut's official ones (as published) or computed today."""
    from seguimiento.numeros import fecha_larga

    publicacion = resultado.publicacion
    if publicacion is None:
        return "Corte abierto: las cifras se calculan con los valores oficiales de la fecha de exportación."
    texto = (
        f"Cifras oficiales del corte, cerrado el {fecha_larga(publicacion.cerrado_en)}: no cambian aunque lleguen "
        "reportes o correcciones después del cierre. La hoja «Reportes» muestra los reportes como están hoy: un "
        "periodo que seguía en curso al cierre (un indicador anual en el corte de junio) puede tener ya un valor "
        "posterior, que cuenta en los cortes siguientes."
    )
    if publicacion.corregido_en:
        texto += (
            f" Corregidas por la administración el {fecha_larga(publicacion.corregido_en)}: "
            f"«{publicacion.motivo_correccion}»."
        )
    return texto


@dataclass
class Exportacion:
    """What was exported, for the "Acerca de" sheet, the command's output and the tests."""

    plan_codigo: str
    corte: CorteRef
    filtros: str
    usuario: str
    fecha: datetime.datetime
    filas: dict[str, int] = field(default_factory=dict)


class ExportadorSeguimiento:
    """The follow-up workbook of a plan at a cut, for the indicators a user may read.

    `params` are the dashboard's GET filters (banda, dependencia, nivel, tipo, enfoque, orden); they
    select the rows of the Indicadores and Reportes sheets. Levels are the whole plan (only the top level and
    the levels above their own indicators for a planner reading an unpublished plan).
    """

    def __init__(self, *, plan, corte: CorteRef, usuario, params: Mapping[str, str] | None = None):
        self.plan = plan
        self.corte = corte
        self.usuario = usuario
        self.params = dict(params or {})

    # -- data ---------------------------------------------------------------------------------
    def preparar(self) -> None:
        from reportes import filtros as modulo_filtros
        from reportes import visibilidad
        from reportes.selectors import plan_resultados

        self.datos = datos_plan(plan=self.plan, corte=self.corte, usuario=self.usuario)
        self.resultado: ResultadoPlan = plan_resultados(plan=self.plan, corte=self.corte)
        self.por_indicador: dict[int, ResultadoIndicador] = {r.indicador_id: r for r in self.resultado.indicadores}
        self.filtros = modulo_filtros.FiltrosAnexo.desde_get(self.params)
        # The one visibility rule of dashboards, API and printed reports (datos.indicadores is
        # already scoped by the same permission; this keeps both doors in step).
        self.restringido = not visibilidad.ve_todo_el_plan(self.plan, self.usuario)
        legibles = {r.indicador_id for r in visibilidad.resultados_visibles(self.resultado, self.usuario, self.plan)}
        visibles = [self.por_indicador[i["id"]] for i in self.datos.indicadores if i["id"] in legibles]
        self.visibles = visibles
        seleccion = modulo_filtros.filtrar(
            visibles,
            self.filtros,
            enfoques_por_indicador=self.datos.enfoque_ids,
            niveles_bajo=arbol.descendientes((n["id"], n["padre_id"]) for n in self.datos.niveles),
        )
        if self.params.get("orden"):
            seleccion = modulo_filtros.ordenar(seleccion, self.filtros)
        por_id = {i["id"]: i for i in self.datos.indicadores}
        self.seleccion = [por_id[r.indicador_id] for r in seleccion]
        self.niveles_por_id = {n["id"]: n for n in self.datos.niveles}
        self.profundidad = max((n["profundidad"] for n in self.datos.niveles), default=-1) + 1
        self.anios = list(range(self.plan.anio_inicio, self.plan.anio_fin + 1))

    def descripcion_filtros(self) -> str:
        """The active filters in words, as the dashboard shows them."""
        f = self.filtros
        partes = []
        if f.banda:
            partes.append(f"semáforo: {f.banda.etiqueta}")
        if f.dependencia:
            nombre = next(
                (i["dependencia__nombre"] for i in self.datos.indicadores if i["dependencia_id"] == f.dependencia),
                str(f.dependencia),
            )
            partes.append(f"dependencia: {nombre}")
        if f.nivel:
            nivel = self.niveles_por_id.get(f.nivel)
            partes.append(f"nivel: {nivel['codigo']} {nivel['nombre']}" if nivel else f"nivel: {f.nivel}")
        if f.tipo:
            partes.append(f"tipo: {etiqueta('tipo', f.tipo)}")
        if f.enfoque:
            from indicadores.models import Enfoque

            enfoque = Enfoque.objects.filter(pk=f.enfoque).first()
            partes.append(f"enfoque: {enfoque.nombre if enfoque else f.enfoque}")
        if self.params.get("orden"):
            partes.append(f"orden: {f.orden}{' (descendente)' if f.descendente else ''}")
        return "; ".join(partes) or "Ninguno: todos los indicadores que el usuario puede ver."

    # -- sheets --------------------------------------------------------------------------------
    def hoja_indicadores(self) -> Hoja:
        jerarquia = []
        for d in range(self.profundidad):
            nombre = self.plan.nombre_nivel(d)
            jerarquia += [Columna(f"Código {nombre.lower()}", 10), Columna(nombre, 40)]
        anuales = []
        for anio in self.anios:
            anuales += [Columna(titulo_meta(anio), 12), Columna(titulo_avance(anio), 12)]
        columnas = jerarquia + COLUMNAS_INDICADOR + anuales + COLUMNAS_RESULTADO
        return Hoja(
            HOJA_INDICADORES, columnas, self._filas_indicadores(), congelar_columnas=len(jerarquia) + 2, posicion=1
        )

    def _filas_indicadores(self) -> Iterator[list]:
        cadenas: dict[int, list] = {}
        for ind in self.seleccion:
            r = self.por_indicador[ind["id"]]
            if ind["nivel_id"] not in cadenas:
                celdas: list = []
                for nivel in arbol.ruta(self.niveles_por_id, ind["nivel_id"]):
                    celdas += [nivel["codigo"], nivel["nombre"]]
                cadenas[ind["nivel_id"]] = celdas + [None] * (2 * self.profundidad - len(celdas))
            metas = self.datos.metas.get(ind["id"], {})
            avances = self.datos.avances.get(ind["id"], {})
            if self.resultado.oficial_congelado:
                # A period still running at a closed cut may have received a later value: the
                # cut's year shows the A[Y] it published, beside the PAV computed from it.
                avances = {**avances, self.corte.anio: r.avance_anio}
            anuales: list = []
            for anio in self.anios:
                anuales += [metas.get(anio), avances.get(anio)]
            nivel = self.niveles_por_id.get(ind["nivel_id"])
            yield cadenas[ind["nivel_id"]] + [
                ind["codigo"], ind["nombre"], nivel["codigo"] if nivel else None, ind["producto"],
                etiqueta("unidad", ind["unidad"]), etiqueta("tipo", ind["tipo_anualizacion"]),
                etiqueta("periodicidad", ind["periodicidad"]), ind["dependencia__nombre"], ind["peso"],
                ind["linea_base"], Entero(ind["anio_linea_base"]), ind["meta_final"],
                ", ".join(self.datos.enfoques.get(ind["id"], [])), ind["ilustrativo"], ind["fuente"],
            ] + anuales + [
                Porcentaje(r.pav, r.semaforo_pav), Banda(r.semaforo_pav),
                Porcentaje(r.pahv, r.semaforo_pahv), Banda(r.semaforo_pahv),
                Porcentaje(r.paa, r.semaforo_paa), Banda(r.semaforo_paa),
                Porcentaje(r.trayectoria), r.motivo_sin_informacion,
            ]

    def hoja_niveles(self) -> Hoja:
        from reportes import visibilidad

        resultados = {n.nivel_id: n for n in self.resultado.niveles}

        # A planner reading an unpublished plan gets the top level and the levels above their
        # own indicators, not the names of other dependencias' products.
        niveles = visibilidad.niveles_visibles(self.datos.niveles, self.visibles, restringido=self.restringido)

        def filas() -> Iterator[list]:
            for nivel in niveles:
                padre = self.niveles_por_id.get(nivel["padre_id"])
                r = resultados.get(nivel["id"])
                yield [
                    nivel["codigo"], padre["codigo"] if padre else None, self.plan.nombre_nivel(nivel["profundidad"]),
                    nivel["nombre"], nivel["peso"],
                ] + ([Num(r.peso), Num(r.avance), Num(r.trayectoria), Num(r.brecha)] if r else [])

        return Hoja(HOJA_NIVELES, COLUMNAS_NIVELES + COLUMNAS_NIVELES_RESULTADO, filas(), congelar_columnas=1, posicion=2)

    def hoja_reportes(self) -> Hoja:
        """Every report that counts at the cut and that the user may read (drafts only for their
        dependencia or readers of everything, see `permisos.reportes_visibles`), streamed.

        The same pass fills `datos.avances` (A[y] from the official values: approved reports, and
        the approved copy of one whose correction is under review), so this sheet is written
        before Indicadores, though it is shown after it.

        «Avance», «Estado» and the narratives are the report as it is now, for those who may read
        drafts: re-importing the workbook changes nothing. Whoever may not read drafts gets the
        approved copy of a report under correction, as on the public pages.
        """
        from indicadores import permisos, reglas
        from indicadores.models import Reporte
        from reportes.calculos import reporte_cuenta

        aprobado = Reporte.Estado.APROBADO
        ve_todos_los_borradores = permisos.lee_todo(self.usuario)
        dependencias_propias = set() if ve_todos_los_borradores else permisos.dependencias_ids(self.usuario)

        def filas() -> Iterator[list]:
            seleccion = {i["id"] for i in self.seleccion}
            por_id = {i["id"]: i for i in self.datos.indicadores}
            avances = AvancesPorAnio(
                tipos={i: (d["tipo_anualizacion"], d["periodicidad"]) for i, d in por_id.items()},
                corte=self.corte, destino=self.datos.avances,
            )
            consulta = (
                # Drafts, sent and returned reports (and their observaciones) only for who may
                # read them: the same rule as the API.
                permisos.reportes_visibles(
                    self.usuario, Reporte.objects.filter(indicador__in=self.datos.visibles, anio__lte=self.corte.anio)
                )
                .order_by("indicador__orden", "indicador__codigo", "anio", "periodo")
                .values_list(
                    "indicador_id", "anio", "periodo", "valor", "estado", "observaciones", "plan_de_choque", "ilustrativo",
                    "valor_oficial", "observaciones_oficiales", "plan_de_choque_oficial",
                )
                .iterator(chunk_size=5000)
            )
            corte_anio, corte_semestre = self.corte.anio, self.corte.semestre
            for (ind_id, anio, periodo, valor, estado, obs, choque, ilustrativo,
                 valor_oficial, obs_oficiales, choque_oficial) in consulta:
                ind = por_id[ind_id]
                if not reporte_cuenta(
                    periodicidad=ind["periodicidad"], anio=anio, periodo=periodo,
                    corte_anio=corte_anio, corte_semestre=corte_semestre,
                ):
                    continue
                # The official value (`Reporte.valor_publicado`): what the figures count, like the dashboards.
                en_correccion = valor_oficial is not None
                oficial = valor_oficial if en_correccion else (valor if estado in ESTADOS_OFICIALES else None)
                if oficial is not None:
                    avances.agregar(ind_id, anio, periodo, oficial)
                if ind_id not in seleccion:
                    continue
                if en_correccion and not (ve_todos_los_borradores or ind["dependencia_id"] in dependencias_propias):
                    # The correction is not public yet: the approved copy is the report.
                    valor, estado, obs, choque, en_correccion = valor_oficial, aprobado, obs_oficiales, choque_oficial, None
                yield [
                    ind["codigo"], ind["nombre"], Entero(anio), Entero(periodo), valor, etiqueta("estado", estado),
                    Texto(obs), Texto(choque), ilustrativo,
                    reglas.nombre_periodo(periodicidad=ind["periodicidad"], anio=anio, periodo=periodo),
                    oficial, en_correccion or None,
                ]
            avances.cerrar()

        return Hoja(HOJA_REPORTES, COLUMNAS_REPORTES_EXPORTADOS, filas(), congelar_columnas=1, posicion=3)

    def hoja_plan(self) -> Hoja:
        plan = self.plan
        valores = {
            "codigo": plan.codigo, "nombre": plan.nombre, "tipo": plan.get_tipo_display(), "documento": plan.documento,
            "entidad": plan.entidad.nombre, "anio_inicio": Entero(plan.anio_inicio), "anio_fin": Entero(plan.anio_fin),
            "nombres_niveles": plan.nombres_niveles,
            "dependencia_lider": plan.dependencia_lider.nombre if plan.dependencia_lider_id else "",
            "objetivo": Texto(plan.objetivo), "publicado": plan.publicado,
        }
        filas = [[titulo, valores[campo]] for campo, titulo in CAMPOS_PLAN]
        return Hoja(HOJA_PLAN, [Columna("Campo", 26), Columna("Valor", 80)], filas, filtro=False, posicion=4)

    def hoja_acerca(self, info: Exportacion) -> Hoja:
        """What was exported, by whom and when, and how to read the figures, in plain Spanish."""
        from django.conf import settings

        from seguimiento.numeros import formato_porcentaje

        total = self.resultado.total

        def umbral(valor) -> str:
            return formato_porcentaje(valor, 2)

        filas = [
            ["Plan", f"{self.plan.nombre} ({self.plan.codigo})"],
            ["Corte", _texto_corte(self.corte)],
            ["Filtros", info.filtros],
            ["Exportado por", info.usuario],
            ["Fecha de exportación", info.fecha],
            ["Versión de Seguimiento", seguimiento.__version__],
            ["Indicadores exportados", len(self.seleccion)],
            ["Indicadores del plan", len(self.resultado.indicadores)],
            ["Avance del plan (puntos porcentuales)", Num(total.avance) if total else None],
            ["Trayectoria ideal del plan (puntos porcentuales)", Num(total.trayectoria) if total else None],
            ["Brecha del plan (puntos porcentuales)", Num(total.brecha) if total else None],
            ["Cifras", Texto(_texto_cifras(self.resultado))],
            [
                "Reportes incluidos",
                Texto("Las cifras se calculan solo con los valores oficiales: los reportes aprobados y, mientras se "
                      "revisa la corrección de un reporte aprobado, su valor aprobado (columna «Avance oficial»). "
                      "La hoja «Reportes» lista todos los reportes que cuentan al corte, con su estado (borrador, "
                      "enviado, aprobado o devuelto) y su periodo por nombre («2023», «2023 · semestre 1»)."),
            ],
            [
                "Porcentajes",
                Texto("PAV: avance en la vigencia frente a la meta del año. PAHV: avance hasta la vigencia frente a la "
                      "meta acumulada a la fecha. PAA: avance acumulado frente a la meta final del indicador."),
            ],
            [
                "Semáforo",
                Texto(f"Se aplica a cada porcentaje; el estado de un indicador es el de su PAHV. "
                      f"{Semaforo.SOBRE_EJECUCION.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_SOBRE)}. "
                      f"{Semaforo.ALTO.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_ALTO)}. "
                      f"{Semaforo.MEDIO.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_MEDIO)}. "
                      f"{Semaforo.BAJO.etiqueta}: {umbral(settings.SEMAFORO_UMBRAL_MEDIO)} o menos. "
                      f"{Semaforo.SIN_INFORMACION.etiqueta}: no hay valor que medir (el indicador no ha empezado, no "
                      "tiene meta o no tiene reporte); nunca se muestra como 0 %."),
            ],
            [
                "Hoja «Niveles»",
                Texto("El avance, la trayectoria ideal y la brecha de cada nivel están en puntos porcentuales del plan "
                      "completo: la suma de los niveles más generales da las cifras del plan."),
            ],
            [
                "Importar de nuevo",
                Texto("Las hojas «Plan», «Niveles», «Indicadores» y «Reportes» se pueden volver a importar "
                      "(Administración → Importar desde Excel, o el comando «python manage.py importar»); "
                      "las columnas calculadas se ignoran."),
            ],
        ]
        return Hoja(HOJA_ACERCA, [Columna("Campo", 34), Columna("Valor", 100)], filas, filtro=False, posicion=5)

    # -- all ----------------------------------------------------------------------------------
    def escribir(self, destino: str | IO[bytes], *, progreso=None) -> Exportacion:
        self.preparar()
        usuario = (
            (self.usuario.get_full_name() or self.usuario.get_username())
            if getattr(self.usuario, "is_authenticated", False)
            else "Visitante anónimo"
        )
        info = Exportacion(self.plan.codigo, self.corte, self.descripcion_filtros(), usuario, timezone.now())
        info.filas = escribir_libro(
            destino,
            # Reportes first: its pass computes the yearly avances the Indicadores sheet shows.
            [self.hoja_reportes(), self.hoja_indicadores(), self.hoja_niveles(), self.hoja_plan(), self.hoja_acerca(info)],
            autor=usuario,
            progreso=progreso,
        )
        return info


def exportar_plan(
    destino: str | IO[bytes], *, plan, corte: CorteRef, usuario, params: Mapping[str, str] | None = None, progreso=None
) -> Exportacion:
    """Write the follow-up workbook of `plan` at `corte` to `destino` (a path or a binary file)."""
    return ExportadorSeguimiento(plan=plan, corte=corte, usuario=usuario, params=params).escribir(destino, progreso=progreso)


def nombre_archivo(plan, corte: CorteRef) -> str:
    return f"seguimiento-{plan.codigo}-{corte.clave}.xlsx"
