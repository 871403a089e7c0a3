"""`python manage.py benchmark`: time the follow-up engine on a synthetic plan set of a given size.

    manage.py benchmark --indicadores 30000 --por-plan 1000           # generate, then measure
    manage.py benchmark --indicadores 30000 --por-plan 1000 --solo-generar
    manage.py benchmark --solo-medir                                  # measure what is there

The synthetic set: plans "bench-NNNN" of `--por-plan` indicators each (5 ejes × 4 programas),
the four tipos de anualización and the four periodicidades in turn, targets for the ten years
2020–2029 and two reports a year (one for annual indicators, which have a single period), all
approved. Rows are written with COPY on PostgreSQL and executemany batches on SQLite.

It measures `plan_resultados` on one plan (median of several runs) and `planes_resultados` over
every plan (the national roll-up) three ways: computed live, first read of the cut (computes and
stores the summaries) and later reads (stored summaries); and the process's peak memory. Run `--solo-medir` in a fresh
process to read the memory of the computation alone. Figures: benchmarks/RESULTADOS.md.
"""

import io
import random
import resource
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from indicadores.models import Indicador, Meta, Reporte
from politicas.models import Dependencia, Entidad, Nivel, Plan
from reportes.models import ResumenCorte, VersionIndicador
from reportes.selectors import plan_resultados, planes_resultados
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import CorteRef

PREFIJO = "bench-"
ENTIDAD = "Entidad sintética de benchmark"
ANIOS = range(2020, 2030)
# Two reports a year where the periodicidad has two or more periods: the middle and the last.
PERIODOS_REPORTADOS = {"anual": (1,), "semestral": (1, 2), "trimestral": (2, 4), "mensual": (6, 12)}
EJES, PROGRAMAS = 5, 4


def _ahora() -> float:
    return time.perf_counter()


def _memoria_pico_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Escritor:
    """Batch writer for one model's rows: COPY on PostgreSQL, executemany elsewhere.

    Columns not given take the field's default, prepared once, so the writer follows the model
    if someone adds a column with a default.
    """

    def __init__(self, modelo, columnas: list[str]):
        campos = [c for c in modelo._meta.concrete_fields if not c.primary_key]
        self.tabla = modelo._meta.db_table
        self.dadas = columnas
        self.fijas = []
        for campo in campos:
            if campo.attname in columnas:
                continue
            if campo.has_default():
                valor = campo.get_db_prep_save(campo.get_default(), connection)
            elif campo.null:
                valor = None
            elif getattr(campo, "auto_now", False) or getattr(campo, "auto_now_add", False):
                from django.utils import timezone

                valor = campo.get_db_prep_save(timezone.now(), connection)
            elif campo.get_internal_type() in ("CharField", "TextField"):
                valor = ""
            else:
                raise CommandError(f"No sé qué valor dar a {self.tabla}.{campo.column} en el benchmark.")
            self.fijas.append((campo.column, valor))
        columnas_db = {c.attname: c.column for c in campos}
        self.columnas = [columnas_db[c] for c in columnas] + [c for c, _ in self.fijas]
        self.valores_fijos = tuple(v for _, v in self.fijas)
        if connection.vendor == "postgresql":
            self.sufijo = "".join("\t" + self._texto(v) for v in self.valores_fijos)

    @staticmethod
    def _texto(valor) -> str:
        if valor is None:
            return "\\N"
        if isinstance(valor, bool):
            return "t" if valor else "f"
        return str(valor).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def escribir(self, filas: list[tuple]) -> None:
        if not filas:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                texto = "".join("\t".join(map(str, fila)) + self.sufijo + "\n" for fila in filas)
                cursor.cursor.copy_expert(
                    f"COPY {self.tabla} ({', '.join(self.columnas)}) FROM STDIN", io.StringIO(texto)
                )
            else:
                marcadores = ", ".join(["%s"] * len(self.columnas))
                cursor.executemany(
                    f"INSERT INTO {self.tabla} ({', '.join(self.columnas)}) VALUES ({marcadores})",
                    [fila + self.valores_fijos for fila in filas],
                )


def generar(*, indicadores: int, por_plan: int, semilla: int = 29, salida=None) -> int:
    """Replace the synthetic plans with `indicadores` indicators in plans of `por_plan`."""
    azar = random.Random(semilla)
    borrar()
    entidad, _ = Entidad.objects.get_or_create(nombre=ENTIDAD)
    dependencia, _ = Dependencia.objects.get_or_create(entidad=entidad, nombre="Secretaría sintética")
    metas = _Escritor(Meta, ["indicador_id", "anio", "valor"])
    reportes = _Escritor(Reporte, ["indicador_id", "anio", "periodo", "valor", "estado"])
    tipos = calculos.TIPOS
    periodicidades = list(calculos.PERIODOS_POR_ANIO)
    n_planes = max(1, -(-indicadores // por_plan))
    creados = 0
    for numero in range(n_planes):
        tamano = min(por_plan, indicadores - creados)
        with transaction.atomic():
            plan = Plan.objects.create(
                codigo=f"{PREFIJO}{numero:04d}", nombre=f"Plan sintético {numero}", tipo=Plan.Tipo.PLAN_DESARROLLO,
                entidad=entidad, anio_inicio=ANIOS[0], anio_fin=ANIOS[-1],
            )
            ejes = Nivel.objects.bulk_create(
                Nivel(plan=plan, codigo=str(e + 1), nombre=f"Eje {e + 1}", orden=e, profundidad=0) for e in range(EJES)
            )
            programas = Nivel.objects.bulk_create(
                Nivel(plan=plan, padre=eje, codigo=f"{eje.codigo}.{p + 1}", nombre=f"Programa {eje.codigo}.{p + 1}",
                      orden=p, profundidad=1)
                for eje in ejes for p in range(PROGRAMAS)
            )
            nuevos = Indicador.objects.bulk_create(
                (
                    Indicador(
                        plan=plan, nivel=programas[k % len(programas)], dependencia=dependencia,
                        codigo=f"{k + 1:06d}", nombre=f"Indicador sintético {k + 1}", orden=k,
                        tipo_anualizacion=tipos[k % 4], periodicidad=periodicidades[(k // 4) % 4],
                        linea_base=Decimal(100) if tipos[k % 4] == "decreciente" else Decimal(azar.randint(0, 20)),
                    )
                    for k in range(tamano)
                ),
                batch_size=2000,
            )
            filas_metas, filas_reportes = [], []
            for indicador in nuevos:
                tipo, lb = indicador.tipo_anualizacion, int(indicador.linea_base)
                for i, anio in enumerate(ANIOS):
                    # suma: 10 a year; constante: 50; creciente rises from LB; decreciente falls from 100.
                    meta = {"suma": 10, "constante": 50, "creciente": lb + 5 * (i + 1), "decreciente": 95 - 5 * i}[tipo]
                    filas_metas.append((indicador.pk, anio, meta))
                    for periodo in PERIODOS_REPORTADOS[indicador.periodicidad]:
                        valor = round(meta * azar.uniform(0.3, 1.4) / (2 if tipo == "suma" else 1), 2)
                        filas_reportes.append((indicador.pk, anio, periodo, valor, "aprobado"))
            metas.escribir(filas_metas)
            reportes.escribir(filas_reportes)
        creados += tamano
        if salida and (numero + 1) % 50 == 0:
            salida(f"  {creados:,} indicadores…")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Meta._meta.db_table}; ANALYZE {Reporte._meta.db_table}; "
                           f"ANALYZE {Indicador._meta.db_table}; ANALYZE {Nivel._meta.db_table}")
    return creados


def borrar() -> None:
    """Remove the synthetic plans (rows first, in bulk, so the cascade does not walk millions)."""
    planes = Plan.objects.filter(codigo__startswith=PREFIJO)
    indicadores = Indicador.objects.filter(plan__in=planes)
    ResumenCorte.objects.filter(indicador__in=indicadores)._raw_delete(ResumenCorte.objects.db)
    VersionIndicador.objects.filter(indicador_id__in=indicadores.values("pk"))._raw_delete(VersionIndicador.objects.db)
    Reporte.objects.filter(indicador__in=indicadores)._raw_delete(Reporte.objects.db)
    Meta.objects.filter(indicador__in=indicadores)._raw_delete(Meta.objects.db)
    indicadores._raw_delete(Indicador.objects.db)
    Nivel.objects.filter(plan__in=planes, padre__isnull=False)._raw_delete(Nivel.objects.db)
    Nivel.objects.filter(plan__in=planes)._raw_delete(Nivel.objects.db)
    planes._raw_delete(Plan.objects.db)


# Counting reports that are "enviado" too changes nothing here (every synthetic report is approved)
# but takes the live path, which is how the engine works without stored summaries.
EN_VIVO = ("aprobado", "enviado")


def _cronometrar(funcion, repeticiones: int) -> float:
    tiempos = []
    for _ in range(repeticiones):
        inicio = _ahora()
        funcion()
        tiempos.append(_ahora() - inicio)
    return statistics.median(tiempos)


def medir(*, corte: CorteRef, repeticiones: int = 5) -> dict:
    """Time one plan's results (computed live) and the roll-up of every synthetic plan: live,
    first read of the cut (which stores the summaries) and following reads (stored summaries)."""
    planes = list(Plan.objects.filter(codigo__startswith=PREFIJO).order_by("codigo"))
    if not planes:
        raise CommandError("No hay planes sintéticos: ejecute primero con --indicadores N.")
    uno = planes[0]

    def todos(estados=("aprobado",)):
        total, cuantos = Decimal(0), 0
        for resumen in planes_resultados(corte=corte, planes=planes, estados=estados):
            total, cuantos = total + resumen.total.avance, cuantos + 1
        return total, cuantos

    def sin_resumenes():
        ResumenCorte.objects.filter(indicador__plan__in=planes, anio=corte.anio, semestre=corte.semestre).delete()

    def primera(funcion):
        sin_resumenes()
        return _cronometrar(funcion, 1)

    cifras = {
        "motor": connection.vendor,
        "planes": len(planes),
        "indicadores": Indicador.objects.filter(plan__in=planes).count(),
        "metas": Meta.objects.filter(indicador__plan__in=planes).count(),
        "reportes": Reporte.objects.filter(indicador__plan__in=planes).count(),
        "indicadores_plan": Indicador.objects.filter(plan=uno).count(),
        "plan_ms": _cronometrar(lambda: plan_resultados(plan=uno, corte=corte), repeticiones) * 1000,
        "todos_vivo_s": _cronometrar(lambda: todos(EN_VIVO), 1),
        "todos_primera_s": primera(todos),
        "todos_s": _cronometrar(todos, max(1, repeticiones // 2)),
    }
    total, cuantos = todos()
    cifras.update(planes_calculados=cuantos, avance_medio=total / cuantos, memoria_mb=_memoria_pico_mb())
    return cifras


class Command(BaseCommand):
    # Scripts and auditors run it: it reads data only and must not fail on an unrelated check.
    requires_system_checks = []
    help = "Genera planes sintéticos y mide el cálculo del seguimiento (plan_resultados, planes_resultados)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--indicadores", type=int, default=1000, help="Indicadores en total (por omisión 1000).")
        parser.add_argument("--por-plan", type=int, default=1000, help="Indicadores por plan (por omisión 1000).")
        parser.add_argument("--corte", default="2029-2", help="Corte medido, AAAA-S (por omisión 2029-2: cuenta todo).")
        parser.add_argument("--repeticiones", type=int, default=5)
        grupo = parser.add_mutually_exclusive_group()
        grupo.add_argument("--solo-generar", action="store_true")
        grupo.add_argument("--solo-medir", action="store_true", help="Mide los planes sintéticos ya generados.")
        grupo.add_argument("--borrar", action="store_true", help="Borra los planes sintéticos.")

    def handle(self, *args, **opciones) -> None:
        try:
            corte = CorteRef.parse(opciones["corte"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if opciones["borrar"]:
            borrar()
            self.stdout.write("Planes sintéticos borrados.")
            return
        if not opciones["solo_medir"]:
            if opciones["indicadores"] < 1 or opciones["por_plan"] < 1:
                raise CommandError("--indicadores y --por-plan deben ser positivos.")
            inicio = _ahora()
            creados = generar(indicadores=opciones["indicadores"], por_plan=opciones["por_plan"],
                              salida=self.stdout.write)
            self.stdout.write(f"Generados {creados:,} indicadores en {_ahora() - inicio:.1f} s.")
            if opciones["solo_generar"]:
                return
        m = medir(corte=corte, repeticiones=opciones["repeticiones"])
        self.stdout.write(
            f"motor={m['motor']} planes={m['planes']} indicadores={m['indicadores']} metas={m['metas']} "
            f"reportes={m['reportes']} corte={corte}\n"
            f"plan de {m['indicadores_plan']} indicadores: {m['plan_ms']:.1f} ms (plan_resultados, mediana)\n"
            f"todos los planes ({m['planes_calculados']}): {m['todos_s']:.3f} s con resúmenes guardados (mediana); "
            f"primera lectura del corte {m['todos_primera_s']:.3f} s; en vivo {m['todos_vivo_s']:.3f} s\n"
            f"memoria pico del proceso: {m['memoria_mb']:.0f} MB"
        )
