"""The one xlsx writer (`seguimiento.xlsx`), read back with openpyxl."""

import io
from decimal import Decimal

import openpyxl

from seguimiento.xlsx import Columna, Entero, Hoja, Lista, Porcentaje, Relleno, Texto, Titulo, escribir_libro


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
