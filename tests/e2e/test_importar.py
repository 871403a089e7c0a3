"""End to end in headless Chromium, on the demo: a planner uploads the progress workbook of her plan
on /excel/importar/, sees the preview and confirms it (or cancels it: nothing saved, the preview file
gone), and a 200 KB workbook declaring a 200 MB text is refused with its figures (issue 11)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By

from indicadores.models import Reporte
from politicas.models import Plan
from tests.e2e.test_correcciones import BOGOTA, abrir, demo_cargada, esperar, ingresar  # noqa: F401 - fixture
from tests.libros_excel import avance, escribir, fila_de, guardar
from tests.test_importar_limites import libro_bomba

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def almacen_privado(settings, tmp_path):
    privado = tmp_path / "privado"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "importaciones": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": privado}},
    }
    return privado


def _libro_de_avance(tmp_path, valor: str):
    """The planner's June 2024 progress workbook of Bogotá with 3.1.1's «Avance» changed."""
    planeador = get_user_model().objects.get(username="planeador")
    libro = avance(Plan.objects.get(codigo=BOGOTA), planeador)
    ws = libro["Reportes"]
    escribir(ws, fila_de(ws, **{"Código del indicador": "3.1.1", "Año": 2024}), Avance=valor)
    ruta = tmp_path / "avance.xlsx"
    ruta.write_bytes(guardar(libro).getvalue())
    return ruta


def _reporte() -> Reporte:
    return Reporte.objects.get(indicador__plan__codigo=BOGOTA, indicador__codigo="3.1.1", anio=2024)


def _subir(d, live_server, ruta) -> None:
    abrir(d, f"{live_server.url}/excel/importar/")
    d.find_element(By.ID, "id_archivo").send_keys(str(ruta))
    d.find_element(By.CSS_SELECTOR, "input[type=submit][value=Revisar]").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".excel-ok, .excel-mal, .errornote"))


def _archivos(carpeta) -> list:
    return sorted(carpeta.iterdir()) if carpeta.exists() else []


def test_planeador_sube_su_avance_ve_la_vista_previa_y_confirma(
    live_server, navegador, demo_cargada, almacen_privado, tmp_path  # noqa: F811
):
    d = navegador
    antes = _reporte()
    ingresar(d, live_server, "planeador")
    _subir(d, live_server, _libro_de_avance(tmp_path, "0,5"))

    contenido = d.find_element(By.ID, "content-main").text
    assert "Sin errores. Esto es lo que se hará al confirmar" in contenido, contenido[:2000]
    assert len(_archivos(almacen_privado)) == 2 and _archivos(tmp_path / "media") == []
    assert _reporte().valor == antes.valor  # the preview saves nothing

    d.find_element(By.CSS_SELECTOR, "input[type=submit][value='Confirmar e importar']").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    assert "Importación aplicada" in d.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert _reporte().valor == Decimal("0.5")
    assert _archivos(almacen_privado) == []


def test_planeador_cancela_la_vista_previa_y_no_queda_nada(
    live_server, navegador, demo_cargada, almacen_privado, tmp_path  # noqa: F811
):
    d = navegador
    antes = _reporte()
    ingresar(d, live_server, "planeador")
    _subir(d, live_server, _libro_de_avance(tmp_path, "0,5"))
    assert len(_archivos(almacen_privado)) == 2

    d.find_element(By.ID, "cancelar-importacion").click()
    esperar(d, lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist"))
    assert "Importación cancelada: no se guardó nada" in d.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert d.current_url.endswith("/excel/importar/")
    despues = _reporte()
    assert (despues.valor, despues.version) == (antes.valor, antes.version)
    assert _archivos(almacen_privado) == []


def test_la_bomba_se_rechaza_con_sus_cifras(live_server, navegador, demo_cargada, almacen_privado, tmp_path):  # noqa: F811
    d = navegador
    ruta = tmp_path / "bomba.xlsx"
    ruta.write_bytes(libro_bomba())
    ingresar(d, live_server, "planeador")
    _subir(d, live_server, ruta)

    contenido = d.find_element(By.ID, "content-main").text
    assert "no se guardará nada" in contenido
    assert "ocupan 200 MB (209.715.293 bytes) sin comprimir; el máximo es 20 MB (20.971.520 bytes)" in contenido
    assert not d.find_elements(By.CSS_SELECTOR, "input[value='Confirmar e importar']")
    assert _archivos(almacen_privado) == [] and _archivos(tmp_path / "media") == []
