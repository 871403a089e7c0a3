"""Workbooks for the import and export tests: written with openpyxl as a user's spreadsheet program
would, exported by Seguimiento, or the progress template of a cut; edited cell by cell by title,
and read back whole to compare two exports."""

import io

import openpyxl

from reportes.excel.exportar import exportar_plan
from reportes.excel.plantillas import plantilla_avance
from seguimiento.metodologia.resultados import CorteRef

JUNIO_2024 = CorteRef.parse("2024-1")


def libro(hojas: dict[str, list[list]]) -> io.BytesIO:
    """A workbook with these sheets and rows (the first row holds the titles)."""
    nuevo = openpyxl.Workbook()
    nuevo.remove(nuevo.active)
    for nombre, filas in hojas.items():
        ws = nuevo.create_sheet(nombre)
        for fila in filas:
            ws.append(fila)
    return guardar(nuevo)


def plan_minimo(**cambios) -> dict[str, list[list]]:
    """A new two-indicator policy of Sopó (suma and creciente), for `libro`."""
    hojas = {
        "Plan": [
            ["Campo", "Valor"], ["Código", "plan-nuevo"], ["Nombre", "Plan nuevo"], ["Tipo", "Política pública"],
            ["Entidad", "Municipio de Sopó"], ["Año de inicio", 2023], ["Año de fin", 2026],
            ["Nombres de los niveles", "Objetivo, Producto"],
        ],
        "Niveles": [["Código", "Código del padre", "Nombre", "Ponderación"], ["1", None, "Objetivo uno", "100"]],
        "Indicadores": [
            ["Código", "Indicador", "Nivel", "Tipo", "Periodicidad", "Dependencia", "Ponderación", "Línea base",
             "Meta final", "Meta 2023", "Meta 2024"],
            ["1.1", "Kioscos instalados", "1", "suma", "anual", "Secretaría General", "60", None, "7.480", "3.480", "4.000"],
            ["1.2", "Cobertura", "1", "Creciente", "Semestral", "Secretaría General", "40", "0,1", "0,8", "0,4", "0,8"],
        ],
    }
    hojas.update(cambios)
    return hojas


def guardar(libro_abierto: openpyxl.Workbook) -> io.BytesIO:
    salida = io.BytesIO()
    libro_abierto.save(salida)
    salida.seek(0)
    return salida


def contenido(libro_abierto: openpyxl.Workbook) -> dict:
    """Every non-empty cell of the workbook as {(sheet, coordinate): (value, number format, fill
    colour)}, minus the export's own timestamp, so two exports can be compared whole."""
    celdas = {}
    for ws in libro_abierto.worksheets:
        for fila in ws.iter_rows():
            for c in fila:
                if c.value is None:
                    continue
                celdas[(ws.title, c.coordinate)] = (c.value, c.number_format, c.fill.fgColor.rgb)
    for clave in [k for k, v in celdas.items() if k[0] == "Acerca de" and v[0] == "Fecha de exportación"]:
        del celdas[(clave[0], "B" + clave[1][1:])]
    return celdas


def exportado(plan, usuario, corte: CorteRef = JUNIO_2024) -> openpyxl.Workbook:
    """The follow-up export of the plan, open for editing."""
    salida = io.BytesIO()
    exportar_plan(salida, plan=plan, corte=corte, usuario=usuario)
    salida.seek(0)
    return openpyxl.load_workbook(salida)


def avance(plan, usuario, corte: CorteRef = JUNIO_2024) -> openpyxl.Workbook:
    """The progress template of the cut for this user, open for editing."""
    salida = io.BytesIO()
    plantilla_avance(salida, plan=plan, corte=corte, usuario=usuario)
    salida.seek(0)
    return openpyxl.load_workbook(salida)


def fila_de(ws, **buscar) -> int:
    """The number of the first row whose cells under these titles hold these values
    (`fila_de(ws, **{"Código del indicador": "3.1.1", "Año": 2024})`)."""
    titulos = [c.value for c in ws[1]]
    for numero, fila in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(fila[titulos.index(t)] == v for t, v in buscar.items()):
            return numero
    raise LookupError(f"Ninguna fila con {buscar}")


def escribir(ws, numero: int, **valores) -> None:
    """Write cells of row `numero` by their column title."""
    titulos = [c.value for c in ws[1]]
    for titulo, valor in valores.items():
        ws.cell(row=numero, column=titulos.index(titulo) + 1, value=valor)


def leer(ws, numero: int, titulo: str):
    titulos = [c.value for c in ws[1]]
    return ws.cell(row=numero, column=titulos.index(titulo) + 1).value
