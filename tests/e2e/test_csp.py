"""End to end in headless Chromium, on the demo: with the Content-Security-Policy enforced (no
inline script or style, issue 11), every kind of page loads without a single violation in the
console, and what runs in the browser still works: the print button, the admin's inline rows,
the review buttons, Swagger UI (which must load its start-up script and call the API)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from indicadores.models import Corte, Indicador, Reporte
from tests.e2e.conftest import errores_de_consola

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOGOTA = "bogota-conpes-29"


def clave(usuario: str) -> str:
    return f"demo-{usuario}-2024"  # indicadores/demo/usuarios.py


@pytest.fixture
def demo(settings):
    assert settings.DEMO_PERMITIDA
    call_command("cargar_demo", verbosity=0)


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 20).until(lambda d: condicion(d))


class Recorrido:
    """Visits pages and keeps, per URL, every SEVERE console entry (CSP violations included), so
    one failure lists all the pages that break the policy, not just the first."""

    def __init__(self, driver, live_server):
        self.d, self.base, self.errores, self.visitadas = driver, live_server.url, {}, []

    def abrir(self, ruta: str, *, espera: str | None = None) -> None:
        self.d.get(self.base + ruta)
        esperar(self.d, lambda d: d.execute_script("return document.readyState") == "complete")
        if espera:
            esperar(self.d, lambda d: d.find_elements(By.CSS_SELECTOR, espera))
        self.visitadas.append(ruta)
        self.revisar(ruta)

    def revisar(self, donde: str) -> None:
        errores = errores_de_consola(self.d)
        if errores:
            self.errores.setdefault(donde, []).extend(errores)

    def ingresar(self, usuario: str) -> None:
        self.d.delete_all_cookies()
        self.abrir("/admin/login/")
        self.d.find_element(By.ID, "id_username").send_keys(usuario)
        self.d.find_element(By.ID, "id_password").send_keys(clave(usuario))
        self.d.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
        esperar(self.d, lambda d: "/admin/login/" not in d.current_url)
        self.revisar(f"ingreso de {usuario}")


def test_lo_que_la_politica_bloquea_aparece_en_la_consola(live_server, navegador):
    # The checks below are only worth something if the console shows what the policy blocks:
    # a <style> element, a style= attribute and an inline <script>, each refused and logged.
    d = navegador
    d.get(f"{live_server.url}/cuentas/ingresar/")
    assert errores_de_consola(d) == []
    d.execute_script("""
        const s = document.createElement('style'); s.textContent = 'body { color: rgb(255, 0, 0) }'; document.head.append(s);
        document.body.insertAdjacentHTML('beforeend', '<p id="hostil" style="color: rgb(0, 0, 255)">x</p>');
        const js = document.createElement('script'); js.textContent = 'window.__ejecutado = true;'; document.body.append(js);
    """)
    errores = errores_de_consola(d)
    assert sum("Content Security Policy" in e and "inline style" in e for e in errores) == 2, errores
    assert sum("Content Security Policy" in e and "inline script" in e for e in errores) == 1, errores
    assert d.execute_script("return getComputedStyle(document.body).color") != "rgb(255, 0, 0)"
    assert d.execute_script("return getComputedStyle(document.getElementById('hostil')).color") != "rgb(0, 0, 255)"
    assert d.execute_script("return window.__ejecutado === undefined")


def test_paginas_publicas_y_de_consulta_sin_violaciones(live_server, navegador, demo):
    r = Recorrido(navegador, live_server)
    indicador = Indicador.objects.get(plan__codigo=BOGOTA, codigo="3.1.1")

    # Anonymous: home, the public dashboard (with its charts), an indicator, the printable reports.
    r.abrir("/", espera="main")
    r.abrir(reverse("tablero", args=[BOGOTA]), espera="svg.grafico")
    esperar(navegador, lambda d: d.execute_script(
        "const i = document.querySelector('img.grafico'); return !i || (i.complete && i.naturalWidth > 0);"))
    r.abrir(reverse("indicador", args=[BOGOTA, "3.1.1"]), espera="h1")
    for nombre in ("informe_seguimiento", "informe_indicadores", "informe_semestral"):
        r.abrir(reverse(nombre, args=[BOGOTA]), espera="main")
    # The print button (static/js/imprimir.js) still answers a click.
    navegador.execute_script("window.print = function () { window.__impreso = true; };")
    navegador.find_element(By.CSS_SELECTOR, "[data-imprimir]").click()
    assert navegador.execute_script("return window.__impreso === true;")
    r.abrir(reverse("login"), espera="#id_username")

    # An official through the site's login form: the plan dashboard as they see it.
    navegador.find_element(By.ID, "id_username").send_keys("funcionario")
    navegador.find_element(By.ID, "id_password").send_keys(clave("funcionario"))
    navegador.find_element(By.CSS_SELECTOR, "form.formulario button[type=submit]").click()
    esperar(navegador, lambda d: "/cuentas/" not in d.current_url)
    r.revisar("ingreso del funcionario")
    r.abrir(reverse("tablero", args=[BOGOTA]), espera="svg.grafico")

    # The auditor: the audit pages.
    r.ingresar("auditor")
    r.abrir(reverse("auditoria"), espera="main")
    r.abrir(reverse("auditoria_indicador", args=[indicador.pk]), espera="main")

    assert r.errores == {}, r.errores
    assert len(r.visitadas) == 11


def test_admin_sin_violaciones_y_su_javascript_funciona(live_server, navegador, demo):
    r = Recorrido(navegador, live_server)
    indicador = Indicador.objects.get(plan__codigo=BOGOTA, codigo="3.1.1")
    corte = Corte.objects.get(plan__codigo=BOGOTA, estado=Corte.Estado.ABIERTO)
    enviado = Reporte.objects.get(indicador=indicador, anio=2024)
    Reporte.objects.filter(pk=enviado.pk).update(estado=Reporte.Estado.ENVIADO)

    # The planner: the admin index, lists without actions, and the indicator page with its inlines.
    r.ingresar("planeador")
    r.abrir(reverse("admin:index"), espera="#seguimiento-atajos")
    r.abrir(reverse("admin:indicadores_indicador_changelist"), espera="#changelist")
    r.abrir(reverse("admin:indicadores_corte_changelist"), espera="#changelist")
    r.abrir(reverse("admin:indicadores_indicador_change", args=[indicador.pk]), espera="#reportes-group")
    # The admin's own JavaScript (inlines.js) adds a row; the page's stylesheet (no longer inline)
    # lays the reports table out in fixed columns.
    filas = len(navegador.find_elements(By.CSS_SELECTOR, "#reportes-group tr.form-row"))
    navegador.find_element(By.CSS_SELECTOR, "#reportes-group tr.add-row a").click()
    esperar(navegador, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#reportes-group tr.form-row")) == filas + 1)
    assert navegador.execute_script(
        "return getComputedStyle(document.querySelector('#reportes-group table')).tableLayout") == "fixed"
    r.revisar("fila agregada")
    r.abrir(reverse("excel_inicio"), espera="#content")

    # The planning office: the review queue and page, the cut and its close confirmation,
    # compliance and the history of a change.
    r.ingresar("revisor")
    r.abrir(reverse("admin:indicadores_reporte_changelist") + "?estado__exact=enviado", espera="#result_list")
    r.abrir(reverse("admin:indicadores_reporte_change", args=[enviado.pk]), espera="#para-decidir")
    assert navegador.find_element(By.CSS_SELECTOR, "#revision button[form=form-aprobar]").is_displayed()
    assert navegador.execute_script(
        "return getComputedStyle(document.querySelector('#para-decidir td')).whiteSpace") == "pre-line"
    r.abrir(reverse("admin:indicadores_corte_changelist"), espera="#changelist")
    r.abrir(reverse("admin:indicadores_corte_change", args=[corte.pk]), espera="#content")
    r.abrir(reverse("admin:indicadores_corte_cerrar", args=[corte.pk]), espera="form")
    r.abrir(reverse("cumplimiento"), espera="main")

    # The administrator: every list of the index, the change history.
    r.ingresar("admin")
    r.abrir(reverse("admin:index"), espera="#content-main")
    listas = [a.get_attribute("href") for a in navegador.find_elements(By.CSS_SELECTOR, "#content-main th[scope=row] a")]
    assert len(listas) >= 8
    for href in listas:
        r.abrir(href.removeprefix(live_server.url), espera="#changelist")
    r.abrir(reverse("admin:indicadores_indicador_history", args=[indicador.pk]), espera="#change-history")
    r.abrir(reverse("admin:indicadores_indicador_add"), espera="form")
    # The sidebar toggle (nav_sidebar.js) still works.
    r.abrir(reverse("admin:indicadores_indicador_changelist"), espera="#toggle-nav-sidebar")
    abierta = navegador.execute_script("return document.querySelector('#main').classList.contains('shifted')")
    navegador.find_element(By.ID, "toggle-nav-sidebar").click()
    esperar(navegador, lambda d: d.execute_script(
        "return document.querySelector('#main').classList.contains('shifted')") != abierta)
    r.revisar("menú lateral")

    assert r.errores == {}, r.errores


def test_swagger_ui_se_dibuja_y_llama_a_la_api(live_server, navegador, demo):
    r = Recorrido(navegador, live_server)
    r.abrir("/api/v1/docs/", espera=".swagger-ui .info .title")
    # The start-up script came as its own request: the operations of the schema are listed.
    esperar(navegador, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) >= 10)
    assert "Seguimiento API" in navegador.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text
    # Try it out: GET /api/v1/planes/ from the page, through connect-src 'self'.
    operacion = navegador.find_element(By.ID, "operations-planes-planes_list")
    operacion.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    esperar(navegador, lambda d: operacion.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
    operacion.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    operacion.find_element(By.CSS_SELECTOR, ".execute").click()
    estado = ".live-responses-table tbody .response-col_status"
    esperar(navegador, lambda d: operacion.find_elements(By.CSS_SELECTOR, estado))
    assert operacion.find_element(By.CSS_SELECTOR, estado).text.strip().startswith("200")
    assert BOGOTA in operacion.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_description").text
    r.revisar("Swagger UI: probar GET /api/v1/planes/")
    assert r.errores == {}, r.errores

    # The API itself, opened in the browser: JSON, not DRF's browsable pages with inline styles.
    for ruta in ("/api/v1/", "/api/v1/planes/"):
        navegador.get(live_server.url + ruta)
        assert navegador.find_element(By.TAG_NAME, "body").text.lstrip().startswith("{"), ruta
        # Chrome asks a JSON document for /favicon.ico, which the app does not serve.
        errores = [e for e in errores_de_consola(navegador) if "/favicon.ico" not in e]
        assert errores == [], (ruta, errores)
