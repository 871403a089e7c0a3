"""Excel imports keep the promise of issue 10: official figures change only through review, closed
cuts stay as published, re-importing the same workbook changes nothing, the preview shows before →
after, the confirmation refuses when anything changed since the preview (saying what and by whom),
and a Revisor's plan import is held to what the admin lets that role do."""

import io
import json
import threading
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from indicadores import services
from indicadores.models import Indicador, Meta, Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from politicas.models import Dependencia, Nivel, Plan
from reportes.excel.importar import importar_libro
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef
from tests import factories
from tests.libros_excel import JUNIO_2024, avance, escribir, exportado, fila_de, guardar, leer

pytestmark = pytest.mark.django_db
DICIEMBRE_2017 = CorteRef(2017, 2)


@pytest.fixture
def politica(plan_pequeno):
    """The SPEC §6 mini policy (1.1.5, 3.1.1, 3.1.3, all annual; 3.1.1 approved 0,33 in 2024, 41,25 %
    at June), two planners of its dependencia, the planning office and an administrator."""
    dependencia = Dependencia.objects.get(nombre="Sector Gestión Pública")
    return {
        "plan": plan_pequeno,
        "ind": plan_pequeno.indicadores.get(codigo="3.1.1"),
        "planeadora": factories.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True),
        "colega": factories.usuario("colega", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True),
        "revisora": factories.usuario("revisora", grupos=(REVISOR,), is_staff=True),
        "admin": factories.usuario("administradora", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def cali_con_2017_aprobado(db):
    """Cali 44010010002 (suma, annual): 9.000 approved for 2016 and 14.523 for 2017, and its planner."""
    plan = factories.plan(codigo="cali-2016", nombre="Plan de Cali", anio_inicio=2016, anio_fin=2019)
    salud = factories.dependencia(entidad=plan.entidad, nombre="Secretaría de Salud")
    factories.indicador(
        plan=plan, nivel=factories.nivel(plan=plan, codigo="4", peso=D("100")), codigo="44010010002",
        nombre="Personas atendidas", dependencia=salud, metas={a: "20000" for a in range(2016, 2020)},
        meta_final=D("80000"), reportes={2016: "9000", 2017: "14523"},
    )
    return {
        "plan": plan,
        "planeador": factories.usuario("planeador-cali", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True),
        "revisor": factories.usuario("revisor-cali", grupos=(REVISOR,), is_staff=True),
    }


def _reporte(codigo: str, anio: int) -> Reporte:
    return Reporte.objects.get(indicador__codigo=codigo, anio=anio, periodo=1)


def _pahv(plan, codigo: str, corte: CorteRef = JUNIO_2024) -> D:
    return next(r.pahv for r in plan_resultados(plan=plan, corte=corte).indicadores if r.codigo == codigo)


def _cerrar(politica, anio: int, semestre: int):
    corte = services.corte_abrir(plan=politica["plan"], anio=anio, semestre=semestre, usuario=politica["revisora"])
    return services.corte_cerrar(corte=corte, usuario=politica["revisora"])


def _huella_bd() -> tuple:
    """Every value, version, state and history row an import could touch."""
    return (
        sorted(Plan.objects.values_list("codigo", "nombre", "publicado")),
        sorted(Indicador.objects.values_list("codigo", "nombre", "dependencia_id")),
        sorted(Meta.objects.values_list("indicador__codigo", "anio", "valor")),
        sorted(Reporte.objects.values_list("indicador__codigo", "anio", "valor", "estado", "version", "valor_oficial")),
        Plan.history.count(), Nivel.history.count(), Indicador.history.count(), Meta.history.count(),
        Reporte.history.count(),
    )


def _errores(resultado) -> str:
    return "\n".join(str(e) for e in resultado.errores)


def _avance_con(politica, usuario, **valores_por_codigo) -> io.BytesIO:
    """The June progress template of `usuario` with these «Avance» values ({"3.1.1": "0,5"})."""
    libro = avance(politica["plan"], usuario)
    ws = libro["Reportes"]
    for codigo, valor in valores_por_codigo.items():
        escribir(ws, fila_de(ws, **{"Código del indicador": codigo.replace("_", ".")}), Avance=valor)
    return guardar(libro)


# --- 1. Every write through the services; the new rule of closed cuts ---------------------------


def test_cada_reporte_y_meta_se_escribe_por_los_servicios(politica, monkeypatch):
    llamadas = []
    for nombre in ("reporte_registrar", "meta_registrar"):
        original = getattr(services, nombre)
        monkeypatch.setattr(services, nombre, lambda _o=original, _n=nombre, **kw: llamadas.append((_n, kw)) or _o(**kw))
    libro = exportado(politica["plan"], politica["admin"])
    escribir(libro["Reportes"], fila_de(libro["Reportes"], **{"Código del indicador": "3.1.1"}), Avance="0,5")
    ws = libro["Indicadores"]
    escribir(ws, fila_de(ws, Código="1.1.5"), **{"Meta 2031": "3", "Meta final": "21"})

    resultado = importar_libro(guardar(libro), usuario=politica["admin"], confirmar=True)

    assert resultado.errores == []
    registrados = {(n, kw["indicador"].codigo, kw["anio"]) for n, kw in llamadas}
    assert registrados == {("reporte_registrar", "3.1.1", 2024), ("meta_registrar", "1.1.5", 2031)}
    # the version read by the check goes with the write: a concurrent save is refused, not overwritten
    assert next(kw for n, kw in llamadas if n == "reporte_registrar")["version_esperada"] == 1


def test_con_solo_junio_cerrado_el_valor_anual_entra_para_diciembre(politica):
    _cerrar(politica, 2024, 1)
    publicado = _pahv(politica["plan"], "3.1.1")

    resultado = importar_libro(_avance_con(politica, politica["planeadora"], **{"3_1_1": "0,6"}),
                               usuario=politica["planeadora"], confirmar=True)

    assert resultado.errores == [] and resultado.aplicado
    assert (_reporte("3.1.1", 2024).valor, _reporte("3.1.1", 2024).valor_publicado) == (D("0.6"), D("0.33"))
    assert _pahv(politica["plan"], "3.1.1") == publicado == D("41.25")  # the closed June cut as published


def test_un_periodo_que_termino_en_un_corte_cerrado_no_se_importa(politica):
    _cerrar(politica, 2024, 2)
    antes = _huella_bd()
    resultado = importar_libro(_avance_con(politica, politica["planeadora"], **{"3_1_1": "0,6"}),
                               usuario=politica["planeadora"], confirmar=True)
    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Reportes", 3, "Periodo")
    assert "El corte 2024-2 del plan está cerrado y el periodo 2024 ya había terminado" in error.mensaje
    assert _huella_bd() == antes

    libro = exportado(politica["plan"], politica["admin"])
    escribir(libro["Reportes"], fila_de(libro["Reportes"], **{"Código del indicador": "3.1.1"}), Avance="0,6")
    archivo = guardar(libro)
    assert "escribe el motivo" in _errores(importar_libro(archivo, usuario=politica["admin"], confirmar=True))
    archivo.seek(0)
    corregido = importar_libro(archivo, usuario=politica["admin"], confirmar=True, motivo="Oficio 44 de Salud")
    assert corregido.errores == []
    assert _reporte("3.1.1", 2024).history.latest().history_change_reason == "Oficio 44 de Salud"


# --- 2. The same workbook again is «Sin cambios» ------------------------------------------------


def test_reimportar_el_libro_exportado_es_sin_cambios(politica):
    Reporte.objects.filter(indicador=politica["ind"]).update(
        observaciones="Primera jornada.\nSegunda jornada.", plan_de_choque="Reforzar en julio."
    )
    services.reporte_registrar(  # a correction under review: the export shows the planner's text
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.5"), usuario=politica["planeadora"],
        observaciones="Primera jornada.\nSegunda jornada.", plan_de_choque="Reforzar en julio.", version_esperada=1,
    )
    antes = _huella_bd()

    for usuario in (politica["admin"], politica["revisora"]):
        resultado = importar_libro(guardar(exportado(politica["plan"], usuario)), usuario=usuario, confirmar=True)
        assert resultado.errores == [] and resultado.sin_cambios, resultado.cambios
        assert resultado.avisos == []
    assert _huella_bd() == antes


def test_textos_con_crlf_y_blancos_al_final_son_sin_cambios(politica):
    Reporte.objects.filter(indicador=politica["ind"]).update(observaciones="Primera jornada.\nSegunda jornada.")
    libro = exportado(politica["plan"], politica["admin"])
    reportes, indicadores = libro["Reportes"], libro["Indicadores"]
    fila = fila_de(reportes, **{"Código del indicador": "3.1.1"})
    escribir(reportes, fila, Observaciones="Primera jornada.\r\nSegunda jornada.  ")
    fila_ind = fila_de(indicadores, Código="1.1.5")
    escribir(indicadores, fila_ind, Indicador=leer(indicadores, fila_ind, "Indicador") + "  ")
    antes = _huella_bd()

    resultado = importar_libro(guardar(libro), usuario=politica["admin"], confirmar=True)

    assert resultado.sin_cambios, resultado.cambios
    assert _huella_bd() == antes
    plantilla = avance(politica["plan"], politica["planeadora"])
    ws = plantilla["Reportes"]
    escribir(ws, fila_de(ws, **{"Código del indicador": "3.1.1"}), Observaciones="Primera jornada.\rSegunda jornada.\r\n")
    assert importar_libro(guardar(plantilla), usuario=politica["planeadora"], confirmar=True).sin_cambios
    assert _huella_bd() == antes


def test_la_copia_oficial_de_un_reporte_en_correccion_no_retira_la_correccion(politica):
    """A workbook of the official figures shows the approved copy as «Aprobado»: no change."""
    actual = _reporte("3.1.1", 2024)
    services.reporte_registrar(
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.5"), usuario=politica["planeadora"],
        observaciones=actual.observaciones, version_esperada=actual.version,
    )
    libro = exportado(politica["plan"], politica["admin"])
    ws = libro["Reportes"]
    escribir(ws, fila_de(ws, **{"Código del indicador": "3.1.1"}), Avance="0,33", Estado="Aprobado")
    resultado = importar_libro(guardar(libro), usuario=politica["admin"], confirmar=True)
    assert resultado.sin_cambios
    assert _reporte("3.1.1", 2024).en_correccion


# --- 3. Before → after, and a correction of an approved value stays a proposal ------------------


def test_la_vista_previa_muestra_antes_y_despues_de_cada_valor(politica):
    libro = exportado(politica["plan"], politica["admin"])
    reportes, indicadores = libro["Reportes"], libro["Indicadores"]
    escribir(reportes, fila_de(reportes, **{"Código del indicador": "3.1.1"}),
             Avance="0,5", Observaciones="Se sumaron las jornadas de mayo.", **{"Plan de choque": "Dos jornadas más"})
    escribir(indicadores, fila_de(indicadores, Código="1.1.5"), **{"Meta 2031": "3", "Meta final": "21"})
    escribir(indicadores, fila_de(indicadores, Código="3.1.3"), Indicador="Producto tres punto uno punto tres")

    resultado = importar_libro(guardar(libro), usuario=politica["admin"])

    assert resultado.ok and not resultado.aplicado
    por_clave = {(c.objeto, c.clave): c.antes_despues for c in resultado.cambios}
    assert por_clave[("reporte", "3.1.1 2024")] == [
        "avance: 0,33 → 0,5",
        "observaciones: (vacío) → «Se sumaron las jornadas de mayo.»",
        "plan de choque: (vacío) → «Dos jornadas más»",
        "estado: Aprobado → Borrador",
    ]
    assert por_clave[("meta", "1.1.5 2031")] == ["meta: 2 → 3"]
    assert por_clave[("indicador", "1.1.5")] == ["meta final: 20 → 21"]
    assert por_clave[("indicador", "3.1.3")] == ["nombre: «Producto 3.1.3» → «Producto tres punto uno punto tres»"]
    assert resultado.avisos == [
        "3.1.1 2024: el valor aprobado 0,33 se corrige a 0,5. La corrección queda en borrador para revisión: envíela "
        "y, hasta que la oficina de planeación la apruebe, el valor aprobado 0,33 sigue siendo el oficial en "
        "tableros, informes y exportaciones."
    ]
    assert _reporte("3.1.1", 2024).valor == D("0.33")  # a preview writes nothing


def test_importar_17480_sobre_el_14523_aprobado_no_retira_la_cifra_oficial(client, cali_con_2017_aprobado, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cali = cali_con_2017_aprobado
    oficial = plan_resultados(plan=cali["plan"], corte=DICIEMBRE_2017).indicadores[0]
    plantilla = avance(cali["plan"], cali["planeador"], corte=DICIEMBRE_2017)
    ws = plantilla["Reportes"]
    escribir(ws, fila_de(ws, **{"Código del indicador": "44010010002"}), Avance="17.480",
             **{"Plan de choque": "Jornadas extra de vacunación."})
    client.force_login(cali["planeador"])

    vista = client.post(reverse("excel_importar"), {"archivo": _subir(guardar(plantilla))})

    html = vista.content.decode()
    assert vista.status_code == 200, html
    assert "<li>avance: 14.523 → 17.480</li>" in html
    assert "el valor aprobado 14.523 sigue siendo el oficial" in html
    assert client.post(reverse("excel_importar"), {"token": vista.context["token"]}).status_code == 302
    reporte = _reporte("44010010002", 2017)
    assert (reporte.valor, reporte.estado, reporte.valor_publicado) == (D("17480"), "borrador", D("14523"))
    despues = plan_resultados(plan=cali["plan"], corte=DICIEMBRE_2017).indicadores[0]
    assert (despues.avance_anio, despues.pav, despues.pahv) == (oficial.avance_anio, oficial.pav, oficial.pahv)
    assert despues.avance_anio == D("14523")
    # only the review makes 17.480 official
    enviado = services.reporte_enviar(reporte=reporte, usuario=cali["planeador"])
    services.reporte_aprobar(reporte=enviado, usuario=cali["revisor"], version_esperada=enviado.version)
    assert plan_resultados(plan=cali["plan"], corte=DICIEMBRE_2017).indicadores[0].avance_anio == D("17480")


# --- 4. The confirmation re-checks what the preview read ----------------------------------------


def _subir(archivo: io.BytesIO, nombre: str = "libro.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, archivo.getvalue(), content_type="application/octet-stream")


def test_confirmar_despues_de_un_cambio_ajeno_se_rechaza_y_dice_quien(client, politica, settings, tmp_path, importaciones):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(politica["planeadora"])
    archivo = _avance_con(politica, politica["planeadora"], **{"3_1_1": "0,5"})
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(archivo)})
    assert vista.status_code == 200
    # Her colleague corrects the same report on the admin or the API meanwhile.
    services.reporte_registrar(
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.4"), usuario=politica["colega"], version_esperada=1
    )
    antes = _huella_bd()

    confirmacion = client.post(reverse("excel_importar"), {"token": vista.context["token"]})

    assert confirmacion.status_code == 422
    error = confirmacion.context["resultado"].errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Reportes", 3, "Avance")
    assert "Cambió después de la vista previa: el reporte 3.1.1 2024 pasó de la versión 1 a la 2" in error.mensaje
    assert "avance: «0,33» → «0,4»" in error.mensaje and "(por colega)" in error.mensaje
    assert "No se importó nada" in confirmacion.content.decode()
    assert _huella_bd() == antes and _reporte("3.1.1", 2024).valor == D("0.4")
    assert not list(importaciones.iterdir())


def test_confirmar_despues_de_un_cambio_de_meta_o_del_plan_se_rechaza(politica):
    libro = exportado(politica["plan"], politica["admin"])
    escribir(libro["Indicadores"], fila_de(libro["Indicadores"], Código="1.1.5"), Indicador="Producto renombrado")
    archivo = guardar(libro)
    vista_previa = importar_libro(archivo, usuario=politica["admin"])
    leido = json.loads(json.dumps(vista_previa.leido))  # as the view keeps it between both requests
    # Meanwhile: a target and the plan's name change.
    services.meta_registrar(indicador=politica["ind"], anio=2030, valor=D("0.9"), usuario=politica["planeadora"])
    plan = politica["plan"]
    plan.nombre, plan._history_user = "Política mini (ajustada)", politica["colega"]
    plan.save()
    antes = _huella_bd()

    archivo.seek(0)
    resultado = importar_libro(archivo, usuario=politica["admin"], confirmar=True, leido=leido)

    assert not resultado.aplicado and _huella_bd() == antes
    lugares = {(e.hoja, e.columna): e for e in resultado.errores}
    meta = lugares[("Indicadores", "Meta 2030")]
    assert meta.fila == fila_de(libro["Indicadores"], Código="3.1.1")
    assert "meta 2030: «0,8» → «0,9» (por planeadora)" in meta.mensaje
    nombre = lugares[("Plan", "Valor")]
    assert nombre.fila == fila_de(libro["Plan"], Campo="Nombre")
    assert "nombre: «Política mini» → «Política mini (ajustada)» (por colega)" in nombre.mensaje


def test_un_cambio_entre_la_lectura_y_la_escritura_se_rechaza_sin_dejar_nada_a_medias(politica):
    """The window between reading the rows and writing them: the service's version check, under
    the row's lock, refuses the write; the row written before it is rolled back too."""
    archivo = _avance_con(politica, politica["planeadora"], **{"1_1_5": "2", "3_1_1": "0,5"})

    def mientras_tanto(que, n):
        if que == "Filas revisadas":
            services.reporte_registrar(indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.4"),
                                       usuario=politica["colega"], version_esperada=1)

    resultado = importar_libro(archivo, usuario=politica["planeadora"], confirmar=True, progreso=mientras_tanto)

    assert not resultado.aplicado
    assert "Otra persona guardó este reporte" in _errores(resultado) and "(por colega)" in _errores(resultado)
    assert not Reporte.objects.filter(indicador__codigo="1.1.5", anio=2024).exists()  # nothing half-saved
    assert _reporte("3.1.1", 2024).valor == D("0.4")


@pytest.mark.django_db(transaction=True)
def test_una_edicion_desde_otra_conexion_durante_la_importacion_no_se_pierde(politica):
    """On PostgreSQL the competing save runs in its own thread and connection and commits while the
    import is between reading and writing; on SQLite it runs inline (one writer at a time)."""
    archivo = _avance_con(politica, politica["planeadora"], **{"3_1_1": "0,5"})

    def guardar_la_colega():
        services.reporte_registrar(indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.4"),
                                   usuario=politica["colega"], version_esperada=1)

    def mientras_tanto(que, n):
        if que != "Filas revisadas":
            return
        if connection.vendor != "postgresql":
            guardar_la_colega()
            return
        hilo = threading.Thread(target=lambda: (guardar_la_colega(), connection.close()))
        hilo.start()
        hilo.join(timeout=30)

    resultado = importar_libro(archivo, usuario=politica["planeadora"], confirmar=True, progreso=mientras_tanto)

    assert not resultado.aplicado
    assert "avance: «0,33» → «0,4»" in _errores(resultado) and "(por colega)" in _errores(resultado)
    assert _reporte("3.1.1", 2024).valor == D("0.4")


# --- 5. A Revisor's plan import, row by row as the admin ----------------------------------------


def _exportado_por(politica, usuario="revisora"):
    return exportado(politica["plan"], politica[usuario])


def test_un_revisor_no_publica_un_plan_sin_publicar(politica):
    libro = _exportado_por(politica)
    fila = fila_de(libro["Plan"], Campo="Publicado")
    escribir(libro["Plan"], fila, Valor="Sí")
    archivo = guardar(libro)

    resultado = importar_libro(archivo, usuario=politica["revisora"], confirmar=True)

    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Plan", fila, "Valor")
    assert "no puede publicar el plan «bogota-mini»" in error.mensaje
    assert not Plan.objects.get(pk=politica["plan"].pk).publicado
    archivo.seek(0)
    assert importar_libro(archivo, usuario=politica["admin"], confirmar=True).errores == []
    assert Plan.objects.get(pk=politica["plan"].pk).publicado


def test_un_revisor_publica_si_la_administracion_le_deja_cambiar_planes(politica):
    revisora = politica["revisora"]
    revisora.user_permissions.add(Permission.objects.get(codename="change_plan"))
    revisora = type(revisora).objects.get(pk=revisora.pk)  # permissions are cached per instance
    libro = _exportado_por(politica)
    escribir(libro["Plan"], fila_de(libro["Plan"], Campo="Publicado"), Valor="Sí")
    assert importar_libro(guardar(libro), usuario=revisora, confirmar=True).errores == []
    assert Plan.objects.get(pk=politica["plan"].pk).publicado


def test_un_revisor_no_mueve_un_indicador_a_otra_dependencia(politica):
    factories.dependencia(entidad=politica["plan"].entidad, nombre="Secretaría de Hacienda")
    libro = _exportado_por(politica)
    fila = fila_de(libro["Indicadores"], Código="3.1.1")
    escribir(libro["Indicadores"], fila, Dependencia="Secretaría de Hacienda")
    archivo = guardar(libro)

    resultado = importar_libro(archivo, usuario=politica["revisora"], confirmar=True)

    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Indicadores", fila, "Dependencia")
    assert "lo reporta «Sector Gestión Pública»" in error.mensaje and "solo lo hace un administrador" in error.mensaje
    assert Indicador.objects.get(codigo="3.1.1").dependencia.nombre == "Sector Gestión Pública"
    archivo.seek(0)
    movido = importar_libro(archivo, usuario=politica["admin"], confirmar=True)
    assert movido.errores == []
    assert Indicador.objects.get(codigo="3.1.1").dependencia.nombre == "Secretaría de Hacienda"
    assert movido.cambios[0].antes_despues == ["dependencia responsable: «Sector Gestión Pública» → «Secretaría de Hacienda»"]


@pytest.mark.parametrize("estado", ["Aprobado", "Enviado", "Devuelto"])
def test_nadie_escribe_un_estado_sobre_el_reporte_de_otro_saltando_la_revision(politica, estado):
    actual = _reporte("3.1.1", 2024)
    services.reporte_registrar(  # the planner's correction, a draft
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.5"), usuario=politica["planeadora"],
        observaciones=actual.observaciones, version_esperada=actual.version,
    )
    for usuario in ("revisora", "admin"):
        libro = _exportado_por(politica, usuario)
        ws = libro["Reportes"]
        fila = fila_de(ws, **{"Código del indicador": "3.1.1"})
        assert leer(ws, fila, "Estado") == "Borrador"
        escribir(ws, fila, Estado=estado)
        antes = _huella_bd()

        resultado = importar_libro(guardar(libro), usuario=politica[usuario], confirmar=True)

        error = resultado.errores[0]
        assert (error.hoja, error.fila, error.columna) == ("Reportes", fila, "Estado")
        assert f"El reporte 3.1.1 2024 está «Borrador» y el archivo dice «{estado}»" in error.mensaje
        assert "la importación no cambia el estado de revisión" in error.mensaje
        assert _huella_bd() == antes


def test_el_estado_actual_sin_cambiar_se_acepta(politica):
    libro = _exportado_por(politica)
    ws = libro["Reportes"]
    assert leer(ws, fila_de(ws, **{"Código del indicador": "3.1.1"}), "Estado") == "Aprobado"
    assert importar_libro(guardar(libro), usuario=politica["revisora"], confirmar=True).sin_cambios


def test_un_revisor_no_corrige_el_valor_de_un_planeador(politica):
    """In the admin the planning office changes reports only through review steps."""
    libro = _exportado_por(politica)
    ws = libro["Reportes"]
    fila = fila_de(ws, **{"Código del indicador": "3.1.1"})
    escribir(ws, fila, Avance="0,9")
    resultado = importar_libro(guardar(libro), usuario=politica["revisora"], confirmar=True)
    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Reportes", fila, "Código del indicador")
    assert "No puede reportar el indicador 3.1.1: no es de sus dependencias" in error.mensaje
    assert _reporte("3.1.1", 2024).valor == D("0.33")


# --- 6. Every message names the sheet, row and column, through the views too --------------------


def test_cada_error_de_un_revisor_nombra_hoja_fila_y_columna(client, politica, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.dependencia(entidad=politica["plan"].entidad, nombre="Secretaría de Hacienda")
    libro = _exportado_por(politica)
    escribir(libro["Plan"], fila_de(libro["Plan"], Campo="Publicado"), Valor="Sí")
    escribir(libro["Indicadores"], fila_de(libro["Indicadores"], Código="1.1.5"), Dependencia="Secretaría de Hacienda")
    escribir(libro["Reportes"], fila_de(libro["Reportes"], **{"Código del indicador": "3.1.3", "Año": 2024}),
             Estado="Borrador")
    client.force_login(politica["revisora"])

    vista = client.post(reverse("excel_importar"), {"archivo": _subir(guardar(libro))})

    assert vista.status_code == 422
    errores = vista.context["resultado"].errores
    assert {(e.hoja, e.columna) for e in errores} == {
        ("Plan", "Valor"), ("Indicadores", "Dependencia"), ("Reportes", "Estado"),
    }
    assert all(e.fila for e in errores)
    html = vista.content.decode()
    dependencia = next(e for e in errores if e.columna == "Dependencia")
    assert f"<td>Indicadores</td><td>{dependencia.fila}</td><td>Dependencia</td>" in html
    assert "Confirmar" not in html


def test_la_vista_previa_sin_cambios_no_ofrece_confirmar(client, politica, settings, tmp_path, importaciones):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(politica["revisora"])
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(guardar(_exportado_por(politica)))})
    html = vista.content.decode()
    assert vista.status_code == 200
    assert "Sin cambios: el libro coincide con lo que ya está guardado" in html
    assert "Confirmar e importar" not in html and not vista.context["token"]
    assert not list(importaciones.iterdir())


def test_el_estado_de_revision_rechazado_en_la_vista_previa(client, politica, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    libro = _exportado_por(politica)
    ws = libro["Reportes"]
    fila = fila_de(ws, **{"Código del indicador": "3.1.3", "Año": 2024})
    escribir(ws, fila, Estado="Enviado")
    Reporte.objects.filter(indicador__codigo="3.1.3", anio=2024).update(estado="borrador")
    client.force_login(politica["revisora"])
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(guardar(libro))})
    assert vista.status_code == 422
    assert f"<td>Reportes</td><td>{fila}</td><td>Estado</td>" in vista.content.decode()
