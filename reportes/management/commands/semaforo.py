"""`python manage.py semaforo --plan CODE --corte 2024-1 [--json]`: a plan's follow-up at a cut.

The table is for people; `--json` prints one object for scripts and auditors. Both come from
`reportes.selectors.plan_resultados`, the same code path as the dashboards, exports and API.
"""

import json
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import BaseCommand, CommandError

from politicas.models import Plan
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import ESTADOS_OFICIALES, CorteRef, ResultadoPlan
from seguimiento.numeros import formato_numero, formato_porcentaje

_SEIS_DECIMALES = Decimal("0.000001")


def _numero(valor: Decimal | None) -> float | int | None:
    """A JSON number with at most six decimals (41.25, 333.333333); None stays null."""
    if valor is None:
        return None
    redondeado = valor.quantize(_SEIS_DECIMALES, rounding=ROUND_HALF_UP).normalize()
    # 6 decimals of a percentage is < 16 significant digits: the float prints back exactly.
    return int(redondeado) if redondeado == redondeado.to_integral_value() else float(redondeado)


def como_json(resultado: ResultadoPlan) -> dict:
    """The documented JSON shape of a plan's results (issue 3)."""
    return {
        "plan": resultado.plan_codigo,
        "corte": resultado.corte.clave,
        "indicadores": [
            {
                "codigo": r.codigo,
                "nombre": r.nombre,
                "tipo": r.tipo,
                "pav": _numero(r.pav),
                "pahv": _numero(r.pahv),
                "paa": _numero(r.paa),
                "trayectoria": _numero(r.trayectoria),
                "semaforo": r.semaforo.value,
            }
            for r in resultado.indicadores
        ],
        "niveles": [
            {
                "codigo": n.codigo,
                "nombre": n.nombre,
                "nivel": n.nivel,
                "avance": _numero(n.avance),
                "trayectoria": _numero(n.trayectoria),
                "brecha": _numero(n.brecha),
            }
            for n in resultado.niveles
        ],
        "total": {
            "avance": _numero(resultado.total.avance),
            "trayectoria": _numero(resultado.total.trayectoria),
            "brecha": _numero(resultado.total.brecha),
        },
    }


class Command(BaseCommand):
    # Scripts and auditors run it: it reads data only and must not fail on an unrelated check.
    requires_system_checks = []
    help = "Semáforo de un plan en un corte: PAV, PAHV, PAA, trayectoria y brecha por indicador y por nivel."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", required=True, help="Código del plan, por ejemplo bogota-conpes-29.")
        parser.add_argument("--corte", required=True, help="Corte AAAA-S: 2024-1 (30 de junio) o 2024-2 (31 de diciembre).")
        parser.add_argument("--json", action="store_true", help="Un objeto JSON en lugar de la tabla.")
        parser.add_argument(
            "--estados", default=",".join(ESTADOS_OFICIALES),
            help="Estados de reporte que cuentan, separados por comas (por omisión: aprobado).",
        )

    def handle(self, *args, **opciones) -> None:
        try:
            corte = CorteRef.parse(opciones["corte"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        plan = Plan.objects.filter(codigo=opciones["plan"]).first()
        if plan is None:
            codigos = ", ".join(Plan.objects.order_by("codigo").values_list("codigo", flat=True)) or "ninguno"
            raise CommandError(f"No existe el plan «{opciones['plan']}». Planes disponibles: {codigos}.")
        estados = tuple(e.strip() for e in opciones["estados"].split(",") if e.strip())
        resultado = plan_resultados(plan=plan, corte=corte, estados=estados)
        if opciones["json"]:
            self.stdout.write(json.dumps(como_json(resultado), ensure_ascii=False, indent=2))
        else:
            self._tabla(plan, resultado)

    def _tabla(self, plan: Plan, resultado: ResultadoPlan) -> None:
        escribir = self.stdout.write
        escribir(f"{plan.nombre} — corte {resultado.corte.clave} ({resultado.corte.fecha:%d/%m/%Y})")
        escribir("")
        escribir(f"{'Código':<14} {'Tipo':<12} {'PAV':>8} {'PAHV':>8} {'PAA':>8} {'Tray.':>8}  Semáforo")
        for r in resultado.indicadores:
            nota = f" ({r.motivo_sin_informacion})" if r.motivo_sin_informacion else ""
            escribir(
                f"{r.codigo:<14} {r.tipo:<12} {formato_porcentaje(r.pav):>8} {formato_porcentaje(r.pahv):>8} "
                f"{formato_porcentaje(r.paa):>8} {formato_porcentaje(r.trayectoria):>8}  {r.semaforo.etiqueta}{nota}"
            )
        escribir("")
        escribir(f"{'Nivel':<24} {'Peso':>7} {'Avance':>8} {'Tray.':>8} {'Brecha':>8}   (puntos del plan)")
        for n in resultado.niveles:
            nombre = f"{'  ' * n.profundidad}{n.nivel} {n.codigo}"
            escribir(
                f"{nombre[:24]:<24} {formato_numero(n.peso):>7} {formato_numero(n.avance):>8} "
                f"{formato_numero(n.trayectoria):>8} {formato_numero(n.brecha):>8}"
            )
        total = resultado.total
        escribir(
            f"{'Total':<24} {'100':>7} {formato_numero(total.avance):>8} {formato_numero(total.trayectoria):>8} "
            f"{formato_numero(total.brecha):>8}"
        )
        escribir("")
        conteo = resultado.conteo_semaforo()
        escribir("Semáforo (PAHV): " + "; ".join(f"{banda.etiqueta}: {n}" for banda, n in conteo.items()))
