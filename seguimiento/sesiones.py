"""Sessions that end (issue 11): after `SESION_INACTIVIDAD_MINUTOS` without a request, after
`SESION_MAXIMA_HORAS` in all, and at once for a session that the installation's second factor
(`SEGUIMIENTO_2FA`) would not have let in.

The last activity is written into the session at most once a minute (`REGISTRO_CADA`), so a page
read in a burst of requests saves its session once, not on every request: the pages' pinned SQL
query counts stay as they are. Both stamps are set when the user logs in (`sellar_ingreso`, on
`user_logged_in`), so the first request after a login saves nothing either.

This module is also the small app (`SesionesConfig`, in INSTALLED_APPS) whose `ready()` connects
that receiver at start-up, before any login can happen; it imports no model.
"""

import time

from django.apps import AppConfig
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from seguimiento.roles import es_revisor

ULTIMA_ACTIVIDAD = "seguimiento_actividad"  # epoch seconds of the last request that counted
INICIO = "seguimiento_ingreso"  # epoch seconds of the login
REGISTRO_CADA = 60  # seconds: activity is written to the session at most this often


def requiere_segundo_factor(user) -> bool:
    """Administrators and the planning office (reviewers) need a TOTP code to log in when the
    installation asks for it (`SEGUIMIENTO_2FA=1`); nobody does otherwise."""
    return bool(getattr(settings, "SEGUIMIENTO_2FA", False) and es_revisor(user))


def sellar_ingreso(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: the login counts as activity (no save on the next request)."""
    session = getattr(request, "session", None)
    if session is not None:
        ahora = int(time.time())
        session[ULTIMA_ACTIVIDAD] = ahora
        session[INICIO] = ahora


def motivo_de_cierre(session, ahora: int) -> str | None:
    """Why this logged-in session must end now, or None. Sessions from before this rule (no
    stamp) are measured from now on: they get stamped, not thrown out."""
    inactividad = int(settings.SESION_INACTIVIDAD_MINUTOS) * 60
    ultima = session.get(ULTIMA_ACTIVIDAD)
    if inactividad and isinstance(ultima, int) and ahora - ultima > inactividad:
        return (
            f"Su sesión se cerró porque pasaron más de {settings.SESION_INACTIVIDAD_MINUTOS} minutos "
            "sin actividad. Ingrese de nuevo."
        )
    inicio = session.get(INICIO)
    if isinstance(inicio, int) and ahora - inicio > int(settings.SESSION_COOKIE_AGE):
        horas = int(settings.SESSION_COOKIE_AGE) // 3600
        return f"Su sesión se cerró porque duró más de {horas} horas. Ingrese de nuevo."
    return None


class SesionMiddleware:
    """Ends idle, too old and unverified sessions; records activity at most once a minute.

    Goes after `OTPMiddleware` (it reads `user.is_verified()`) and `MessageMiddleware`. A
    closed session is answered at once: a redirect to the login (the admin's for /admin/) with a
    message, or for the API a 401 in JSON, never the page as an anonymous visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            ahora = int(time.time())
            motivo = motivo_de_cierre(session, ahora)
            if motivo is None and requiere_segundo_factor(request.user) and not _verificado(request.user):
                motivo = "Su cuenta exige el código de verificación (segundo factor). Ingrese de nuevo con él."
            if motivo is not None:
                return self._cerrar(request, motivo)
            ultima = session.get(ULTIMA_ACTIVIDAD)
            if not isinstance(ultima, int) or ahora - ultima >= REGISTRO_CADA:
                session[ULTIMA_ACTIVIDAD] = ahora
                if not isinstance(session.get(INICIO), int):
                    session[INICIO] = ahora
        return self.get_response(request)

    def _cerrar(self, request, motivo: str):
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": motivo}, status=401)
        messages.warning(request, motivo)
        admin = request.path.startswith(reverse("admin:index"))
        destino = reverse("admin:login") if admin else resolve_url(settings.LOGIN_URL)
        siguiente = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{destino}?{urlencode({'next': siguiente})}" if siguiente else destino)


def _verificado(user) -> bool:
    es = getattr(user, "is_verified", None)
    return bool(es and es())


class SesionesConfig(AppConfig):
    """Connects `sellar_ingreso` at start-up (no models)."""

    name = "seguimiento.sesiones"
    label = "sesiones_seguimiento"
    verbose_name = "Sesiones"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(sellar_ingreso, dispatch_uid="seguimiento.sesiones.sellar_ingreso")
