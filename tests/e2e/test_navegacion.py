"""End to end in headless Chromium: log in, dashboard, filter, indicator, printable report."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests import factories as f
from tests.e2e.conftest import errores_de_consola
from tests.factories import plan_de_dos_objetivos

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 15).until(lambda d: condicion(d))


def abrir(driver, url: str) -> None:
    driver.get(url)
    assert errores_de_consola(driver) == [], f"Errores de JavaScript en {url}"


def test_funcionario_recorre_tablero_filtro_indicador_e_informe(live_server, navegador):
    plan = plan_de_dos_objetivos(3, publicado=False)
    f.usuario("funcionaria", grupos=("Funcionario",))
    d = navegador

    # Log in through the form, as a person would.
    abrir(d, f"{live_server.url}/cuentas/ingresar/")
    d.find_element(By.ID, "id_username").send_keys("funcionaria")
    d.find_element(By.ID, "id_password").send_keys("clave-de-prueba-123")
    d.find_element(By.CSS_SELECTOR, "form.formulario button[type=submit]").click()
    esperar(d, lambda d: "/cuentas/" not in d.current_url)
    assert "Salir" in d.find_element(By.CSS_SELECTOR, "header.barra").text
    assert errores_de_consola(d) == []

    # Home lists the (unpublished) plan for an official; open its dashboard.
    d.find_element(By.LINK_TEXT, plan.nombre).click()
    esperar(d, lambda d: f"/planes/{plan.codigo}/" in d.current_url)
    assert "Avance del plan al corte 2024-1" in d.page_source
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.grafico")) == 3
    # The history chart is an SVG image served by the app (no CDN): it must actually load.
    esperar(d, lambda d: d.execute_script("const i = document.querySelector('img.grafico'); return i.complete && i.naturalWidth > 0;"))
    assert errores_de_consola(d) == []

    # Filter Anexo 1 by band: the filter lands in the URL and only «bajo» rows remain.
    Select(d.find_element(By.ID, "f-banda")).select_by_value("bajo")
    d.find_element(By.CSS_SELECTOR, "form.filtros button[type=submit]").click()
    esperar(d, lambda d: "banda=bajo" in d.current_url)
    codigos = [td.text for td in d.find_elements(By.CSS_SELECTOR, "table.anexo td.codigo")]
    assert sorted(codigos) == ["1.1.2", "2.1.2"]
    assert errores_de_consola(d) == []

    # Open an indicator from the filtered table.
    d.find_element(By.LINK_TEXT, "1.1.2").click()
    esperar(d, lambda d: "/indicadores/1.1.2/" in d.current_url)
    assert d.find_element(By.TAG_NAME, "h1").text == "Indicador 1.1.2"
    assert "Narrativa 1.1.2" in d.page_source
    assert errores_de_consola(d) == []

    # Back to the plan, then its printable report; the print button is wired without errors.
    d.find_element(By.LINK_TEXT, plan.nombre).click()
    esperar(d, lambda d: "/indicadores/" not in d.current_url)
    d.find_element(By.LINK_TEXT, "Informe de seguimiento").click()
    esperar(d, lambda d: "/informe/" in d.current_url)
    assert "Informe de seguimiento del plan de acción" in d.page_source
    assert len(d.find_elements(By.CSS_SELECTOR, ".narrativa-indicador")) == 6
    d.execute_script("window.print = function () { window.__impreso = true; };")
    d.find_element(By.CSS_SELECTOR, "[data-imprimir]").click()
    assert d.execute_script("return window.__impreso === true;")
    assert errores_de_consola(d) == []


def test_visitante_anonimo_lee_plan_publicado_y_en_celular(live_server, navegador):
    plan = plan_de_dos_objetivos(2, publicado=True)
    d = navegador
    d.set_window_size(390, 844)
    abrir(d, f"{live_server.url}/")
    d.find_element(By.LINK_TEXT, plan.nombre).click()
    esperar(d, lambda d: f"/planes/{plan.codigo}/" in d.current_url)
    assert "Anexo 1" in d.page_source
    # No horizontal scroll of the whole page on a phone: wide tables scroll inside their box.
    ancho = d.execute_script("return document.documentElement.scrollWidth;")
    assert ancho <= 390 + 1
    assert errores_de_consola(d) == []
