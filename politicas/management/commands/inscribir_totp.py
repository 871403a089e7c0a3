"""`manage.py inscribir_totp USUARIO [--svg archivo.svg]`: enrol (or replace) a person's TOTP app.

The first administrator of an installation that turns on `SEGUIMIENTO_2FA` has nobody to enrol
them in the admin; this prints the secret and the otpauth:// URL, and draws the QR code locally.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.qr import write_qrcode_image

from seguimiento.ingreso import inscribir_totp, secreto


class Command(BaseCommand):
    help = "Inscribe (o reemplaza) la aplicación de autenticación (TOTP) de un usuario."

    def add_arguments(self, parser):
        parser.add_argument("usuario")
        parser.add_argument("--svg", help="Escribe el código QR en este archivo SVG.")

    def handle(self, *args, usuario: str, svg: str | None = None, **opciones):
        try:
            device = inscribir_totp(usuario)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No existe el usuario «{usuario}».") from exc
        self.stdout.write(f"Clave: {secreto(device)}\nURL: {device.config_url}")
        if svg:
            with open(svg, "wb") as archivo:
                write_qrcode_image(device.config_url, archivo)
            self.stdout.write(f"Código QR en {svg}")
