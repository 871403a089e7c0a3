"""`python manage.py exportar --plan CODE --corte 2024-1 ARCHIVO.xlsx`: the auditors' workbook."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from politicas.models import Plan
from reportes.excel.exportar import exportar_plan
from seguimiento.metodologia.resultados import CorteRef


class UsuarioConsola:
    """Whoever runs manage.py on the server reads every plan; named so in «Acerca de»."""

    is_authenticated = True
    is_superuser = True
    is_staff = True
    pk = None

    def get_full_name(self) -> str:
        return "Consola del servidor (manage.py)"

    def get_username(self) -> str:
        return "consola"


class Command(BaseCommand):
    help = "Exporta a Excel el seguimiento de un plan en un corte (hojas Indicadores, Niveles, Reportes, Plan, Acerca de)."

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="Ruta del archivo .xlsx que se escribirá.")
        parser.add_argument("--plan", required=True, help="Código del plan, por ejemplo bogota-conpes-29.")
        parser.add_argument("--corte", required=True, help="Corte AAAA-S, por ejemplo 2024-1.")
        parser.add_argument(
            "--usuario", help="Exportar con los permisos de este usuario (por defecto, todo el plan)."
        )
        parser.add_argument(
            "--filtro", action="append", default=[], metavar="CLAVE=VALOR",
            help="Filtros del tablero: banda=bajo, dependencia=ID, nivel=ID, tipo=suma, enfoque=ID, orden=-pahv.",
        )

    def handle(self, *args, archivo, plan, corte, usuario=None, filtro=(), **opciones):
        try:
            corte_ref = CorteRef.parse(corte)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        plan_obj = Plan.objects.select_related("entidad", "dependencia_lider").filter(codigo=plan).first()
        if plan_obj is None:
            raise CommandError(f"El plan «{plan}» no existe.")
        if usuario:
            quien = get_user_model().objects.filter(username=usuario).first()
            if quien is None:
                raise CommandError(f"El usuario «{usuario}» no existe.")
        else:
            quien = UsuarioConsola()
        params = {}
        for par in filtro:
            clave, igual, valor = par.partition("=")
            if not igual:
                raise CommandError(f"Filtro «{par}» no válido: escríbalo CLAVE=VALOR.")
            params[clave.strip()] = valor.strip()
        inicio = time.perf_counter()

        def progreso(hoja: str, filas: int) -> None:
            self.stdout.write(f"  {hoja}: {filas} filas")

        info = exportar_plan(archivo, plan=plan_obj, corte=corte_ref, usuario=quien, params=params, progreso=progreso)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exportado «{plan_obj.codigo}» al corte {corte_ref}: {info.filas.get('Indicadores', 0)} indicadores "
                f"en {archivo} ({time.perf_counter() - inicio:.1f} s)."
            )
        )
