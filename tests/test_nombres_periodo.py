"""Periods by their name (issue 10): an annual report reads «2023», a semestral one «2023 ·
semestre 1», a trimestral one «2023 · trimestre 2», a monthly one «2023 · junio», in the audit
trail and in the Excel export, never «2023-1» (that is how cuts are written)."""

import io
from decimal import Decimal

import openpyxl
import pytest

from indicadores import auditoria, services
from indicadores.permisos import AUDITOR, PLANEADOR
from reportes.excel.exportar import exportar_plan
from reportes.excel.importar import importar_libro
from seguimiento.metodologia.resultados import CorteRef
from tests import factories

pytestmark = pytest.mark.django_db

# (code, periodicity, period reported, its name)
PERIODOS = [
    ("A", "anual", 1, "2023"),
    ("S", "semestral", 1, "2023 · semestre 1"),
    ("T", "trimestral", 2, "2023 · trimestre 2"),
    ("M", "mensual", 6, "2023 · junio"),
]


@pytest.fixture
def plan_con_un_reporte_por_periodicidad():
    """A plan with one indicator of each periodicity and one 2023 report each, written by its planner."""
    dep = factories.dependencia(nombre="Salud")
    plan = factories.plan(codigo="periodos", entidad=dep.entidad, anio_inicio=2023, anio_fin=2026)
    nivel = factories.nivel(plan=plan, codigo="1", peso=Decimal(100))
    planeadora = factories.usuario("paula", grupos=(PLANEADOR,), dependencias=[dep])
    for codigo, periodicidad, periodo, _ in PERIODOS:
        indicador = factories.indicador(
            plan=plan, nivel=nivel, dependencia=dep, codigo=codigo, periodicidad=periodicidad,
            tipo_anualizacion="suma", peso=Decimal(25), metas={2023: "10"},
        )
        services.reporte_registrar(indicador=indicador, anio=2023, periodo=periodo, valor=Decimal(3), usuario=planeadora)
    return plan


def test_el_registro_de_auditoria_nombra_cada_reporte_por_su_periodo(plan_con_un_reporte_por_periodicidad):
    registros = auditoria.registros(plan=plan_con_un_reporte_por_periodicidad)
    nombres = {r.identificacion for r in registros if r.objeto == "reporte"}
    assert nombres == {f"{codigo} · {nombre}" for codigo, _, _, nombre in PERIODOS}
    assert "A · 2023-1" not in nombres


def _exportar(plan, usuario) -> bytes:
    salida = io.BytesIO()
    exportar_plan(salida, plan=plan, corte=CorteRef.parse("2023-2"), usuario=usuario)
    return salida.getvalue()


def test_la_hoja_reportes_dice_el_periodo_por_su_nombre(plan_con_un_reporte_por_periodicidad):
    libro = openpyxl.load_workbook(io.BytesIO(_exportar(plan_con_un_reporte_por_periodicidad, factories.usuario(grupos=(AUDITOR,)))))
    filas = list(libro["Reportes"].iter_rows(values_only=True))
    titulos = filas[0]
    por_codigo = {f[0]: dict(zip(titulos, f)) for f in filas[1:]}
    assert {c: f["Periodo (nombre)"] for c, f in por_codigo.items()} == {c: n for c, _, _, n in PERIODOS}
    # The import's columns stay as they were: the year and the period's number.
    assert {c: (f["Año"], f["Periodo"]) for c, f in por_codigo.items()} == {c: (2023, p) for c, _, p, _ in PERIODOS}


def test_reimportar_el_libro_con_los_nombres_de_periodo_no_cambia_nada(plan_con_un_reporte_por_periodicidad):
    """The import reads «Año» and «Periodo» and ignores «Periodo (nombre)»."""
    admin = factories.usuario("admin", is_superuser=True, is_staff=True)
    libro = _exportar(plan_con_un_reporte_por_periodicidad, admin)
    resultado = importar_libro(io.BytesIO(libro), usuario=admin, confirmar=True)
    assert resultado.errores == [] and resultado.cambios == []
