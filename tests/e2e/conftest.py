"""Headless Chromium for the end-to-end tests (Debian's chromium and chromium-driver).

`scripts/instalar_chromium.sh` installs them; without them these tests fail with that hint
instead of being skipped. Every page load is checked for JavaScript errors in the console.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def navegador():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Faltan chromium y chromium-driver: ejecute scripts/instalar_chromium.sh")
    perfil = tempfile.mkdtemp(prefix="seguimiento-e2e-")
    opciones = webdriver.ChromeOptions()
    opciones.binary_location = CHROMIUM
    for bandera in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--window-size=1280,1000", f"--user-data-dir={perfil}",
    ):
        opciones.add_argument(bandera)
    opciones.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path keeps Selenium Manager from looking for one on the network.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opciones)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(perfil, ignore_errors=True)


def errores_de_consola(driver) -> list[str]:
    """SEVERE console entries since the last call (JavaScript errors, failed resources)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
