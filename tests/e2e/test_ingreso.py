"""End to end in headless Chromium (issue 11): wrong passwords on the admin's login form until
the lockout page appears, and an administrator's login with the TOTP code typed into the form."""

import pytest
from django_otp.oath import totp
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from seguimiento.ingreso import inscribir_totp
from tests import factories as f
from tests.e2e.conftest import errores_de_consola

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLAVE = "clave-de-prueba-123"


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 15).until(lambda d: condicion(d))


def enviar_ingreso(driver, live_server, usuario: str, clave: str, codigo: str | None = None) -> None:
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys(usuario)
    driver.find_element(By.ID, "id_password").send_keys(clave)
    if codigo is not None:
        driver.find_element(By.ID, "id_otp_token").send_keys(codigo)
    driver.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    esperar(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def test_contrasenas_equivocadas_hasta_el_bloqueo(live_server, navegador, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 15 / 60
    f.usuario("ana", is_staff=True)
    d = navegador

    intentos = 0
    while "Ingreso bloqueado" not in d.page_source and intentos < 10:
        intentos += 1
        enviar_ingreso(d, live_server, "ana", f"equivocada-{intentos}")
        # Chromium logs the 429 of the lockout page itself; nothing else may fail.
        assert [e for e in errores_de_consola(d) if "429" not in e] == []
    assert intentos == 5
    assert d.find_element(By.TAG_NAME, "h1").text == "Ingreso bloqueado temporalmente"
    assert "Espere 15 minutos" in d.find_element(By.ID, "mensaje-bloqueo").text

    # The right password does not open it during the lockout.
    enviar_ingreso(d, live_server, "ana", CLAVE)
    assert "Ingreso bloqueado" in d.page_source
    d.get(f"{live_server.url}/admin/")
    assert "/admin/login/" in d.current_url


def test_administrador_ingresa_con_el_codigo_de_verificacion(live_server, navegador, settings):
    settings.SEGUIMIENTO_2FA = True
    f.usuario("jefa", is_staff=True, is_superuser=True)
    device = inscribir_totp("jefa")
    d = navegador

    # Without the code the form says what is missing and does not let her in.
    enviar_ingreso(d, live_server, "jefa", CLAVE, codigo="")
    assert "/admin/login/" in d.current_url
    assert "exige el código de verificación" in d.find_element(By.CSS_SELECTOR, ".errornote").text
    assert errores_de_consola(d) == []

    codigo = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    enviar_ingreso(d, live_server, "jefa", CLAVE, codigo=codigo)
    esperar(d, lambda d: "/admin/login/" not in d.current_url)
    d.get(f"{live_server.url}/admin/")
    assert d.find_element(By.ID, "site-name").text == "Seguimiento a planes y políticas"
    assert d.find_element(By.CSS_SELECTOR, "#seguimiento-atajos h2").text == "Seguimiento"
    assert errores_de_consola(d) == []
