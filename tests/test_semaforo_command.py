"""`manage.py semaforo`: the JSON object for scripts, the table for people, and clear errors."""

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

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


# The demo data reproduce the published Bogotá follow-up (seed 003, cut 30 June 2024) ----------------

# The seeds ship with the repository (a copy of /work/shared/seeds): the published columns are read
# from the file itself, not retyped here.
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

def _anexo_1() -> dict[str, tuple]:
    """codigo: (PAV, PAHV, PAA) as published, whole percent; blank is None (no information)."""
    ruta = SEEDS / "bogota_conpes29_anexo1_inferido.tsv"
    with ruta.open(encoding="utf-8") as archivo:
        return {
            fila["codigo"]: tuple(
                int(fila[col]) if fila[col].strip() else None for col in ("pav_publicado", "pahv_publicado", "paa_publicado")
            )
            for fila in csv.DictReader(archivo, delimiter="\t")
        }


def _entero(valor) -> int | None:
    return None if valor is None else int(Decimal(str(valor)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_bogota_reproduce_el_anexo_1_y_las_brechas(datos_demo):
    datos = semaforo_json("--plan", "bogota-conpes-29", "--corte", "2024-1")
    publicado = _anexo_1()
    obtenido = {r["codigo"]: (_entero(r["pav"]), _entero(r["pahv"]), _entero(r["paa"])) for r in datos["indicadores"]}
    assert obtenido == publicado

    bandas = [r["semaforo"] for r in datos["indicadores"]]
    assert bandas.count("sobre_ejecucion") == 7
    assert bandas.count("bajo") == 8
    assert bandas.count("medio") == 0

    brechas = {
        n["codigo"]: Decimal(str(n["brecha"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for n in datos["niveles"]
    }
    assert brechas["1"] == Decimal("0.20")
    assert brechas["3"] == Decimal("-3.76")
    assert brechas["4"] == Decimal("-0.04")
    assert brechas["5"] == Decimal("-2.40")
    assert {n["nivel"] for n in datos["niveles"]} == {"Objetivo"}
    # With the weights the demo loader derives for the blank ones, every published gap holds,
    # and the policy's avance 43,9 % against a trajectory of 50,48 % (gap −6,56).
    with (SEEDS / "bogota_conpes29_objetivos.tsv").open(encoding="utf-8") as archivo:
        publicadas = {f["objetivo"]: Decimal(f["brecha_publicada_pct"].replace(",", ".")) for f in csv.DictReader(archivo, delimiter="\t")}
    assert brechas == {codigo: valor.quantize(Decimal("0.01")) for codigo, valor in publicadas.items()}
    total = {k: Decimal(str(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for k, v in datos["total"].items()}
    assert total == {"avance": Decimal("43.92"), "trayectoria": Decimal("50.48"), "brecha": Decimal("-6.56")}
