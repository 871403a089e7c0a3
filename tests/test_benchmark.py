"""The benchmark command runs end to end on a tiny synthetic set (the figures are in benchmarks/)."""

from io import StringIO

import pytest
from django.core.management import call_command

from indicadores.models import Indicador, Meta, Reporte
from politicas.models import Plan

pytestmark = pytest.mark.django_db


def test_genera_y_mide_un_conjunto_pequeno():
    salida = StringIO()
    call_command("benchmark", "--indicadores", "40", "--por-plan", "16", "--repeticiones", "1", stdout=salida)
    texto = salida.getvalue()
    planes = Plan.objects.filter(codigo__startswith="bench-")
    assert planes.count() == 3  # 16 + 16 + 8
    indicadores = Indicador.objects.filter(plan__in=planes)
    assert indicadores.count() == 40
    # Every tipo with every periodicidad, ten years of targets, two reports a year (one if annual).
    combinaciones = set(indicadores.values_list("tipo_anualizacion", "periodicidad"))
    assert len(combinaciones) == 16
    assert Meta.objects.filter(indicador__in=indicadores).count() == 400
    anuales = indicadores.filter(periodicidad="anual").count()
    assert Reporte.objects.filter(indicador__in=indicadores).count() == 10 * (anuales + 2 * (40 - anuales))
    assert "plan de 16 indicadores" in texto and "todos los planes (3)" in texto and "en vivo" in texto


def test_volver_a_generar_reemplaza_y_borrar_limpia():
    call_command("benchmark", "--indicadores", "8", "--por-plan", "8", "--solo-generar", stdout=StringIO())
    call_command("benchmark", "--indicadores", "8", "--por-plan", "8", "--solo-generar", stdout=StringIO())
    assert Indicador.objects.filter(plan__codigo__startswith="bench-").count() == 8
    call_command("benchmark", "--borrar", stdout=StringIO())
    assert not Plan.objects.filter(codigo__startswith="bench-").exists()
    assert not Reporte.objects.exists() and not Meta.objects.exists()
