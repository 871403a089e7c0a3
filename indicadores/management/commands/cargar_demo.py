"""`python manage.py cargar_demo`: the three seed plans and one demo user per role.

All or nothing (one transaction) and idempotent: run it again and nothing is duplicated; values
the seeds define are restored (except reports frozen by a closed cut, which keep their published
value), cuts keep the state the workflow gave them, and the demo users get their documented
passwords back. The cuts the seeds publish as closed are closed by the demo reviewer once their
reports are loaded, so their official figures are stored as for any other cut.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicadores.demo import Cuentas, bogota, cali, sopo, usuarios


class Command(BaseCommand):
    help = "Carga los planes de demostración (Cali, Bogotá, Sopó) y un usuario de demostración por rol."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_PERMITIDA:
            # The demo users have published passwords, one of them a superuser's.
            raise CommandError(
                "cargar_demo crea usuarios con contraseñas publicadas: solo corre en desarrollo "
                "(DEBUG=1) o con PERMITIR_DEMO=1."
            )
        with transaction.atomic():
            # The users first: the seeds are written through the services as the demo
            # administrator, and the published cuts are closed by the demo reviewer.
            cuentas = usuarios.cargar_cuentas()
            como = Cuentas(administrador=cuentas["admin"], revisor=cuentas["revisor"])
            resumen_bogota = bogota.cargar(como)
            resumen_cali = cali.cargar(como)
            resumen_sopo = sopo.cargar()
            demo = usuarios.asignar_dependencias(cuentas)
        if options["verbosity"] < 1:
            return
        escribir = self.stdout.write
        escribir(self.style.SUCCESS("Datos de demostración cargados (se pueden volver a cargar sin duplicar)."))
        escribir(
            f"  {bogota.CODIGO}: {resumen_bogota['objetivos']} objetivos, {resumen_bogota['indicadores']} "
            f"productos, {resumen_bogota['reportes']} reportes; cortes 2023-2 y 2024-1."
        )
        escribir(
            f"  {cali.CODIGO}: {resumen_cali['ejes']} ejes, {resumen_cali['componentes']} componentes, "
            f"{resumen_cali['programas']} programas, "
            f"{resumen_cali['indicadores']} indicadores, {resumen_cali['reportes']} reportes; cortes 2016-2 y 2017-2."
        )
        escribir(
            f"  {sopo.CODIGO}: informe cualitativo 2021-2 con {resumen_sopo['componentes']} componentes."
        )
        escribir("  Valores inferidos (no dichos por los informes) marcados como ilustrativos.")
        conservados = resumen_bogota["conservados"] + resumen_cali["conservados"]
        if conservados:
            escribir(
                f"  {conservados} reporte(s) de cortes cerrados se conservaron como se publicaron: solo un "
                "administrador los corrige, con el motivo."
            )
        escribir("Usuarios de demostración (contraseñas solo para demostración):")
        for u in demo:
            escribir(f"  {u.username:<12} {u.password:<24} {u.rol}")
