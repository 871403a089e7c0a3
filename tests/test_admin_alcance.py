"""The admin offers each user only the plans they may work with: the «nivel superior» filter lists
top levels of visible plans only, and a planner files a qualitative report only for a policy
their dependencia leads or reports indicators in (choices and validation on save)."""

import pytest
from django.urls import reverse

from indicadores.permisos import PLANEADOR, REVISOR
from politicas.models import InformeCualitativo
from politicas.roles import asegurar_grupos
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def planes_de_salud_y_turismo():
    asegurar_grupos()
    salud = factories.dependencia(nombre="Secretaría de Salud")
    turismo = factories.dependencia(nombre="Dirección de Turismo", entidad=salud.entidad)
    lidera = factories.plan(codigo="politica-salud", nombre="Política de salud", entidad=salud.entidad,
                            dependencia_lider=salud, publicado=True)
    con_indicador = factories.plan(codigo="plan-borrador-salud", nombre="Plan en borrador con indicador de salud",
                                   entidad=salud.entidad, publicado=False)
    ajena_publicada = factories.plan(codigo="politica-turismo", nombre="Política de turismo", entidad=salud.entidad,
                                     dependencia_lider=turismo, publicado=True)
    ajena_oculta = factories.plan(codigo="plan-oculto", nombre="Plan sin publicar ajeno", entidad=salud.entidad,
                                  publicado=False)
    for plan, dep in [(lidera, salud), (con_indicador, salud), (ajena_publicada, turismo), (ajena_oculta, turismo)]:
        raiz = factories.nivel(plan=plan, codigo=f"R-{plan.codigo}")
        factories.indicador(plan=plan, nivel=factories.nivel(plan=plan, padre=raiz), dependencia=dep)
    planeador = factories.usuario(grupos=(PLANEADOR,), dependencias=[salud], is_staff=True)
    return {
        "salud": salud, "turismo": turismo, "planeador": planeador, "lidera": lidera,
        "con_indicador": con_indicador, "ajena_publicada": ajena_publicada, "ajena_oculta": ajena_oculta,
    }


def _niveles_del_filtro(client) -> set[str]:
    cl = client.get(reverse("admin:indicadores_indicador_changelist")).context["cl"]
    filtro = next(f for f in cl.filter_specs if f.title == "nivel superior")
    return {texto.split(" · ")[0] for _, texto in filtro.lookup_choices}


def test_filtro_nivel_superior_solo_de_planes_visibles(client, admin_client, planes_de_salud_y_turismo):
    client.force_login(planes_de_salud_y_turismo["planeador"])
    assert _niveles_del_filtro(client) == {"politica-salud", "plan-borrador-salud", "politica-turismo"}
    assert "plan-oculto" in _niveles_del_filtro(admin_client)


def _datos_informe(plan, dependencia) -> dict:
    return {
        "plan": plan.pk, "anio": "2024", "semestre": "1", "dependencia": dependencia.pk, "actividades": "Talleres",
        "estrategias": "", "logros": "", "dificultades": "", "oportunidades": "", "evidencias": "",
        "actividades_detalle-TOTAL_FORMS": "0", "actividades_detalle-INITIAL_FORMS": "0",
    }


def test_planeador_solo_elige_politicas_que_lidera_o_donde_reporta(client, planes_de_salud_y_turismo):
    client.force_login(planes_de_salud_y_turismo["planeador"])
    formulario = client.get(reverse("admin:politicas_informecualitativo_add")).context["adminform"].form
    assert set(formulario.fields["plan"].queryset) == {
        planes_de_salud_y_turismo["lidera"], planes_de_salud_y_turismo["con_indicador"],
    }


def test_planeador_no_presenta_informe_de_politica_ajena_por_post(client, planes_de_salud_y_turismo):
    client.force_login(planes_de_salud_y_turismo["planeador"])
    url = reverse("admin:politicas_informecualitativo_add")
    respuesta = client.post(
        url, _datos_informe(planes_de_salud_y_turismo["ajena_publicada"], planes_de_salud_y_turismo["salud"])
    )
    assert respuesta.status_code == 200
    assert "plan" in respuesta.context["adminform"].form.errors
    assert not InformeCualitativo.objects.exists()
    assert client.post(
        url, _datos_informe(planes_de_salud_y_turismo["lidera"], planes_de_salud_y_turismo["salud"])
    ).status_code == 302
    assert InformeCualitativo.objects.get().plan == planes_de_salud_y_turismo["lidera"]


def test_la_dependencia_elegida_debe_estar_en_la_politica(client, planes_de_salud_y_turismo):
    """A planner of two offices cannot file for one office a policy only the other one works in."""
    ambas = factories.usuario(
        grupos=(PLANEADOR,), dependencias=[planes_de_salud_y_turismo["salud"], planes_de_salud_y_turismo["turismo"]],
        is_staff=True,
    )
    client.force_login(ambas)
    respuesta = client.post(
        reverse("admin:politicas_informecualitativo_add"),
        _datos_informe(planes_de_salud_y_turismo["ajena_publicada"], planes_de_salud_y_turismo["salud"]),
    )
    assert respuesta.status_code == 200
    assert (
        "La dependencia Secretaría de Salud no lidera la política «Política de turismo» ni reporta indicadores en ella"
        in respuesta.content.decode()
    )
    assert not InformeCualitativo.objects.exists()


def test_revisor_presenta_informe_de_cualquier_politica(client, planes_de_salud_y_turismo):
    client.force_login(factories.usuario(grupos=(REVISOR,), is_staff=True))
    respuesta = client.post(
        reverse("admin:politicas_informecualitativo_add"),
        _datos_informe(planes_de_salud_y_turismo["ajena_oculta"], planes_de_salud_y_turismo["turismo"]),
    )
    assert respuesta.status_code == 302
    assert InformeCualitativo.objects.get().plan == planes_de_salud_y_turismo["ajena_oculta"]
