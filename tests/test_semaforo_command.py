"""`manage.py semaforo`: the JSON object for scripts, the table for people, and clear errors."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = pytest.mark.django_db


def semaforo_json(*args) -> dict:
    salida = StringIO()
    call_command("semaforo", *args, "--json", stdout=salida)
    return json.loads(salida.getvalue())


@pytest.fixture
def plan_pequeno():
    plan = factories.plan(codigo="politica-prueba")
    objetivo = factories.nivel(plan=plan, codigo="1", nombre="Objetivo uno", peso=Decimal(10))
    factories.indicador(plan=plan, nivel=objetivo, codigo="1.1.1", tipo_anualizacion="constante",
                        peso=Decimal(6), metas={2023: "0.8", 2024: "0.8"}, reportes={2023: "0", 2024: "0.33"})
    factories.indicador(plan=plan, nivel=objetivo, codigo="1.1.2", peso=Decimal(4), metas={2024: "5"})
    return plan


def test_json_del_plan(plan_pequeno):
    datos = semaforo_json("--plan", "politica-prueba", "--corte", "2024-1")
    assert datos["plan"] == "politica-prueba" and datos["corte"] == "2024-1"
    assert datos["indicadores"][0] == {
        "codigo": "1.1.1", "nombre": "Indicador de prueba", "tipo": "constante",
        "pav": 41.25, "pahv": 41.25, "paa": 41.25, "trayectoria": 100, "semaforo": "bajo",
    }
    # Not started and nothing due yet: no number, never 0 %.
    sin_info = datos["indicadores"][1]
    assert (sin_info["pav"], sin_info["pahv"], sin_info["paa"]) == (None, None, None)
    assert sin_info["semaforo"] == "sin_informacion"
    assert datos["niveles"] == [{
        "codigo": "1", "nombre": "Objetivo uno", "nivel": "Objetivo",
        "avance": 2.475, "trayectoria": 6, "brecha": -3.525,
    }]
    assert datos["total"] == {"avance": 2.475, "trayectoria": 6, "brecha": -3.525}


def test_tabla_para_personas(plan_pequeno):
    salida = StringIO()
    call_command("semaforo", "--plan", "politica-prueba", "--corte", "2024-1", stdout=salida)
    texto = salida.getvalue()
    assert "41 %" in texto and "Cumplimiento bajo" in texto
    assert "No ha iniciado" in texto
    assert "-3,53" in texto  # the objective's gap, Colombian format


def test_borradores_cuentan_solo_si_se_piden(plan_pequeno):
    from indicadores.models import Reporte

    Reporte.objects.filter(indicador__codigo="1.1.1", anio=2024).update(estado=Reporte.Estado.BORRADOR)
    oficial = semaforo_json("--plan", "politica-prueba", "--corte", "2024-1")
    assert oficial["indicadores"][0]["pahv"] == 0
    con_borradores = semaforo_json("--plan", "politica-prueba", "--corte", "2024-1", "--estados", "aprobado,borrador")
    assert con_borradores["indicadores"][0]["pahv"] == 41.25


def test_plan_desconocido(plan_pequeno):
    with pytest.raises(CommandError, match="No existe el plan «no-existe».*politica-prueba"):
        call_command("semaforo", "--plan", "no-existe", "--corte", "2024-1")


@pytest.mark.parametrize("corte", ["2024", "2024-3", "24-1", "2024/1"])
def test_corte_mal_escrito(plan_pequeno, corte):
    with pytest.raises(CommandError, match="no válido"):
        call_command("semaforo", "--plan", "politica-prueba", "--corte", corte)


def test_sale_con_error_desde_la_linea_de_comandos(plan_pequeno, tmp_path):
    # What a script sees: a non-zero exit status and the message on stderr.
    import subprocess
    import sys

    from django.conf import settings

    proceso = subprocess.run(
        [sys.executable, "manage.py", "semaforo", "--plan", "x", "--corte", "2024-9"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin",
                                                                       "DATABASE_URL": f"sqlite:///{tmp_path}/vacia.db"},
    )
    assert proceso.returncode != 0
    assert "no válido" in proceso.stderr
