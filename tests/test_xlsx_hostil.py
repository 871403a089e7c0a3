"""Every workbook the app produces, downloaded through its page, with hostile text everywhere
(issue 11): formulas, DDE payloads, leading tabs and CRs, control characters, non-characters and
long texts in the plan, its levels, indicators, dependencia, narratives, usernames and reasons.

Each file must open, hold no formula at all (no `<f>` in the XML, no cell of type formula), show
every hostile string as text, with the quote prefix when a spreadsheet could run it once the cell
is edited, and carry no character XML 1.0 forbids. The text the user typed reaches the file as
stored, minus the characters the format cannot hold.
"""

import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from indicadores import services
from indicadores.models import Corte, Indicador, Reporte
from indicadores.permisos import AUDITOR, PLANEADOR, REVISOR
from politicas.models import Nivel
from seguimiento import xlsx
from seguimiento.limites import MAX_NOMBRE, MAX_TEXTO
from tests import factories

pytestmark = pytest.mark.django_db

HIPERVINCULO = '=HYPERLINK("http://127.0.0.1:9/x","Autorizado")'
HOSTILES = [
    HIPERVINCULO,
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=1\n",
    "\x01=HYPERLINK(\"http://127.0.0.1:9/y\")",  # a control character before the formula
    "a\x01b\x0bc\x1fd",
    "\ufffe=2+2",
    "_x003D_1+1",  # «=1+1» once Excel reads its own escape
    "=cmd|' /C calc'!A0",  # DDE
]
# Long texts as long as the bounds allow (seguimiento.limites), starting like a formula.
NOMBRE_LARGO = ("=" + "x" * MAX_NOMBRE)[:MAX_NOMBRE]
TEXTO_LARGO = ("=" + "y" * MAX_TEXTO)[:MAX_TEXTO]
_PROHIBIDOS_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
ANIO = datetime.date.today().year


def limpio(texto: str) -> str:
    """What a cell must hold for a stored text: the characters XML forbids dropped."""
    return _PROHIBIDOS_XML.sub("", texto)


@pytest.fixture
def escena(django_user_model):
    """A published plan whose every user text is hostile, with an open cut this year (for the
    templates), a closed cut last December corrected by the administrator, and a history of
    drafts, returns and the administrator's correction with a hostile reason."""
    entidad = factories.entidad(nombre="@SUM(A1) entidad")
    dep = factories.dependencia(entidad=entidad, nombre=HIPERVINCULO)
    plan = factories.plan(
        codigo="hostil", nombre="\x01" + HIPERVINCULO, entidad=entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 1,
        nombres_niveles="=1+1, @SUM(A1)", documento="-1+2", objetivo=TEXTO_LARGO, dependencia_lider=dep,
        publicado=True,
    )
    raiz = factories.nivel(plan=plan, codigo="1", nombre="+1 nivel", peso=Decimal(100))
    indicadores = []
    for k, hostil in enumerate(HOSTILES + [NOMBRE_LARGO], start=1):
        nivel = Nivel.objects.create(plan=plan, padre=raiz, codigo=f"1.{k}", nombre=hostil)
        indicadores.append(factories.indicador(
            plan=plan, nivel=nivel, dependencia=dep, codigo=f"H-{k}", nombre=hostil, producto=hostil,
            fuente=hostil[:200], tipo_anualizacion="suma", metas={ANIO - 1: "2", ANIO: "2"},
        ))
    planeador = factories.usuario(HIPERVINCULO, grupos=(PLANEADOR,), dependencias=[dep], is_staff=True)
    revisor = factories.usuario("revisora", grupos=(REVISOR,), is_staff=True, first_name="-1+2", last_name="\x1f")
    auditor = factories.usuario("auditora", grupos=(AUDITOR,), is_staff=True, first_name="=cmd|' /C calc'!A0")
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "clave-de-prueba-123")

    # Last year's reports, approved, then the December cut closed: the administrator corrects a
    # frozen report and re-publishes the cut, each time with a hostile reason.
    diciembre = Corte.objects.create(plan=plan, anio=ANIO - 1, semestre=2)
    for ind in indicadores[:3]:
        Reporte.objects.create(indicador=ind, anio=ANIO - 1, periodo=1, valor=Decimal(1), estado="aprobado",
                               observaciones=HOSTILES[1])
    services.corte_cerrar(corte=diciembre, usuario=revisor)
    congelado = Reporte.objects.get(indicador=indicadores[0], anio=ANIO - 1)
    services.reporte_registrar(
        indicador=indicadores[0], anio=ANIO - 1, periodo=1, valor=Decimal(2), usuario=admin,
        observaciones="=2+2 corregido", version_esperada=congelado.version, motivo=HIPERVINCULO,
    )
    services.corte_corregir_cifras(corte=diciembre, usuario=admin, motivo="@SUM(A1) acta del comité")

    # This year's reports by the planner, with hostile narratives; one sent and returned.
    junio = Corte.objects.create(plan=plan, anio=ANIO, semestre=1)
    narrativas = HOSTILES + [TEXTO_LARGO]
    for k, ind in enumerate(indicadores):
        services.reporte_registrar(
            indicador=ind, anio=ANIO, periodo=1, valor=Decimal(1), usuario=planeador,
            observaciones=narrativas[k % len(narrativas)], plan_de_choque=narrativas[(k + 1) % len(narrativas)],
        )
    enviado = services.reporte_enviar(
        reporte=Reporte.objects.get(indicador=indicadores[1], anio=ANIO), usuario=planeador
    )
    services.reporte_devolver(reporte=enviado, usuario=revisor, comentario="\t=1 devuelto")
    return {
        "plan": plan, "dep": dep, "indicadores": indicadores, "raiz": raiz, "junio": junio, "diciembre": diciembre,
        "planeador": planeador, "revisor": revisor, "auditor": auditor, "admin": admin,
    }


# --- Reading a downloaded workbook ---------------------------------------------------------


def _descargar(client, url: str, params: dict | None = None) -> bytes:
    respuesta = client.get(url, params or {})
    assert respuesta.status_code == 200, (url, params, respuesta.status_code)
    assert respuesta["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return b"".join(respuesta.streaming_content) if respuesta.streaming else respuesta.content


def _estilos_con_comilla(partes: dict[str, str]) -> list[bool]:
    """For each cell style index of styles.xml, whether it carries quotePrefix."""
    raiz = ET.fromstring(partes["xl/styles.xml"])
    return [xf.get("quotePrefix") == "1" for xf in raiz.find("m:cellXfs", _NS)]


def revisar(contenido: bytes) -> list[str]:
    """Check one workbook, raw and through openpyxl; return every text its cells hold."""
    with zipfile.ZipFile(io.BytesIO(contenido)) as archivo:
        assert archivo.testzip() is None
        partes = {n: archivo.read(n).decode("utf-8") for n in archivo.namelist()}
    textos_xml = []
    comillas = _estilos_con_comilla(partes)
    for nombre, xml in partes.items():
        assert not _PROHIBIDOS_XML.search(xml), f"{nombre} lleva un carácter que XML no admite"
        raiz = ET.fromstring(xml)  # well-formed
        if not nombre.startswith("xl/worksheets/"):
            continue
        assert not raiz.findall(".//m:f", _NS), f"{nombre} lleva una fórmula"
        for celda in raiz.iter(f"{{{_NS['m']}}}c"):
            assert celda.get("t") not in ("f", "str", "e"), (nombre, celda.get("r"), celda.get("t"))
            if celda.get("t") != "inlineStr":
                continue
            texto = "".join(t.text or "" for t in celda.iter(f"{{{_NS['m']}}}t"))
            textos_xml.append(texto)
            if xlsx.parece_formula(texto):
                estilo = int(celda.get("s", 0))
                assert comillas[estilo], f"{nombre} {celda.get('r')}: «{texto[:40]}» sin prefijo de comilla"
    libro = openpyxl.load_workbook(io.BytesIO(contenido))
    textos = []
    for ws in libro.worksheets:
        assert len(ws.title) <= 31 and not re.search(r"[\[\]:*?/\\]", ws.title)
        for fila in ws.iter_rows():
            for c in fila:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    textos.append(c.value)
                    if xlsx.parece_formula(c.value):
                        assert c.quotePrefix, (ws.title, c.coordinate, c.value[:40])
    assert sorted(textos) == sorted(t for t in textos_xml if t)  # openpyxl reads what the XML holds
    creador = ET.fromstring(partes["docProps/core.xml"]).find("{http://purl.org/dc/elements/1.1/}creator").text
    assert creador and not _PROHIBIDOS_XML.search(creador)
    return textos


def _aparece(esperado: str, textos: list[str]) -> bool:
    return any(limpio(esperado) in t for t in textos)


def _falta(esperados, textos: list[str]) -> list[str]:
    return [e[:40] for e in esperados if not _aparece(e, textos)]


# --- The follow-up export -------------------------------------------------------------------


@pytest.mark.parametrize(
    "filtros",
    [{}, {"banda": "bajo"}, {"dependencia": "DEP"}, {"nivel": "NIVEL"}, {"orden": "nombre"}],
    ids=["sin-filtros", "banda", "dependencia", "nivel", "orden"],
)
def test_la_exportacion_del_plan_muestra_todo_texto_hostil_como_texto(client, escena, filtros):
    filtros = {k: {"DEP": str(escena["dep"].pk), "NIVEL": str(escena["raiz"].pk)}.get(v, v) for k, v in filtros.items()}
    client.force_login(escena["auditor"])
    url = reverse("exportar_plan", args=[escena["plan"].codigo])
    textos = revisar(_descargar(client, url, {"corte": escena["junio"].clave, **filtros}))
    esperados = [escena["plan"].nombre, escena["dep"].nombre, "=1+1", "@SUM(A1)", "-1+2", TEXTO_LARGO,
                 "=cmd|' /C calc'!A0"]
    if not filtros.get("banda"):  # no report is in «bajo»: the sheets of rows are empty then
        esperados += HOSTILES + [NOMBRE_LARGO]
    assert _falta(esperados, textos) == []
    libro = openpyxl.load_workbook(io.BytesIO(_descargar(client, url, {"corte": escena["junio"].clave, **filtros})))
    assert libro["Plan"]["B3"].value == limpio(escena["plan"].nombre) and libro["Plan"]["B3"].quotePrefix
    assert libro["Indicadores"]["B1"].value == "=1+1" and libro["Indicadores"]["B1"].quotePrefix  # a level's name


def test_la_exportacion_del_corte_corregido_lleva_el_motivo_como_texto(client, escena):
    client.force_login(escena["auditor"])
    url = reverse("exportar_plan", args=[escena["plan"].codigo])
    textos = revisar(_descargar(client, url, {"corte": escena["diciembre"].clave}))
    assert _aparece("«@SUM(A1) acta del comité»", textos)
    assert _aparece("=2+2 corregido", textos) and _aparece(HOSTILES[1], textos)


def test_la_exportacion_anonima_del_plan_publicado(client, escena):
    url = reverse("exportar_plan", args=[escena["plan"].codigo])
    textos = revisar(_descargar(client, url, {"corte": escena["junio"].clave}))
    assert _aparece(escena["plan"].nombre, textos) and _aparece(NOMBRE_LARGO, textos)


# --- The templates ----------------------------------------------------------------------------


def test_la_plantilla_de_avance_del_planeador_muestra_el_plan_y_sus_textos_como_texto(client, escena):
    client.force_login(escena["planeador"])
    url = reverse("excel_plantilla_avance", args=[escena["plan"].codigo])
    contenido = _descargar(client, url, {"corte": escena["junio"].clave})
    textos = revisar(contenido)
    assert _falta(HOSTILES + [NOMBRE_LARGO, TEXTO_LARGO, escena["dep"].nombre], textos) == []
    plan = openpyxl.load_workbook(io.BytesIO(contenido))["Plan"]
    # The plan's name, typed with a control character before «=HYPERLINK»: the character is
    # dropped and the rest is text with the quote prefix, never a link.
    assert (plan["A3"].value, plan["B3"].value) == ("Nombre", HIPERVINCULO)
    assert plan["B3"].data_type == "s" and plan["B3"].quotePrefix and plan["B3"].hyperlink is None


def test_la_plantilla_de_avance_del_administrador_del_ultimo_corte(client, escena):
    client.force_login(escena["admin"])
    url = reverse("excel_plantilla_avance", args=[escena["plan"].codigo])
    textos = revisar(_descargar(client, url))
    assert _aparece(escena["plan"].nombre, textos)


def test_la_plantilla_de_plan_se_descarga_limpia(client, escena):
    client.force_login(escena["planeador"])
    textos = revisar(_descargar(client, reverse("excel_plantilla_plan"), {"anio_inicio": "2024", "anio_fin": "2027"}))
    assert "Meta 2027" in textos


# --- The audit export ---------------------------------------------------------------------------


@pytest.mark.parametrize("filtro", ["ninguno", "plan", "planeador", "administrador", "fechas", "filtro-no-valido"])
def test_la_auditoria_en_excel_muestra_usuarios_motivos_y_comentarios_como_texto(client, escena, filtro):
    hoy = datetime.date.today()
    params = {
        "ninguno": {},
        "plan": {"plan": escena["plan"].pk},
        "planeador": {"usuario": escena["planeador"].pk},
        "administrador": {"usuario": escena["admin"].pk},
        "fechas": {"desde": (hoy - datetime.timedelta(days=1)).isoformat(), "hasta": hoy.isoformat()},
        "filtro-no-valido": {"desde": "=1+1", "usuario": "@SUM(A1)"},
    }[filtro]
    client.force_login(escena["auditor"])
    assert reverse("auditoria_excel") == "/seguimiento/auditoria/excel/"
    contenido = _descargar(client, reverse("auditoria_excel"), params)
    textos = revisar(contenido)
    ws = openpyxl.load_workbook(io.BytesIO(contenido))["Auditoría"]
    filas = list(ws.iter_rows(min_row=2, values_only=True))
    usuarios = {f[1] for f in filas}
    motivos = {f[7] for f in filas if f[7]}
    if filtro != "administrador":  # the planner's drafts, with their hostile narratives
        assert limpio(HIPERVINCULO) in usuarios
        assert _falta(HOSTILES[:4] + [TEXTO_LARGO[:200]], textos) == []
    if filtro not in ("administrador", "planeador"):  # the reviewer's return, with its comment
        assert "-1+2" in usuarios and _aparece("=1 devuelto", textos)
    if filtro != "planeador":  # the administrator's reasons, recorded as text
        assert HIPERVINCULO in motivos and "@SUM(A1) acta del comité" in motivos
    assert all(ws.cell(row=r, column=8).quotePrefix for r in range(2, ws.max_row + 1)
               if xlsx.parece_formula(ws.cell(row=r, column=8).value or ""))


def test_un_caracter_de_control_en_un_avance_no_rompe_ninguna_descarga(client, escena):
    """The issue's case: a planner saves «avance\\u0001…» and the audit export and the planner's
    template kept answering 500 for every filter."""
    ind = escena["indicadores"][0]
    reporte = Reporte.objects.get(indicador=ind, anio=ANIO)
    services.reporte_registrar(
        indicador=ind, anio=ANIO, periodo=1, valor=Decimal(3), usuario=escena["planeador"],
        observaciones="avance\u0001 con\u000b control\u001f", version_esperada=reporte.version,
    )
    client.force_login(escena["auditor"])
    assert _aparece("avance con control", revisar(_descargar(client, reverse("auditoria_excel"))))
    client.force_login(escena["planeador"])
    url = reverse("excel_plantilla_avance", args=["hostil"])
    assert "avance con control" in revisar(_descargar(client, url, {"corte": escena["junio"].clave}))


def test_los_textos_hostiles_quedaron_guardados_tal_cual(escena):
    """The scene proves something only if the hostile texts reached the database unchanged."""
    assert Indicador.objects.filter(nombre="\x01=HYPERLINK(\"http://127.0.0.1:9/y\")").exists()
    assert Nivel.objects.filter(nombre="\r=1").exists() and Nivel.objects.filter(nombre="\t=1").exists()
    assert Reporte.objects.filter(observaciones="a\x01b\x0bc\x1fd").exists()
