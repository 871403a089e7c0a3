"""Who sees and changes what in the admin: planners only their dependencias' indicators;
officials and auditors read everything and change nothing; groups come from `asegurar_grupos`."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from indicadores.models import Reporte
from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR
from politicas.roles import asegurar_grupos
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicadores_propio_y_ajeno():
    salud = factories.dependencia(nombre="Secretaría de Salud")
    turismo = factories.dependencia(nombre="Dirección de Turismo", entidad=salud.entidad)
    plan = factories.plan(entidad=salud.entidad)
    propio = factories.indicador(plan=plan, dependencia=salud, codigo="SAL-1", reportes={2023: "3"})
    ajeno = factories.indicador(plan=plan, dependencia=turismo, codigo="TUR-1", reportes={2023: "5"})
    planeador = factories.usuario("planeador_salud", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True)
    return {"salud": salud, "turismo": turismo, "propio": propio, "ajeno": ajeno, "planeador": planeador}


def _cambio(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_planeador_lista_solo_indicadores_de_sus_dependencias(client, indicadores_propio_y_ajeno):
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    lista = client.get(reverse("admin:indicadores_indicador_changelist")).context["cl"].result_list
    assert [i.codigo for i in lista] == ["SAL-1"]
    reportes = client.get(reverse("admin:indicadores_reporte_changelist")).context["cl"].result_list
    assert [r.indicador.codigo for r in reportes] == ["SAL-1"]


def test_planeador_no_abre_indicador_ajeno_por_url(client, indicadores_propio_y_ajeno):
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    assert client.get(_cambio(indicadores_propio_y_ajeno["propio"])).status_code == 200
    assert client.get(_cambio(indicadores_propio_y_ajeno["ajeno"])).status_code == 302
    reporte_ajeno = indicadores_propio_y_ajeno["ajeno"].reportes.get()
    assert client.get(_cambio(reporte_ajeno)).status_code == 302


def test_planeador_no_puede_modificar_indicador_ajeno_por_post(client, indicadores_propio_y_ajeno, admin_client):
    datos = datos_formulario(admin_client.get(_cambio(indicadores_propio_y_ajeno["ajeno"])))
    datos["nombre"] = "Cambiado por quien no debía"
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    respuesta = client.post(_cambio(indicadores_propio_y_ajeno["ajeno"]), datos)
    assert respuesta.status_code in (302, 403, 404)
    indicadores_propio_y_ajeno["ajeno"].refresh_from_db()
    assert indicadores_propio_y_ajeno["ajeno"].nombre != "Cambiado por quien no debía"


def test_planeador_no_puede_mover_su_indicador_a_otra_dependencia(client, indicadores_propio_y_ajeno):
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    datos = datos_formulario(client.get(_cambio(indicadores_propio_y_ajeno["propio"])))
    assert "dependencia" not in datos  # shown, not an input
    datos["dependencia"] = str(indicadores_propio_y_ajeno["turismo"].pk)
    client.post(_cambio(indicadores_propio_y_ajeno["propio"]), datos)
    indicadores_propio_y_ajeno["propio"].refresh_from_db()
    assert indicadores_propio_y_ajeno["propio"].dependencia == indicadores_propio_y_ajeno["salud"]


ESTRUCTURA_NUEVA = {
    "peso": "9", "tipo_anualizacion": "decreciente", "periodicidad": "anual", "linea_base": "50",
    "anio_linea_base": "2019", "meta_final": "1", "unidad": "Porcentaje",
}


def test_planeador_no_cambia_la_estructura_del_plan_por_post(client, indicadores_propio_y_ajeno):
    """Weight, annualisation, periodicity, baseline, final target, unit, level and dependencia
    change the roll-up of levels shared with other dependencias: not a planner's to change."""
    propio = indicadores_propio_y_ajeno["propio"]
    otro_nivel = factories.nivel(plan=propio.plan)
    antes = {campo: getattr(propio, campo) for campo in (*ESTRUCTURA_NUEVA, "nivel_id", "dependencia_id")}
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    datos = datos_formulario(client.get(_cambio(propio)))
    datos.update(ESTRUCTURA_NUEVA, nivel=str(otro_nivel.pk), dependencia=str(indicadores_propio_y_ajeno["turismo"].pk))
    datos["nombre"] = "Nombre corregido por el planeador"
    respuesta = client.post(_cambio(propio), datos)
    assert respuesta.status_code == 302
    propio.refresh_from_db()
    assert propio.nombre == "Nombre corregido por el planeador"  # what is theirs still saves
    assert {campo: getattr(propio, campo) for campo in antes} == antes


def test_administrador_cambia_la_estructura(admin_client, indicadores_propio_y_ajeno):
    propio = indicadores_propio_y_ajeno["propio"]
    datos = datos_formulario(admin_client.get(_cambio(propio)))
    datos.update(peso="9", tipo_anualizacion="constante")
    assert admin_client.post(_cambio(propio), datos).status_code == 302
    propio.refresh_from_db()
    assert (propio.peso, propio.tipo_anualizacion) == (Decimal(9), "constante")


@pytest.mark.parametrize("rol", [FUNCIONARIO, AUDITOR])
def test_funcionario_y_auditor_leen_todo_sin_modificar(client, indicadores_propio_y_ajeno, admin_client, rol):
    lector = factories.usuario(grupos=(rol,), is_staff=True)
    datos = datos_formulario(admin_client.get(_cambio(indicadores_propio_y_ajeno["propio"])))
    client.force_login(lector)
    lista = client.get(reverse("admin:indicadores_indicador_changelist")).context["cl"].result_list
    assert {i.codigo for i in lista} == {"SAL-1", "TUR-1"}
    pagina = client.get(_cambio(indicadores_propio_y_ajeno["ajeno"]))
    assert pagina.status_code == 200
    assert not pagina.context["has_change_permission"]
    datos["nombre"] = "Cambio indebido"
    assert client.post(_cambio(indicadores_propio_y_ajeno["propio"]), datos).status_code == 403
    indicadores_propio_y_ajeno["propio"].refresh_from_db()
    assert indicadores_propio_y_ajeno["propio"].nombre != "Cambio indebido"
    reporte = indicadores_propio_y_ajeno["propio"].reportes.get()
    assert client.post(_cambio(reporte), {"valor": "99"}).status_code == 403
    assert reporte.valor == Reporte.objects.get(pk=reporte.pk).valor


def test_historial_solo_para_auditor_y_revisor(client, indicadores_propio_y_ajeno):
    url = reverse("admin:indicadores_indicador_history", args=[indicadores_propio_y_ajeno["ajeno"].pk])
    for rol, esperado in [(AUDITOR, 200), (REVISOR, 200), (FUNCIONARIO, 403)]:
        client.force_login(factories.usuario(grupos=(rol,), is_staff=True))
        assert client.get(url).status_code == esperado, rol


def test_grupos_existen_tras_migrar_y_asegurar_es_idempotente():
    antes = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert {PLANEADOR, FUNCIONARIO, AUDITOR, REVISOR} <= set(antes)
    asegurar_grupos()
    asegurar_grupos()
    despues = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert despues == antes
    assert Group.objects.filter(name=PLANEADOR).count() == 1


def test_permisos_de_cada_rol():
    grupos = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert {"view_plan", "view_indicador", "change_indicador", "add_meta", "change_meta", "add_reporte", "change_reporte"} <= grupos[PLANEADOR]
    assert "add_indicador" not in grupos[PLANEADOR] and "change_plan" not in grupos[PLANEADOR]
    for rol in (FUNCIONARIO, AUDITOR):
        assert "view_reporte" in grupos[rol]
        assert not {p for p in grupos[rol] if not p.startswith("view_")}
    assert "view_historicalreporte" in grupos[AUDITOR]
    assert "view_historicalreporte" not in grupos[FUNCIONARIO]
    assert {"change_reporte", "add_corte", "change_corte", "change_informecualitativo"} <= grupos[REVISOR]
    assert "change_indicador" not in grupos[REVISOR]


def test_planeador_no_registra_reporte_de_indicador_ajeno_desde_lista_de_reportes(client, indicadores_propio_y_ajeno):
    client.force_login(indicadores_propio_y_ajeno["planeador"])
    respuesta = client.post(
        reverse("admin:indicadores_reporte_add"),
        {"indicador": indicadores_propio_y_ajeno["ajeno"].pk, "anio": "2024", "periodo": "1", "valor": "4",
         "evidencias-TOTAL_FORMS": "0", "evidencias-INITIAL_FORMS": "0"},
    )
    assert respuesta.status_code == 200
    assert "no es de sus dependencias" in respuesta.content.decode()
    assert not Reporte.objects.filter(indicador=indicadores_propio_y_ajeno["ajeno"], anio=2024).exists()
    assert Decimal("5") == indicadores_propio_y_ajeno["ajeno"].reportes.get().valor
