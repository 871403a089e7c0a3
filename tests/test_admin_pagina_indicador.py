"""The indicator page's reports table fits a 1280 px screen: seven columns (the review comment
under the state), two-row narrative boxes that stay editable, «enviar» only for who may send."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from indicadores.models import Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dependencia():
    return factories.dependencia(nombre="Secretaría de Gobierno")


@pytest.fixture
def indicador(dependencia):
    plan = factories.plan(entidad=dependencia.entidad, anio_inicio=2023, anio_fin=2032)
    creado = factories.indicador(plan=plan, dependencia=dependencia, periodicidad="anual", reportes={(2024, 1): "3"})
    Reporte.objects.filter(indicador=creado).update(
        estado=Reporte.Estado.DEVUELTO, comentario_revision="Adjunte el acta del comité.",
        observaciones="Se hicieron 3 talleres.", plan_de_choque="Dos talleres más en julio.",
    )
    return creado


def _pagina(client, usuario, indicador) -> str:
    client.force_login(usuario)
    respuesta = client.get(reverse("admin:indicadores_indicador_change", args=[indicador.pk]))
    assert respuesta.status_code == 200
    return respuesta.content.decode()


def _columnas_reportes(html: str) -> list[str]:
    grupo = html[html.index('id="reportes-group"'):]
    cabecera = grupo[: grupo.index("</thead>")]
    return re.findall(r'<th class="column-([a-z_]+)', cabecera)


def test_planeador_edita_observaciones_y_plan_de_choque_en_siete_columnas(client, dependencia, indicador):
    planeador = factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)
    html = _pagina(client, planeador, indicador)
    assert _columnas_reportes(html) == [
        "anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado_revision", "enviar",
    ]
    assert re.search(r'<textarea name="reportes-0-observaciones" cols="20" rows="2"', html)
    assert re.search(r'<textarea name="reportes-0-plan_de_choque" cols="20" rows="2"', html)
    assert 'name="reportes-0-enviar"' in html
    # The version the planner loaded travels hidden in the row, in no column of its own.
    reporte = indicador.reportes.get()
    assert f'<input type="hidden" name="reportes-0-version_cargada" value="{reporte.version}"' in html
    # The review comment is read under the state, not in a column of its own.
    assert "Devuelto<br><small>«Adjunte el acta del comité.»</small>" in html
    # The table is laid out to the page's width, by a stylesheet (no inline style under the CSP).
    assert 'href="/static/css/admin_indicador.css"' in html
    with open(finders.find("css/admin_indicador.css"), encoding="utf-8") as hoja:
        assert "#reportes-group table { width: 100%; table-layout: fixed; }" in hoja.read()


def test_lector_no_ve_la_casilla_de_enviar(client, indicador):
    revisora = factories.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    html = _pagina(client, revisora, indicador)
    assert _columnas_reportes(html) == ["anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado_revision"]
    assert "Se hicieron 3 talleres." in html and "None" not in html


def test_enviar_a_revision_desde_la_tabla_sigue_funcionando(client, dependencia, indicador):
    from tests.ayudas_admin import datos_formulario

    planeador = factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)
    client.force_login(planeador)
    url = reverse("admin:indicadores_indicador_change", args=[indicador.pk])
    datos = datos_formulario(client.get(url))
    datos.update({"reportes-0-valor": "4", "reportes-0-enviar": "on"})
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 302, respuesta.context["errors"] if respuesta.context else ""
    reporte = Reporte.objects.get(indicador=indicador)
    assert (reporte.valor, reporte.estado) == (Decimal("4"), Reporte.Estado.ENVIADO)
