"""`python manage.py cargar_demo`: the three seed plans and one demo user per role.

All or nothing (one transaction) and idempotent: run it again and nothing is duplicated; values
the seeds define are restored, cuts keep the state the workflow gave them.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from politicas.demo import bogota, cali


class Command(BaseCommand):
    help = "Carga los planes de demostración (Cali, Bogotá, Sopó) y los usuarios de demostración."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            resumen_bogota = bogota.cargar()
            resumen_cali = cali.cargar()
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS("Datos de demostración cargados."))
        self.stdout.write(
            f"  {bogota.CODIGO}: {resumen_bogota['objetivos']} objetivos, "
            f"{resumen_bogota['indicadores']} productos, {resumen_bogota['reportes']} reportes."
        )
        self.stdout.write(
            f"  {cali.CODIGO}: {resumen_cali['niveles']} ejes, componentes y programas, "
            f"{resumen_cali['indicadores']} indicadores, {resumen_cali['reportes']} reportes."
        )
