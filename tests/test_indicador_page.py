"""Indicator page: hierarchy, línea base, the Cali year table, percentages, narratives, queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicadores.models import Corte, Evidencia, Indicador, Reporte
from politicas.models import Nivel, Plan
from tests import factories as f

pytestmark = pytest.mark.django_db


def plan_cali(n_extra: int = 0):
    """Cali's Eje 4 → Componente 4.1 → Programa 4.1.3 with indicator 44010030007 (seed 002)."""
    plan = f.plan(
        codigo="cali", nombre="Plan de Desarrollo de Cali", tipo=Plan.Tipo.PLAN_DESARROLLO, anio_inicio=2016,
        anio_fin=2019, nombres_niveles="Eje, Componente, Programa", publicado=True,
    )
    Corte.objects.create(plan=plan, anio=2017, semestre=2)
    eje = Nivel.objects.create(plan=plan, codigo="4", nombre="Cali emprendedora y pujante")
    comp = Nivel.objects.create(plan=plan, padre=eje, codigo="4.1", nombre="Fomento al emprendimiento")
    prog = Nivel.objects.create(plan=plan, padre=comp, codigo="4.1.3", nombre="Mecanismos de apoyo al emprendimiento")
    dep = f.dependencia(entidad=plan.entidad, nombre="Secretaría de Desarrollo Económico")
    ind = f.indicador(
        plan=plan, nivel=prog, dependencia=dep, codigo="44010030007",
        nombre="Bankomunales conformados para la autogestión de comunidades vulnerables",
        tipo_anualizacion="creciente", linea_base=Decimal(60), anio_linea_base=2015,
        metas={2016: "110", 2017: "160", 2018: "210", 2019: "260"},
    )
    Reporte.objects.create(indicador=ind, anio=2016, valor=Decimal(116), estado="aprobado", observaciones="Creación de bankomunales 2016.")
    reporte = Reporte.objects.create(
        indicador=ind, anio=2017, valor=Decimal(160), estado="aprobado",
        observaciones="Se realizó un convenio de asociación con CEDECUR.", plan_de_choque="Seguimiento mensual.",
    )
    Evidencia.objects.create(reporte=reporte, descripcion="Acta del convenio", enlace="https://example.org/acta.pdf")
    for k in range(n_extra):  # other indicators of the plan: the page must not read them one by one
        otro = f.indicador(plan=plan, nivel=prog, dependencia=dep, codigo=f"4402{k:07d}", metas={2016: "1", 2017: "2"})
        Reporte.objects.create(indicador=otro, anio=2016, valor=Decimal(1), estado="aprobado")
    return plan, ind


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
