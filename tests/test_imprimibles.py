"""Printable reports: Bogotá follow-up report, Cali per-indicator report, Sopó semester format."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from politicas.models import ActividadCualitativa, InformeCualitativo
from tests import factories as f
from tests.factories import plan_cali, plan_de_dos_objetivos

pytestmark = pytest.mark.django_db


def test_informe_bogota_tiene_graficos_listas_con_narrativas_y_anexo(client, datos_demo):
    html = client.get(reverse("informe_seguimiento", args=["bogota-conpes-29"]), {"corte": "2024-1"}).content.decode()
    assert "Corte: 30 de junio de 2024" in html
    assert html.count('<svg class="grafico"') == 3  # objectives, bands, sectors
    assert 'src="/planes/bogota-conpes-29/historia.svg?corte=2024-1"' in html  # history, as an image
    assert "−6,56 pp" in html
    bajo = html.split('id="lista-bajo"', 1)[1].split('id="lista-sobre"', 1)[0]
    assert "8 productos" in bajo and len(re.findall(r'class="narrativa-indicador"', bajo)) == 8
    assert "3.1.1. " in bajo and "rezago" in bajo  # the narrative the sector reported
    sobre = html.split('id="lista-sobre"', 1)[1].split("Anexo 1", 1)[0]
    assert len(re.findall(r'class="narrativa-indicador"', sobre)) == 7
    assert "Anexo 1" in html and html.count('<td class="codigo">') == 36
    # A document, not a page: navigation is marked out of print.
    assert 'class="barra no-imprimir"' in html and 'class="barra-impresion no-imprimir"' in html


@pytest.mark.parametrize("n", [2, 12])
def test_informe_seguimiento_numero_fijo_de_consultas(client, django_assert_num_queries, n):
    plan = plan_de_dos_objetivos(n)
    client.get(reverse("informe_seguimiento", args=[plan.codigo]), {"corte": "2024-1"})  # stores summaries
    # Expect 8 queries (anonymous): plan, cuts, results (published figures, levels, indicators),
    # dependencias, enfoques, narratives of bajo and sobre ejecución.
    with django_assert_num_queries(8):
        respuesta = client.get(reverse("informe_seguimiento", args=[plan.codigo]), {"corte": "2024-1"})
    assert respuesta.status_code == 200
    assert respuesta.content.decode().count('class="narrativa-indicador"') == 2 * n


def test_informe_cali_agrupa_por_eje_componente_programa(client):
    plan, ind = plan_cali()
    html = client.get(reverse("informe_indicadores", args=[plan.codigo])).content.decode()
    assert "Eje 4: Cali emprendedora y pujante" in html
    assert "Componente 4.1: Fomento al emprendimiento" in html
    assert "Programa 4.1.3: Mecanismos de apoyo al emprendimiento" in html
    assert "Indicador 44010030007 Bankomunales" in html
    assert 'Línea Base 2015: <span class="linea-base">60</span>' in html
    assert '<tr data-anio="2016"><th scope="row">2016</th><td class="num meta">110</td><td class="num avance">116</td>' in html
    assert "CEDECUR" in html and "Plan de choque" in html


def test_informe_cali_por_dependencia_y_por_seleccion(client):
    plan, ind = plan_cali(n_extra=3)
    otra = f.dependencia(entidad=plan.entidad, nombre="Secretaría de Bienestar")
    f.indicador(plan=plan, nivel=ind.nivel, dependencia=otra, codigo="55555555555", nombre="Indicador de otra dependencia")
    html = client.get(reverse("informe_indicadores", args=[plan.codigo]), {"dependencia": otra.id}).content.decode()
    assert "55555555555" in html and "44010030007" not in html
    html = client.get(reverse("informe_indicadores", args=[plan.codigo]), {"indicadores": "44010030007"}).content.decode()
    assert "44010030007" in html and "55555555555" not in html and "Selección de 1 indicador" in html


@pytest.mark.parametrize("n_extra", [0, 10])
def test_informe_cali_numero_fijo_de_consultas(client, django_assert_num_queries, n_extra):
    plan, _ = plan_cali(n_extra)
    # Expect 6 queries (anonymous): plan, cuts, levels, indicators, their targets, their reports.
    with django_assert_num_queries(6):
        assert client.get(reverse("informe_indicadores", args=[plan.codigo])).status_code == 200


def test_informe_semestral_formato_sopo(client):
    plan = f.plan(nombre="Generación de Ingresos", publicado=True, anio_inicio=2020, anio_fin=2030)
    dep = f.dependencia(entidad=plan.entidad, nombre="Secretaría de Desarrollo Económico")
    informe = InformeCualitativo.objects.create(
        plan=plan, anio=2021, semestre=2, dependencia=dep, actividades="Ferias de empleo.",
        logros="Alianzas con entidades públicas y privadas.", dificultades="Socialización de la política.",
        evidencias="https://drive.example.org/politicas", impacto_cualitativo=Decimal(46),
    )
    ActividadCualitativa.objects.create(informe=informe, componente="Empleo", programadas=6, realizadas=5)
    ActividadCualitativa.objects.create(informe=informe, componente="Turismo", programadas=6, realizadas=5, orden=1)
    html = client.get(reverse("informe_semestral", args=[plan.codigo])).content.decode()
    assert "Generación de Ingresos" in html and "Secretaría de Desarrollo Económico" in html
    assert "Segundo semestre 2021" in html
    assert 'data-cifra="cuantitativo">83 %' in html and 'data-cifra="cualitativo">46 %' in html
    assert "Ferias de empleo." in html and "Alianzas con entidades" in html
    assert 'href="https://drive.example.org/politicas"' in html


def test_informe_semestral_marca_conteos_ilustrativos(client):
    plan = f.plan(publicado=True)
    dep = f.dependencia(entidad=plan.entidad)
    informe = InformeCualitativo.objects.create(plan=plan, anio=2021, semestre=2, dependencia=dep)
    ActividadCualitativa.objects.create(informe=informe, componente="Empleo", programadas=6, realizadas=6, ilustrativo=True)
    ActividadCualitativa.objects.create(informe=informe, componente="Turismo", programadas=5, realizadas=1, orden=1)
    html = client.get(reverse("informe_semestral", args=[plan.codigo])).content.decode()
    filas = {
        nombre: fila for nombre, fila in re.findall(r'<tr><th scope="row">(\w+)(.*?)</tr>', html.split("Actividades por componente")[1])
    }
    assert "Valores ilustrativos" in filas["Empleo"] and "Valores ilustrativos" not in filas["Turismo"]
    totales = html.split('data-cifra="cuantitativo"')[1].split("</div>")[0]
    assert "7 de 11 actividades" in totales and "Valores ilustrativos" in totales
    # Without inferred counts there is no label at all.
    ActividadCualitativa.objects.filter(informe=informe).update(ilustrativo=False)
    assert "Valores ilustrativos" not in client.get(reverse("informe_semestral", args=[plan.codigo])).content.decode()


def test_informe_semestral_sopo_demo_muestra_la_marca_ilustrativo(client, datos_demo):
    url = reverse("informe_semestral", args=["sopo-generacion-ingresos"]) + "?periodo=2021-2"
    html = client.get(url).content.decode()
    assert html.count('class="etiqueta etiqueta--ilustrativo"') == 5  # the total and each of four components
    assert "25 de 30 actividades programadas" in html and 'data-cifra="cuantitativo">83 %' in html
