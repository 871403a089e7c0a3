"""Logging in (issue 11): the lockout after repeated failures, the second factor, TOTP enrolment.

- **Lockout.** django-axes records every failed login in the database (`AxesDatabaseHandler`),
  so the count holds across gunicorn workers and servers that share it. After
  `AXES_FAILURE_LIMIT` failures for the same user from the same address (`AXES_LOCKOUT_PARAMETERS`)
  that pair is refused for `AXES_COOLOFF_MINUTOS`, the right password included. `respuesta_bloqueo`
  is the answer: a Spanish page on the login forms, JSON with a 429 on the API. `ip_del_cliente`
  reads the address behind the installation's `PROXIES_DE_CONFIANZA` reverse proxies.
- **Second factor.** With `SEGUIMIENTO_2FA=1` administrators and reviewers type a TOTP code
  (django-otp) on the login form, the admin's and the site's (`FormularioIngreso`,
  `FormularioIngresoAdmin`); other roles are not asked. A wrong code counts as a failed login.
- **Enrolment.** An administrator adds a «TOTP device» for the person in the admin, whose page
  shows the QR code (an SVG drawn by the server) and the otpauth:// URL; `inscribir_totp` does the
  same from `manage.py inscribir_totp` for the first administrator.
"""

import ipaddress
from urllib.parse import parse_qs, urlsplit

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django_otp import devices_for_user
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from seguimiento.numeros import formato_numero
from seguimiento.sesiones import requiere_segundo_factor

PLANTILLA_BLOQUEO = "registration/bloqueado.html"
CREDENCIALES_INCORRECTAS = "Usuario o contraseña incorrectos. Inténtelo de nuevo."


# ---------------------------------------------------------------------------------------------
# Lockout (django-axes)


def minutos_de_bloqueo(request=None) -> int:
    espera = get_cool_off(request)
    return int(espera.total_seconds() // 60) if espera else 0


def mensaje_de_bloqueo(request=None) -> str:
    minutos = minutos_de_bloqueo(request)
    intentos = formato_numero(settings.AXES_FAILURE_LIMIT)
    if minutos:
        espera = f"Espere {formato_numero(minutos)} minutos sin intentarlo y vuelva a ingresar"
    else:
        espera = "Pida a un administrador que lo desbloquee"
    return (
        f"Ingreso bloqueado: hubo {intentos} o más intentos fallidos con este usuario desde esta "
        f"dirección. {espera}; cada intento durante el bloqueo, aun con la contraseña correcta, "
        "lo vuelve a empezar. Si olvidó la contraseña, pídala al administrador."
    )


def es_api(request) -> bool:
    return request.path.startswith("/api/")


def respuesta_bloqueo(request, original_response=None, credentials=None):
    """`AXES_LOCKOUT_CALLABLE`: what a locked-out login gets (HTTP 429, with `Retry-After`)."""
    mensaje = mensaje_de_bloqueo(request)
    if es_api(request):
        respuesta = JsonResponse({"detail": mensaje}, status=429)
    else:
        admin = request.path.startswith("/admin/")
        respuesta = render(request, PLANTILLA_BLOQUEO, {"mensaje": mensaje, "en_admin": admin}, status=429)
    minutos = minutos_de_bloqueo(request)
    if minutos:
        respuesta["Retry-After"] = str(minutos * 60)
    return respuesta


def ip_del_cliente(request) -> str | None:
    """`AXES_CLIENT_IP_CALLABLE`: the address the lockout counts by.

    Behind `PROXIES_DE_CONFIANZA` = N reverse proxies that each append the address they were
    reached from to X-Forwarded-For, the client is the N-th address from the right (what the
    client itself writes there is further left and ignored). With 0 (the default), REMOTE_ADDR.
    Anything that is not an IP address falls back to REMOTE_ADDR.
    """
    remota = request.META.get("REMOTE_ADDR")
    saltos = int(getattr(settings, "PROXIES_DE_CONFIANZA", 0))
    if saltos > 0:
        reenviadas = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(reenviadas) >= saltos:
            try:
                return str(ipaddress.ip_address(reenviadas[-saltos]))
            except ValueError:
                pass
    return remota


def registrar_fallo(request, username: str) -> None:
    """Count a failed second factor like a wrong password (django-axes listens)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# ---------------------------------------------------------------------------------------------
# Second factor (django-otp)

MENSAJES_OTP = dict(
    OTPAuthenticationFormMixin.otp_error_messages,
    token_required="Su cuenta exige el código de verificación: escriba las 6 cifras que muestra ahora su "
    "aplicación de autenticación.",
    invalid_token="El código de verificación no es correcto o ya venció. Escriba el que muestra ahora su "
    "aplicación de autenticación.",
    n_failed_attempts="Verificación en pausa tras %(failure_count)d código(s) incorrecto(s): espere unos segundos "
    "y escriba el código que muestra ahora su aplicación.",
    verification_not_allowed="La verificación del código está deshabilitada por ahora; inténtelo más tarde.",
    device_required="Su cuenta exige el código de verificación y no tiene un dispositivo inscrito.",
)
SIN_DISPOSITIVO = (
    "Su cuenta exige un código de verificación (segundo factor) y todavía no tiene una aplicación de "
    "autenticación inscrita. Pida a un administrador que la inscriba."
)


def campo_codigo() -> forms.CharField:
    return forms.CharField(
        label="Código de verificación",
        required=False,
        max_length=8,
        strip=True,
        help_text="Solo administradores y revisores: las 6 cifras de su aplicación de autenticación.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class SegundoFactorMixin(OTPAuthenticationFormMixin):
    """A login form that, with `SEGUIMIENTO_2FA`, asks for a TOTP code and checks it for the
    users who need one (`requiere_segundo_factor`). Without it, the form is Django's."""

    otp_error_messages = MENSAJES_OTP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.SEGUIMIENTO_2FA:
            self.fields["otp_token"] = campo_codigo()

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and requiere_segundo_factor(user):
            if not any(True for _ in devices_for_user(user)):
                raise forms.ValidationError(SIN_DISPOSITIVO, code="sin_dispositivo")
            try:
                self.clean_otp(user)
            except forms.ValidationError:
                if self.cleaned_data.get("otp_token"):
                    registrar_fallo(self.request, user.get_username())
                raise
        return cleaned

    def _chosen_device(self, user):
        """The person's TOTP device: there is no device list to choose from on this form (one
        device a person; enrolling again replaces it). Called inside `clean_otp`'s transaction."""
        return next(iter(devices_for_user(user, for_verify=True)), None)

    def _update_form(self, user):
        """django-otp would write the password back into the page after a wrong code; not here."""


def error_de_segundo_factor(user, codigo: str) -> str | None:
    """Check the TOTP `codigo` of a user who needs one (the API's token endpoint): None when it
    is right, else the message. A wrong code counts against the device's own throttle too."""
    with transaction.atomic():
        device = next(iter(devices_for_user(user, for_verify=True)), None)
        if device is None:
            return SIN_DISPOSITIVO
        if not codigo:
            return MENSAJES_OTP["token_required"]
        permitido, extra = device.verify_is_allowed()
        if not permitido:
            if "failure_count" in extra:
                return MENSAJES_OTP["n_failed_attempts"] % extra
            return MENSAJES_OTP["verification_not_allowed"]
        if not device.verify_token(codigo):
            return MENSAJES_OTP["invalid_token"]
    return None


class FormularioIngreso(SegundoFactorMixin, AuthenticationForm):
    """The site's login form (/cuentas/ingresar/)."""

    error_messages = dict(AuthenticationForm.error_messages, invalid_login=CREDENCIALES_INCORRECTAS)


class FormularioIngresoAdmin(SegundoFactorMixin, AdminAuthenticationForm):
    """The admin's login form (/admin/login/): staff only, as Django's."""


def inscribir_totp(username: str, nombre: str = "Aplicación de autenticación") -> TOTPDevice:
    """Enrol (or replace) the TOTP device of `username` and return it: `config_url` is the
    otpauth:// URL an authenticator app reads; `secreto(device)` the key to type by hand.

        manage.py inscribir_totp admin --svg qr.svg
    """
    usuario = get_user_model().objects.get_by_natural_key(username)
    TOTPDevice.objects.filter(user=usuario).delete()
    return TOTPDevice.objects.create(user=usuario, name=nombre, confirmed=True)


def secreto(device: TOTPDevice) -> str:
    """The base32 key of the device, as authenticator apps ask for it when typed by hand."""
    return parse_qs(urlsplit(device.config_url).query)["secret"][0]
