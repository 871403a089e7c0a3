"""Imports from Excel: validate every cell, then write all or nothing (issue 5)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicadores.models import Corte, Indicador, Meta, Reporte
from politicas.models import Dependencia, Entidad, Nivel, Plan
from reportes.excel.exportar import exportar_plan
from reportes.excel.importar import importar_libro
from reportes.excel.plantillas import plantilla_avance, plantilla_plan
from seguimiento.metodologia.resultados import CorteRef
from seguimiento.xlsx import Columna, Hoja, escribir_libro
from tests import factories
from tests.libros_excel import guardar as _guardar
from tests.libros_excel import libro as _libro
from tests.libros_excel import plan_minimo as _plan_minimo

CORTE = CorteRef.parse("2024-1")


def _estado_bd() -> tuple:
    """Everything an import could touch, to prove a failed one changed nothing."""
    return (
        sorted(Plan.objects.values_list("codigo", "nombre")),
        sorted(Nivel.objects.values_list("codigo", "nombre", "peso")),
        sorted(Indicador.objects.values_list("codigo", "nombre", "peso")),
        sorted(Meta.objects.values_list("indicador__codigo", "anio", "valor")),
        sorted(Reporte.objects.values_list("indicador__codigo", "anio", "periodo", "valor", "estado", "version")),
        Entidad.objects.count(),
        Dependencia.objects.count(),
    )


def _contenido(libro: openpyxl.Workbook) -> dict:
    """Every cell's value, format and fill, minus the export's own timestamp."""
    contenido = {}
    for ws in libro.worksheets:
        for fila in ws.iter_rows():
            for c in fila:
                if c.value is None:
                    continue
                contenido[(ws.title, c.coordinate)] = (c.value, c.number_format, c.fill.fgColor.rgb)
    for clave in [k for k, v in contenido.items() if k[0] == "Acerca de" and v[0] == "Fecha de exportación"]:
        del contenido[(clave[0], "B" + clave[1][1:])]
    return contenido


def _exportar(plan, usuario) -> io.BytesIO:
    salida = io.BytesIO()
    exportar_plan(salida, plan=plan, corte=CORTE, usuario=usuario)
    salida.seek(0)
    return salida


def _borrar_plan(plan) -> None:
    entidad = plan.entidad
    plan.delete()
    Dependencia.objects.filter(entidad=entidad).delete()
    entidad.delete()


@pytest.fixture
def admin(db):
    return factories.usuario("admin", is_superuser=True, is_staff=True)


# -- round trip ---------------------------------------------------------------------------------


def test_export_import_export_gives_equal_content(plan_pequeno, admin):
    Reporte.objects.filter(indicador__codigo="3.1.1").update(observaciones="=cmd|' /C calc'!A0", plan_de_choque="Reforzar")
    Reporte.objects.filter(indicador__codigo="3.1.3").update(estado="aprobado")
    Indicador.objects.filter(codigo="3.1.3").update(anio_linea_base=2022)
    primero = _exportar(plan_pequeno, admin)
    antes = _contenido(openpyxl.load_workbook(io.BytesIO(primero.getvalue())))
    _borrar_plan(plan_pequeno)
    assert not Plan.objects.exists()

    resultado = importar_libro(primero, usuario=admin, confirmar=True)

    assert resultado.errores == []
    assert resultado.aplicado
    plan = Plan.objects.get(codigo="bogota-mini")
    assert Reporte.objects.get(indicador__codigo="3.1.1").observaciones == "=cmd|' /C calc'!A0"
    # the workbook's labels («Creciente», «Aprobado») come back as the stored codes
    producto = Indicador.objects.get(codigo="3.1.3")
    assert (producto.tipo_anualizacion, producto.periodicidad, producto.unidad) == ("creciente", "anual", "numero")
    assert producto.anio_linea_base == 2022
    assert set(Reporte.objects.filter(indicador=producto).values_list("estado", flat=True)) == {"aprobado"}
    despues = _contenido(openpyxl.load_workbook(_exportar(plan, admin)))
    assert despues == antes


def test_preview_lists_changes_and_writes_nothing(plan_pequeno, admin):
    archivo = _exportar(plan_pequeno, admin)
    _borrar_plan(plan_pequeno)
    antes = _estado_bd()

    resultado = importar_libro(archivo, usuario=admin, confirmar=False)

    assert resultado.ok and not resultado.aplicado
    assert _estado_bd() == antes
    resumen = {(objeto, accion): n for objeto, accion, n in resultado.resumen()}
    assert resumen[("indicador", "crear")] == 3
    assert resumen[("nivel", "crear")] == 2
    assert resumen[("meta", "crear")] == 23
    assert resumen[("plan", "crear")] == 1


def test_reimporting_the_same_workbook_changes_nothing(plan_pequeno, admin):
    archivo = _exportar(plan_pequeno, admin)
    resultado = importar_libro(archivo, usuario=admin, confirmar=True)
    assert resultado.ok
    assert resultado.cambios == []


def test_a_new_plan_from_colombian_numbers(admin):
    resultado = importar_libro(_libro(_plan_minimo()), usuario=admin, confirmar=True)
    assert resultado.errores == []
    kioscos = Indicador.objects.get(codigo="1.1")
    assert kioscos.meta_final == Decimal("7480")
    assert dict(kioscos.metas.values_list("anio", "valor")) == {2023: Decimal("3480"), 2024: Decimal("4000")}
    cobertura = Indicador.objects.get(codigo="1.2")
    assert (cobertura.tipo_anualizacion, cobertura.periodicidad, cobertura.linea_base) == ("creciente", "semestral", Decimal("0.1"))
    assert cobertura.dependencia.entidad.nombre == "Municipio de Sopó"


# -- malformed files: a clear message and an unchanged database ---------------------------------


def _rechazado(archivo, usuario, *fragmentos: str, **kw):
    antes = _estado_bd()
    resultado = importar_libro(archivo, usuario=usuario, confirmar=True, **kw)
    assert not resultado.aplicado
    assert resultado.errores, "se esperaba al menos un error"
    texto = "\n".join(str(e) for e in resultado.errores)
    for fragmento in fragmentos:
        assert fragmento in texto
    assert _estado_bd() == antes
    return resultado


def test_not_a_workbook(admin):
    resultado = _rechazado(io.BytesIO(b"codigo;nombre\n1;hola\n"), admin, "no es un libro de Excel (.xlsx) válido")
    assert resultado.errores[0].hoja == "(archivo)"


def test_an_empty_workbook(admin):
    _rechazado(_libro({"Hoja1": []}), admin, "no tiene las hojas de una plantilla")


def test_missing_sheet(admin):
    hojas = _plan_minimo()
    del hojas["Niveles"]
    _rechazado(_libro(hojas), admin, "Falta la hoja «Niveles»")


def test_missing_column(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"] = [[c for c in fila if c != "Periodicidad"] for fila in hojas["Indicadores"]]
    resultado = _rechazado(_libro(hojas), admin, "Falta la columna «Periodicidad»")
    assert resultado.errores[0].hoja == "Indicadores" and resultado.errores[0].fila == 1


def test_text_in_a_number_cell(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][9] = "tres mil"
    resultado = _rechazado(_libro(hojas), admin, "«tres mil» no es un número")
    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Indicadores", 2, "Meta 2023")


def test_an_ambiguous_number(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][9] = "1.234,5.6"
    resultado = _rechazado(_libro(hojas), admin, "1.234,5.6")
    assert (resultado.errores[0].fila, resultado.errores[0].columna) == (3, "Meta 2023")


def test_a_formula(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][8] = "=J2+K2"
    resultado = _rechazado(_libro(hojas), admin, "La celda I2 tiene una fórmula; escriba el valor.")
    assert resultado.errores[0].columna == "Meta final"


def test_duplicated_codes(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][0] = "1.1"
    _rechazado(_libro(hojas), admin, "El código de indicador «1.1» está repetido (ya aparece en la fila 2)")


def test_unknown_level_and_weights_that_do_not_add_up(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][2] = "9"
    _rechazado(_libro(hojas), admin, "El nivel «9» no existe")
    hojas = _plan_minimo()
    hojas["Indicadores"][2][6] = "30"
    _rechazado(_libro(hojas), admin, "suman 90 y deberían sumar 100")


def test_model_rules_apply(admin):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][8] = "9.000"  # suma: final target is not the sum of the yearly ones
    hojas["Indicadores"][2][3] = "decreciente"
    hojas["Indicadores"][2][7] = None  # decreciente without line base
    _rechazado(_libro(hojas), admin, "no es la suma de las metas anuales", "necesita línea base")


def test_hundred_thousand_rows_end_quickly_with_a_message(admin):
    filas = ([f"X{i}", "Indicador", "1", "suma", "anual", "Dep", None] for i in range(100_000))
    archivo = io.BytesIO()
    escribir_libro(
        archivo,
        [Hoja("Plan", [Columna("Campo"), Columna("Valor")], [["Código", "grande"]]),
         Hoja("Niveles", [Columna("Código"), Columna("Nombre")], [["1", "Uno"]]),
         Hoja("Indicadores", [Columna(t) for t in ["Código", "Indicador", "Nivel", "Tipo", "Periodicidad", "Dependencia", "Meta 2024"]], filas)],
    )
    archivo.seek(0)
    _rechazado(archivo, admin, "más de 50.000 filas")


def test_only_the_planning_office_imports_whole_plans(db):
    planeador = factories.usuario(grupos=("Planeador",))
    _rechazado(_libro(_plan_minimo()), planeador, "Solo la oficina de planeación")


def test_past_year_targets_need_an_administrator_with_a_reason(plan_pequeno, admin):
    archivo = _exportar(plan_pequeno, admin)
    libro = openpyxl.load_workbook(archivo)
    ws = libro["Indicadores"]
    columna = [c.value for c in ws[1]].index("Meta 2023") + 1
    assert ws.cell(row=3, column=1 + [c.value for c in ws[1]].index("Código")).value == "3.1.1"
    ws.cell(row=3, column=columna, value="0,9")
    salida = io.BytesIO()
    libro.save(salida)
    revisor = factories.usuario(grupos=("Revisor",))
    salida.seek(0)
    _rechazado(salida, revisor, "vigencia pasada")
    salida.seek(0)
    assert importar_libro(salida, usuario=admin, confirmar=True, motivo="Corrección del documento CONPES").ok
    assert Meta.objects.get(indicador__codigo="3.1.1", anio=2023).valor == Decimal("0.9")


# -- semester progress ------------------------------------------------------------------------


@pytest.fixture
def planeador(plan_pequeno):
    dep = Dependencia.objects.get(nombre="Sector Gestión Pública")
    return factories.usuario("planeadora", grupos=("Planeador",), dependencias=[dep])


def _avance(plan, usuario) -> openpyxl.Workbook:
    salida = io.BytesIO()
    plantilla_avance(salida, plan=plan, corte=CORTE, usuario=usuario)
    salida.seek(0)
    return openpyxl.load_workbook(salida)


def test_progress_template_lists_the_planners_indicators_for_the_cut(plan_pequeno, planeador):
    libro = _avance(plan_pequeno, planeador)
    filas = list(libro["Reportes"].iter_rows(min_row=2, values_only=True))
    assert [(f[0], f[4], f[5]) for f in filas] == [("1.1.5", 2024, 1), ("3.1.1", 2024, 1), ("3.1.3", 2024, 1)]
    assert filas[1][7] == pytest.approx(0.33)  # the value already reported


def test_planner_imports_progress_as_drafts(plan_pequeno, planeador):
    libro = _avance(plan_pequeno, planeador)
    ws = libro["Reportes"]
    ws["H2"] = "1,5"
    ws["I2"] = "Se firmaron dos convenios"
    resultado = importar_libro(_guardar(libro), usuario=planeador, confirmar=True)
    assert resultado.errores == []
    assert resultado.tipo == "avance"
    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2024)
    assert (reporte.valor, reporte.estado, reporte.observaciones) == (Decimal("1.5"), "borrador", "Se firmaron dos convenios")
    # an annual report is named by its year, never «2024-1» (that is how cuts are written)
    assert [(c.accion, c.clave) for c in resultado.cambios] == [("crear", "1.1.5 2024")]


def test_progress_for_another_dependencia_writes_nothing(plan_pequeno, planeador):
    otra = factories.dependencia(entidad=plan_pequeno.entidad, nombre="Otra")
    factories.indicador(plan=plan_pequeno, nivel=plan_pequeno.niveles.first(), codigo="9.9", dependencia=otra)
    libro = _avance(plan_pequeno, planeador)
    ws = libro["Reportes"]
    ws["H2"] = 1
    ws.append(["9.9", "Ajeno", None, "anual", 2024, 1, None, 3])
    _rechazado(_guardar(libro), planeador, "No puede reportar el indicador 9.9: no es de sus dependencias")


def test_progress_of_a_closed_cut_is_refused(plan_pequeno, planeador, admin):
    # An annual 2024 report ends on 31 December: the cut 2024-2 freezes it once closed.
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=2, estado=Corte.Estado.CERRADO)
    libro = _avance(plan_pequeno, planeador)
    libro["Reportes"]["H3"] = "0,5"  # 3.1.1 2024
    resultado = _rechazado(_guardar(libro), planeador, "El corte 2024-2 del plan está cerrado", "el periodo 2024 ya había terminado")
    assert (resultado.errores[0].hoja, resultado.errores[0].fila, resultado.errores[0].columna) == ("Reportes", 3, "Periodo")


def test_progress_for_an_unknown_plan(planeador):
    libro = _libro({"Plan": [["Campo", "Valor"], ["Código", "no-existe"]],
                    "Reportes": [["Código del indicador", "Año", "Periodo", "Avance"], ["1", 2024, 1, 3]]})
    _rechazado(libro, planeador, "No existe el plan «no-existe»")


# -- templates and commands ---------------------------------------------------------------------


def test_plan_template_has_drop_downs_and_imports_once_filled(admin):
    salida = io.BytesIO()
    plantilla_plan(salida, anio_inicio=2024, anio_fin=2027)
    salida.seek(0)
    libro = openpyxl.load_workbook(salida)
    assert libro.sheetnames == ["Instrucciones", "Plan", "Niveles", "Indicadores", "Reportes"]
    listas = [dv.formula1 for dv in libro["Indicadores"].data_validations.dataValidation]
    # the drop-downs offer the labels users know (the import takes codes too)
    assert '"Suma,Creciente,Constante,Decreciente"' in listas
    assert '"Anual,Semestral,Trimestral,Mensual"' in listas
    assert '"Número,Porcentaje,Pesos"' in listas
    assert '"Borrador,Enviado,Aprobado,Devuelto"' in [dv.formula1 for dv in libro["Reportes"].data_validations.dataValidation]
    plan = libro["Plan"]
    for fila, valor in zip(plan.iter_rows(min_row=2), ["mi-plan", "Mi plan", "Plan de desarrollo", None, "Alcaldía"]):
        if valor:
            fila[1].value = valor
    libro["Niveles"].append(["1", None, "Eje", "Eje uno"])
    libro["Indicadores"].append(["1.1", "Hogares", "1", None, "Número", "Suma", "Anual", "Secretaría", None, None, None, "10",
                                 None, "No", None, 2, 3, 5])
    resultado = importar_libro(_guardar(libro), usuario=admin, confirmar=True)
    assert resultado.errores == []
    assert Indicador.objects.get(codigo="1.1").metas.count() == 3


def test_import_command_dry_run_and_write(plan_pequeno, admin, tmp_path):
    archivo = tmp_path / "plan.xlsx"
    archivo.write_bytes(_exportar(plan_pequeno, admin).getvalue())
    _borrar_plan(plan_pequeno)
    salida = io.StringIO()
    call_command("importar", str(archivo), "--dry-run", stdout=salida)
    assert "no se escribió nada" in salida.getvalue()
    assert not Plan.objects.exists()
    call_command("importar", str(archivo), stdout=salida)
    assert Plan.objects.filter(codigo="bogota-mini").exists()


def test_import_command_reports_errors(admin, tmp_path):
    archivo = tmp_path / "malo.xlsx"
    archivo.write_bytes(b"no soy un libro")
    errores = io.StringIO()
    with pytest.raises(CommandError, match="no se escribió nada"):
        call_command("importar", str(archivo), stderr=errores)
    assert "no es un libro de Excel" in errores.getvalue()


# -- labels and codes ---------------------------------------------------------------------------


def _plan_con_opciones(tipo: str, periodicidad: str, unidad: str, estado: str) -> dict[str, list[list]]:
    return _plan_minimo(
        Indicadores=[
            ["Código", "Indicador", "Nivel", "Unidad", "Tipo", "Periodicidad", "Dependencia", "Meta final", "Meta 2023"],
            ["1.1", "Cobertura", "1", unidad, tipo, periodicidad, "Secretaría General", "0,8", "0,8"],
        ],
        Reportes=[
            ["Código del indicador", "Año", "Periodo", "Avance", "Estado"],
            ["1.1", 2023, 1, "0,3", estado],
        ],
    )


@pytest.mark.parametrize(
    "tipo, periodicidad, unidad, estado",
    [
        ("Constante", "Semestral", "Porcentaje", "Aprobado"),  # the labels the export writes
        ("constante", "semestral", "porcentaje", "aprobado"),  # the stored codes
        ("CONSTANTE", " Semestral ", "porcentáje", "APROBADO"),  # case, spaces and accents do not matter
    ],
)
def test_import_takes_labels_and_codes(admin, tipo, periodicidad, unidad, estado):
    resultado = importar_libro(_libro(_plan_con_opciones(tipo, periodicidad, unidad, estado)), usuario=admin, confirmar=True)
    assert resultado.errores == []
    indicador = Indicador.objects.get(plan__codigo="plan-nuevo", codigo="1.1")
    assert (indicador.tipo_anualizacion, indicador.periodicidad, indicador.unidad) == ("constante", "semestral", "porcentaje")
    assert Reporte.objects.get(indicador=indicador).estado == "aprobado"


def test_import_numero_label_with_accent(admin):
    hojas = _plan_con_opciones("Suma", "Anual", "Número", "Borrador")
    hojas["Indicadores"][1][7:] = ["2", "2"]
    resultado = importar_libro(_libro(hojas), usuario=admin, confirmar=True)
    assert resultado.errores == []
    assert Indicador.objects.get(codigo="1.1").unidad == "numero"


def test_an_unknown_choice_lists_the_labels(admin):
    _rechazado(
        _libro(_plan_con_opciones("Lineal", "Anual", "Número", "Aprobado")), admin,
        "«Lineal» no es un valor válido; use uno de: Suma, Creciente, Constante, Decreciente.",
    )


# -- audit trail and review workflow of a whole-plan import -------------------------------------


def _con_reporte_nuevo(plan, usuario, fila: list) -> tuple[io.BytesIO, int]:
    """The plan's export with one more row in «Reportes»; returns the workbook and that row's number."""
    libro = openpyxl.load_workbook(_exportar(plan, usuario))
    ws = libro["Reportes"]
    titulos = [c.value for c in ws[1]]
    ws.append([dict(fila).get(t) for t in titulos])
    return _guardar(libro), ws.max_row


def test_a_new_report_in_a_closed_cut_is_refused_with_its_place(plan_pequeno, admin):
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=2, estado=Corte.Estado.CERRADO)
    fila = [("Código del indicador", "1.1.5"), ("Año", 2024), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
    archivo, numero = _con_reporte_nuevo(plan_pequeno, admin, fila)
    revisor = factories.usuario(grupos=("Revisor",))

    _rechazado(archivo, revisor, f"Hoja «Reportes», fila {numero}, columna «Periodo»", "2024-2", "cerrado")
    archivo.seek(0)
    _rechazado(archivo, revisor, "cerrado", motivo="Oficio 12")  # the reason is an administrator's exception
    archivo.seek(0)
    _rechazado(archivo, admin, "escribe el motivo")
    assert not Reporte.objects.filter(indicador__codigo="1.1.5", anio=2024).exists()

    archivo.seek(0)
    resultado = importar_libro(archivo, usuario=admin, confirmar=True, motivo="Oficio 12 de la Secretaría")
    assert resultado.errores == []
    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2024, periodo=1)
    assert reporte.valor == Decimal("2")
    registro = reporte.history.latest()
    assert (registro.history_user, registro.history_change_reason) == (admin, "Oficio 12 de la Secretaría")


def test_a_new_report_in_an_open_cut_needs_no_reason(plan_pequeno):
    # Only June is closed: the annual 2024 value (it ends in December) and 2025 are still open.
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=1, estado=Corte.Estado.CERRADO)
    revisor = factories.usuario(grupos=("Revisor",))
    for anio in (2024, 2025):
        fila = [("Código del indicador", "1.1.5"), ("Año", anio), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
        archivo, _ = _con_reporte_nuevo(plan_pequeno, revisor, fila)
        assert importar_libro(archivo, usuario=revisor, confirmar=True).errores == []
        assert Reporte.objects.get(indicador__codigo="1.1.5", anio=anio).estado == "aprobado"


def test_a_revisor_does_not_write_a_planners_draft(plan_pequeno):
    """As in the admin, drafts are the dependencia's planners' (or an administrator's) work."""
    fila = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2")]
    revisor = factories.usuario(grupos=("Revisor",))
    archivo, numero = _con_reporte_nuevo(plan_pequeno, revisor, fila)
    _rechazado(archivo, revisor, f"Hoja «Reportes», fila {numero}, columna «Código del indicador»",
               "No puede reportar el indicador 1.1.5")


def test_a_revisor_imports_approved_reports_as_approved(plan_pequeno, admin):
    fila = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
    archivo, _ = _con_reporte_nuevo(plan_pequeno, admin, fila)
    revisor = factories.usuario("oficina", grupos=("Revisor",))

    assert importar_libro(archivo, usuario=revisor, confirmar=True).errores == []

    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2025)
    assert reporte.estado == "aprobado"
    assert reporte.history.latest().history_user == revisor


def test_new_reports_enter_the_review_through_its_steps(plan_pequeno, admin):
    """A new «Enviado» report is written as a draft and sent (the plan-de-choque check holds); a
    new report cannot enter «Devuelto»: returning is the review's step, with its comment."""
    enviado = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2"),
               ("Estado", "Enviado"), ("Plan de choque", "")]
    atrasado = [("Código del indicador", "3.1.3"), *enviado[1:3], ("Avance", "0"), *enviado[4:]]  # 0 of 1 in 2025
    archivo, numero = _con_reporte_nuevo(plan_pequeno, admin, atrasado)
    _rechazado(archivo, admin, f"fila {numero}, columna «Plan de choque»", "queda en cumplimiento bajo")

    archivo, _ = _con_reporte_nuevo(plan_pequeno, admin, enviado)
    assert importar_libro(archivo, usuario=admin, confirmar=True).errores == []
    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2025)
    assert reporte.estado == "enviado"
    assert [h.estado for h in reporte.history.order_by("history_date", "history_id")] == ["borrador", "enviado"]

    devuelto = [("Código del indicador", "1.1.5"), ("Año", 2026), ("Periodo", 1), ("Avance", "2"), ("Estado", "Devuelto")]
    archivo, numero = _con_reporte_nuevo(plan_pequeno, admin, devuelto)
    _rechazado(archivo, admin, f"fila {numero}, columna «Estado»", "no puede entrar devuelto")


def test_plan_import_leaves_history_by_the_importing_user_with_the_reason(plan_pequeno, admin, tmp_path):
    archivo = tmp_path / "plan.xlsx"
    archivo.write_bytes(_exportar(plan_pequeno, admin).getvalue())
    _borrar_plan(plan_pequeno)
    revisor = factories.usuario("oficina", grupos=("Revisor",))

    call_command("importar", str(archivo), "--usuario", "oficina", "--motivo", "Carga inicial del CONPES", stdout=io.StringIO())

    plan = Plan.objects.get(codigo="bogota-mini")
    objetos = [plan, *Nivel.objects.filter(plan=plan), *Indicador.objects.filter(plan=plan),
               *Meta.objects.filter(indicador__plan=plan), *Reporte.objects.filter(indicador__plan=plan)]
    assert Meta.objects.filter(indicador__plan=plan).count() == 23
    for objeto in objetos:
        registro = objeto.history.latest()
        assert (registro.history_type, registro.history_user, registro.history_change_reason) == (
            "+", revisor, "Carga inicial del CONPES"), objeto


def test_changed_and_removed_targets_leave_history(plan_pequeno):
    revisor = factories.usuario("oficina", grupos=("Revisor",))
    libro = openpyxl.load_workbook(_exportar(plan_pequeno, revisor))
    ws = libro["Indicadores"]
    titulos = [c.value for c in ws[1]]
    fila = next(f for f in ws.iter_rows(min_row=2) if f[titulos.index("Código")].value == "1.1.5")
    fila[titulos.index("Meta 2031")].value = "3"
    fila[titulos.index("Meta 2032")].value = None
    fila[titulos.index("Meta final")].value = "19"  # suma: the final target is the sum of the years'
    meta_2031 = Meta.objects.get(indicador__codigo="1.1.5", anio=2031)

    resultado = importar_libro(_guardar(libro), usuario=revisor, confirmar=True)

    assert resultado.errores == []
    meta_2031.refresh_from_db()
    assert meta_2031.valor == Decimal("3")
    cambio = meta_2031.history.latest()
    assert (cambio.history_type, cambio.history_user, cambio.valor) == ("~", revisor, Decimal("3"))
    borrado = Meta.history.filter(indicador__codigo="1.1.5", anio=2032).latest()
    assert (borrado.history_type, borrado.history_user) == ("-", revisor)
    assert not Meta.objects.filter(indicador__codigo="1.1.5", anio=2032).exists()
