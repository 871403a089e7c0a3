"""Validation that explains itself in Spanish, at the admin where planners meet it."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from indicadores.models import Indicador, Meta, Reporte
from indicadores.permisos import PLANEADOR
from politicas.models import Nivel
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def dependencia():
    return factories.dependencia()


@pytest.fixture
def cliente_planeador(client, dependencia):
    client.force_login(factories.usuario(grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True))
    return client


def _indicador(dependencia, **campos) -> Indicador:
    plan = factories.plan(entidad=dependencia.entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 2)
    return factories.indicador(plan=plan, dependencia=dependencia, **campos)


def _url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _enviar(cliente, obj, **cambios):
    datos = datos_formulario(cliente.get(_url(obj)))
    datos.update({clave: str(valor) for clave, valor in cambios.items()})
    return cliente.post(_url(obj), datos)


def test_decreciente_sin_linea_base(admin_client, dependencia):
    # Measurement fields are an administrator's (read-only for planners).
    indicador = _indicador(dependencia, tipo_anualizacion="suma")
    respuesta = _enviar(admin_client, indicador, tipo_anualizacion="decreciente", linea_base="")
    assert respuesta.status_code == 200
    assert "Un indicador decreciente necesita línea base" in respuesta.content.decode()
    indicador.refresh_from_db()
    assert indicador.tipo_anualizacion == "suma"


def test_suma_cuyas_metas_no_dan_la_meta_final(cliente_planeador, dependencia):
    indicador = _indicador(dependencia, tipo_anualizacion="suma", meta_final=Decimal("20"))
    respuesta = _enviar(
        cliente_planeador, indicador,
        **{"metas-0-anio": ANIO, "metas-0-valor": "2", "metas-TOTAL_FORMS": 2,
           "metas-1-anio": ANIO + 1, "metas-1-valor": "2"},
    )
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "La meta final (20) no es la suma de las metas anuales (4)" in contenido
    assert not Meta.objects.exists()


def test_suma_que_cuadra_se_guarda(cliente_planeador, dependencia):
    indicador = _indicador(dependencia, tipo_anualizacion="suma", meta_final=Decimal("7480"))
    respuesta = _enviar(
        cliente_planeador, indicador,
        **{"metas-0-anio": ANIO, "metas-0-valor": "7.000", "metas-TOTAL_FORMS": 2,
           "metas-1-anio": ANIO + 1, "metas-1-valor": "480"},
    )
    assert respuesta.status_code == 302
    assert sorted(Meta.objects.values_list("valor", flat=True)) == [Decimal("480"), Decimal("7000")]


def test_cambiar_meta_final_sin_cuadrar_las_metas_se_rechaza(admin_client, dependencia):
    # Measurement fields are an administrator's (read-only for planners).
    indicador = _indicador(
        dependencia, tipo_anualizacion="suma", meta_final=Decimal("4"), metas={ANIO: "2", ANIO + 1: "2"}
    )
    respuesta = _enviar(admin_client, indicador, meta_final="5")
    assert respuesta.status_code == 200
    assert "no es la suma de las metas anuales" in respuesta.content.decode()
    indicador.refresh_from_db()
    assert indicador.meta_final == Decimal("4")


def test_meta_creciente_bajo_la_linea_base(cliente_planeador, dependencia):
    indicador = _indicador(dependencia, tipo_anualizacion="creciente", linea_base=Decimal("10"))
    respuesta = _enviar(cliente_planeador, indicador, **{"metas-0-anio": ANIO, "metas-0-valor": "8"})
    assert "un indicador creciente no puede bajar de ella" in respuesta.content.decode()
    assert not Meta.objects.exists()


def test_reporte_de_un_anio_fuera_del_plan(cliente_planeador, dependencia):
    indicador = _indicador(dependencia)
    respuesta = _enviar(
        cliente_planeador, indicador,
        **{"reportes-0-anio": ANIO + 5, "reportes-0-periodo": 1, "reportes-0-valor": "3"},
    )
    assert respuesta.status_code == 200
    assert f"El reporte es del año {ANIO + 5}, fuera de la vigencia del plan ({ANIO - 1}–{ANIO + 2})" in respuesta.content.decode()
    assert not Reporte.objects.exists()


def test_conteo_negativo(cliente_planeador, dependencia):
    indicador = _indicador(dependencia, unidad="numero")
    respuesta = _enviar(
        cliente_planeador, indicador,
        **{"reportes-0-anio": ANIO, "reportes-0-periodo": 1, "reportes-0-valor": "-3"},
    )
    assert "El reporte no puede ser negativo: el indicador cuenta cantidades" in respuesta.content.decode()
    assert not Reporte.objects.exists()


def test_periodo_fuera_de_la_periodicidad(cliente_planeador, dependencia):
    indicador = _indicador(dependencia, periodicidad="anual")
    respuesta = _enviar(
        cliente_planeador, indicador,
        **{"reportes-0-anio": ANIO, "reportes-0-periodo": 2, "reportes-0-valor": "3"},
    )
    assert "Un indicador anual tiene periodos de 1 a 1" in respuesta.content.decode()


def test_reglas_en_el_modelo_para_cualquier_puerta(dependencia):
    indicador = _indicador(dependencia, unidad="numero")
    with pytest.raises(ValidationError) as error:
        Reporte(indicador=indicador, anio=ANIO + 9, periodo=1, valor=Decimal("-1")).full_clean()
    assert set(error.value.message_dict) == {"anio", "valor"}
    with pytest.raises(ValidationError) as error:
        Indicador(plan=indicador.plan, nivel=indicador.nivel, dependencia=dependencia, codigo="D", nombre="d",
                  tipo_anualizacion="decreciente").full_clean()
    assert "linea_base" in error.value.message_dict


def _mensajes(respuesta) -> list[str]:
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


def test_pesos_de_hermanos_avisan_en_la_pagina_del_plan_y_en_validar(admin_client):
    plan = factories.plan(codigo="conpes-29")
    obj1 = factories.nivel(plan=plan, codigo="1", peso=Decimal("15"))
    factories.nivel(plan=plan, codigo="2", peso=Decimal("80"))
    factories.indicador(plan=plan, nivel=obj1, codigo="1.1.1", peso=Decimal("10"))
    factories.indicador(plan=plan, nivel=obj1, codigo="1.1.2", peso=Decimal("4"))

    pagina = admin_client.get(_url(plan))
    assert any("2 diferencia(s) de ponderación" in m for m in _mensajes(pagina))
    validar = admin_client.get(reverse("admin:politicas_plan_validar", args=[plan.pk])).content.decode()
    assert "Las ponderaciones de el plan «conpes-29» suman 95 y deberían sumar 100." in validar
    assert "Las ponderaciones de el nivel 1 suman 14 y deberían sumar 15." in validar


def test_guardar_un_nivel_con_pesos_descuadrados_guarda_y_avisa(admin_client):
    plan = factories.plan()
    obj1 = factories.nivel(plan=plan, codigo="1", peso=Decimal("60"))
    obj2 = factories.nivel(plan=plan, codigo="2", peso=Decimal("40"))
    respuesta = _enviar(admin_client, obj2, peso="30")
    assert respuesta.status_code == 302
    assert Nivel.objects.get(pk=obj2.pk).peso == Decimal("30")
    assert any("suman 90 y deberían sumar 100" in m for m in _mensajes(respuesta))
    respuesta = _enviar(admin_client, obj1, peso="70")
    assert not any("deberían sumar" in m for m in _mensajes(respuesta))


def test_plan_sin_diferencias(admin_client):
    plan = factories.plan()
    factories.nivel(plan=plan, codigo="1", peso=Decimal("100"))
    validar = admin_client.get(reverse("admin:politicas_plan_validar", args=[plan.pk])).content.decode()
    assert "Las ponderaciones del plan cuadran" in validar
