"""The planner's indicator page: targets and reports inline, Colombian numbers, filters, and
admin lists whose query count does not grow with the data."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicadores.models import Corte, Indicador, Meta, Reporte
from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR
from politicas.models import ActividadCualitativa, InformeCualitativo
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def dependencia():
    return factories.dependencia(nombre="Secretaría de Desarrollo Económico")


@pytest.fixture
def planeador(dependencia):
    return factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)


def _url(indicador: Indicador) -> str:
    return reverse("admin:indicadores_indicador_change", args=[indicador.pk])


def _indicador(dependencia, **campos) -> Indicador:
    plan = factories.plan(entidad=dependencia.entidad, anio_inicio=ANIO - 2, anio_fin=ANIO + 3)
    campos.setdefault("periodicidad", "semestral")
    return factories.indicador(plan=plan, dependencia=dependencia, **campos)


def test_planeador_registra_avance_con_coma_decimal(client, planeador, dependencia):
    indicador = _indicador(dependencia, tipo_anualizacion="constante", unidad="porcentaje")
    client.force_login(planeador)
    datos = datos_formulario(client.get(_url(indicador)))
    datos.update({
        "reportes-0-anio": str(ANIO), "reportes-0-periodo": "1", "reportes-0-valor": "0,33",
        "reportes-0-observaciones": "Se aplicó la encuesta en 3 localidades.",
    })
    respuesta = client.post(_url(indicador), datos)
    assert respuesta.status_code == 302, respuesta.context["errors"] if respuesta.context else ""
    reporte = Reporte.objects.get(indicador=indicador)
    assert reporte.valor == Decimal("0.33")
    assert reporte.estado == Reporte.Estado.BORRADOR
    assert reporte.creado_por == planeador
    assert reporte.observaciones == "Se aplicó la encuesta en 3 localidades."


def test_metas_con_separador_de_miles_y_se_muestran_igual(client, planeador, dependencia):
    indicador = _indicador(dependencia, tipo_anualizacion="suma", meta_final=Decimal("7480"))
    client.force_login(planeador)
    datos = datos_formulario(client.get(_url(indicador)))
    datos.update({"metas-0-anio": str(ANIO), "metas-0-valor": "7.480"})
    assert client.post(_url(indicador), datos).status_code == 302
    assert Meta.objects.get(indicador=indicador).valor == Decimal("7480")
    pagina = client.get(_url(indicador)).content.decode()
    assert 'value="7.480"' in pagina


def test_numero_ambiguo_se_rechaza_con_explicacion(client, planeador, dependencia):
    indicador = _indicador(dependencia)
    client.force_login(planeador)
    datos = datos_formulario(client.get(_url(indicador)))
    datos.update({"reportes-0-anio": str(ANIO), "reportes-0-periodo": "1", "reportes-0-valor": "7.48"})
    respuesta = client.post(_url(indicador), datos)
    assert respuesta.status_code == 200
    assert "es ambiguo" in respuesta.content.decode()
    assert not Reporte.objects.exists()


def test_correccion_de_un_reporte_sube_la_version(client, planeador, dependencia):
    indicador = _indicador(dependencia)
    client.force_login(planeador)
    datos = datos_formulario(client.get(_url(indicador)))
    datos.update({"reportes-0-anio": str(ANIO), "reportes-0-periodo": "1", "reportes-0-valor": "3"})
    client.post(_url(indicador), datos)
    datos = datos_formulario(client.get(_url(indicador)))
    datos["reportes-0-valor"] = "4"
    assert client.post(_url(indicador), datos).status_code == 302
    reporte = Reporte.objects.get()
    assert (reporte.valor, reporte.version) == (Decimal("4"), 2)


def test_filtros_y_busqueda_de_indicadores(admin_client):
    dep_a = factories.dependencia(nombre="Salud")
    dep_b = factories.dependencia(nombre="Turismo", entidad=dep_a.entidad)
    plan = factories.plan(entidad=dep_a.entidad)
    eje1 = factories.nivel(plan=plan, codigo="1")
    programa = factories.nivel(plan=plan, codigo="1.1", padre=eje1)
    eje2 = factories.nivel(plan=plan, codigo="2")
    a = factories.indicador(plan=plan, nivel=programa, dependencia=dep_a, codigo="A-1", nombre="Vacunación", tipo_anualizacion="creciente")
    b = factories.indicador(plan=plan, nivel=eje2, dependencia=dep_b, codigo="B-1", nombre="Ferias de turismo")
    otro = factories.indicador(codigo="X-9", nombre="Otro plan")
    url = reverse("admin:indicadores_indicador_changelist")

    def codigos(**params):
        return {i.codigo for i in admin_client.get(url, params).context["cl"].result_list}

    assert codigos(plan__id__exact=plan.pk) == {"A-1", "B-1"}
    assert codigos(dependencia__id__exact=dep_b.pk) == {"B-1"}
    assert codigos(tipo_anualizacion__exact="creciente") == {"A-1"}
    assert codigos(nivel_superior=eje1.pk) == {"A-1"}  # through its Programa 1.1
    assert codigos(q="turismo") == {"B-1"}
    assert codigos(q="X-9") == {"X-9"}
    assert a and b and otro


def _poblar(n: int) -> dict:
    """n of everything an admin list shows, spread over two plans and two dependencias."""
    dep1 = factories.dependencia()
    dep2 = factories.dependencia(entidad=dep1.entidad)
    planeador = factories.usuario(grupos=(PLANEADOR,), dependencias=[dep1], is_staff=True)
    for i in range(n):
        plan = factories.plan(entidad=dep1.entidad, anio_inicio=2022, anio_fin=2032)
        raiz = factories.nivel(plan=plan, peso=Decimal(100))
        hijo = factories.nivel(plan=plan, padre=raiz)
        factories.indicador(
            plan=plan, nivel=hijo, dependencia=dep1 if i % 2 else dep2, metas={2023: "2", 2024: "2"},
            reportes={2023: "3"},
        )
        Corte.objects.create(plan=plan, anio=2024, semestre=1)
        informe = InformeCualitativo.objects.create(plan=plan, anio=2021, semestre=2, dependencia=dep1)
        ActividadCualitativa.objects.create(informe=informe, componente="Turismo", programadas=5, realizadas=1)
    return {"planeador": planeador}


def _consultas_por_lista(client, usuario) -> dict[str, int]:
    client.force_login(usuario)
    conteo = {}
    for modelo in admin.site._registry:
        if modelo._meta.app_label not in {"politicas", "indicadores"}:
            continue
        url = reverse(f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as consultas:
            respuesta = client.get(url)
        if respuesta.status_code == 200:
            conteo[modelo._meta.model_name] = len(consultas)
    return conteo


@pytest.mark.parametrize("rol", ["superusuario", PLANEADOR, FUNCIONARIO, AUDITOR, REVISOR])
def test_listas_del_admin_con_numero_fijo_de_consultas(client, django_user_model, rol):
    def usuario_del_rol(datos):
        if rol == "superusuario":
            return django_user_model.objects.filter(is_superuser=True).first() or django_user_model.objects.create_superuser(
                "admin", "admin@example.com", "clave-de-prueba-123"
            )
        if rol == PLANEADOR:
            return datos["planeador"]
        return django_user_model.objects.filter(groups__name=rol).first() or factories.usuario(grupos=(rol,), is_staff=True)

    pocos = _consultas_por_lista(client, usuario_del_rol(_poblar(3)))
    muchos = _consultas_por_lista(client, usuario_del_rol(_poblar(47)))  # 50 rows in all
    assert {"indicador", "reporte", "plan", "nivel", "corte", "informecualitativo"} <= set(pocos)
    assert pocos == muchos
