"""Time and memory of the Excel export (issue 5) on a synthetic plan.

    DATABASE_URL=sqlite:////tmp/bench-excel.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench-excel.sqlite3 DEBUG=1 .venv/bin/python benchmarks/excel_benchmark.py --indicadores 30000

It builds one plan "bench-0000" with the engine benchmark's generator (`manage.py benchmark`:
all tipos × periodicidades, targets 2020–2029, two approved reports a year), then measures:
1. the writer alone, on synthetic rows shaped like the Indicadores sheet (time, and Python's
   peak allocated memory with tracemalloc for N/10 and N rows: it must not grow with rows);
2. the whole export of the plan at a cut (engine + queries + five sheets), time and peak memory.
Figures: benchmarks/RESULTADOS_EXCEL.md.
"""

import argparse
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seguimiento.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from politicas.models import Plan  # noqa: E402
from reportes.excel.exportar import exportar_plan, nombre_banda, porcentaje  # noqa: E402
from reportes.management.commands.benchmark import generar  # noqa: E402
from reportes.selectors import plan_resultados  # noqa: E402
from seguimiento.metodologia.resultados import CorteRef, Semaforo  # noqa: E402
from seguimiento.xlsx import Columna, Hoja, escribir_libro  # noqa: E402

BANDAS = list(Semaforo)


def filas_sinteticas(n: int):
    """Rows like the Indicadores sheet of a 10-year plan: 2 levels, 15 fields, 20 yearly, 8 results."""
    for i in range(n):
        banda = BANDAS[i % 5]
        yield (
            ["1", "Eje uno", "1.1", "Programa uno", f"{i:06d}", f"Indicador sintético número {i}", "1.1", "", "numero",
             "suma", "anual", "Secretaría sintética", None, Decimal(i % 20), 2015, Decimal(100), "", False, ""]
            + [Decimal(10), Decimal("7.25")] * 10
            + [porcentaje(Decimal("41.25"), banda), nombre_banda(banda)] * 3 + [porcentaje(Decimal("50")), ""]
        )


def medir_escritor(n: int, *, memoria: bool) -> tuple[float, float]:
    columnas = [Columna(f"C{i}") for i in range(47)]
    if memoria:
        tracemalloc.start()
    inicio = time.perf_counter()
    escribir_libro("/tmp/bench-escritor.xlsx", [Hoja("Indicadores", columnas, filas_sinteticas(n))])
    segundos = time.perf_counter() - inicio
    pico = 0.0
    if memoria:
        pico = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return segundos, pico


class Auditor:
    is_authenticated = True
    is_superuser = True

    def get_full_name(self) -> str:
        return "Benchmark"


def medir_exportacion(plan, corte: CorteRef, *, memoria: bool) -> tuple[float, float, dict]:
    destino = Path("/tmp") / f"bench-{plan.codigo}-{corte.clave}.xlsx"
    if memoria:
        tracemalloc.start()
    inicio = time.perf_counter()
    info = exportar_plan(str(destino), plan=plan, corte=corte, usuario=Auditor())
    segundos = time.perf_counter() - inicio
    pico = 0.0
    if memoria:
        pico = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return segundos, pico, {**info.filas, "MB": round(destino.stat().st_size / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicadores", type=int, default=30000)
    parser.add_argument("--corte", default="2024-1")
    parser.add_argument("--sin-generar", action="store_true", help="Use the bench plan already in the database.")
    args = parser.parse_args()

    n = args.indicadores
    print(f"Base de datos: {connection.vendor}")
    for filas in (n // 10, n):
        t, _ = medir_escritor(filas, memoria=False)
        _, pico = medir_escritor(filas, memoria=True)
        print(f"Escritor, {filas:>7,} filas × 47 columnas: {t:6.2f} s, pico {pico:6.1f} MB")

    if not args.sin_generar:
        inicio = time.perf_counter()
        generar(indicadores=n, por_plan=n)
        print(f"Plan sintético generado en {time.perf_counter() - inicio:.1f} s")
    plan = Plan.objects.select_related("entidad").get(codigo="bench-0000")
    corte = CorteRef.parse(args.corte)
    inicio = time.perf_counter()
    plan_resultados(plan=plan, corte=corte)
    motor = time.perf_counter() - inicio
    t, _, filas = medir_exportacion(plan, corte, memoria=False)
    _, pico, _ = medir_exportacion(plan, corte, memoria=True)
    print(f"Motor (plan_resultados) solo: {motor:.2f} s")
    print(f"Exportación completa al corte {corte}: {t:.2f} s, pico {pico:.1f} MB; {filas}")


if __name__ == "__main__":
    main()
