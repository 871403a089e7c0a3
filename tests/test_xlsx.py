"""The one xlsx writer (`seguimiento.xlsx`), read back with openpyxl."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from seguimiento import xlsx
from seguimiento.xlsx import (
    Columna,
    Entero,
    Hoja,
    Lista,
    Porcentaje,
    Relleno,
    Texto,
    Titulo,
    escribir_libro,
)


def _escrito(*hojas: Hoja) -> openpyxl.Workbook:
    salida = io.BytesIO()
    escribir_libro(salida, list(hojas))
    salida.seek(0)
    return openpyxl.load_workbook(salida)


def test_texto_que_parece_formula_queda_como_texto_con_prefijo_de_comilla():
    libro = _escrito(Hoja("Datos", [Columna("Nombre")], [["=HYPERLINK(\"x\")"], [Texto("+57 1 234")], ["@SUM(A1)"]]))
    celdas = [fila[0] for fila in libro["Datos"].iter_rows(min_row=2)]
    assert [c.value for c in celdas] == ["=HYPERLINK(\"x\")", "+57 1 234", "@SUM(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in celdas)


def test_caracteres_que_xml_no_admite_se_descartan():
    libro = _escrito(Hoja("Datos", [Columna("Nombre")], [["uno\x00dos\x0btres"]]))
    assert libro["Datos"]["A2"].value == "unodostres"


def test_rellenos_formatos_y_numeros_enteros():
    fila = [Porcentaje(Decimal("41.25"), "FFA9D08E"), Relleno("Cumplimiento alto", "FFA9D08E"), Entero(2024), Decimal("7480.5")]
    ws = _escrito(Hoja("Datos", [Columna(t) for t in "ABCD"], [fila]))["Datos"]
    assert (ws["A2"].value, ws["A2"].number_format, ws["A2"].fill.fgColor.rgb) == (0.4125, "0.0%", "FFA9D08E")
    assert (ws["B2"].value, ws["B2"].fill.fgColor.rgb) == ("Cumplimiento alto", "FFA9D08E")
    assert (ws["C2"].value, ws["C2"].number_format) == (2024, "0")
    assert ws["D2"].number_format == "#,##0.0"


def test_listas_desplegables_y_una_hoja_sin_encabezado():
    instrucciones = Hoja("Instrucciones", [Columna("", 120)], [[Titulo("Plantilla")], [Texto("Escriba los valores.")]],
                         filtro=False, encabezado=False)
    datos = Hoja("Datos", [Columna("Tipo")], [], filtro=False, listas=[Lista("A2:A100", ["Suma", "Constante"])])
    libro = _escrito(instrucciones, datos)
    ws = libro["Instrucciones"]
    assert (ws["A1"].value, ws["A1"].font.b, ws["A1"].font.sz) == ("Plantilla", True, 13)
    assert ws["A2"].alignment.wrap_text and ws.freeze_panes is None
    (validacion,) = libro["Datos"].data_validations.dataValidation
    assert (validacion.formula1, str(validacion.sqref)) == ('"Suma,Constante"', "A2:A100")
    assert libro["Datos"].freeze_panes == "A2" and not libro["Datos"].auto_filter.ref


def _partes(*hojas: Hoja, autor: str = "") -> dict[str, str]:
    salida = io.BytesIO()
    escribir_libro(salida, list(hojas), autor=autor)
    with zipfile.ZipFile(salida) as archivo:
        return {n: archivo.read(n).decode("utf-8") for n in archivo.namelist()}


@pytest.mark.parametrize("texto", [
    "\x01=HYPERLINK(\"http://127.0.0.1:9/x\")", "\ufffe+1", "\t=1", "\r=1", " \x1f@SUM(A1)", "_x003D_1+1",
    "\ud800=1",
])
def test_lo_que_el_escritor_descarta_delante_de_una_formula_no_le_quita_la_comilla(texto):
    filas = [[texto], [Texto(texto)], [Titulo(texto)], [Relleno(texto, "FFA9D08E")]]
    ws = _escrito(Hoja("Datos", [Columna(texto)], filas))["Datos"]
    for fila in ws.iter_rows():
        (celda,) = fila
        assert celda.data_type == "s" and celda.quotePrefix, (celda.coordinate, celda.value)
        assert celda.value == "".join(c for c in texto if c not in "\x01\ufffe\x1f\ud800")


def test_un_surrogate_suelto_se_descarta_y_el_libro_se_escribe():
    assert _escrito(Hoja("Datos", [Columna("A")], [["uno\ud800dos\udfff"]]))["Datos"]["A2"].value == "unodos"


def test_un_texto_mas_largo_que_una_celda_de_excel_se_corta_con_una_marca():
    largo = "=" + "x" * 40_000
    valor = _escrito(Hoja("Datos", [Columna("A")], [[largo], [Texto(largo)]]))["Datos"]["A2"].value
    assert len(valor) == xlsx.MAX_CARACTERES_CELDA and valor.endswith(xlsx.CORTADO) and valor.startswith("=xxx")


def test_nombres_de_hoja_que_excel_no_admite_se_corrigen_sin_repetirse():
    hojas = [Hoja(n, [Columna("A")], [["1"]]) for n in ("'Plan: [2024]/*?\\'", "a" * 40, "A" * 40, "", "Plan 2024 ")]
    libro = _escrito(*hojas)
    assert libro.sheetnames == ["Plan   2024", "a" * 31, "A" * 27 + " (2)", "Hoja", "Plan 2024"]


def test_un_apostrofo_en_el_nombre_de_la_hoja_se_dobla_en_el_filtro():
    partes = _partes(Hoja("Obra d'arte", [Columna("A")], [["1"]]))
    assert "'Obra d''arte'!$A$1:$A$2" in partes["xl/workbook.xml"]
    assert _escrito(Hoja("Obra d'arte", [Columna("A")], [["1"]]))["Obra d'arte"].auto_filter.ref == "A1:A2"


def test_el_autor_del_documento_sin_caracteres_de_control_ni_longitud_sin_fin():
    partes = _partes(Hoja("Datos", [Columna("A")], []), autor="=cmd|'\x01 /C calc'!A0" + "z" * 1000)
    creador = re.search("<dc:creator>(.*)</dc:creator>", partes["docProps/core.xml"]).group(1)
    assert creador.startswith("=cmd|' /C calc'!A0") and len(creador) == xlsx.MAX_PROPIEDAD


def test_ninguna_parte_lleva_formulas_ni_caracteres_prohibidos():
    hostiles = ["=1+1", "+1", "-1", "@A1", "\x00\x08\x0b\x0c\x0e\x1f\ufffe\uffff", "\r\n=1"]
    partes = _partes(Hoja("Datos", [Columna(h) for h in hostiles], [hostiles, [Texto(h) for h in hostiles]]))
    for nombre, xml in partes.items():
        assert "<f>" not in xml and 't="str"' not in xml, nombre
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", xml), nombre
    ws = _escrito(Hoja("Datos", [Columna("A")], [["\r\n=1"]]))["Datos"]
    assert ws["A2"].value == "\r\n=1" and ws["A2"].quotePrefix  # a CR survives as a CR
