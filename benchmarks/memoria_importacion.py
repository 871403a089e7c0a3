"""Memory of reading an uploaded workbook (issue 11): hostile files and a large legitimate one.

    DEBUG=1 .venv/bin/python benchmarks/memoria_importacion.py

Each workbook is built once (the hostile ones with the hand-written zips of
`tests/test_importar_limites.py`) into benchmarks/out/, then read by `reportes.excel.lector.leer_libro`
— the first step of every import (page, command), where the bounds of `reportes.excel.limites`
apply — in a fresh process per workbook, which reports:
- the peak of Python allocations during the reading (tracemalloc),
- the growth of the process's peak RSS (`ru_maxrss`) over what it held before reading,
- the time, and what the reader said.
Figures: benchmarks/RESULTADOS.md, «Lectura acotada de libros subidos».
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seguimiento.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from reportes.excel.lector import leer_libro

SALIDA = RAIZ / "benchmarks" / "out"


def construir() -> dict[str, Path]:
    """name → file of every workbook measured."""
    from tests.test_importar_limites import (
        Cadena,
        filas_xml,
        hoja_ancha,
        hojas_de_plan,
        libro_a_mano,
        libro_bomba,
        libro_que_miente,
    )

    SALIDA.mkdir(parents=True, exist_ok=True)
    titulos = ["Código del indicador", "Año", "Periodo", "Avance", "Observaciones", "Plan de choque", "Estado",
               "Dependencia", "Indicador", "Meta", "Unidad", "Fuente"]
    filas = 50_000

    def reportes():
        yield from filas_xml([titulos])
        yield from filas_xml(
            ([f"{r // 10}.{r % 10}", 2024, 1, r % 100, Cadena(2 * r), Cadena(2 * r + 1), "Aprobado",
              "Secretaría General", f"Indicador {r}", 100, "Número", "Registro"] for r in range(filas)),
            inicio=2,
        )

    def cadenas():
        for r in range(filas):
            yield f"<si><t>Observación {r}: avance según el acta de seguimiento del semestre, con las fuentes "\
                  f"consultadas y los ajustes del equipo {r % 97}.</t></si><si><t>Plan de choque {r}</t></si>".encode()

    libros = {
        "bomba de 200 MB en un texto": libro_bomba(),
        "zip que declara 1.000 bytes por 200 MB": libro_que_miente(),
        "hoja de 100 × 16.384 celdas": libro_a_mano({"Indicadores": hoja_ancha()}),
        "legítimo: 50.000 filas × 12 columnas, 100.000 textos": libro_a_mano(
            {**hojas_de_plan(), "Reportes": reportes()}, cadenas=cadenas()
        ),
    }
    rutas = {}
    for i, (nombre, contenido) in enumerate(libros.items()):
        ruta = SALIDA / f"importacion-{i}.xlsx"
        ruta.write_bytes(contenido)
        rutas[nombre] = ruta
    return rutas


def medir(ruta: str, *, trazar: bool) -> dict:
    """Read one workbook in this process (run as a child: `--medir RUTA`). tracemalloc slows every
    allocation and adds its own memory: time and RSS come from a run without it."""
    antes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trazar:
        tracemalloc.start()
    inicio = time.perf_counter()
    hojas, errores = leer_libro(ruta)
    segundos = time.perf_counter() - inicio
    pico = tracemalloc.get_traced_memory()[1] if trazar else 0
    tracemalloc.stop()
    despues = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "segundos": round(segundos, 2),
        "pico_tracemalloc_mb": round(pico / 2**20, 1),
        "rss_crece_mb": round((despues - antes) / 1024, 1),  # ru_maxrss is in KB on Linux
        "filas": sum(len(h.filas) for h in hojas.values()),
        "mensaje": str(errores[0])[:160] if errores else "",
    }


def main() -> None:
    argumentos = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argumentos.add_argument("--medir", help=argparse.SUPPRESS)
    argumentos.add_argument("--trazar", action="store_true", help=argparse.SUPPRESS)
    opciones = argumentos.parse_args()
    if opciones.medir:
        print(json.dumps(medir(opciones.medir, trazar=opciones.trazar)))
        return

    def hijo(ruta: Path, *extra: str) -> dict:
        salida = subprocess.run([sys.executable, __file__, "--medir", str(ruta), *extra], capture_output=True,
                                text=True, check=True)
        return json.loads(salida.stdout.strip().splitlines()[-1])

    print("| libro | en disco | tiempo | pico tracemalloc | crecimiento del RSS | filas leídas | mensaje |")
    print("|---|---|---|---|---|---|---|")
    for nombre, ruta in construir().items():
        cifras, trazado = hijo(ruta), hijo(ruta, "--trazar")
        print(f"| {nombre} | {ruta.stat().st_size / 1024:,.0f} KB | {cifras['segundos']} s | "
              f"{trazado['pico_tracemalloc_mb']} MB | {cifras['rss_crece_mb']} MB | {cifras['filas']:,} | "
              f"{cifras['mensaje'] or '—'} |")


if __name__ == "__main__":
    main()
