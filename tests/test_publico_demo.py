"""Demo data: the Cali indicator of seed 002, the Sopó format of seed 004, and the public view."""

import pytest
from django.urls import reverse

from politicas.models import Plan

pytestmark = pytest.mark.django_db


def test_indicador_cali_44010030007_linea_base_metas_y_ejecucion(client, datos_demo):
    html = client.get(reverse("indicador", args=["cali-2016", "44010030007"])).content.decode()
    assert 'class="linea-base">60<' in html
    assert '<th scope="row">2016</th><td class="num meta">110</td><td class="num avance">116</td>' in html
    assert '<th scope="row">2017</th><td class="num meta">160</td><td class="num avance">160</td>' in html
    assert "Bankomunales" in html


def test_informe_cali_del_plan_incluye_el_indicador_con_su_tabla(client, datos_demo):
    html = client.get(reverse("informe_indicadores", args=["cali-2016"])).content.decode()
    bloque = html.split('id="ind-44010030007"', 1)[1].split("</section>", 1)[0]
    assert 'Línea Base 2015: <span class="linea-base">60</span>' in bloque
    assert '<td class="num meta">110</td><td class="num avance">116</td>' in bloque
    assert '<td class="num meta">160</td><td class="num avance">160</td>' in bloque


def test_informe_semestral_sopo(client, datos_demo):
    html = client.get(reverse("informe_semestral", args=["sopo-generacion-ingresos"])).content.decode()
    assert 'data-cifra="cuantitativo">83 %' in html and 'data-cifra="cualitativo">46 %' in html
    assert "Secretaría de Desarrollo Económico" in html


def test_vista_publica_de_plan_publicado_sin_ingresar(client, datos_demo):
    respuesta = client.get(reverse("tablero", args=["bogota-conpes-29"]))
    assert respuesta.status_code == 200
    assert "Anexo 1" in respuesta.content.decode()
    assert "bogota-conpes-29" in client.get(reverse("inicio")).content.decode()


def test_plan_no_publicado_pide_ingresar_y_no_aparece_en_inicio(client, datos_demo):
    Plan.objects.filter(codigo="cali-2016").update(publicado=False)
    respuesta = client.get(reverse("tablero", args=["cali-2016"]))
    assert respuesta.status_code == 302 and respuesta["Location"].startswith(reverse("login"))
    assert client.get(reverse("indicador", args=["cali-2016", "44010030007"])).status_code == 302
    assert "/planes/cali-2016/" not in client.get(reverse("inicio")).content.decode()
