"""Bounds on an uploaded workbook, checked on the zip before openpyxl reads any of it (issue 11).

An xlsx is a zip of XML parts. Its compressed size says nothing about what it holds: 205 KB can
declare a 200 MB shared string, and openpyxl keeps every shared string, the styles, the workbook
and the properties whole in memory. `revisar_libro` refuses, with the real figures and the
maximum, before anything is parsed:

- the zip itself: its central directory, the number of parts, the uncompressed size each part
  declares and their total, and the shared-strings part (which openpyxl loads whole). Python's
  `zipfile` never returns more than a part declares (it stops there and reports a CRC error), so
  the declared sizes bound what is really decompressed, whatever the file claims;
- every XML part, streamed through expat (nothing is kept): no DOCTYPE (an xlsx has none; entities
  are how XML bombs grow), a bounded number of elements in the parts openpyxl holds whole, and in
  the shared strings a bounded number of strings;
- every sheet: rows (`MAX_FILAS`, the importer's bound), cells per row, cells in the whole book,
  and for the sheets the import reads, the last column that holds a cell (`MAX_COLUMNAS`).

It returns, for each sheet read, the last row and column holding a cell, so the reader asks
openpyxl for exactly that range and never for the dimension a sheet claims (a declared
`A1:XFD1048576` would make openpyxl pad every row to 16.384 cells).
"""

from __future__ import annotations

import os
import posixpath
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO
from xml.parsers import expat

from seguimiento.numeros import formato_numero

MB = 1024 * 1024
MAX_DIRECTORIO = 1 * MB  # the zip's central directory (zipfile keeps one object per entry)
MAX_PARTES = 2_000  # parts in the zip (a workbook of 100 sheets with drawings has a few hundred)
MAX_PARTE = 50 * MB  # uncompressed size of one part
MAX_TOTAL = 100 * MB  # uncompressed size of all parts together
MAX_CADENAS = 20 * MB  # the shared-strings part, which openpyxl loads whole
MAX_NUMERO_CADENAS = 300_000  # distinct texts in the shared strings
MAX_ELEMENTOS = 200_000  # XML elements of a part openpyxl keeps whole (styles, workbook, properties)
MAX_HOJAS = 500
MAX_COLUMNAS = 200  # last column holding a cell, in a sheet the import reads
MAX_COLUMNAS_EXCEL = 16_384  # Excel's own last column (XFD): cells per row in any other sheet
MAX_CELDAS = 2_000_000  # cells in the whole workbook
MAX_ELEMENTOS_FILA = 100_000  # XML elements inside one row (cells, values, rich text runs): a row is parsed whole

_CORTE = 64 * 1024  # bytes fed to expat at a time
_TIPOS_LIBRO = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_TIPO_CADENAS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
# Parts openpyxl does not parse when reading (read-only mode): legitimately big, not checked for elements.
_NO_LEIDAS = ("xl/pivotCache/", "xl/pivotTables/")


class Rechazo(Exception):
    """The workbook is refused; `hoja` names the sheet, or is None for the whole file."""

    def __init__(self, mensaje: str, hoja: str | None = None):
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.hoja = hoja


@dataclass(frozen=True)
class Dimension:
    """The last row and column of a sheet that hold a cell (0, 0 when it has none)."""

    filas: int
    columnas: int


def no_es_un_libro(motivo: str) -> str:
    return (
        f"El archivo no es un libro de Excel (.xlsx) válido ({motivo}). "
        "Guárdelo desde Excel o LibreOffice como «Libro de Excel (.xlsx)» y vuelva a subirlo."
    )


def megas(n: int) -> str:
    """10.485.761 → «10 MB (10.485.761 bytes)»: the bytes show a difference the megabytes round away."""
    return f"{formato_numero(Decimal(n) / MB, 1)} MB ({formato_numero(n)} bytes)"


def mensaje_peso(tamano: int, maximo: int, que: str = "El archivo") -> str:
    """«El archivo pesa 10 MB (10.485.761 bytes); el máximo es 10 MB (10.485.760 bytes).»"""
    return f"{que} pesa {megas(tamano)}; el máximo es {megas(maximo)}."


def columna_letras(n: int) -> str:
    letras = ""
    while n > 0:
        n, resto = divmod(n - 1, 26)
        letras = chr(65 + resto) + letras
    return letras


def revisar_libro(
    archivo: str | os.PathLike | IO[bytes],
    *,
    leer_hoja: Callable[[str], bool],
    max_filas: int,
) -> dict[str, Dimension]:
    """Check the bounds above; raise `Rechazo` at the first one passed. `leer_hoja(nombre)` says
    which sheets the import reads (they get the column bound). Returns their `Dimension`s by name.
    A file-like `archivo` is left at its start."""
    propio = isinstance(archivo, (str, os.PathLike))
    fp = open(archivo, "rb") if propio else archivo  # noqa: SIM115 - closed below
    try:
        fp.seek(0)
        _revisar_directorio(fp)
        fp.seek(0)
        try:
            zf = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise Rechazo(no_es_un_libro(type(exc).__name__)) from exc
        with zf:
            return _Revision(zf, leer_hoja, max_filas).revisar()
    finally:
        if propio:
            fp.close()
        else:
            fp.seek(0)


def _revisar_directorio(fp: IO[bytes]) -> None:
    """The end-of-central-directory record, read before `zipfile` builds an object per entry."""
    fp.seek(0, os.SEEK_END)
    tamano = fp.tell()
    cola = min(tamano, 22 + 65_535)
    fp.seek(tamano - cola)
    datos = fp.read(cola)
    inicio = datos.rfind(b"PK\x05\x06")
    if inicio < 0 or len(datos) - inicio < 22:
        raise Rechazo(no_es_un_libro("no es un archivo zip"))
    _, _, _, _, entradas, directorio, _, _ = struct.unpack("<4s4H2LH", datos[inicio:inicio + 22])
    # 0xFFFF / 0xFFFFFFFF mean «see the zip64 record»: far past every bound here.
    if entradas > MAX_PARTES or entradas == 0xFFFF:
        raise Rechazo(
            f"El libro tiene {formato_numero(entradas)} partes; el máximo es {formato_numero(MAX_PARTES)}. "
            "Guárdelo de nuevo desde Excel o LibreOffice."
        )
    if directorio > MAX_DIRECTORIO:
        raise Rechazo(
            f"El índice del archivo zip pesa {megas(directorio)}; el máximo es {megas(MAX_DIRECTORIO)}. "
            "Guárdelo de nuevo desde Excel o LibreOffice."
        )


class _Revision:
    def __init__(self, zf: zipfile.ZipFile, leer_hoja: Callable[[str], bool], max_filas: int):
        self.zf = zf
        self.leer_hoja = leer_hoja
        self.max_filas = max_filas
        self.celdas = 0
        self.leidos = 0  # uncompressed bytes streamed so far (a part named by two sheets counts twice)

    def revisar(self) -> dict[str, Dimension]:
        partes = self.zf.infolist()
        if len(partes) > MAX_PARTES:
            raise Rechazo(
                f"El libro tiene {formato_numero(len(partes))} partes; el máximo es {formato_numero(MAX_PARTES)}."
            )
        tipos = self._tipos_declarados(partes)
        cadenas = {n for n, t in tipos.items() if t == _TIPO_CADENAS} | {"xl/sharedStrings.xml"}
        for parte in partes:
            if parte.filename in cadenas and parte.file_size > MAX_CADENAS:
                raise Rechazo(
                    f"Los textos del libro (parte «{_corto(parte.filename)}») ocupan {megas(parte.file_size)} sin "
                    f"comprimir; el máximo es {megas(MAX_CADENAS)}. Divida el libro o acorte los textos."
                )
        total = 0
        for parte in partes:
            if parte.file_size > MAX_PARTE:
                raise Rechazo(
                    f"La parte «{_corto(parte.filename)}» del libro ocupa {megas(parte.file_size)} sin comprimir; "
                    f"el máximo es {megas(MAX_PARTE)}. Divida el libro en varios archivos."
                )
            total += parte.file_size
        if total > MAX_TOTAL:
            raise Rechazo(
                f"El libro ocupa {megas(total)} sin comprimir; el máximo es {megas(MAX_TOTAL)}. "
                "Divida el libro en varios archivos."
            )
        nombres = {p.filename for p in partes}
        libro = next((n for n, t in tipos.items() if t in _TIPOS_LIBRO), "xl/workbook.xml")
        hojas = self._hojas(libro, nombres)
        for nombre in sorted(nombres):
            if nombre in cadenas:
                self._recorrer(nombre, _Cadenas(nombre))
            elif (
                nombre.endswith((".xml", ".rels"))
                and nombre not in {parte for _, parte in hojas}
                and not nombre.startswith(_NO_LEIDAS)
            ):
                self._recorrer(nombre, _Elementos(nombre))
        dimensiones: dict[str, Dimension] = {}
        for titulo, parte in hojas:
            leida = self.leer_hoja(titulo)
            hoja = _Hoja(titulo, self, leida=leida)
            self._recorrer(parte, hoja)
            if leida:
                dimensiones[titulo] = Dimension(hoja.ultima_fila, hoja.ultima_columna)
        return dimensiones

    def _tipos_declarados(self, partes: list[zipfile.ZipInfo]) -> dict[str, str]:
        """Part name → content type, from [Content_Types].xml (as openpyxl finds its parts)."""
        tipos: dict[str, str] = {}
        manifiesto = next((p for p in partes if p.filename == "[Content_Types].xml"), None)
        if manifiesto is None:
            return tipos
        if manifiesto.file_size > MAX_PARTE:
            return tipos  # refused by the size check that follows

        def override(nombre: str, attrs: dict) -> None:
            if nombre == "Override" and attrs.get("PartName"):
                tipos[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")

        self._recorrer("[Content_Types].xml", _Elementos("[Content_Types].xml", override))
        return tipos

    def _hojas(self, libro: str, nombres: set[str]) -> list[tuple[str, str]]:
        """(title, part) of every worksheet, in the workbook's order, as openpyxl resolves them."""
        if libro not in nombres:
            return []  # openpyxl will say the file is not a workbook
        declaradas: list[tuple[str, str]] = []

        def hoja(nombre: str, attrs: dict) -> None:
            if nombre == "sheet":
                declaradas.append((attrs.get("name", ""), attrs.get(_REL_ID, "")))
                if len(declaradas) > MAX_HOJAS:
                    raise Rechazo(
                        f"El libro tiene más de {formato_numero(MAX_HOJAS)} hojas; divídalo en varios archivos."
                    )

        self._recorrer(libro, _Elementos(libro, hoja))
        carpeta, base = posixpath.split(libro)
        rels = posixpath.join(carpeta, "_rels", base + ".rels")
        destinos: dict[str, str] = {}

        def relacion(nombre: str, attrs: dict) -> None:
            if nombre == "Relationship" and "worksheet" in attrs.get("Type", ""):
                destino = attrs.get("Target", "")
                destino = destino[1:] if destino.startswith("/") else posixpath.normpath(posixpath.join(carpeta, destino))
                destinos[attrs.get("Id", "")] = destino

        if rels in nombres:
            self._recorrer(rels, _Elementos(rels, relacion))
        return [(titulo, destinos[rid]) for titulo, rid in declaradas if destinos.get(rid) in nombres]

    def _recorrer(self, nombre: str, lector: _Elementos) -> None:
        """Stream one part through expat: nothing of it is kept but the lector's counters."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = lector.inicio
        parser.EndElementHandler = lector.fin
        parser.StartDoctypeDeclHandler = lector.doctype
        try:
            with self.zf.open(nombre) as parte:
                while corte := parte.read(_CORTE):
                    self.leidos += len(corte)
                    if self.leidos > MAX_TOTAL:
                        raise Rechazo(
                            f"Leer las hojas del libro exige más de {megas(MAX_TOTAL)} sin comprimir "
                            "(varias hojas usan la misma parte); guárdelo de nuevo desde Excel o LibreOffice."
                        )
                    parser.Parse(corte, False)
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise Rechazo(no_es_un_libro(f"XML dañado en «{_corto(nombre)}», línea {exc.lineno}")) from exc
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # A part larger than it declares ends in a CRC error here, after its declared size.
            raise Rechazo(no_es_un_libro(f"{type(exc).__name__} en «{_corto(nombre)}»: el archivo está dañado")) from exc


def _local(nombre: str) -> str:
    return nombre.rpartition(" ")[2]


def _corto(texto: str, largo: int = 60) -> str:
    return texto if len(texto) <= largo else texto[:largo] + "…"


class _Elementos:
    """A part openpyxl keeps whole: count its elements; `cada(nombre_local, atributos)` sees each."""

    maximo = MAX_ELEMENTOS

    def __init__(self, parte: str, cada: Callable[[str, dict], None] | None = None):
        self.parte = parte
        self.cada = cada
        self.elementos = 0

    def inicio(self, nombre: str, attrs: dict) -> None:
        self.elementos += 1
        if self.elementos > self.maximo:
            raise Rechazo(
                f"La parte «{_corto(self.parte)}» del libro tiene más de {formato_numero(self.maximo)} elementos; "
                "un libro así no se puede revisar. Guárdelo de nuevo desde Excel o LibreOffice."
            )
        if self.cada is not None:
            self.cada(_local(nombre), attrs)

    def fin(self, nombre: str) -> None:
        pass

    def doctype(self, *args) -> None:
        raise Rechazo(
            f"La parte «{_corto(self.parte)}» del libro trae una declaración DOCTYPE, que un libro de Excel no usa; "
            "guárdelo de nuevo desde Excel o LibreOffice."
        )


class _Cadenas(_Elementos):
    """The shared strings: openpyxl keeps one Python string per `<si>`; count them."""

    maximo = MAX_CELDAS * 4  # elements (runs, formats); the size bound limits the text

    def __init__(self, parte: str):
        super().__init__(parte)
        self.textos = 0

    def inicio(self, nombre: str, attrs: dict) -> None:
        super().inicio(nombre, attrs)
        if nombre.endswith(" si") or nombre == "si":
            self.textos += 1
            if self.textos > MAX_NUMERO_CADENAS:
                raise Rechazo(
                    f"El libro tiene más de {formato_numero(MAX_NUMERO_CADENAS)} textos distintos; "
                    "divídalo en varios archivos."
                )


class _Hoja(_Elementos):
    """One worksheet, streamed as openpyxl will read it: rows, cells per row, columns, elements."""

    def __init__(self, titulo: str, revision: _Revision, *, leida: bool):
        super().__init__(titulo)
        self.titulo = titulo
        self.revision = revision
        self.leida = leida
        self.columnas_max = MAX_COLUMNAS if leida else MAX_COLUMNAS_EXCEL
        self.profundidad = 0
        self.en_datos = False
        self.nivel_fila = -1  # depth of the open <row>, -1 when none
        self.filas = 0  # <row> elements
        self.fila = 0  # the open row's number (openpyxl's counter: its r, or the last plus one)
        self.columna = 0
        self.celdas_fila = 0
        self.elementos_fila = 0
        self.fuera = 0  # elements outside <sheetData>, which openpyxl parses into objects
        self.ultima_fila = 0
        self.ultima_columna = 0

    def _rechazar(self, mensaje: str) -> None:
        raise Rechazo(mensaje, hoja=self.titulo)

    def inicio(self, nombre: str, attrs: dict) -> None:
        self.profundidad += 1
        if self.nivel_fila >= 0:  # inside a row: the hot path, one call per cell and per value
            self.elementos_fila += 1
            if self.elementos_fila > MAX_ELEMENTOS_FILA:
                self._rechazar(
                    f"La fila {formato_numero(self.fila)} tiene más de {formato_numero(MAX_ELEMENTOS_FILA)} "
                    "elementos XML; guarde el libro de nuevo desde Excel o LibreOffice."
                )
            if self.profundidad == self.nivel_fila + 1 and _local(nombre) == "c":
                self._celda(attrs)
            return
        local = _local(nombre)
        if local == "sheetData":
            self.en_datos = True
        elif local == "row" and self.en_datos:
            self._fila(attrs)
        else:
            self.fuera += 1
            if self.fuera > MAX_ELEMENTOS:
                self._rechazar(
                    f"La hoja tiene más de {formato_numero(MAX_ELEMENTOS)} elementos fuera de sus celdas "
                    "(formatos condicionales, validaciones, celdas combinadas…); quítelos o copie solo los datos "
                    "a un libro nuevo."
                )

    def fin(self, nombre: str) -> None:
        if self.profundidad == self.nivel_fila:
            self.nivel_fila = -1
        elif self.nivel_fila < 0 and _local(nombre) == "sheetData":
            self.en_datos = False
        self.profundidad -= 1

    def _fila(self, attrs: dict) -> None:
        self.nivel_fila = self.profundidad
        self.filas += 1
        r = attrs.get("r")
        try:
            self.fila = int(float(r)) if r is not None else self.fila + 1
        except (ValueError, OverflowError):
            self.fila += 1  # openpyxl will refuse it as damaged
        self.columna = 0
        self.celdas_fila = 0
        self.elementos_fila = 0
        if self.filas > self.revision.max_filas + 1:
            self._rechazar(self._mensaje_filas())

    def _mensaje_filas(self) -> str:
        return (
            f"La hoja tiene más de {formato_numero(self.revision.max_filas)} filas de datos "
            f"(llega al menos a la fila {formato_numero(self.fila)}); divídala en varios archivos."
        )

    def _celda(self, attrs: dict) -> None:
        self.celdas_fila += 1
        self.revision.celdas += 1
        r = attrs.get("r")
        self.columna = (_columna(r) if r else 0) or self.columna + 1
        if self.leida and self.fila - 1 > self.revision.max_filas:
            self._rechazar(self._mensaje_filas())
        if self.columna > self.columnas_max or self.celdas_fila > self.columnas_max:
            if self.columna > MAX_COLUMNAS_EXCEL:
                donde = f"datos más allá de la columna XFD ({formato_numero(MAX_COLUMNAS_EXCEL)}), la última de Excel"
            elif self.columna > self.columnas_max:
                donde = f"datos en la columna {columna_letras(self.columna)} ({formato_numero(self.columna)})"
            else:
                donde = f"{formato_numero(self.celdas_fila)} celdas"
            self._rechazar(
                f"La fila {formato_numero(self.fila)} tiene {donde}; el máximo es "
                f"{formato_numero(self.columnas_max)} columnas (hasta la {columna_letras(self.columnas_max)}). "
                "Quite las columnas sobrantes."
            )
        if self.revision.celdas > MAX_CELDAS:
            self._rechazar(
                f"El libro tiene más de {formato_numero(MAX_CELDAS)} celdas (el límite se pasa en la fila "
                f"{formato_numero(self.fila)} de esta hoja); divídalo en varios archivos."
            )
        self.ultima_fila = max(self.ultima_fila, self.fila)
        self.ultima_columna = max(self.ultima_columna, self.columna)


def _columna(referencia: str) -> int:
    """«AB12» → 28; more than three letters is past Excel's last column (a huge number here)."""
    n = 0
    for i, letra in enumerate(referencia):
        if "A" <= letra <= "Z":
            if i >= 4:
                return MAX_COLUMNAS_EXCEL * 1_000
            n = n * 26 + ord(letra) - 64
        elif "a" <= letra <= "z":
            if i >= 4:
                return MAX_COLUMNAS_EXCEL * 1_000
            n = n * 26 + ord(letra) - 96
        else:
            break
    return n

