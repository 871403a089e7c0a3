"""`python manage.py importar ARCHIVO.xlsx [--dry-run]`: load a plan or a semester's progress."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reportes.excel.importar import importar_libro


class Command(BaseCommand):
    help = (
        "Importa un libro de Excel: un plan completo (hojas Plan, Niveles, Indicadores y, si hay, Reportes) o el "
        "avance de un semestre (hojas Plan y Reportes). Revisa todas las celdas antes de escribir: con un solo "
        "error no se escribe nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="Ruta del archivo .xlsx.")
        parser.add_argument("--dry-run", action="store_true", help="Solo revisar y mostrar qué cambiaría; no escribe.")
        parser.add_argument(
            "--motivo", default="",
            help="Motivo de una corrección de datos congelados (metas de años pasados, cortes cerrados); solo administradores.",
        )
        parser.add_argument(
            "--usuario",
            help="Importar como este usuario (sus permisos y su nombre en el historial). Por defecto, el primer "
            "superusuario activo.",
        )

    def handle(self, *args, archivo, dry_run=False, usuario=None, motivo="", **opciones):
        User = get_user_model()
        if usuario:
            quien = User.objects.filter(username=usuario, is_active=True).first()
            if quien is None:
                raise CommandError(f"El usuario «{usuario}» no existe o está inactivo.")
        else:
            quien = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if quien is None:
                raise CommandError("No hay superusuarios: cree uno (createsuperuser) o indique --usuario.")

        def progreso(que: str, n: int) -> None:
            self.stdout.write(f"  {que}: {n}")

        try:
            with open(archivo, "rb") as entrada:
                resultado = importar_libro(
                    entrada, usuario=quien, confirmar=not dry_run, motivo=motivo, progreso=progreso
                )
        except OSError as exc:
            raise CommandError(f"No se pudo abrir «{archivo}»: {exc.strerror}.") from None
        for objeto, accion, n in resultado.resumen_etiquetado():
            self.stdout.write(f"  {accion} {objeto}: {n}")
        if resultado.errores:
            for error in resultado.errores[:200]:
                self.stderr.write(str(error))
            if len(resultado.errores) > 200:
                self.stderr.write(f"… y {len(resultado.errores) - 200} errores más.")
            raise CommandError(f"{len(resultado.errores)} errores: no se escribió nada.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Revisión sin errores (--dry-run): no se escribió nada."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Importado ({resultado.tipo} «{resultado.plan_codigo}»): {len(resultado.cambios)} cambios.")
            )
