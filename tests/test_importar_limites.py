"""Bounded reading of every uploaded workbook (issue 11), with hostile files built here.

A 205 KB xlsx declaring a 200 MB shared string, a zip whose header lies about its size, a sheet of
100 × 16.384 cells, a sheet of 50.001 data rows, a DOCTYPE, too many parts: each is refused with
its message before openpyxl parses anything, with bounded memory (`tracemalloc`), and nothing is
saved — no plan, no target, no preview file. Previews wait in the private storage, outside
MEDIA_ROOT, and are removed on confirm and on cancel.

The builders (`libro_a_mano`, `libro_bomba`…) write the zip by hand, so a test can declare any size
it likes; the end-to-end test and `benchmarks/memoria_importacion.py` use them too.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicadores.models import Indicador, Meta
from politicas.models import Plan
from reportes.excel import limites
from reportes.excel.importar import importar_libro
from reportes.excel.lector import ARCHIVO, MAX_BYTES, MAX_FILAS, leer_libro
from tests import factories
from tests.libros_excel import libro as libro_openpyxl
from tests.libros_excel import plan_minimo

MB = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


# --- Builders: a zip written by hand, so its headers say what the test wants -------------------


def zip_a_mano(partes: Iterable[tuple[str, bytes | Iterable[bytes]]], *, declarar: dict[str, int] | None = None) -> bytes:
    """A deflated zip of these parts; `declarar[nombre]` replaces a part's uncompressed size in both
    headers (the CRC stays the real one), to build a zip that lies."""
    declarar = declarar or {}
    salida = io.BytesIO()
    central = []
    for nombre, contenido in partes:
        trozos = [contenido] if isinstance(contenido, bytes) else contenido
        compresor = zlib.compressobj(9, zlib.DEFLATED, -15)
        crc = tamano = 0
        comprimido = []
        for trozo in trozos:
            crc = zlib.crc32(trozo, crc)
            tamano += len(trozo)
            comprimido.append(compresor.compress(trozo))
        comprimido.append(compresor.flush())
        datos = b"".join(comprimido)
        tamano = declarar.get(nombre, tamano)
        n = nombre.encode()
        desplazamiento = salida.tell()
        fecha = (0 << 9) | (1 << 5) | 1  # 1980-01-01
        salida.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, fecha, crc, len(datos), tamano, len(n), 0))
        salida.write(n + datos)
        central.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, fecha, crc, len(datos), tamano, len(n),
                        0, 0, 0, 0, 0, desplazamiento) + n
        )
    inicio = salida.tell()
    directorio = b"".join(central)
    salida.write(directorio)
    salida.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directorio), inicio, 0))
    return salida.getvalue()


def _celda(columna: int, fila: int, valor) -> str:
    ref = f"{limites.columna_letras(columna)}{fila}"
    if isinstance(valor, (int, float)) and not isinstance(valor, bool):
        return f'<c r="{ref}"><v>{valor}</v></c>'
    if isinstance(valor, Cadena):
        return f'<c r="{ref}" t="s"><v>{valor.indice}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(valor))}</t></is></c>'


class Cadena:
    """A cell that shows the shared string number `indice`."""

    def __init__(self, indice: int):
        self.indice = indice


def filas_xml(filas: Iterable[list], inicio: int = 1) -> Iterator[bytes]:
    """`<row>` elements for these rows from row `inicio` (None leaves a cell out); one chunk per row."""
    for numero, fila in enumerate(filas, start=inicio):
        celdas = "".join(_celda(c, numero, v) for c, v in enumerate(fila, start=1) if v is not None)
        yield f'<row r="{numero}">{celdas}</row>'.encode()


def libro_a_mano(
    hojas: dict[str, Iterable[bytes]],
    *,
    cadenas: Iterable[bytes] | None = None,
    dimension: str | None = None,
    declarar: dict[str, int] | None = None,
    extra: Iterable[tuple[str, bytes]] = (),
    libro_xml: bytes | None = None,
) -> bytes:
    """A valid xlsx: each sheet's `<sheetData>` content streamed from its chunks; `cadenas`, the
    inner XML of the shared strings (`<si>…</si>` chunks)."""
    nombres = list(hojas)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(nombres) + 1)
    )
    if cadenas is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    tipos = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{overrides}</Types>'
    )
    raiz = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    hojas_xml = "".join(
        f'<sheet name={quoteattr(n)} sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(nombres, start=1)
    )
    libro = libro_xml or f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{hojas_xml}</sheets></workbook>'.encode()
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(nombres) + 1)
    )
    if cadenas is not None:
        rels += f'<Relationship Id="rId{len(nombres) + 1}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    partes: list[tuple[str, bytes | Iterable[bytes]]] = [
        ("[Content_Types].xml", tipos.encode()),
        ("_rels/.rels", raiz.encode()),
        ("xl/workbook.xml", libro),
        ("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">{rels}</Relationships>'.encode()),
    ]
    for i, nombre in enumerate(nombres, start=1):
        cabeza = f'<worksheet xmlns="{_MAIN}">' + (f'<dimension ref="{dimension}"/>' if dimension else "")
        partes.append((f"xl/worksheets/sheet{i}.xml", _con_bordes(cabeza + "<sheetData>", hojas[nombre],
                                                                   "</sheetData></worksheet>")))
    if cadenas is not None:
        partes.append(("xl/sharedStrings.xml", _con_bordes(f'<sst xmlns="{_MAIN}">', cadenas, "</sst>")))
    partes.extend(extra)
    return zip_a_mano(partes, declarar=declarar)


def _con_bordes(antes: str, trozos: Iterable[bytes], despues: str) -> Iterator[bytes]:
    yield antes.encode()
    yield from trozos
    yield despues.encode()


def _repetir(caracter: bytes, total: int, trozo: int = MB) -> Iterator[bytes]:
    bloque = caracter * trozo
    for _ in range(total // trozo):
        yield bloque
    yield caracter * (total % trozo)


def hojas_de_plan(notas: list[list] | None = None) -> dict[str, Iterable[bytes]]:
    """The two-indicator plan of `tests.libros_excel.plan_minimo`, as sheets for `libro_a_mano`."""
    hojas = {nombre: list(filas_xml(filas)) for nombre, filas in plan_minimo().items()}
    if notas is not None:
        hojas["Notas"] = list(filas_xml(notas))
    return hojas


TEXTO_BOMBA = 200 * MB


@functools.cache
def libro_bomba() -> bytes:
    """A valid plan workbook whose sheet «Notas» shows one shared string of 200 MB: ~200 KB on disk."""
    texto = _con_bordes("<si><t>", _repetir(b"A", TEXTO_BOMBA), "</t></si>")
    return libro_a_mano(hojas_de_plan(notas=[["Nota"], [Cadena(0)]]), cadenas=texto)


@functools.cache
def libro_que_miente() -> bytes:
    """The bomb, with both zip headers declaring 1.000 bytes for its 200 MB shared strings."""
    return declarar_tamano(libro_bomba(), "xl/sharedStrings.xml", 1_000)


def declarar_tamano(contenido: bytes, nombre: str, tamano: int) -> bytes:
    """The same zip with the uncompressed size of one part rewritten in its local and central headers."""
    datos = bytearray(contenido)
    *_, directorio, inicio, _ = struct.unpack("<4s4H2LH", datos[-22:])
    posicion = inicio
    while posicion < inicio + directorio:
        n, e, c = struct.unpack("<3H", datos[posicion + 28:posicion + 34])
        local = struct.unpack("<L", datos[posicion + 42:posicion + 46])[0]
        if datos[posicion + 46:posicion + 46 + n].decode() == nombre:
            struct.pack_into("<L", datos, posicion + 24, tamano)
            struct.pack_into("<L", datos, local + 22, tamano)
        posicion += 46 + n + e + c
    return bytes(datos)


def hoja_ancha(filas: int = 100, columnas: int = 16_384) -> Iterator[bytes]:
    """`filas` rows of `columnas` numeric cells each (100 × 16.384 is Excel's full width)."""
    letras = [limites.columna_letras(c) for c in range(1, columnas + 1)]
    for r in range(1, filas + 1):
        yield (f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letras) + "</row>").encode()


def hoja_larga(datos: int) -> Iterator[bytes]:
    """A «Reportes» sheet with its titles and `datos` rows below them."""
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>C\xc3\xb3digo del indicador</t></is></c></row>'
    for r in range(2, datos + 2):
        yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode()


def medir(funcion):
    """(result, peak bytes traced by tracemalloc, seconds) of calling `funcion()`."""
    tracemalloc.start()
    inicio = time.perf_counter()
    try:
        resultado = funcion()
        _, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return resultado, pico, time.perf_counter() - inicio


def _mensajes(errores) -> list[str]:
    return [str(e) for e in errores]


# --- The builders make real workbooks: without a hostile part they are read ---------------------


def test_un_libro_hecho_a_mano_sin_nada_hostil_se_lee_entero():
    contenido = libro_a_mano(hojas_de_plan(notas=[["Nota"], [Cadena(0)]]), cadenas=[b"<si><t>hola</t></si>"])
    hojas, errores = leer_libro(io.BytesIO(contenido))
    assert errores == []
    assert set(hojas) == {"plan", "niveles", "indicadores"}  # «Notas» is not read
    indicadores = hojas["indicadores"]
    assert [f.celdas["codigo"].valor for f in indicadores.filas] == ["1.1", "1.2"]
    assert indicadores.filas[0].celdas["meta final"].valor == "7.480"


# --- The bomb: 200 MB declared behind ~200 KB ---------------------------------------------------


def test_la_bomba_de_200_mb_en_un_texto_se_rechaza_sin_descomprimirla():
    contenido = libro_bomba()
    assert len(contenido) < 400 * 1024  # what the upload limit sees

    (hojas, errores), pico, _ = medir(lambda: leer_libro(io.BytesIO(contenido)))

    assert hojas == {}
    assert _mensajes(errores) == [
        ("Archivo: Los textos del libro (parte «xl/sharedStrings.xml») ocupan 200 MB (209.715.293 bytes) sin "
        "comprimir; el máximo es 20 MB (20.971.520 bytes). Divida el libro o acorte los textos.")
    ]
    assert pico < 5 * MB, f"pico de {pico:,} bytes"


def test_la_bomba_subida_por_la_pagina_no_deja_nada(client, revisor, almacenes):
    subida = _subir(libro_bomba())
    client.get(reverse("excel_importar"))  # templates and modules loaded before measuring
    vista, pico, _ = medir(lambda: client.post(reverse("excel_importar"), {"archivo": subida}))

    assert vista.status_code == 422
    html = vista.content.decode()
    assert "ocupan 200 MB (209.715.293 bytes) sin comprimir; el máximo es 20 MB (20.971.520 bytes)" in html
    assert "no se guardará nada" in html and "Confirmar e importar" not in html
    assert pico < 50 * MB, f"pico de {pico:,} bytes"
    assert not Plan.objects.exists() and not Indicador.objects.exists() and not Meta.objects.exists()
    assert _archivos(almacenes) == []


def test_el_mismo_plan_sin_la_bomba_si_se_importa(client, revisor, almacenes):
    """The bomb's workbook is a valid plan: only the 200 MB text makes it refused."""
    contenido = libro_a_mano(hojas_de_plan(notas=[["Nota"], [Cadena(0)]]), cadenas=[b"<si><t>corta</t></si>"])
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(contenido)})
    assert vista.status_code == 200, vista.context["resultado"].errores
    assert client.post(reverse("excel_importar"), {"token": vista.context["token"]}).status_code == 302
    assert Plan.objects.filter(codigo="plan-nuevo").exists()


def test_zipfile_no_entrega_mas_de_lo_que_declara_una_parte():
    """Why declared sizes bound memory: a part declaring 1.000 bytes yields at most those (then a CRC
    error), even when its compressed data holds 200 MB."""
    contenido = libro_que_miente()

    def leer_todo() -> tuple[int, Exception | None]:
        entregados = 0
        with zipfile.ZipFile(io.BytesIO(contenido)) as zf, zf.open("xl/sharedStrings.xml") as parte:
            try:
                while trozo := parte.read(64 * 1024):
                    entregados += len(trozo)
            except zipfile.BadZipFile as exc:
                return entregados, exc
        return entregados, None

    (entregados, error), pico, _ = medir(leer_todo)
    assert entregados <= 1_000
    assert isinstance(error, zipfile.BadZipFile) and "CRC" in str(error)
    assert pico < 5 * MB


def test_un_zip_que_miente_sobre_su_tamano_se_rechaza_como_danado_con_memoria_acotada():
    (hojas, errores), pico, _ = medir(lambda: leer_libro(io.BytesIO(libro_que_miente())))
    assert hojas == {}
    [error] = errores
    assert error.hoja == ARCHIVO
    assert "no es un libro de Excel (.xlsx) válido (BadZipFile en «xl/sharedStrings.xml»: el archivo está dañado)" in (
        error.mensaje
    )
    assert pico < 10 * MB, f"pico de {pico:,} bytes"


# --- Sheets: columns, rows, cells ---------------------------------------------------------------


def test_una_hoja_de_100_por_16384_celdas_se_rechaza_en_su_primera_fila():
    contenido = libro_a_mano({"Indicadores": hoja_ancha()})
    assert len(contenido) < MAX_BYTES  # 4,4 MB: an upload the size limit lets through

    (hojas, errores), pico, segundos = medir(lambda: leer_libro(io.BytesIO(contenido)))

    assert hojas == {}
    assert _mensajes(errores) == [
        ("Hoja «Indicadores»: La fila 1 tiene datos en la columna GS (201); el máximo es 200 columnas "
        "(hasta la GR). Quite las columnas sobrantes.")
    ]
    assert pico < 5 * MB
    assert segundos < 10  # it took 18 s of CPU before the bound: the check stops at cell 201


def test_una_hoja_que_no_se_importa_puede_ser_ancha_pero_no_pasar_de_16384_columnas():
    ancha = libro_a_mano({**hojas_de_plan(), "Notas": hoja_ancha(filas=2, columnas=300)})
    assert leer_libro(io.BytesIO(ancha))[1] == []
    demasiado = libro_a_mano({**hojas_de_plan(), "Notas": [b'<row r="1">' + b"<c><v>1</v></c>" * 16_385 + b"</row>"]})
    assert _mensajes(leer_libro(io.BytesIO(demasiado))[1]) == [
        ("Hoja «Notas»: La fila 1 tiene datos más allá de la columna XFD (16.384), la última de Excel; el máximo "
        "es 16.384 columnas (hasta la XFD). Quite las columnas sobrantes.")
    ]


def test_celdas_repetidas_en_una_fila_cuentan_aunque_digan_la_misma_columna():
    repetidas = b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 201 + b"</row>"
    errores = leer_libro(io.BytesIO(libro_a_mano({"Indicadores": [repetidas]})))[1]
    assert _mensajes(errores) == [
        ("Hoja «Indicadores»: La fila 1 tiene 201 celdas; el máximo es 200 columnas (hasta la GR). "
        "Quite las columnas sobrantes.")
    ]


def test_mas_de_50000_filas_de_datos_se_rechazan_con_la_cifra(client, revisor, almacenes):
    contenido = libro_a_mano({"Plan": filas_xml([["Campo", "Valor"]]), "Reportes": hoja_larga(MAX_FILAS + 1)})
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(contenido)})
    assert vista.status_code == 422
    errores = vista.context["resultado"].errores
    assert _mensajes(errores) == [
        ("Hoja «Reportes»: La hoja tiene más de 50.000 filas de datos (llega al menos a la fila 50.002); "
        "divídala en varios archivos.")
    ]
    assert _archivos(almacenes) == []
    # exactly `max_filas` data rows are read: the bound is not off by one
    hojas, errores = leer_libro(io.BytesIO(libro_a_mano({"Reportes": hoja_larga(10)})), max_filas=10)
    assert errores == [] and len(hojas["reportes"].filas) == 10
    assert leer_libro(io.BytesIO(libro_a_mano({"Reportes": hoja_larga(11)})), max_filas=10)[1] != []


def test_datos_en_una_fila_lejana_se_rechazan_sin_recorrer_las_vacias():
    lejana = [b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>']
    (_, errores), pico, _ = medir(lambda: leer_libro(io.BytesIO(libro_a_mano({"Reportes": lejana}))))
    assert _mensajes(errores) == [
        ("Hoja «Reportes»: La hoja tiene más de 50.000 filas de datos (llega al menos a la fila 1.000.000); "
        "divídala en varios archivos.")
    ]
    assert pico < 5 * MB


def test_la_dimension_que_declara_la_hoja_no_se_cree():
    """A sheet declaring A1:XFD1048576 with three cells: openpyxl would pad every row to 16.384 cells
    and read a million rows; the reader asks for the range that holds cells."""
    hojas = {"Reportes": list(filas_xml([["Código del indicador", "Año"], ["1.1", 2024]]))}
    contenido = libro_a_mano(hojas, dimension="A1:XFD1048576")
    (leidas, errores), pico, segundos = medir(lambda: leer_libro(io.BytesIO(contenido)))
    assert errores == []
    assert [f.celdas["ano"].valor for f in leidas["reportes"].filas] == [2024]
    assert pico < 5 * MB and segundos < 5


def test_el_total_de_celdas_del_libro_esta_acotado(monkeypatch):
    monkeypatch.setattr(limites, "MAX_CELDAS", 1_000)
    contenido = libro_a_mano({"Niveles": hoja_ancha(filas=20, columnas=30), "Notas": hoja_ancha(filas=20, columnas=30)})
    assert _mensajes(leer_libro(io.BytesIO(contenido))[1]) == [
        ("Hoja «Notas»: El libro tiene más de 1.000 celdas (el límite se pasa en la fila 14 de esta hoja); "
        "divídalo en varios archivos.")
    ]


# --- The zip and its XML ------------------------------------------------------------------------


def test_cada_parte_y_el_total_sin_comprimir_estan_acotados():
    grande = libro_a_mano(hojas_de_plan(), extra=[("xl/media/relleno.bin", _repetir(b"\0", 50 * MB + 1))])
    assert _mensajes(leer_libro(io.BytesIO(grande))[1]) == [
        ("Archivo: La parte «xl/media/relleno.bin» del libro ocupa 50 MB (52.428.801 bytes) sin comprimir; el "
        "máximo es 50 MB (52.428.800 bytes). Divida el libro en varios archivos.")
    ]
    tres = [(f"xl/media/relleno{i}.bin", _repetir(b"\0", 40 * MB)) for i in range(3)]
    total = libro_a_mano(hojas_de_plan(), extra=tres)
    [mensaje] = _mensajes(leer_libro(io.BytesIO(total))[1])
    assert mensaje.startswith("Archivo: El libro ocupa 120 MB (125.8")
    assert mensaje.endswith("sin comprimir; el máximo es 100 MB (104.857.600 bytes). Divida el libro en varios archivos.")


def test_demasiadas_partes_se_rechazan_antes_de_abrir_el_zip():
    partes = [(f"x/{i}.bin", b"") for i in range(limites.MAX_PARTES + 1)]
    assert _mensajes(leer_libro(io.BytesIO(zip_a_mano(partes)))[1]) == [
        "Archivo: El libro tiene 2.001 partes; el máximo es 2.000. Guárdelo de nuevo desde Excel o LibreOffice."
    ]


def test_un_doctype_con_entidades_se_rechaza_sin_expandirlas():
    risa = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "jajajajajajajajajaja">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + f']><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="&i;" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ).encode()
    contenido = libro_a_mano(hojas_de_plan(), libro_xml=risa)
    (_, errores), pico, _ = medir(lambda: leer_libro(io.BytesIO(contenido)))
    assert _mensajes(errores) == [
        ("Archivo: La parte «xl/workbook.xml» del libro trae una declaración DOCTYPE, que un libro de Excel no usa; "
        "guárdelo de nuevo desde Excel o LibreOffice.")
    ]
    assert pico < 5 * MB


def test_demasiados_textos_distintos_se_rechazan(monkeypatch):
    monkeypatch.setattr(limites, "MAX_NUMERO_CADENAS", 100)
    cadenas = [f"<si><t>{i}</t></si>".encode() for i in range(101)]
    contenido = libro_a_mano(hojas_de_plan(), cadenas=cadenas)
    assert _mensajes(leer_libro(io.BytesIO(contenido))[1]) == [
        "Archivo: El libro tiene más de 100 textos distintos; divídalo en varios archivos."
    ]


def test_una_parte_que_openpyxl_carga_entera_no_puede_tener_millones_de_elementos():
    estilos = _con_bordes(f'<styleSheet xmlns="{_MAIN}"><cellXfs>', _repetir(b"<xf/>", 5 * (limites.MAX_ELEMENTOS + 1),
                                                                          trozo=5 * 10_000), "</cellXfs></styleSheet>")
    contenido = libro_a_mano(hojas_de_plan(), extra=[("xl/styles.xml", estilos)])
    (_, errores), pico, _ = medir(lambda: leer_libro(io.BytesIO(contenido)))
    assert _mensajes(errores) == [
        ("Archivo: La parte «xl/styles.xml» del libro tiene más de 200.000 elementos; un libro así no se puede "
        "revisar. Guárdelo de nuevo desde Excel o LibreOffice.")
    ]
    assert pico < 5 * MB


def test_algo_que_no_es_un_zip(tmp_path):
    ruta = tmp_path / "informe.xlsx"
    ruta.write_bytes(b"%PDF-1.4 no soy un libro")
    assert _mensajes(leer_libro(str(ruta))[1]) == [
        ("Archivo: El archivo no es un libro de Excel (.xlsx) válido (no es un archivo zip). Guárdelo desde Excel o "
        "LibreOffice como «Libro de Excel (.xlsx)» y vuelva a subirlo.")
    ]


def test_un_libro_de_openpyxl_y_uno_exportado_pasan_los_limites():
    hojas, errores = leer_libro(libro_openpyxl(plan_minimo()))
    assert errores == [] and len(hojas["indicadores"].filas) == 2


# --- The upload page: size message, private storage, confirm and cancel ------------------------


@pytest.fixture
def revisor(db, client):
    usuario = factories.usuario("revisora", grupos=("Revisor",), is_staff=True)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def almacenes(settings, tmp_path):
    """MEDIA_ROOT and the private preview storage, each in its own folder of the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    privado = tmp_path / "privado"
    settings.STORAGES = {
        **settings.STORAGES,
        "importaciones": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": privado}},
    }
    return {"media": settings.MEDIA_ROOT, "privado": privado}


def _archivos(almacenes) -> list[str]:
    """Every file left under MEDIA_ROOT or the private storage."""
    return sorted(
        os.path.relpath(os.path.join(carpeta, f), almacenes[clave].parent)
        for clave in ("media", "privado")
        for carpeta, _, archivos in os.walk(almacenes[clave])
        for f in archivos
    )


def _subir(contenido: bytes, nombre: str = "libro.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, contenido, content_type="application/octet-stream")


def test_un_byte_de_mas_dice_las_cifras_reales(client, revisor, almacenes):
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(b"\0" * (MAX_BYTES + 1))})
    assert vista.status_code == 400
    assert (
        "El archivo pesa 20 MB (20.971.521 bytes); el máximo es 20 MB (20.971.520 bytes). "
        "Divídalo en varios archivos."
    ) in vista.content.decode()
    assert _archivos(almacenes) == []
    # exactly at the limit the size is accepted (and the content then judged)
    justo = client.post(reverse("excel_importar"), {"archivo": _subir(b"\0" * MAX_BYTES)})
    assert justo.status_code == 422 and "no es un libro de Excel" in justo.content.decode()
    assert _archivos(almacenes) == []


def test_la_vista_previa_espera_en_el_almacen_privado_y_confirmar_la_borra(client, revisor, almacenes, settings):
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(libro_openpyxl(plan_minimo()).getvalue())})
    assert vista.status_code == 200
    guardados = _archivos(almacenes)
    assert len(guardados) == 2 and all(g.startswith("privado/") for g in guardados)
    assert sorted(g.rsplit(".", 1)[1] for g in guardados) == ["json", "xlsx"]
    assert not (almacenes["media"] / "importaciones").exists()
    assert str(settings.IMPORTACIONES_ROOT) not in (str(settings.MEDIA_ROOT), str(settings.STATIC_ROOT))
    assert not Plan.objects.exists()

    confirmacion = client.post(reverse("excel_importar"), {"token": vista.context["token"]})

    assert confirmacion.status_code == 302
    assert Plan.objects.filter(codigo="plan-nuevo").exists()
    assert _archivos(almacenes) == []
    # the token is spent: confirming again finds nothing
    assert client.post(reverse("excel_importar"), {"token": vista.context["token"]}).status_code == 400


def test_cancelar_borra_la_vista_previa_y_no_guarda_nada(client, revisor, almacenes):
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(libro_openpyxl(plan_minimo()).getvalue())})
    html = vista.content.decode()
    assert 'name="cancelar"' in html and "csrfmiddlewaretoken" in html
    assert len(_archivos(almacenes)) == 2

    cancelar = client.post(reverse("excel_importar"), {"token": vista.context["token"], "cancelar": "1"}, follow=True)

    assert cancelar.redirect_chain == [(reverse("excel_importar"), 302)]
    assert "Importación cancelada: no se guardó nada" in cancelar.content.decode()
    assert _archivos(almacenes) == []
    assert not Plan.objects.exists()
    assert client.post(reverse("excel_importar"), {"token": vista.context["token"]}).status_code == 400


def test_cancelar_con_el_token_de_otro_no_borra_nada(client, revisor, almacenes):
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(libro_openpyxl(plan_minimo()).getvalue())})
    client.force_login(factories.usuario("otra", grupos=("Revisor",), is_staff=True))
    client.post(reverse("excel_importar"), {"token": vista.context["token"], "cancelar": "1"})
    assert len(_archivos(almacenes)) == 2


def test_las_vistas_previas_vencidas_se_borran_al_guardar_otra(client, revisor, almacenes):
    almacenes["privado"].mkdir(parents=True)
    vieja = almacenes["privado"] / ("a" * 32 + ".xlsx")
    reciente = almacenes["privado"] / ("b" * 32 + ".xlsx")
    for archivo in (vieja, reciente):
        archivo.write_bytes(b"x")
    hace_un_dia = time.time() - 86_400
    os.utime(vieja, (hace_un_dia, hace_un_dia))

    client.post(reverse("excel_importar"), {"archivo": _subir(libro_openpyxl(plan_minimo()).getvalue())})

    restantes = {p.name for p in almacenes["privado"].iterdir()}
    assert vieja.name not in restantes and reciente.name in restantes  # another user's preview may still be confirmed
    assert len(restantes) == 3


def test_el_almacen_privado_no_puede_estar_dentro_de_media_root(tmp_path):
    entorno = {**os.environ, "DEBUG": "1", "MEDIA_ROOT": str(tmp_path), "IMPORTACIONES_ROOT": str(tmp_path / "x")}
    proceso = subprocess.run(
        [sys.executable, "-c", "import seguimiento.settings"], check=False, env=entorno, capture_output=True, text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert proceso.returncode != 0
    assert "IMPORTACIONES_ROOT no puede estar dentro de MEDIA_ROOT" in proceso.stderr


def test_importar_libro_por_comando_tambien_pasa_los_limites(revisor, tmp_path):
    ruta = tmp_path / "bomba.xlsx"
    ruta.write_bytes(libro_bomba())
    resultado = importar_libro(str(ruta), usuario=revisor, confirmar=True)
    assert not resultado.aplicado and "ocupan 200 MB" in resultado.errores[0].mensaje
    assert not Plan.objects.exists()
