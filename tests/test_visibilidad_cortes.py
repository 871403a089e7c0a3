"""Malformed or unavailable cuts never break a public page, and the printed report states the
installation's semáforo thresholds."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from reportes.paginas.cortes import elegir_corte
from seguimiento.metodologia.resultados import CorteRef

CALI = "cali-2016"


@pytest.mark.parametrize("texto", ["0000-1", "1899-2", "2201-1", "9999-2"])
def test_parse_rechaza_en_espanol_los_anios_fuera_de_rango(texto):
    with pytest.raises(ValueError, match="año entre 1900 y 2200"):
        CorteRef.parse(texto)


def test_parse_acepta_los_limites_del_rango():
    assert CorteRef.parse("1900-1").fecha.isoformat() == "1900-06-30"
    assert CorteRef.parse("2200-2").fecha.isoformat() == "2200-12-31"


def test_elegir_corte_solo_devuelve_un_corte_disponible():
    disponibles = [CorteRef(2016, 2), CorteRef(2017, 1), CorteRef(2017, 2)]
    assert elegir_corte("2017-1", disponibles) == CorteRef(2017, 1)
    assert elegir_corte("2030-1", disponibles) == CorteRef(2017, 2)  # well formed, not the plan's
    assert elegir_corte("0000-1", disponibles) == CorteRef(2017, 2)
    assert elegir_corte("", disponibles) == CorteRef(2017, 2)


def test_tablero_con_un_corte_mal_escrito_muestra_el_ultimo(client, datos_demo):
    respuesta = client.get(reverse("tablero", args=[CALI]), {"corte": "0000-1"})
    assert respuesta.status_code == 200
    assert respuesta.context["corte"] == CorteRef(2017, 2)
    assert client.get(reverse("grafico_historia", args=[CALI]), {"corte": "0000-1"}).status_code == 200


def test_api_de_resultados_con_un_corte_mal_escrito_responde_400_con_el_mensaje(client, datos_demo):
    respuesta = client.get(f"/api/v1/planes/{CALI}/resultados/", {"corte": "0000-1"})
    assert respuesta.status_code == 400
    assert "año entre 1900 y 2200" in respuesta.json()["corte"][0]


@override_settings(SEMAFORO_UMBRAL_SOBRE=Decimal("130"), SEMAFORO_UMBRAL_ALTO=Decimal("80"), SEMAFORO_UMBRAL_MEDIO=Decimal("62.5"))
def test_el_informe_imprimible_dice_los_umbrales_configurados(client, datos_demo):
    texto = client.get(reverse("informe_seguimiento", args=["bogota-conpes-29"]), {"corte": "2024-1"}).content.decode()
    assert "por encima de 130 %" in texto and "por encima de 80 % y hasta 130 %" in texto
    assert "por encima de 62,5 % y hasta 80 %" in texto and "hasta 62,5 %." in texto
    assert "125 %" not in texto
