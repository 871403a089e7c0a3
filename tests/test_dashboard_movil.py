"""On a phone (390 px) the dashboard stays usable: Anexo 1 rows become cards whose cells name
their column, and charts scale to the screen's width instead of scrolling sideways."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import plan_de_dos_objetivos

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR, "static", "css", "app.css").read_text(encoding="utf-8")


def reglas_movil() -> str:
    """The phone media block of the stylesheet."""
    inicio = CSS.index("@media (max-width: 760px)")
    return CSS[inicio : CSS.index("@media print", inicio)]


def test_celdas_del_anexo_dicen_su_columna(client):
    plan = plan_de_dos_objetivos(1)
    html = client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2024-1"}).content.decode()
    fila = re.search(r'<tr class="fila--[a-z_]+">.*?</tr>', html.split('class="tabla anexo"', 1)[1], re.S).group(0)
    etiquetas = re.findall(r'data-etiqueta="([^"]+)"', fila)
    assert etiquetas == ["Tipo", "Periodicidad", "Meta 2024", "Avance 2024", "PAV", "PAHV", "PAA"]


def test_en_el_telefono_el_anexo_es_de_tarjetas_y_los_graficos_escalan():
    movil = reglas_movil()
    assert ".anexo tr {" in movil and "display: grid" in movil  # one card per indicator
    assert "attr(data-etiqueta)" in movil  # each value keeps its column name
    assert "min-width: 600px" not in movil  # charts no longer force a sideways scroll
    assert re.search(r"svg\.grafico, \.grafico-figura img\.grafico \{ width: 100%; min-width: 0; height: auto; \}", movil)


def test_graficos_en_linea_tienen_viewbox_y_ancho_fluido(client):
    plan = plan_de_dos_objetivos(1)
    html = client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2024-1"}).content.decode()
    svgs = re.findall(r"<svg [^>]+>", html)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg and "height=" not in svg
