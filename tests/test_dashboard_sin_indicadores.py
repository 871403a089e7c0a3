"""Plans without quantitative data never read as «0 %»: a policy followed only through semester
reports (Sopó) says so and links to its report, and the default cut is the plan's latest cut with
data, not today's date."""

import re

import pytest
from django.urls import reverse

from indicadores.models import Corte
from politicas.models import InformeCualitativo
from reportes.paginas.cortes import cortes_del_plan, periodos_del_plan
from seguimiento.metodologia.resultados import CorteRef
from tests import factories as f
from tests.factories import plan_de_dos_objetivos

pytestmark = pytest.mark.django_db

SOPO = "sopo-generacion-ingresos"


def tarjeta_de(html: str, nombre: str) -> str:
    """The home-page card of one plan."""
    return next(t for t in re.findall(r'<li class="tarjeta plan">(.*?)</li>\s*(?=<li class="tarjeta|</ul>)', html, re.S) if nombre in t)


def test_tablero_sopo_dice_que_no_tiene_indicadores_y_enlaza_el_informe(client, datos_demo):
    html = client.get(reverse("tablero", args=[SOPO])).content.decode()
    assert "Este plan no tiene indicadores cuantitativos" in html
    enlace = reverse("informe_semestral", args=[SOPO]) + "?periodo=2021-2"
    assert f'href="{enlace}"' in html
    assert "0 %" not in html and "0,00 pp" not in html
    assert '<svg class="grafico"' not in html and "historia.svg" not in html  # no empty charts
    assert "Corte 2026" not in html and 'name="corte"' not in html


def test_inicio_sopo_muestra_sin_indicadores_y_el_informe(client, datos_demo):
    html = client.get(reverse("inicio")).content.decode()
    sopo = tarjeta_de(html, "Generación de Ingresos")
    assert "Sin indicadores" in sopo
    assert reverse("informe_semestral", args=[SOPO]) + "?periodo=2021-2" in sopo
    assert "%" not in sopo and "pp" not in sopo
    bogota = tarjeta_de(html, "Bogotá Territorio Inteligente")
    assert "43,92 %" in bogota and "Sin indicadores" not in bogota


def test_corte_por_defecto_es_el_ultimo_corte_abierto():
    plan = f.plan()
    Corte.objects.create(plan=plan, anio=2023, semestre=2)
    Corte.objects.create(plan=plan, anio=2024, semestre=1)
    assert cortes_del_plan(plan)[-1] == CorteRef(2024, 1)
    assert cortes_del_plan(plan)[0] == CorteRef(2022, 1)


def test_sin_cortes_el_corte_por_defecto_es_el_del_ultimo_informe_semestral():
    plan = f.plan(anio_inicio=2021, anio_fin=2031)
    dep = f.dependencia(entidad=plan.entidad)
    InformeCualitativo.objects.create(plan=plan, anio=2021, semestre=2, dependencia=dep)
    InformeCualitativo.objects.create(plan=plan, anio=2021, semestre=1, dependencia=dep)
    periodos = periodos_del_plan(plan)
    assert periodos.cortes[-1] == CorteRef(2021, 2)
    assert periodos.informes == [CorteRef(2021, 2), CorteRef(2021, 1)]
    assert periodos.ultimo_informe == CorteRef(2021, 2)


def test_sin_cortes_ni_informes_el_corte_por_defecto_es_el_del_ultimo_anio_con_reportes():
    plan = f.plan(anio_inicio=2022, anio_fin=2032)
    f.indicador(plan=plan, metas={2023: "2"}, reportes={2023: "1"})
    assert cortes_del_plan(plan)[-1] == CorteRef(2023, 2)


def test_tablero_sin_reportes_no_muestra_avance_cero(client):
    plan = f.plan(publicado=True)
    Corte.objects.create(plan=plan, anio=2024, semestre=1)
    f.indicador(plan=plan, metas={2023: "2", 2024: "2"})
    html = client.get(reverse("tablero", args=[plan.codigo])).content.decode()
    resumen = html.split('id="resumen-titulo"', 1)[1].split("</dl>", 1)[0]
    assert "Sin información" in resumen
    assert "<dd>0 %</dd>" not in resumen and "0,00 pp" not in resumen
    inicio = client.get(reverse("inicio")).content.decode()
    assert "Sin información" in tarjeta_de(inicio, plan.nombre)


@pytest.mark.parametrize("con_cortes", [True, False])
def test_inicio_consultas_fijas_con_o_sin_cortes(client, django_assert_num_queries, con_cortes):
    for _ in range(3):
        plan = plan_de_dos_objetivos(2, publicado=True)
        if not con_cortes:
            Corte.objects.filter(plan=plan).delete()
    client.get(reverse("inicio"))
    # plans, cuts + semester reports + last year with reports (one union), levels, published
    # figures of closed cuts, stale summaries, stored summaries.
    with django_assert_num_queries(6):
        assert client.get(reverse("inicio")).status_code == 200


@pytest.mark.parametrize("con_cortes", [True, False])
def test_tablero_consultas_fijas_con_o_sin_cortes(client, django_assert_num_queries, con_cortes):
    plan = plan_de_dos_objetivos(3, publicado=True)
    if not con_cortes:
        Corte.objects.filter(plan=plan).delete()
    url = reverse("tablero", args=[plan.codigo])
    client.get(url)
    # plan, cuts (one union), results (published figures, levels, indicators), dependencias, enfoques.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
