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
from tests.libros_excel import contenido as _contenido
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
def administrador(db):
    return factories.usuario("admin", is_superuser=True, is_staff=True)


# -- round trip ---------------------------------------------------------------------------------


def test_exportar_importar_exportar_da_el_mismo_contenido(plan_pequeno, administrador):
    Reporte.objects.filter(indicador__codigo="3.1.1").update(observaciones="=cmd|' /C calc'!A0", plan_de_choque="Reforzar")
    Reporte.objects.filter(indicador__codigo="3.1.3").update(estado="aprobado")
    Indicador.objects.filter(codigo="3.1.3").update(anio_linea_base=2022)
    primero = _exportar(plan_pequeno, administrador)
    antes = _contenido(openpyxl.load_workbook(io.BytesIO(primero.getvalue())))
    _borrar_plan(plan_pequeno)
    assert not Plan.objects.exists()

    resultado = importar_libro(primero, usuario=administrador, confirmar=True)

    assert resultado.errores == []
    assert resultado.aplicado
    plan = Plan.objects.get(codigo="bogota-mini")
    assert Reporte.objects.get(indicador__codigo="3.1.1").observaciones == "=cmd|' /C calc'!A0"
    # the workbook's labels («Creciente», «Aprobado») come back as the stored codes
    producto = Indicador.objects.get(codigo="3.1.3")
    assert (producto.tipo_anualizacion, producto.periodicidad, producto.unidad) == ("creciente", "anual", "numero")
    assert producto.anio_linea_base == 2022
    assert set(Reporte.objects.filter(indicador=producto).values_list("estado", flat=True)) == {"aprobado"}
    despues = _contenido(openpyxl.load_workbook(_exportar(plan, administrador)))
    assert despues == antes


def test_vista_previa_lista_los_cambios_y_no_escribe_nada(plan_pequeno, administrador):
    archivo = _exportar(plan_pequeno, administrador)
    _borrar_plan(plan_pequeno)
    antes = _estado_bd()

    resultado = importar_libro(archivo, usuario=administrador, confirmar=False)

    assert resultado.ok and not resultado.aplicado
    assert _estado_bd() == antes
    resumen = {(objeto, accion): n for objeto, accion, n in resultado.resumen()}
    assert resumen[("indicador", "crear")] == 3
    assert resumen[("nivel", "crear")] == 2
    assert resumen[("meta", "crear")] == 23
    assert resumen[("plan", "crear")] == 1


def test_reimportar_el_mismo_libro_no_cambia_nada(plan_pequeno, administrador):
    archivo = _exportar(plan_pequeno, administrador)
    resultado = importar_libro(archivo, usuario=administrador, confirmar=True)
    assert resultado.ok
    assert resultado.cambios == []


def test_un_plan_nuevo_con_numeros_a_la_colombiana(administrador):
    resultado = importar_libro(_libro(_plan_minimo()), usuario=administrador, confirmar=True)
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


def test_no_es_un_libro_de_excel(administrador):
    resultado = _rechazado(
        io.BytesIO(b"codigo;nombre\n1;hola\n"), administrador, "no es un libro de Excel (.xlsx) válido"
    )
    assert resultado.errores[0].hoja == "(archivo)"


def test_un_libro_vacio(administrador):
    _rechazado(_libro({"Hoja1": []}), administrador, "no tiene las hojas de una plantilla")


def test_falta_una_hoja(administrador):
    hojas = _plan_minimo()
    del hojas["Niveles"]
    _rechazado(_libro(hojas), administrador, "Falta la hoja «Niveles»")


def test_falta_una_columna(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"] = [[c for c in fila if c != "Periodicidad"] for fila in hojas["Indicadores"]]
    resultado = _rechazado(_libro(hojas), administrador, "Falta la columna «Periodicidad»")
    assert resultado.errores[0].hoja == "Indicadores" and resultado.errores[0].fila == 1


def test_texto_en_una_celda_de_numero(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][9] = "tres mil"
    resultado = _rechazado(_libro(hojas), administrador, "«tres mil» no es un número")
    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Indicadores", 2, "Meta 2023")


def test_un_numero_ambiguo(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][9] = "1.234,5.6"
    resultado = _rechazado(_libro(hojas), administrador, "1.234,5.6")
    assert (resultado.errores[0].fila, resultado.errores[0].columna) == (3, "Meta 2023")


def test_una_formula(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][8] = "=J2+K2"
    resultado = _rechazado(_libro(hojas), administrador, "La celda I2 tiene una fórmula; escriba el valor.")
    assert resultado.errores[0].columna == "Meta final"


def test_codigos_duplicados(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][0] = "1.1"
    _rechazado(_libro(hojas), administrador, "El código de indicador «1.1» está repetido (ya aparece en la fila 2)")


def test_nivel_desconocido_y_pesos_que_no_suman(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][2][2] = "9"
    _rechazado(_libro(hojas), administrador, "El nivel «9» no existe")
    hojas = _plan_minimo()
    hojas["Indicadores"][2][6] = "30"
    _rechazado(_libro(hojas), administrador, "suman 90 y deberían sumar 100")


def test_se_aplican_las_reglas_del_modelo(administrador):
    hojas = _plan_minimo()
    hojas["Indicadores"][1][8] = "9.000"  # suma: final target is not the sum of the yearly ones
    hojas["Indicadores"][2][3] = "decreciente"
    hojas["Indicadores"][2][7] = None  # decreciente without line base
    _rechazado(_libro(hojas), administrador, "no es la suma de las metas anuales", "necesita línea base")


def test_cien_mil_filas_terminan_pronto_con_un_mensaje(administrador):
    filas = ([f"X{i}", "Indicador", "1", "suma", "anual", "Dep", None] for i in range(100_000))
    archivo = io.BytesIO()
    escribir_libro(
        archivo,
        [Hoja("Plan", [Columna("Campo"), Columna("Valor")], [["Código", "grande"]]),
         Hoja("Niveles", [Columna("Código"), Columna("Nombre")], [["1", "Uno"]]),
         Hoja("Indicadores", [Columna(t) for t in ["Código", "Indicador", "Nivel", "Tipo", "Periodicidad", "Dependencia", "Meta 2024"]], filas)],
    )
    archivo.seek(0)
    _rechazado(archivo, administrador, "más de 50.000 filas")


def test_solo_la_oficina_de_planeacion_importa_planes_completos(db):
    planeador = factories.usuario(grupos=("Planeador",))
    _rechazado(_libro(_plan_minimo()), planeador, "Solo la oficina de planeación")


def test_metas_de_vigencias_pasadas_necesitan_un_administrador_con_motivo(plan_pequeno, administrador):
    archivo = _exportar(plan_pequeno, administrador)
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
    assert importar_libro(salida, usuario=administrador, confirmar=True, motivo="Corrección del documento CONPES").ok
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


def test_plantilla_de_avance_lista_los_indicadores_del_planeador_para_el_corte(plan_pequeno, planeador):
    libro = _avance(plan_pequeno, planeador)
    filas = list(libro["Reportes"].iter_rows(min_row=2, values_only=True))
    assert [(f[0], f[4], f[5]) for f in filas] == [("1.1.5", 2024, 1), ("3.1.1", 2024, 1), ("3.1.3", 2024, 1)]
    assert filas[1][7] == pytest.approx(0.33)  # the value already reported


def test_planeador_importa_el_avance_como_borradores(plan_pequeno, planeador):
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


def test_avance_de_otra_dependencia_no_escribe_nada(plan_pequeno, planeador):
    otra = factories.dependencia(entidad=plan_pequeno.entidad, nombre="Otra")
    factories.indicador(plan=plan_pequeno, nivel=plan_pequeno.niveles.first(), codigo="9.9", dependencia=otra)
    libro = _avance(plan_pequeno, planeador)
    ws = libro["Reportes"]
    ws["H2"] = 1
    ws.append(["9.9", "Ajeno", None, "anual", 2024, 1, None, 3])
    _rechazado(_guardar(libro), planeador, "No puede reportar el indicador 9.9: no es de sus dependencias")


def test_avance_de_un_corte_cerrado_se_rechaza(plan_pequeno, planeador, administrador):
    # An annual 2024 report ends on 31 December: the cut 2024-2 freezes it once closed.
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=2, estado=Corte.Estado.CERRADO)
    libro = _avance(plan_pequeno, planeador)
    libro["Reportes"]["H3"] = "0,5"  # 3.1.1 2024
    resultado = _rechazado(_guardar(libro), planeador, "El corte 2024-2 del plan está cerrado", "el periodo 2024 ya había terminado")
    assert (resultado.errores[0].hoja, resultado.errores[0].fila, resultado.errores[0].columna) == ("Reportes", 3, "Periodo")


def test_avance_de_un_plan_desconocido(planeador):
    libro = _libro({"Plan": [["Campo", "Valor"], ["Código", "no-existe"]],
                    "Reportes": [["Código del indicador", "Año", "Periodo", "Avance"], ["1", 2024, 1, 3]]})
    _rechazado(libro, planeador, "No existe el plan «no-existe»")


# -- templates and commands ---------------------------------------------------------------------


def test_plantilla_del_plan_tiene_listas_desplegables_y_se_importa_ya_llena(administrador):
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
    resultado = importar_libro(_guardar(libro), usuario=administrador, confirmar=True)
    assert resultado.errores == []
    assert Indicador.objects.get(codigo="1.1").metas.count() == 3


def test_comando_importar_simula_con_dry_run_y_luego_escribe(plan_pequeno, administrador, tmp_path):
    archivo = tmp_path / "plan.xlsx"
    archivo.write_bytes(_exportar(plan_pequeno, administrador).getvalue())
    _borrar_plan(plan_pequeno)
    salida = io.StringIO()
    call_command("importar", str(archivo), "--dry-run", stdout=salida)
    assert "no se escribió nada" in salida.getvalue()
    assert not Plan.objects.exists()
    call_command("importar", str(archivo), stdout=salida)
    assert Plan.objects.filter(codigo="bogota-mini").exists()


def test_comando_importar_informa_los_errores(administrador, tmp_path):
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
def test_la_importacion_acepta_etiquetas_y_codigos(administrador, tipo, periodicidad, unidad, estado):
    resultado = importar_libro(
        _libro(_plan_con_opciones(tipo, periodicidad, unidad, estado)), usuario=administrador, confirmar=True
    )
    assert resultado.errores == []
    indicador = Indicador.objects.get(plan__codigo="plan-nuevo", codigo="1.1")
    assert (indicador.tipo_anualizacion, indicador.periodicidad, indicador.unidad) == ("constante", "semestral", "porcentaje")
    assert Reporte.objects.get(indicador=indicador).estado == "aprobado"


def test_la_importacion_acepta_la_etiqueta_numero_con_tilde(administrador):
    hojas = _plan_con_opciones("Suma", "Anual", "Número", "Borrador")
    hojas["Indicadores"][1][7:] = ["2", "2"]
    resultado = importar_libro(_libro(hojas), usuario=administrador, confirmar=True)
    assert resultado.errores == []
    assert Indicador.objects.get(codigo="1.1").unidad == "numero"


def test_una_opcion_desconocida_lista_las_etiquetas(administrador):
    _rechazado(
        _libro(_plan_con_opciones("Lineal", "Anual", "Número", "Aprobado")), administrador,
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


def test_un_reporte_nuevo_en_un_corte_cerrado_se_rechaza_con_su_ubicacion(plan_pequeno, administrador):
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=2, estado=Corte.Estado.CERRADO)
    fila = [("Código del indicador", "1.1.5"), ("Año", 2024), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
    archivo, numero = _con_reporte_nuevo(plan_pequeno, administrador, fila)
    revisor = factories.usuario(grupos=("Revisor",))

    _rechazado(archivo, revisor, f"Hoja «Reportes», fila {numero}, columna «Periodo»", "2024-2", "cerrado")
    archivo.seek(0)
    _rechazado(archivo, revisor, "cerrado", motivo="Oficio 12")  # the reason is an administrator's exception
    archivo.seek(0)
    _rechazado(archivo, administrador, "escribe el motivo")
    assert not Reporte.objects.filter(indicador__codigo="1.1.5", anio=2024).exists()

    archivo.seek(0)
    resultado = importar_libro(archivo, usuario=administrador, confirmar=True, motivo="Oficio 12 de la Secretaría")
    assert resultado.errores == []
    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2024, periodo=1)
    assert reporte.valor == Decimal("2")
    registro = reporte.history.latest()
    assert (registro.history_user, registro.history_change_reason) == (administrador, "Oficio 12 de la Secretaría")


def test_un_reporte_nuevo_en_un_corte_abierto_no_necesita_motivo(plan_pequeno):
    # Only June is closed: the annual 2024 value (it ends in December) and 2025 are still open.
    Corte.objects.create(plan=plan_pequeno, anio=2024, semestre=1, estado=Corte.Estado.CERRADO)
    revisor = factories.usuario(grupos=("Revisor",))
    for anio in (2024, 2025):
        fila = [("Código del indicador", "1.1.5"), ("Año", anio), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
        archivo, _ = _con_reporte_nuevo(plan_pequeno, revisor, fila)
        assert importar_libro(archivo, usuario=revisor, confirmar=True).errores == []
        assert Reporte.objects.get(indicador__codigo="1.1.5", anio=anio).estado == "aprobado"


def test_un_revisor_no_escribe_el_borrador_de_un_planeador(plan_pequeno):
    """As in the admin, drafts are the dependencia's planners' (or an administrator's) work."""
    fila = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2")]
    revisor = factories.usuario(grupos=("Revisor",))
    archivo, numero = _con_reporte_nuevo(plan_pequeno, revisor, fila)
    _rechazado(archivo, revisor, f"Hoja «Reportes», fila {numero}, columna «Código del indicador»",
               "No puede reportar el indicador 1.1.5")


def test_un_revisor_importa_reportes_aprobados_como_aprobados(plan_pequeno, administrador):
    fila = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2"), ("Estado", "Aprobado")]
    archivo, _ = _con_reporte_nuevo(plan_pequeno, administrador, fila)
    revisor = factories.usuario("oficina", grupos=("Revisor",))

    assert importar_libro(archivo, usuario=revisor, confirmar=True).errores == []

    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2025)
    assert reporte.estado == "aprobado"
    assert reporte.history.latest().history_user == revisor


def test_los_reportes_nuevos_entran_a_la_revision_por_sus_pasos(plan_pequeno, administrador):
    """A new «Enviado» report is written as a draft and sent (the plan-de-choque check holds); a
    new report cannot enter «Devuelto»: returning is the review's step, with its comment."""
    enviado = [("Código del indicador", "1.1.5"), ("Año", 2025), ("Periodo", 1), ("Avance", "2"),
               ("Estado", "Enviado"), ("Plan de choque", "")]
    atrasado = [("Código del indicador", "3.1.3"), *enviado[1:3], ("Avance", "0"), *enviado[4:]]  # 0 of 1 in 2025
    archivo, numero = _con_reporte_nuevo(plan_pequeno, administrador, atrasado)
    _rechazado(archivo, administrador, f"fila {numero}, columna «Plan de choque»", "queda en cumplimiento bajo")

    archivo, _ = _con_reporte_nuevo(plan_pequeno, administrador, enviado)
    assert importar_libro(archivo, usuario=administrador, confirmar=True).errores == []
    reporte = Reporte.objects.get(indicador__codigo="1.1.5", anio=2025)
    assert reporte.estado == "enviado"
    assert [h.estado for h in reporte.history.order_by("history_date", "history_id")] == ["borrador", "enviado"]

    devuelto = [("Código del indicador", "1.1.5"), ("Año", 2026), ("Periodo", 1), ("Avance", "2"), ("Estado", "Devuelto")]
    archivo, numero = _con_reporte_nuevo(plan_pequeno, administrador, devuelto)
    _rechazado(archivo, administrador, f"fila {numero}, columna «Estado»", "no puede entrar devuelto")


def test_importar_un_plan_deja_historial_del_usuario_que_importa(plan_pequeno, administrador, tmp_path):
    archivo = tmp_path / "plan.xlsx"
    archivo.write_bytes(_exportar(plan_pequeno, administrador).getvalue())
    _borrar_plan(plan_pequeno)
    revisor = factories.usuario("oficina", grupos=("Revisor",))

    call_command("importar", str(archivo), "--usuario", "oficina", stdout=io.StringIO())

    plan = Plan.objects.get(codigo="bogota-mini")
    objetos = [plan, *Nivel.objects.filter(plan=plan), *Indicador.objects.filter(plan=plan),
               *Meta.objects.filter(indicador__plan=plan), *Reporte.objects.filter(indicador__plan=plan)]
    assert Meta.objects.filter(indicador__plan=plan).count() == 23
    for objeto in objetos:
        registro = objeto.history.latest()
        assert (registro.history_type, registro.history_user, registro.history_change_reason) == (
            "+", revisor, None), objeto


def test_un_revisor_no_da_motivo_al_importar_y_no_se_escribe_nada(plan_pequeno, administrador, tmp_path):
    """Only an administrator's reason means anything (issue 11): a reviewer's is refused, whole."""
    archivo = tmp_path / "plan.xlsx"
    archivo.write_bytes(_exportar(plan_pequeno, administrador).getvalue())
    _borrar_plan(plan_pequeno)
    factories.usuario("oficina", grupos=("Revisor",))
    salida = io.StringIO()

    with pytest.raises(CommandError, match="no se escribió nada"):
        call_command("importar", str(archivo), "--usuario", "oficina", "--motivo", "Autorizado por el administrador",
                     stdout=salida, stderr=salida)

    assert "Solo un administrador da un motivo" in salida.getvalue()
    assert not Plan.objects.filter(codigo="bogota-mini").exists()


def test_metas_cambiadas_y_eliminadas_dejan_historial(plan_pequeno):
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
