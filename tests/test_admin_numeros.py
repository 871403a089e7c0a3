"""Numbers in the admin as a Colombian reader expects: years and periods as 2024 (never «2.024»),
measured values normalised («0,33», «7.480», «15.367», never «0,330000») in lists, read-only
fields, inline rows and the inputs of edit forms."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicadores.models import Corte, Meta, Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dependencia():
    return factories.dependencia(nombre="Secretaría de Desarrollo Económico")


@pytest.fixture
def indicador(dependencia):
    plan = factories.plan(codigo="bogota-conpes-29", nombre="Política Bogotá Territorio Inteligente",
                          entidad=dependencia.entidad, anio_inicio=2023, anio_fin=2032)
    return factories.indicador(
        plan=plan, dependencia=dependencia, codigo="3.1.1", tipo_anualizacion="constante", periodicidad="anual",
        linea_base=Decimal("7480"), meta_final=Decimal("0.8"), peso=Decimal("3"),
        metas={2023: "0.8", 2024: "15367"}, reportes={(2024, 1): "0.33"},
    )


@pytest.fixture
def revisor():
    return factories.usuario("revisora", grupos=(REVISOR,), is_staff=True)


@pytest.fixture
def planeador(dependencia):
    return factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)


def _texto(respuesta) -> str:
    assert respuesta.status_code == 200
    return respuesta.content.decode()


def test_lista_de_reportes_muestra_el_anio_sin_separador_de_miles(admin_client, indicador):
    html = _texto(admin_client.get(reverse("admin:indicadores_reporte_changelist")))
    assert '<td class="field-anio">2024</td>' in html
    assert "2.024" not in html
    assert '<td class="field-valor_col">0,33</td>' in html


def test_lista_de_reportes_ordena_por_anio(admin_client, indicador):
    Reporte.objects.create(indicador=indicador, anio=2023, periodo=1, valor=Decimal("1"))
    html = _texto(admin_client.get(reverse("admin:indicadores_reporte_changelist") + "?o=4"))
    assert html.index('<td class="field-anio">2023</td>') < html.index('<td class="field-anio">2024</td>')


def test_lista_de_reportes_el_codigo_del_plan_no_se_parte_y_dice_el_nombre(admin_client, indicador):
    html = _texto(admin_client.get(reverse("admin:indicadores_reporte_changelist")))
    assert '<span class="nowrap" title="Política Bogotá Territorio Inteligente">bogota-conpes-29</span>' in html


def test_listas_de_planes_y_cortes_con_anios_sin_separador(admin_client, indicador):
    Corte.objects.create(plan=indicador.plan, anio=2024, semestre=1)
    planes = _texto(admin_client.get(reverse("admin:politicas_plan_changelist")))
    assert '<td class="field-anio_inicio">2023</td>' in planes and "2.023" not in planes and "2.032" not in planes
    cortes = _texto(admin_client.get(reverse("admin:indicadores_corte_changelist")))
    assert "2.024" not in cortes


def test_reporte_en_edicion_anio_de_solo_lectura_y_avance_normalizado(admin_client, indicador):
    reporte = Reporte.objects.get(indicador=indicador)
    html = _texto(admin_client.get(reverse("admin:indicadores_reporte_change", args=[reporte.pk])))
    assert '<div class="readonly">2024</div>' in html
    assert "2.024" not in html
    assert re.search(r'<input type="text" name="valor" value="0,33"', html)
    assert "0,330000" not in html


def test_revisor_ve_el_reporte_de_solo_lectura_con_numeros_colombianos(client, revisor, indicador):
    reporte = Reporte.objects.get(indicador=indicador)
    client.force_login(revisor)
    html = _texto(client.get(reverse("admin:indicadores_reporte_change", args=[reporte.pk])))
    assert '<div class="readonly">2024</div>' in html
    assert '<div class="readonly">0,33</div>' in html
    assert "0,330000" not in html and "2.024" not in html


def test_revisor_ve_la_pagina_del_indicador_con_numeros_colombianos(client, revisor, indicador):
    client.force_login(revisor)
    html = _texto(client.get(reverse("admin:indicadores_indicador_change", args=[indicador.pk])))
    # Read-only fields of the indicator: base line, final target, weight.
    assert '<div class="readonly">7.480</div>' in html
    assert '<div class="readonly">0,8</div>' in html
    assert '<div class="readonly">3</div>' in html
    # Inline rows: targets and reports.
    assert "<p>2024</p>" in html and "<p>15.367</p>" in html and "<p>0,33</p>" in html
    assert "0,800000" not in html and "0,330000" not in html and "2.024" not in html
    assert "15367.000000" not in html and "0.800000" not in html


def test_formulario_de_edicion_muestra_valores_normalizados(client, admin_client, planeador, indicador):
    # Línea base and final target are an administrator's inputs; the planner reads them.
    html = _texto(admin_client.get(reverse("admin:indicadores_indicador_change", args=[indicador.pk])))
    assert 'name="linea_base" value="7.480"' in html
    assert 'name="meta_final" value="0,8"' in html
    client.force_login(planeador)
    html = _texto(client.get(reverse("admin:indicadores_indicador_change", args=[indicador.pk])))
    assert 'name="linea_base"' not in html
    assert re.search(r'<div class="readonly">\s*7\.480\s*</div>', html)
    assert re.search(r'<div class="readonly">\s*0,8\s*</div>', html)
    assert 'name="metas-1-valor" value="15.367"' in html
    assert 'name="reportes-0-valor" value="0,33"' in html
    assert 'name="reportes-0-anio" value="2024"' in html
    assert "0,330000" not in html and "0,800000" not in html


def test_titulo_de_la_fila_de_meta_con_coma_decimal(client, planeador, indicador):
    assert str(Meta.objects.get(indicador=indicador, anio=2023)) == "2023: 0,8"
    assert str(Meta.objects.get(indicador=indicador, anio=2024)) == "2024: 15.367"
    client.force_login(planeador)
    html = _texto(client.get(reverse("admin:indicadores_indicador_change", args=[indicador.pk])))
    assert "2023: 0,8" in html and "2023: 0.800000" not in html
