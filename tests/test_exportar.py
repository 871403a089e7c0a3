"""The follow-up workbook: what auditors get from the dashboard, the admin and `exportar`."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from indicadores import services
from indicadores.models import Reporte
from reportes.excel.exportar import RELLENOS, exportar_plan
from reportes.excel.importar import importar_libro
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef, Semaforo
from tests import factories

CORTE = CorteRef.parse("2024-1")


def _exportar(plan, usuario, **params) -> openpyxl.Workbook:
    salida = io.BytesIO()
    exportar_plan(salida, plan=plan, corte=CORTE, usuario=usuario, params=params)
    salida.seek(0)
    return openpyxl.load_workbook(salida)


def _filas(ws) -> list[dict]:
    filas = list(ws.iter_rows())
    titulos = [c.value for c in filas[0]]
    return [{t: c for t, c in zip(titulos, fila)} for fila in filas[1:]]


def test_hoja_de_indicadores_con_porcentajes_reales_y_relleno_por_banda(plan_pequeno):
    auditor = factories.usuario(grupos=("Auditor",))
    libro = _exportar(plan_pequeno, auditor)
    assert libro.sheetnames == ["Indicadores", "Niveles", "Reportes", "Plan", "Acerca de"]
    filas = {f["Código"].value: f for f in _filas(libro["Indicadores"])}
    assert set(filas) == {"1.1.5", "3.1.1", "3.1.3"}
    producto = filas["3.1.1"]
    assert producto["PAV"].value == pytest.approx(0.4125)
    assert producto["PAV"].number_format == "0.0%"
    assert producto["Semáforo PAHV"].value == "Cumplimiento bajo"
    assert producto["PAHV"].fill.fgColor.rgb == RELLENOS[Semaforo.BAJO]
    assert producto["Semáforo PAHV"].fill.fgColor.rgb == RELLENOS[Semaforo.BAJO]
    assert filas["1.1.5"]["PAHV"].value == pytest.approx(1.5)
    assert filas["1.1.5"]["Semáforo PAHV"].value == "Sobre ejecución"
    assert filas["1.1.5"]["PAV"].value is None  # anual at June: no 2024 report, never 0 %
    assert filas["1.1.5"]["Semáforo PAV"].value == "Sin información"
    # numbers are numbers, with Colombian display formats
    assert filas["1.1.5"]["Meta 2023"].value == 2 and filas["1.1.5"]["Meta 2023"].data_type == "n"
    assert producto["Meta 2024"].value == pytest.approx(0.8)
    assert producto["Meta 2024"].number_format == "#,##0.0"
    assert filas["1.1.5"]["Avance 2023"].value == 3
    assert filas["1.1.5"]["Código objetivo"].value == "1"


def test_hojas_con_encabezado_fijo_filtros_y_legibles(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    ws = libro["Indicadores"]
    assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["B"].width >= 30  # level names are readable
    for nombre in ("Niveles", "Reportes"):
        assert libro[nombre].auto_filter.ref and libro[nombre].freeze_panes


def test_texto_que_parece_formula_queda_como_texto(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    celdas = [c for ws in libro.worksheets for fila in ws.iter_rows() for c in fila]
    assert all(c.data_type != "f" for c in celdas)
    peligrosas = [c for c in celdas if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in peligrosas} >= {'=HYPERLINK("http://x")', "+Producto 3.1.1"}
    assert all(c.quotePrefix for c in peligrosas)


def test_hoja_de_niveles_con_avance_trayectoria_y_brecha(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    resultado = plan_resultados(plan=plan_pequeno, corte=CORTE)
    esperado = {n.codigo: n for n in resultado.niveles}
    filas = {f["Código"].value: f for f in _filas(libro["Niveles"])}
    assert set(filas) == {"1", "3"}
    for codigo, fila in filas.items():
        assert Decimal(str(fila["Brecha (puntos)"].value)) == esperado[codigo].brecha.quantize(Decimal("0.01"))
        assert fila["Avance (puntos)"].number_format == "#,##0.00"
    # SPEC §6: objective 1 is +0,20 points
    assert filas["1"]["Brecha (puntos)"].value == pytest.approx(0.20)


def test_hoja_acerca_de_dice_que_se_exporto(plan_pequeno):
    auditor = factories.usuario("auditora", grupos=("Auditor",), first_name="Ana", last_name="Ruiz")
    libro = _exportar(plan_pequeno, auditor, banda="bajo")
    acerca = {fila[0].value: fila[1].value for fila in libro["Acerca de"].iter_rows()}
    assert acerca["Plan"].endswith("(bogota-mini)")
    assert acerca["Corte"] == "2024-1: primer semestre de 2024, con corte al 30/06/2024"
    assert "Cumplimiento bajo" in acerca["Filtros"]
    assert acerca["Exportado por"] == "Ana Ruiz"
    assert acerca["Fecha de exportación"] is not None
    assert acerca["Versión de Seguimiento"] == "0.1.0"


def test_los_filtros_del_tablero_eligen_las_filas(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)), banda="bajo")
    codigos = [f["Código"].value for f in _filas(libro["Indicadores"])]
    assert codigos == ["3.1.1", "3.1.3"]
    reportes = {f["Código del indicador"].value for f in _filas(libro["Reportes"])}
    assert reportes == {"3.1.1", "3.1.3"}
    assert len(_filas(libro["Niveles"])) == 2  # levels are always the whole plan


def test_planeador_exporta_solo_indicadores_de_sus_dependencias(plan_pequeno):
    otra = factories.dependencia(entidad=plan_pequeno.entidad, nombre="Otra secretaría")
    nivel = plan_pequeno.niveles.get(codigo="1")
    factories.indicador(plan=plan_pequeno, nivel=nivel, codigo="9.9.9", dependencia=otra)
    planeador = factories.usuario(grupos=("Planeador",), dependencias=[otra])
    codigos = [f["Código"].value for f in _filas(_exportar(plan_pequeno, planeador)["Indicadores"])]
    assert codigos == ["9.9.9"]


def test_el_comando_escribe_el_libro(plan_pequeno, tmp_path):
    factories.usuario("admin", is_superuser=True, is_staff=True)
    destino = tmp_path / "seguimiento.xlsx"
    salida = io.StringIO()
    call_command("exportar", "--plan", "bogota-mini", "--corte", "2024-1", str(destino), stdout=salida)
    libro = openpyxl.load_workbook(destino, read_only=True)
    assert libro.sheetnames[0] == "Indicadores"
    assert "3 indicadores" in salida.getvalue()


def test_el_comando_explica_un_corte_mal_escrito(plan_pequeno, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-S"):
        call_command("exportar", "--plan", "bogota-mini", "--corte", "2024-3", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="no existe"):
        call_command("exportar", "--plan", "no-hay", "--corte", "2024-1", str(tmp_path / "x.xlsx"))


def test_anios_como_2023_y_cantidades_con_separador_de_miles(plan_pequeno):
    from indicadores.models import Indicador

    Indicador.objects.filter(codigo="3.1.3").update(anio_linea_base=2022)
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    producto = {f["Código"].value: f for f in _filas(libro["Indicadores"])}["3.1.3"]
    assert (producto["Año de línea base"].value, producto["Año de línea base"].number_format) == (2022, "0")
    reportes = _filas(libro["Reportes"])
    assert reportes and all(f["Año"].number_format == "0" and f["Periodo"].number_format == "0" for f in reportes)
    assert {f["Año"].value for f in reportes} == {2023, 2024}
    plan = {fila[0].value: fila[1] for fila in libro["Plan"].iter_rows()}
    assert (plan["Año de inicio"].value, plan["Año de inicio"].number_format) == (2023, "0")
    assert (plan["Año de fin"].value, plan["Año de fin"].number_format) == (2032, "0")
    # quantities are not years: a target of 7.480 still shows its thousands point
    assert producto["Meta 2024"].number_format.startswith("#,##0")


def test_las_opciones_muestran_las_etiquetas_que_conocen_los_usuarios(plan_pequeno):
    from indicadores.models import Enfoque, Indicador, Reporte

    Reporte.objects.filter(indicador__codigo="3.1.1").update(estado="aprobado")
    Indicador.objects.get(codigo="3.1.3").enfoques.set([Enfoque.objects.get(codigo="derechos-humanos")])
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    filas = {f["Código"].value: f for f in _filas(libro["Indicadores"])}
    assert filas["3.1.1"]["Tipo"].value == "Constante"
    assert filas["3.1.3"]["Tipo"].value == "Creciente"
    assert filas["1.1.5"]["Tipo"].value == "Suma"
    assert filas["3.1.1"]["Periodicidad"].value == "Anual"
    assert filas["3.1.1"]["Unidad"].value == "Número"
    assert filas["3.1.3"]["Enfoques"].value == "Derechos humanos"
    estados = {f["Código del indicador"].value: f["Estado"].value for f in _filas(libro["Reportes"])}
    assert estados["3.1.1"] == "Aprobado"
    codigos = {"suma", "constante", "creciente", "anual", "numero", "aprobado", "borrador", "derechos-humanos"}
    textos = {c.value for ws in libro.worksheets for fila in ws.iter_rows() for c in fila if isinstance(c.value, str)}
    assert not codigos & textos


def test_filtro_del_tablero_por_tipo_se_describe_con_su_etiqueta(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)), tipo="constante")
    acerca = {fila[0].value: fila[1].value for fila in libro["Acerca de"].iter_rows()}
    assert acerca["Filtros"] == "tipo: Constante"
    assert [f["Código"].value for f in _filas(libro["Indicadores"])] == ["3.1.1"]


def test_hoja_acerca_de_explica_las_cifras_en_espanol(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    acerca = {fila[0].value: fila[1] for fila in libro["Acerca de"].iter_rows()}
    assert acerca["Plan"].value == "Política mini (bogota-mini)"
    semaforo = acerca["Semáforo"]
    assert "Sobre ejecución: más de 125 %" in semaforo.value and "Cumplimiento bajo: 50 % o menos" in semaforo.value
    assert semaforo.alignment.wrap_text  # long explanations wrap inside the column
    assert acerca["Porcentajes"].value.startswith("PAV: avance en la vigencia")
    assert not any("SPEC" in str(c.value) for c in acerca.values())


# -- official values (issue 10) ---------------------------------------------------------------


def _planeador_de(plan):
    return factories.usuario("paula", grupos=("Planeador",), dependencias=[plan.indicadores.first().dependencia])


def _corregir_311(plan, valor: str, usuario):
    """The planner corrects 3.1.1's approved 2024 report (0,33): a proposal under review."""
    reporte = plan.indicadores.get(codigo="3.1.1").reportes.get(anio=2024)
    return services.reporte_registrar(
        indicador=reporte.indicador, anio=2024, periodo=1, valor=Decimal(valor), usuario=usuario,
        observaciones="Cifra corregida", version_esperada=reporte.version,
    )


def _reporte_311(libro) -> dict:
    return next(f for f in _filas(libro["Reportes"]) if f["Código del indicador"].value == "3.1.1")


def test_un_reporte_en_correccion_cuenta_su_valor_aprobado(plan_pequeno):
    _corregir_311(plan_pequeno, "0.7", _planeador_de(plan_pequeno))
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    producto = {f["Código"].value: f for f in _filas(libro["Indicadores"])}["3.1.1"]
    assert producto["Avance 2024"].value == pytest.approx(0.33)
    assert producto["PAV"].value == pytest.approx(0.4125)
    # Who may read drafts sees the correction as it is now, beside the official value it does not replace yet.
    reporte = _reporte_311(libro)
    assert (reporte["Avance"].value, reporte["Estado"].value) == (pytest.approx(0.7), "Borrador")
    assert reporte["Avance oficial"].value == pytest.approx(0.33)
    assert reporte["En corrección"].value == "Sí"
    assert reporte["Periodo (nombre)"].value == "2024"


def test_la_exportacion_publica_muestra_la_copia_aprobada_y_ningun_borrador(plan_pequeno):
    plan_pequeno.publicado = True
    plan_pequeno.save()
    Reporte.objects.filter(indicador__codigo="1.1.5").update(estado=Reporte.Estado.BORRADOR)
    _corregir_311(plan_pequeno, "0.7", _planeador_de(plan_pequeno))

    libro = _exportar(plan_pequeno, AnonymousUser())
    reporte = _reporte_311(libro)
    assert (reporte["Avance"].value, reporte["Estado"].value) == (pytest.approx(0.33), "Aprobado")
    assert reporte["Observaciones"].value is None  # the approved report had none; the correction's stays private
    assert reporte["Avance oficial"].value == pytest.approx(0.33)
    assert reporte["En corrección"].value is None
    assert "1.1.5" not in {f["Código del indicador"].value for f in _filas(libro["Reportes"])}


def test_reimportar_con_una_correccion_en_revision_no_cambia_nada(plan_pequeno):
    """The sheet's «Avance» is the report as it is now for those who may read drafts, so the
    planning office's re-import does not withdraw the correction."""
    _corregir_311(plan_pequeno, "0.7", _planeador_de(plan_pequeno))
    revisor = factories.usuario("oficina", grupos=("Revisor",))
    salida = io.BytesIO()
    exportar_plan(salida, plan=plan_pequeno, corte=CORTE, usuario=revisor)
    salida.seek(0)
    resultado = importar_libro(salida, usuario=revisor, confirmar=True)
    assert resultado.errores == [] and resultado.cambios == []
    reporte = plan_pequeno.indicadores.get(codigo="3.1.1").reportes.get(anio=2024)
    assert (reporte.valor, reporte.valor_oficial) == (Decimal("0.7"), Decimal("0.33"))


def test_un_corte_cerrado_exporta_sus_cifras_publicadas(plan_pequeno):
    """After 2024-1 closed, 3.1.1's December value (its annual period was still running) is
    approved: the 2024-1 workbook keeps the A[2024] and the PAV it published."""
    revisor = factories.usuario("oficina", grupos=("Revisor",))
    corte = services.corte_abrir(plan=plan_pequeno, anio=2024, semestre=1, usuario=revisor)
    services.corte_cerrar(corte=corte, usuario=revisor)
    planeador = _planeador_de(plan_pequeno)
    correccion = _corregir_311(plan_pequeno, "0.7", planeador)
    enviado = services.reporte_enviar(reporte=correccion, usuario=planeador, version_esperada=correccion.version)
    services.reporte_aprobar(reporte=enviado, usuario=revisor, version_esperada=enviado.version)

    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))

    producto = {f["Código"].value: f for f in _filas(libro["Indicadores"])}["3.1.1"]
    assert producto["Avance 2024"].value == pytest.approx(0.33)
    assert producto["PAV"].value == pytest.approx(0.4125)
    acerca = {fila[0].value: fila[1].value for fila in libro["Acerca de"].iter_rows()}
    assert acerca["Cifras"].startswith("Cifras oficiales del corte, cerrado el ")


def test_un_corte_abierto_dice_que_sus_cifras_se_calculan_al_exportar(plan_pequeno):
    libro = _exportar(plan_pequeno, factories.usuario(grupos=("Auditor",)))
    acerca = {fila[0].value: fila[1].value for fila in libro["Acerca de"].iter_rows()}
    assert acerca["Cifras"].startswith("Corte abierto")
