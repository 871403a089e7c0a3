"""Server time of the plan dashboard for a 1,000-indicator plan (issue 4: under 150 ms).

    DEBUG=1 .venv/bin/python benchmarks/tablero.py            # SQLite (temporary test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seguimiento DEBUG=1 .venv/bin/python benchmarks/tablero.py

Builds a throwaway test database (its own name, so it never touches a running test suite),
a policy of 10 objectives × 100 products with ten yearly targets and two reports each, then
requests the dashboard (and the other pages) through Django's test client: middleware, views,
the engine's queries and template rendering, without network. Prints the median and the 95th
percentile of 30 requests after a warm-up, and the number of queries per page.
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seguimiento.settings_test")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402

from indicadores.models import Corte, Indicador, Meta, Reporte  # noqa: E402
from politicas.models import Dependencia, Entidad, Nivel, Plan  # noqa: E402

OBJETIVOS, PRODUCTOS = 10, 100
REPETICIONES = int(os.environ.get("REPETICIONES", "30"))


def construir():
    entidad = Entidad.objects.create(nombre="Entidad de prueba de carga")
    deps = [Dependencia.objects.create(entidad=entidad, nombre=f"Sector {k}") for k in range(12)]
    plan = Plan.objects.create(
        codigo="carga-1000", nombre="Plan de carga", tipo=Plan.Tipo.POLITICA_PUBLICA, entidad=entidad,
        anio_inicio=2022, anio_fin=2032, nombres_niveles="Objetivo, Producto", publicado=True,
    )
    Corte.objects.create(plan=plan, anio=2024, semestre=1)
    objetivos = [Nivel.objects.create(plan=plan, codigo=str(o), nombre=f"Objetivo {o}", orden=o) for o in range(1, OBJETIVOS + 1)]
    productos = Nivel.objects.bulk_create(
        Nivel(plan=plan, padre=obj, profundidad=1, codigo=f"{obj.codigo}.{k}", nombre=f"Producto {obj.codigo}.{k}", orden=k)
        for obj in objetivos for k in range(1, PRODUCTOS + 1)
    )
    tipos = ["suma", "constante", "creciente"]
    indicadores = Indicador.objects.bulk_create(
        Indicador(
            plan=plan, nivel=p, codigo=p.codigo, nombre=f"Indicador del producto {p.codigo}", dependencia=deps[i % 12],
            tipo_anualizacion=tipos[i % 3], linea_base=Decimal(0), peso=Decimal("0.1"),
        )
        for i, p in enumerate(productos)
    )
    Meta.objects.bulk_create(
        Meta(indicador=ind, anio=a, valor=Decimal(2 + (a - 2023) * (0 if ind.tipo_anualizacion != "creciente" else 1)))
        for ind in indicadores for a in range(2023, 2033)
    )
    Reporte.objects.bulk_create(
        Reporte(indicador=ind, anio=anio, periodo=1, valor=Decimal((i * 7 + anio) % 5), estado="aprobado",
                observaciones="Avance del periodo.")
        for i, ind in enumerate(indicadores) for anio in (2023, 2024)
    )
    return plan


def medir(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm-up: template compilation, caches
    tiempos = []
    for _ in range(REPETICIONES):
        inicio = time.perf_counter()
        respuesta = client.get(url)
        tiempos.append((time.perf_counter() - inicio) * 1000)
        assert respuesta.status_code == 200, (url, respuesta.status_code)
    with CaptureQueriesContext(connection) as consultas:
        client.get(url)
    tiempos.sort()
    return statistics.median(tiempos), tiempos[int(len(tiempos) * 0.95) - 1], len(consultas)


def main() -> None:
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        "test_seguimiento_bench_tablero" if connection.vendor != "sqlite" else "/tmp/bench_tablero.sqlite3"
    )
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    viejas = runner.setup_databases()
    try:
        plan = construir()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does in production after a load
                cursor.execute("ANALYZE")
        client = Client()
        urls = {
            "Tablero (1.000 indicadores)": f"/planes/{plan.codigo}/?corte=2024-1",
            "Tablero filtrado (banda bajo, orden PAHV)": f"/planes/{plan.codigo}/?corte=2024-1&banda=bajo&orden=-pahv",
            "Informe de seguimiento imprimible": f"/planes/{plan.codigo}/informe/?corte=2024-1",
            "Gráfico de historia (SVG, 5 cortes)": f"/planes/{plan.codigo}/historia.svg?corte=2024-1",
            "Página de un indicador": f"/planes/{plan.codigo}/indicadores/5.50/?corte=2024-1",
            "Inicio": "/",
        }
        print(f"Base de datos: {connection.vendor}; {OBJETIVOS * PRODUCTOS} indicadores; {REPETICIONES} peticiones por página")
        print("| página | mediana (ms) | p95 (ms) | consultas SQL |")
        print("|---|---:|---:|---:|")
        for nombre, url in urls.items():
            mediana, p95, n = medir(client, url)
            print(f"| {nombre} | {mediana:.0f} | {p95:.0f} | {n} |")
    finally:
        runner.teardown_databases(viejas)


if __name__ == "__main__":
    main()
