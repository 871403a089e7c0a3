"""End to end in headless Chromium: an observación has a maximum on the indicator page (issue 11).
The browser stops typing at it (`maxlength`), and a longer text sent anyway (a script, a pasted
value the browser let through) is refused by the server with both figures, nothing saved."""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from indicadores.models import Reporte
from indicadores.permisos import PLANEADOR
from seguimiento.limites import MAX_TEXTO
from tests import factories as f
from tests.e2e.conftest import errores_de_consola

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 15).until(lambda d: condicion(d))


@pytest.fixture
def reporte_aprobado() -> Reporte:
    """An approved 2024 report of Salud, and Salud's planner."""
    salud = f.dependencia(nombre="Secretaría de Salud")
    plan = f.plan(entidad=salud.entidad, nombre="Plan Territorial", anio_inicio=2023, anio_fin=2026)
    indicador = f.indicador(plan=plan, dependencia=salud, codigo="S-1", metas={2024: "10"}, reportes={2024: "5"})
    f.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True)
    return Reporte.objects.get(indicador=indicador)


def test_planeadora_no_guarda_una_observacion_sobre_el_limite(live_server, navegador, reporte_aprobado):
    d = navegador
    d.get(f"{live_server.url}/admin/login/")
    d.find_element(By.ID, "id_username").send_keys("planeadora")
    d.find_element(By.ID, "id_password").send_keys("clave-de-prueba-123")
    d.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    esperar(d, lambda d: "/admin/login/" not in d.current_url)
    d.get(f"{live_server.url}/admin/indicadores/indicador/{reporte_aprobado.indicador_id}/change/")
    assert errores_de_consola(d) == []

    campo_id = d.find_element(By.CSS_SELECTOR, f"#reportes-group input[name$='-id'][value='{reporte_aprobado.pk}']")
    prefijo = campo_id.get_attribute("name").removesuffix("-id")
    caja = d.find_element(By.NAME, f"{prefijo}-observaciones")
    assert caja.get_attribute("maxlength") == str(MAX_TEXTO)

    # Typing stops at the maximum: 9.998 characters there, five more typed, two kept.
    d.execute_script("arguments[0].value = arguments[1];", caja, "a" * (MAX_TEXTO - 2))
    caja.send_keys("bcdef")
    assert len(caja.get_attribute("value")) == MAX_TEXTO
    assert caja.get_attribute("value").endswith("abc")

    # A longer value set by a script is sent, and the server refuses it, saying both figures.
    d.execute_script("arguments[0].value = arguments[1];", caja, "o" * (MAX_TEXTO + 1))
    d.find_element(By.NAME, "_continue").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".errornote, ul.messagelist"))
    errores = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".errorlist"))
    assert "Observaciones: tiene 10.001 caracteres; el máximo es 10.000." in errores
    assert errores_de_consola(d) == []

    despues = Reporte.objects.get(pk=reporte_aprobado.pk)
    assert (despues.valor, despues.observaciones, despues.estado, despues.version) == (
        Decimal("5"), "", Reporte.Estado.APROBADO, reporte_aprobado.version
    )
    assert despues.history.count() == reporte_aprobado.history.count()


def test_revisora_no_devuelve_con_un_comentario_sobre_el_limite(live_server, navegador, reporte_aprobado):
    from indicadores import services
    from indicadores.permisos import REVISOR

    planeadora = reporte_aprobado.indicador.dependencia.usuarios.get()
    enviado = services.reporte_enviar(
        reporte=services.reporte_registrar(
            indicador=reporte_aprobado.indicador, anio=2025, periodo=1, valor=Decimal("6"), usuario=planeadora,
        ),
        usuario=planeadora,
    )
    f.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    d = navegador
    d.get(f"{live_server.url}/admin/login/")
    d.find_element(By.ID, "id_username").send_keys("revisora")
    d.find_element(By.ID, "id_password").send_keys("clave-de-prueba-123")
    d.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    esperar(d, lambda d: "/admin/login/" not in d.current_url)
    d.get(f"{live_server.url}/admin/indicadores/reporte/{enviado.pk}/change/")

    caja = d.find_element(By.ID, "id_comentario")
    assert caja.get_attribute("maxlength") == str(MAX_TEXTO)
    d.execute_script("arguments[0].value = arguments[1];", caja, "c" * (MAX_TEXTO + 1))
    d.find_element(By.CSS_SELECTOR, "button[form='form-devolver']").click()
    esperar(d, lambda d: "10.001" in d.find_element(By.TAG_NAME, "body").text)
    assert "Comentario de revisión: tiene 10.001 caracteres; el máximo es 10.000." in d.find_element(
        By.TAG_NAME, "body").text
    assert errores_de_consola(d) == []

    despues = Reporte.objects.get(pk=enviado.pk)
    assert (despues.estado, despues.comentario_revision, despues.version) == (
        Reporte.Estado.ENVIADO, "", enviado.version
    )
