"""Indicator page: hierarchy, línea base, the Cali year table, percentages, narratives, queries."""

import pytest
from django.urls import reverse

from indicadores.models import Indicador, Reporte
from tests import factories as f
from tests.factories import plan_cali

pytestmark = pytest.mark.django_db


def test_muestra_linea_base_y_tabla_de_metas_y_ejecucion(client):
    plan, ind = plan_cali()
    html = client.get(reverse("indicador", args=[plan.codigo, ind.codigo])).content.decode()
    assert "Línea base 2015" in html and 'class="linea-base">60<' in html
    assert '<tr data-anio="2016"><th scope="row">2016</th><td class="num meta">110</td><td class="num avance">116</td>' in html
    assert '<tr data-anio="2017"><th scope="row">2017</th><td class="num meta">160</td><td class="num avance">160</td>' in html
    # Its place in the hierarchy, with the plan's own level names.
    assert "Eje 4" in html and "Componente 4.1" in html and "Programa 4.1.3" in html
    # Narratives and evidence of every period.
    assert "Creación de bankomunales 2016." in html and "CEDECUR" in html and "Seguimiento mensual." in html
    assert 'href="https://example.org/acta.pdf"' in html
    # The three percentages with their bands: creciente, (160 − 60) / (160 − 60) = 100 %.
    assert "PAHV" in html and "100 %" in html and "Cumplimiento alto" in html
    assert "<svg" in html and 'role="img"' in html


def test_no_muestra_borradores_a_quien_no_reporta(client):
    plan, ind = plan_cali()
    Reporte.objects.filter(indicador=ind, anio=2017).update(estado="borrador", observaciones="Texto en borrador")
    html = client.get(reverse("indicador", args=[plan.codigo, ind.codigo])).content.decode()
    assert "Texto en borrador" not in html
    planeador = f.usuario(grupos=("Planeador",), dependencias=[ind.dependencia])
    client.force_login(planeador)
    html = client.get(reverse("indicador", args=[plan.codigo, ind.codigo])).content.decode()
    assert "Texto en borrador" in html and "no oficial" in html


def test_indicador_ilustrativo_se_rotula(client):
    plan, ind = plan_cali()
    Indicador.objects.filter(pk=ind.pk).update(ilustrativo=True)
    html = client.get(reverse("indicador", args=[plan.codigo, ind.codigo])).content.decode()
    assert "Valores ilustrativos" in html


def test_indicador_inexistente_es_404(client):
    plan, _ = plan_cali()
    assert client.get(reverse("indicador", args=[plan.codigo, "no-existe"])).status_code == 404


@pytest.mark.parametrize("n_extra", [0, 15])
def test_numero_fijo_de_consultas(client, django_assert_num_queries, n_extra):
    plan, ind = plan_cali(n_extra)
    client.get(reverse("indicador", args=[plan.codigo, ind.codigo]))  # stores the cut's summaries
    # Expect 11 queries (anonymous): plan, indicator, cuts, levels, targets, reports, their
    # evidence, enfoques, results at the cut (published figures, levels, indicators).
    with django_assert_num_queries(11):
        respuesta = client.get(reverse("indicador", args=[plan.codigo, ind.codigo]))
    assert respuesta.status_code == 200
