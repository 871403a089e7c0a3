"""The qualitative semester report (Sopó format): quantitative shares per component and overall,
the reviewer's impact score, and its entry form in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicadores.permisos import PLANEADOR, REVISOR
from politicas import cualitativo
from politicas.models import ActividadCualitativa, InformeCualitativo
from tests import factories


def test_porcentaje_de_actividades_realizadas():
    assert cualitativo.porcentaje(5, 6) == Decimal("83.33")
    assert cualitativo.porcentaje(0, 6) == Decimal("0.00")
    assert cualitativo.porcentaje(3, 0) is None  # nothing programmed: no score, not 0 %


def test_resumen_por_componente_y_total():
    resumen = cualitativo.resumir(
        [("Empleo", 10, 10), ("Agropecuario", 13, 12), ("Turismo", 5, 1), ("Empleo ", 2, 2)],
        impacto_cualitativo=Decimal("46"),
    )
    assert [(c.nombre, c.programadas, c.realizadas) for c in resumen.componentes] == [
        ("Empleo", 12, 12), ("Agropecuario", 13, 12), ("Turismo", 5, 1),
    ]
    assert resumen.componentes[2].cumplimiento == Decimal("20.00")
    assert (resumen.programadas, resumen.realizadas) == (30, 25)
    assert resumen.cumplimiento_cuantitativo == Decimal("83.33")
    assert resumen.impacto_cualitativo == Decimal("46")


def test_resumen_lleva_la_marca_ilustrativo_por_componente():
    resumen = cualitativo.resumir([("Empleo", 6, 6, True), ("Turismo", 5, 1), ("Turismo", 1, 1, False)])
    assert [(c.nombre, c.ilustrativo) for c in resumen.componentes] == [("Empleo", True), ("Turismo", False)]
    assert resumen.ilustrativo
    assert not cualitativo.resumir([("Turismo", 5, 1)]).ilustrativo


def test_resumen_vacio():
    assert cualitativo.resumir([]).cumplimiento_cuantitativo is None


@pytest.fixture
def politica_de_sopo(db):
    dep = factories.dependencia(nombre="Secretaría de Desarrollo Económico")
    plan = factories.plan(codigo="sopo-generacion-ingresos", entidad=dep.entidad, anio_inicio=2020, anio_fin=2030,
                          dependencia_lider=dep)
    planeador = factories.usuario(grupos=(PLANEADOR,), dependencias=[dep], is_staff=True)
    return {"dep": dep, "plan": plan, "planeador": planeador}


def _post_informe(client, d, impacto="") -> object:
    return client.post(reverse("admin:politicas_informecualitativo_add"), {
        "plan": d["plan"].pk, "anio": "2021", "semestre": "2", "dependencia": d["dep"].pk,
        "actividades": "Talleres de emprendimiento", "estrategias": "", "logros": "", "dificultades": "",
        "oportunidades": "", "evidencias": "https://drive.example.org/politicas", "impacto_cualitativo": impacto,
        "actividades_detalle-TOTAL_FORMS": "2", "actividades_detalle-INITIAL_FORMS": "0",
        "actividades_detalle-0-orden": "0", "actividades_detalle-0-componente": "Empleo",
        "actividades_detalle-0-programadas": "25", "actividades_detalle-0-realizadas": "24",
        "actividades_detalle-1-orden": "1", "actividades_detalle-1-componente": "Turismo",
        "actividades_detalle-1-programadas": "5", "actividades_detalle-1-realizadas": "1",
    })


def test_planeador_registra_el_informe_con_sus_actividades(client, politica_de_sopo):
    client.force_login(politica_de_sopo["planeador"])
    assert _post_informe(client, politica_de_sopo, impacto="90").status_code == 302
    informe = InformeCualitativo.objects.get()
    assert informe.impacto_cualitativo is None  # the score is the reviewer's, not the planner's
    assert ActividadCualitativa.objects.filter(informe=informe).count() == 2
    pagina = client.get(reverse("admin:politicas_informecualitativo_change", args=[informe.pk])).content.decode()
    assert "Turismo: 1 de 5 (20 %)" in pagina and "Total: 25 de 30 actividades (83 %)" in pagina
    assert reverse("informe_semestral", args=["sopo-generacion-ingresos"]) + "?periodo=2021-2" in pagina
    lista = client.get(reverse("admin:politicas_informecualitativo_changelist")).content.decode()
    assert "83 %" in lista


def test_revisor_califica_el_impacto(client, politica_de_sopo):
    client.force_login(politica_de_sopo["planeador"])
    _post_informe(client, politica_de_sopo)
    informe = InformeCualitativo.objects.get()
    revisor = factories.usuario(grupos=(REVISOR,), is_staff=True)
    client.force_login(revisor)
    url = reverse("admin:politicas_informecualitativo_change", args=[informe.pk])
    from tests.ayudas_admin import datos_formulario

    datos = datos_formulario(client.get(url))
    datos["impacto_cualitativo"] = "46"
    assert client.post(url, datos).status_code == 302
    informe.refresh_from_db()
    assert informe.impacto_cualitativo == Decimal("46")


def test_planeador_de_otra_dependencia_no_ve_el_informe(client, politica_de_sopo):
    client.force_login(politica_de_sopo["planeador"])
    _post_informe(client, politica_de_sopo)
    otro = factories.usuario(grupos=(PLANEADOR,), dependencias=[factories.dependencia()], is_staff=True)
    client.force_login(otro)
    informe = InformeCualitativo.objects.get()
    assert client.get(reverse("admin:politicas_informecualitativo_change", args=[informe.pk])).status_code == 302
    assert not client.get(reverse("admin:politicas_informecualitativo_changelist")).context["cl"].result_list
