"""End to end in headless Chromium, on the demo: a planner's untouched save changes nothing; a
planner's correction of an approved value stays a proposal (the public dashboard keeps the official
figure) until the reviewer, who sees before → after on the review page, approves it."""

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from indicadores.models import Reporte
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef
from seguimiento.numeros import formato_porcentaje
from tests.e2e.conftest import errores_de_consola

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOGOTA = "bogota-conpes-29"
CIFRA_OFICIAL = "43,92 %"  # the Bogotá plan's avance at 2024-1 (SPEC §6)
CLAVES = {"planeador": "demo-planeador-2024", "revisor": "demo-revisor-2024"}


@pytest.fixture
def demo_cargada(settings):
    """The demo plans and users (`cargar_demo` runs in development, as the suite's settings are)."""
    assert settings.DEMO_PERMITIDA
    call_command("cargar_demo", verbosity=0)


@pytest.fixture
def reporte_3_1_1(demo_cargada) -> Reporte:
    """Bogotá 3.1.1's approved 2024 report, whose observaciones have several lines."""
    reporte = Reporte.objects.select_related("indicador").get(
        indicador__plan__codigo=BOGOTA, indicador__codigo="3.1.1", anio=2024
    )
    assert reporte.estado == Reporte.Estado.APROBADO and "\n" in reporte.observaciones
    return reporte


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 15).until(lambda d: condicion(d))


def abrir(driver, url: str) -> None:
    driver.get(url)
    assert errores_de_consola(driver) == [], f"Errores de JavaScript en {url}"


def ingresar(driver, live_server, usuario: str) -> None:
    """Log in through the admin's login form, as a person would (after leaving any session)."""
    driver.delete_all_cookies()
    abrir(driver, f"{live_server.url}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys(usuario)
    driver.find_element(By.ID, "id_password").send_keys(CLAVES[usuario])
    driver.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    esperar(driver, lambda d: "/admin/login/" not in d.current_url)


def cifra_publica(driver, live_server) -> str:
    """The plan's avance on the public dashboard, read anonymously."""
    driver.delete_all_cookies()
    abrir(driver, f"{live_server.url}/planes/{BOGOTA}/")
    return driver.find_element(By.XPATH, "//dt[text()='Avance acumulado']/following-sibling::dd").text


def fila_del_reporte(driver, reporte: Reporte) -> str:
    """The inline prefix («reportes-1») of the report's row on the indicator page."""
    campo_id = driver.find_element(By.CSS_SELECTOR, f"#reportes-group input[name$='-id'][value='{reporte.pk}']")
    return campo_id.get_attribute("name").removesuffix("-id")


def grabar_y_continuar(driver) -> None:
    driver.find_element(By.NAME, "_continue").click()
    esperar(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist, .errornote"))
    assert not driver.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist"), driver.find_element(
        By.ID, "content"
    ).text[:2000]


def test_planeador_guarda_sin_cambios_un_indicador_con_observaciones_de_varias_lineas(
    live_server, navegador, reporte_3_1_1
):
    d = navegador
    historial = reporte_3_1_1.history.count()
    ingresar(d, live_server, "planeador")
    abrir(d, f"{live_server.url}/admin/indicadores/indicador/{reporte_3_1_1.indicador_id}/change/")
    prefijo = fila_del_reporte(d, reporte_3_1_1)
    caja = d.find_element(By.NAME, f"{prefijo}-observaciones")
    assert "\n" in caja.get_attribute("value")  # the browser will send it back as CRLF
    grabar_y_continuar(d)
    assert errores_de_consola(d) == []

    despues = Reporte.objects.get(pk=reporte_3_1_1.pk)
    assert (despues.estado, despues.version, despues.valor_oficial) == (
        Reporte.Estado.APROBADO, reporte_3_1_1.version, None
    )
    assert despues.observaciones == reporte_3_1_1.observaciones
    assert reporte_3_1_1.history.count() == historial  # no row in the audit trail
    assert cifra_publica(d, live_server) == CIFRA_OFICIAL


def test_correccion_de_un_aprobado_queda_oficial_hasta_que_la_revisora_la_aprueba(
    live_server, navegador, reporte_3_1_1
):
    d = navegador
    # The planner corrects 0,33 → 0,5 and sends it to review from the indicator page.
    ingresar(d, live_server, "planeador")
    abrir(d, f"{live_server.url}/admin/indicadores/indicador/{reporte_3_1_1.indicador_id}/change/")
    prefijo = fila_del_reporte(d, reporte_3_1_1)
    valor = d.find_element(By.NAME, f"{prefijo}-valor")
    assert valor.get_attribute("value") == "0,33"
    valor.clear()
    valor.send_keys("0,5")
    d.find_element(By.NAME, f"{prefijo}-enviar").click()
    grabar_y_continuar(d)
    corregido = Reporte.objects.get(pk=reporte_3_1_1.pk)
    assert (corregido.estado, corregido.valor_publicado) == (Reporte.Estado.ENVIADO, reporte_3_1_1.valor)

    # The public keeps the official figure while the correction waits for review.
    assert cifra_publica(d, live_server) == CIFRA_OFICIAL

    # The reviewer opens the review page from the queue, sees before → after and approves.
    ingresar(d, live_server, "revisor")
    abrir(d, f"{live_server.url}/admin/indicadores/reporte/?estado__exact=enviado")
    d.find_element(By.LINK_TEXT, "3.1.1").click()
    esperar(d, lambda d: d.find_elements(By.ID, "para-decidir"))
    assert errores_de_consola(d) == []
    avance = d.find_element(By.XPATH, "//table[@id='antes-despues']//tr[th[starts-with(normalize-space(), 'Avance')]]")
    assert avance.find_element(By.CSS_SELECTOR, "td.antes").text == "0,33"
    assert avance.find_element(By.CSS_SELECTOR, "td.despues").text == "0,5"
    al_aprobar = d.find_element(By.CSS_SELECTOR, "#cifras-al-aprobar tr.al-aprobar").text
    assert "62,5 %" in al_aprobar  # 0,5 of the 0,8 target
    d.find_element(By.CSS_SELECTOR, "button[form='form-aprobar']").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    assert "Reporte 3.1.1 2024 aprobado" in d.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert errores_de_consola(d) == []

    aprobado = Reporte.objects.get(pk=reporte_3_1_1.pk)
    assert (aprobado.estado, aprobado.valor_publicado, aprobado.en_correccion) == (
        Reporte.Estado.APROBADO, aprobado.valor, False
    )
    nueva = formato_porcentaje(
        plan_resultados(plan=aprobado.indicador.plan, corte=CorteRef(2024, 1)).total.avance, 2
    )
    assert nueva != CIFRA_OFICIAL
    assert cifra_publica(d, live_server) == nueva


def test_pagina_de_revision_muestra_antes_y_despues_y_devolver_deja_el_aprobado(
    live_server, navegador, reporte_3_1_1
):
    from django.contrib.auth import get_user_model

    from indicadores import services

    planeador = get_user_model().objects.get(username="planeador")
    nuevo_texto = "Se aplicó la encuesta en 3 localidades.\nFalta la de Suba."
    corregido = services.reporte_registrar(
        indicador=reporte_3_1_1.indicador, anio=2024, periodo=1, valor=reporte_3_1_1.valor, usuario=planeador,
        observaciones=nuevo_texto, plan_de_choque=reporte_3_1_1.plan_de_choque,
        version_esperada=reporte_3_1_1.version,
    )
    services.reporte_enviar(reporte=corregido, usuario=planeador, version_esperada=corregido.version)

    d = navegador
    ingresar(d, live_server, "revisor")
    abrir(d, f"{live_server.url}/admin/indicadores/reporte/{reporte_3_1_1.pk}/change/")
    panel = d.find_element(By.ID, "para-decidir")
    assert "Meta de 2024" in panel.text and "0,8" in panel.text
    filas = {
        fila.find_element(By.TAG_NAME, "th").text: (
            fila.find_element(By.CSS_SELECTOR, "td.antes").text, fila.find_element(By.CSS_SELECTOR, "td.despues").text
        )
        for fila in d.find_elements(By.CSS_SELECTOR, "#antes-despues tbody tr")
    }
    assert filas["Avance (sin cambio)"] == ("0,33", "0,33")
    antes, despues = filas["Observaciones"]
    assert antes.startswith("El modelo de operación integra") and despues == nuevo_texto
    assert "Plan de choque (sin cambio)" in filas
    oficial = d.find_element(By.CSS_SELECTOR, "#cifras-al-aprobar tr.oficial").text
    assert "41,25 %" in oficial and "Cumplimiento bajo" in oficial
    assert "requiere un plan de choque, y el reporte lo trae" in d.find_element(By.ID, "plan-de-choque").text

    d.find_element(By.ID, "id_comentario").send_keys("Confirme con el acta de Suba.")
    d.find_element(By.CSS_SELECTOR, "button[form='form-devolver']").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    assert "devuelto al planeador" in d.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    devuelto = Reporte.objects.get(pk=reporte_3_1_1.pk)
    assert (devuelto.estado, devuelto.observaciones_publicadas) == (
        Reporte.Estado.DEVUELTO, reporte_3_1_1.observaciones
    )
    assert cifra_publica(d, live_server) == CIFRA_OFICIAL
