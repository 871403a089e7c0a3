"""End to end in headless Chromium: the planning office closes a cut through its confirmation
page, and a planner is refused when editing a report that the closed cut froze."""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from indicadores import services
from indicadores.models import Corte, Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from reportes.models import CifrasCorte
from tests import factories as f
from tests.e2e.conftest import errores_de_consola

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def esperar(driver, condicion) -> None:
    WebDriverWait(driver, 15).until(lambda d: condicion(d))


def ingresar_al_admin(driver, live_server, usuario: str) -> None:
    """Log in through the admin's login form, as a person would."""
    driver.get(f"{live_server.url}/admin/login/")
    driver.find_element(By.ID, "id_username").send_keys(usuario)
    driver.find_element(By.ID, "id_password").send_keys("clave-de-prueba-123")
    driver.find_element(By.CSS_SELECTOR, "#login-form input[type=submit]").click()
    esperar(driver, lambda d: "/admin/login/" not in d.current_url)
    assert errores_de_consola(driver) == []


@pytest.fixture
def corte_abierto_con_pendientes():
    """Cut 2024-2 open on a plan of two dependencias: Salud has one approved and one missing
    report, Turismo one sent and not yet approved."""
    salud = f.dependencia(nombre="Secretaría de Salud")
    turismo = f.dependencia(nombre="Dirección de Turismo", entidad=salud.entidad)
    plan = f.plan(entidad=salud.entidad, nombre="Plan Territorial", anio_inicio=2023, anio_fin=2026)
    nivel = f.nivel(plan=plan)
    f.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-1", metas={2024: "10"}, reportes={2024: "5"})
    f.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-2", metas={2024: "10"})
    enviado = f.indicador(plan=plan, nivel=nivel, dependencia=turismo, codigo="T-1", metas={2024: "10"})
    Reporte.objects.create(indicador=enviado, anio=2024, periodo=1, valor=Decimal("8"), estado="enviado")
    revisora = f.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    return services.corte_abrir(plan=plan, anio=2024, semestre=2, usuario=revisora)


def test_revisora_cierra_un_corte_leyendo_lo_pendiente(live_server, navegador, corte_abierto_con_pendientes):
    corte = corte_abierto_con_pendientes
    d = navegador
    ingresar_al_admin(d, live_server, "revisora")

    # From the list of cuts to the cut, then «Cerrar corte».
    d.get(f"{live_server.url}/admin/indicadores/corte/")
    d.find_element(By.LINK_TEXT, "Plan Territorial").click()
    esperar(d, lambda d: f"/corte/{corte.pk}/change/" in d.current_url)
    # The admin writes object tools in capitals (CSS); the link's text is «Cerrar corte».
    d.find_element(By.XPATH, '//ul[@class="object-tools"]//a[normalize-space()="Cerrar corte"]').click()
    esperar(d, lambda d: f"/corte/{corte.pk}/cerrar/" in d.current_url)
    assert errores_de_consola(d) == []

    # The page says what closing does and what is still pending, per dependencia.
    contenido = d.find_element(By.ID, "content-main").text
    assert "Cerrar el corte publica sus cifras como oficiales" in contenido
    assert "al 31 de diciembre de 2024" in contenido
    assert ("De 3 indicadores, 2 tienen pendiente el reporte de este corte: 1 sin reporte y 1 enviado sin aprobar; "
            "1 está aprobado.") in contenido
    filas = {
        fila.find_element(By.TAG_NAME, "th").text: [td.text for td in fila.find_elements(By.CSS_SELECTOR, "td.num")]
        for fila in d.find_elements(By.CSS_SELECTOR, "table.pendientes-por-dependencia tbody tr")
    }
    # Indicadores, sin reporte, en borrador, enviados, devueltos, aprobados.
    assert filas == {"Dirección de Turismo": ["1", "0", "0", "1", "0", "0"],
                     "Secretaría de Salud": ["2", "1", "0", "0", "0", "1"]}
    assert Corte.objects.get(pk=corte.pk).estado == Corte.Estado.ABIERTO  # reading it closes nothing

    d.find_element(By.CSS_SELECTOR, 'input[type=submit][value="Sí, cerrar el corte 2024-2"]').click()
    esperar(d, lambda d: f"/corte/{corte.pk}/change/" in d.current_url)
    mensaje = d.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert mensaje.startswith(f"Corte 2024-2 de {corte.plan.codigo} cerrado el ")
    assert "quedaron publicadas como oficiales" in mensaje
    assert "Corte cerrado: sus cifras son las oficiales publicadas" in d.page_source
    assert d.find_elements(By.XPATH, '//a[normalize-space()="Cerrar corte"]') == []
    assert errores_de_consola(d) == []
    corte.refresh_from_db()
    assert corte.estado == Corte.Estado.CERRADO and corte.cerrado_por.username == "revisora"
    assert CifrasCorte.objects.filter(corte=corte, vigente=True).exists()


@pytest.fixture
def reporte_congelado_por_corte_cerrado():
    """An annual 2023 report, approved, of a planner's indicator; cut 2023-2 is closed."""
    salud = f.dependencia(nombre="Secretaría de Salud")
    plan = f.plan(entidad=salud.entidad, nombre="Plan Territorial", anio_inicio=2023, anio_fin=2026)
    indicador = f.indicador(plan=plan, dependencia=salud, codigo="S-1", metas={2023: "10"}, reportes={2023: "5"})
    f.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True)
    revisora = f.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    corte = services.corte_abrir(plan=plan, anio=2023, semestre=2, usuario=revisora)
    services.corte_cerrar(corte=corte, usuario=revisora)
    return Reporte.objects.get(indicador=indicador, anio=2023)


def _campo_del_reporte(driver, anio: int, campo: str):
    """The inline input of the indicator page's report row for `anio`."""
    for entrada in driver.find_elements(By.CSS_SELECTOR, '#reportes-group input[name$="-anio"]'):
        if entrada.get_attribute("value") == str(anio):
            prefijo = entrada.get_attribute("name").removesuffix("-anio")
            return driver.find_element(By.NAME, f"{prefijo}-{campo}")
    raise AssertionError(f"No hay fila de reporte {anio} en la página del indicador")


def test_planeadora_no_puede_cambiar_un_reporte_congelado(live_server, navegador, reporte_congelado_por_corte_cerrado):
    reporte = reporte_congelado_por_corte_cerrado
    d = navegador
    ingresar_al_admin(d, live_server, "planeadora")
    d.get(f"{live_server.url}/admin/indicadores/indicador/{reporte.indicador_id}/change/")
    assert errores_de_consola(d) == []

    valor = _campo_del_reporte(d, 2023, "valor")
    assert valor.get_attribute("value") == "5"
    valor.clear()
    valor.send_keys("7")
    d.find_element(By.NAME, "_continue").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".errornote, .errorlist"))
    errores = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, "#reportes-group .errorlist"))
    assert "El corte 2023-2 del plan está cerrado y el periodo 2023 ya había terminado" in errores
    assert "Solo un administrador puede corregirlo, indicando el motivo." in errores
    assert errores_de_consola(d) == []

    # Nothing was written: the report keeps its approved value, as a fresh page shows.
    reporte.refresh_from_db()
    assert (reporte.valor, reporte.estado, reporte.version) == (Decimal("5"), Reporte.Estado.APROBADO, 1)
    d.get(f"{live_server.url}/admin/indicadores/indicador/{reporte.indicador_id}/change/")
    assert _campo_del_reporte(d, 2023, "valor").get_attribute("value") == "5"


def test_administradora_corrige_y_reabre_un_corte_con_su_motivo(live_server, navegador, reporte_congelado_por_corte_cerrado):
    """The two administrator's pages of a closed cut, typed as a person would: a reason with two
    lines (a browser sends CRLF), refused when empty."""
    corte = Corte.objects.get(plan=reporte_congelado_por_corte_cerrado.indicador.plan, anio=2023, semestre=2)
    f.usuario("administradora", is_staff=True, is_superuser=True)
    d = navegador
    ingresar_al_admin(d, live_server, "administradora")

    d.get(f"{live_server.url}/admin/indicadores/corte/{corte.pk}/corregir/")
    d.find_element(By.CSS_SELECTOR, 'input[type=submit][value="Sí, publicar de nuevo las cifras del corte 2023-2"]').click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".errorlist"))
    assert CifrasCorte.objects.filter(corte=corte).count() == 1  # nothing published without a reason
    d.find_element(By.NAME, "motivo").send_keys("Acta 7 del comité.\nPeso corregido de S-1.")
    d.find_element(By.CSS_SELECTOR, 'input[type=submit][value="Sí, publicar de nuevo las cifras del corte 2023-2"]').click()
    esperar(d, lambda d: f"/corte/{corte.pk}/change/" in d.current_url)
    assert errores_de_consola(d) == []
    corte.refresh_from_db()
    assert corte.motivo_correccion == "Acta 7 del comité.\nPeso corregido de S-1."
    assert list(CifrasCorte.objects.filter(corte=corte).values_list("vigente", flat=True)) == [True, False]

    d.get(f"{live_server.url}/admin/indicadores/corte/{corte.pk}/reabrir/")
    d.find_element(By.NAME, "motivo").send_keys("Reporte tardío de Salud")
    d.find_element(By.CSS_SELECTOR, 'input[type=submit][value="Sí, reabrir el corte 2023-2"]').click()
    esperar(d, lambda d: f"/corte/{corte.pk}/change/" in d.current_url)
    assert errores_de_consola(d) == []
    corte.refresh_from_db()
    assert (corte.estado, corte.motivo_correccion) == (Corte.Estado.ABIERTO, "Reporte tardío de Salud")
    assert not CifrasCorte.objects.filter(corte=corte, vigente=True).exists()
