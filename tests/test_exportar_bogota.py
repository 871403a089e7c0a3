"""The Bogotá CONPES D.C. 29 workbook at 2024-1, against the engine, and its round trip."""

import io

import openpyxl
import pytest

from indicadores.models import Enfoque, Reporte
from politicas.models import Dependencia, Entidad, InformeCualitativo, Plan
from reportes.excel.exportar import RELLENOS, exportar_plan
from reportes.excel.importar import importar_libro
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef, Semaforo
from tests import factories
from tests.libros_excel import contenido as _contenido

CORTE = CorteRef.parse("2024-1")


def _exportar(usuario) -> bytes:
    salida = io.BytesIO()
    exportar_plan(salida, plan=Plan.objects.get(codigo="bogota-conpes-29"), corte=CORTE, usuario=usuario)
    return salida.getvalue()


def _fraccion(valor):
    return None if valor is None else float(valor) / 100


def test_bogota_tiene_36_filas_iguales_a_las_del_motor(datos_demo):
    auditor = factories.usuario(grupos=("Auditor",))
    libro = openpyxl.load_workbook(io.BytesIO(_exportar(auditor)))
    filas = list(libro["Indicadores"].iter_rows())
    titulos = [c.value for c in filas[0]]
    filas = [dict(zip(titulos, f)) for f in filas[1:]]
    assert len(filas) == 36
    motor = {r.codigo: r for r in plan_resultados(plan=Plan.objects.get(codigo="bogota-conpes-29"), corte=CORTE).indicadores}
    for fila in filas:
        r = motor[fila["Código"].value]
        for columna, valor, banda in (("PAV", r.pav, r.semaforo_pav), ("PAHV", r.pahv, r.semaforo_pahv), ("PAA", r.paa, r.semaforo_paa)):
            assert fila[columna].value == pytest.approx(_fraccion(valor)), (r.codigo, columna)
            assert fila[columna].fill.fgColor.rgb == RELLENOS[banda]
            assert fila[f"Semáforo {columna}"].value == banda.etiqueta
            assert fila[f"Semáforo {columna}"].fill.fgColor.rgb == RELLENOS[banda]
    # SPEC §6 worked examples, as auditors read them
    por_codigo = {f["Código"].value: f for f in filas}
    assert por_codigo["3.1.1"]["PAV"].value == pytest.approx(0.4125)
    assert por_codigo["2.1.2"]["PAHV"].value == pytest.approx(5.63)
    assert por_codigo["1.1.5"]["Semáforo PAHV"].value == "Sobre ejecución"
    bandas = [f["Semáforo PAHV"].value for f in filas]
    assert bandas.count(Semaforo.SOBRE_EJECUCION.etiqueta) == 7
    assert bandas.count(Semaforo.BAJO.etiqueta) == 8


def test_bogota_ida_y_vuelta_a_una_base_de_datos_vacia(datos_demo):
    admin = factories.usuario("admin-bogota", is_superuser=True)
    primero = _exportar(admin)
    # An empty database: nothing of the plan, its entidad or its sectors is left.
    plan = Plan.objects.get(codigo="bogota-conpes-29")
    entidad = plan.entidad
    InformeCualitativo.objects.filter(plan__entidad=entidad).delete()
    Plan.objects.filter(entidad=entidad).delete()
    Plan.objects.filter(dependencia_lider__entidad=entidad).update(dependencia_lider=None)
    Dependencia.objects.filter(entidad=entidad).delete()
    entidad.delete()
    assert Enfoque.objects.exists()  # enfoques come with the migrations

    resultado = importar_libro(io.BytesIO(primero), usuario=admin, confirmar=True)

    assert resultado.errores == []
    assert Entidad.objects.filter(nombre=entidad.nombre).exists()
    assert Reporte.objects.filter(indicador__plan__codigo="bogota-conpes-29").exists()
    antes = _contenido(openpyxl.load_workbook(io.BytesIO(primero)))
    despues = _contenido(openpyxl.load_workbook(io.BytesIO(_exportar(admin))))
    assert despues == antes


def test_bogota_nombres_del_libro_completos_o_con_puntos_suspensivos(datos_demo):
    libro = openpyxl.load_workbook(io.BytesIO(_exportar(factories.usuario(grupos=("Auditor",)))))
    filas = list(libro["Indicadores"].iter_rows(values_only=True))
    indicadores = {f[filas[0].index("Código")]: dict(zip(filas[0], f)) for f in filas[1:]}
    assert indicadores["3.1.1"]["Producto"].endswith("dirigida a la ciudadanía, entidades públicas y privadas")
    assert indicadores["3.1.1"]["Tipo"] == "Constante" and indicadores["3.1.1"]["Periodicidad"] == "Anual"
    reportes = list(libro["Reportes"].iter_rows(values_only=True))
    nombres = {f[0]: f[1] for f in reportes[1:]}
    assert nombres["3.1.1"].endswith("formación y prevención en…")
    enlaces = (" en", " a la", " de", " del", " el", " la", " y", ",")
    textos = [f[c] for f in filas[1:] for c in (filas[0].index("Indicador"), filas[0].index("Producto"))]
    textos += list(nombres.values())
    assert textos and not [t for t in textos if t.endswith(enlaces)]
    assert {f[reportes[0].index("Estado")] for f in reportes[1:]} <= {"Borrador", "Enviado", "Aprobado", "Devuelto"}
