"""The dashboards on the demo data reproduce the seed report (Bogotá CONPES D.C. 29, cut 2024-1)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BOGOTA = "bogota-conpes-29"


def codigos_en_anexo(html: str) -> list[str]:
    cuerpo = html.split('class="tabla anexo"', 1)[1]
    return re.findall(r'<td class="codigo"><a href="[^"]+">([^<]+)</a>', cuerpo)


def test_tablero_bogota_muestra_bandas_y_brechas_del_informe(client, datos_demo):
    html = client.get(reverse("tablero", args=[BOGOTA]), {"corte": "2024-1"}).content.decode()
    assert 'data-banda="sobre_ejecucion">7<' in html
    assert 'data-banda="bajo">8<' in html
    assert 'data-banda="medio">0<' in html
    assert 'data-objetivo="1">+0,20 pp<' in html
    assert 'data-objetivo="3">−3,76 pp<' in html
    assert 'data-objetivo="4">−0,04 pp<' in html
    assert "−6,56 pp" in html  # the policy's gap, as published


def test_tablero_bogota_por_defecto_usa_el_ultimo_corte(client, datos_demo):
    html = client.get(reverse("tablero", args=[BOGOTA])).content.decode()
    assert "Corte 2024-1" in html


def test_filtro_bajo_lista_exactamente_los_ocho_productos(client, datos_demo):
    html = client.get(reverse("tablero", args=[BOGOTA]), {"corte": "2024-1", "banda": "bajo"}).content.decode()
    assert sorted(codigos_en_anexo(html)) == ["3.1.1", "3.1.3", "5.1.2", "5.1.4", "6.1.1", "6.1.2", "7.1.2", "7.1.3"]


def test_filtro_sobre_ejecucion_lista_los_siete(client, datos_demo):
    html = client.get(reverse("tablero", args=[BOGOTA]), {"corte": "2024-1", "banda": "sobre_ejecucion"}).content.decode()
    assert len(codigos_en_anexo(html)) == 7
    assert {"1.1.5", "2.1.2", "7.1.1", "7.1.4", "7.1.6"} <= set(codigos_en_anexo(html))
