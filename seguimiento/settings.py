"""Settings for Seguimiento.

Everything that differs between a laptop and production comes from the environment:
DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS (see README, "Despliegue").
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", False)

# A development key only works with DEBUG on; production must bring its own.
_DEV_SECRET_KEY = "solo-para-desarrollo-no-usar-en-produccion-" + "x" * 20
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Defina SECRET_KEY en el entorno (o DEBUG=1 para desarrollo).")

# `cargar_demo` creates users with published passwords: never on a production server by accident.
DEMO_PERMITIDA = DEBUG or env_bool("PERMITIR_DEMO", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",  # lockout after failed logins (issue 11)
    "django_otp",  # second factor (issue 11)
    "django_otp.plugins.otp_totp",
    "seguimiento.sesiones.SesionesConfig",  # session timeouts (issue 11)
    "politicas",
    "indicadores",
    "reportes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (issue 11)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified() (issue 11)
    "django.contrib.messages.middleware.MessageMiddleware",
    "seguimiento.sesiones.SesionMiddleware",  # idle and maximum session time (issue 11)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks (issue 11)
]

ROOT_URLCONF = "seguimiento.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "seguimiento.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Preview workbooks of imports (issue 11)
# Between an import's preview and its confirmation the uploaded workbook waits here: a private
# folder, never under MEDIA_ROOT nor STATIC_ROOT and never served. With several servers it must be
# shared by all of them (as MEDIA_ROOT is). Confirming or cancelling removes the preview's files;
# abandoned ones are removed once their confirmation can no longer be accepted.
IMPORTACIONES_ROOT = Path(os.environ.get("IMPORTACIONES_ROOT", BASE_DIR / "privado" / "importaciones")).resolve()
for _publica in (MEDIA_ROOT, STATIC_ROOT):
    if IMPORTACIONES_ROOT == Path(_publica).resolve() or Path(_publica).resolve() in IMPORTACIONES_ROOT.parents:
        raise ImproperlyConfigured("IMPORTACIONES_ROOT no puede estar dentro de MEDIA_ROOT ni de STATIC_ROOT.")
del _publica
STORAGES["importaciones"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": IMPORTACIONES_ROOT, "directory_permissions_mode": 0o700, "file_permissions_mode": 0o600},
}
# End of preview workbooks of imports (issue 11)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inicio"
LOGOUT_REDIRECT_URL = "inicio"

# Logins (issue 11): lockout, second factor, session and token lifetimes. docs/seguridad.md.
# django-axes counts failed logins in the database (shared by every worker and server) on the
# admin's and the site's login forms and on /api/v1/token/; a user is locked out from one address
# after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTOS (`manage.py axes_reset` unlocks).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTOS = int(os.environ.get("AXES_COOLOFF_MINUTOS", "15"))
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTOS / 60  # hours, as django-axes reads a float
# Groups of what is counted together: «username+ip_address» is a user from one address; add
# «,ip_address» to also lock an address whatever the user (beware of offices behind one NAT).
AXES_LOCKOUT_PARAMETERS = [grupo.split("+") for grupo in env_list("AXES_LOCKOUT_PARAMETERS", "username+ip_address")]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "seguimiento.ingreso.respuesta_bloqueo"
AXES_CLIENT_IP_CALLABLE = "seguimiento.ingreso.ip_del_cliente"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
PROXIES_DE_CONFIANZA = int(os.environ.get("PROXIES_DE_CONFIANZA", "0"))
# Second factor (TOTP, django-otp) for administrators and reviewers; off unless asked for.
SEGUIMIENTO_2FA = env_bool("SEGUIMIENTO_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Seguimiento")
OTP_ADMIN_HIDE_SENSITIVE_DATA = False  # the device's page shows its QR code for enrolment
# Sessions end after SESION_INACTIVIDAD_MINUTOS without a request and SESION_MAXIMA_HORAS in all.
SESION_INACTIVIDAD_MINUTOS = int(os.environ.get("SESION_INACTIVIDAD_MINUTOS", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("SESION_MAXIMA_HORAS", "12")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESION_CERRAR_CON_NAVEGADOR", True)
# API tokens stop working TOKEN_HORAS after they were issued (0: never).
TOKEN_HORAS = int(os.environ.get("TOKEN_HORAS", "12"))
# End of logins (issue 11)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "seguimiento@localhost")

# Reporting calendar (issue 14)
# `manage.py recordatorios`, run once a day from cron or a systemd timer (README), e-mails each
# planner one digest of what their dependencias owe at the open cuts whose deadline is
# RECORDATORIOS_DIAS days ahead, and on the day after it; and each reviewer one digest of the
# reports waiting for review. The links in the e-mails start with RECORDATORIOS_URL_BASE, the
# address users open the application at.
_DIAS_MALOS = [d[:20] for d in env_list("RECORDATORIOS_DIAS", "5,3,1") if not (d.isascii() and d.isdigit())]
if _DIAS_MALOS:
    raise ImproperlyConfigured(
        f"RECORDATORIOS_DIAS lleva días enteros separados por comas («5,3,1»); «{_DIAS_MALOS[0]}» no lo es."
    )
RECORDATORIOS_DIAS = sorted({int(d) for d in env_list("RECORDATORIOS_DIAS", "5,3,1")}, reverse=True)
RECORDATORIOS_URL_BASE = os.environ.get("RECORDATORIOS_URL_BASE", "http://localhost:8000").rstrip("/")
# End of reporting calendar (issue 14)

# Semáforo thresholds (SPEC §4), in percent; an installation may change them.
SEMAFORO_UMBRAL_SOBRE = env_decimal("SEMAFORO_UMBRAL_SOBRE", "125")
SEMAFORO_UMBRAL_ALTO = env_decimal("SEMAFORO_UMBRAL_ALTO", "75")
SEMAFORO_UMBRAL_MEDIO = env_decimal("SEMAFORO_UMBRAL_MEDIO", "50")

# Evidence uploads (issue 7): size in bytes and allowed extensions.
EVIDENCIA_MAX_BYTES = int(os.environ.get("EVIDENCIA_MAX_BYTES", str(10 * 1024 * 1024)))
EVIDENCIA_EXTENSIONES = ["pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "seguimiento.tokens.TokenConVencimiento",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    # Request bodies are bounded JSON only (depth, UTF-8, no NaN), refused with Spanish messages:
    # the API serves scripts and Swagger UI, which send JSON; with the browsable API off nothing
    # posts forms, and a multipart body is never spooled to disk. The token view keeps its own
    # parsers. Oversized bodies answer 413 as JSON (issue 11).
    "DEFAULT_PARSER_CLASSES": ["seguimiento.api_parsers.JSONAcotadoParser"],
    "EXCEPTION_HANDLER": "seguimiento.api_entradas.manejar_excepcion",
    # DRF's browsable API writes inline styles the Content-Security-Policy blocks
    # (rest_framework/base.html); the interactive documentation is Swagger UI at /api/v1/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seguimiento API",
    "DESCRIPTION": "Planes, indicadores, reportes y resultados de seguimiento.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"Semaforo": "reportes.api.BANDAS"},
    # The online validator badge would call out to the internet; the app runs on closed networks.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
}

# Content-Security-Policy (issue 11)
# Every page (public pages, admin, Swagger UI, API) loads scripts, styles, fonts and data only
# from this server, and nothing inline: no <script> without src, no <style>, no style= or on*=
# attributes. What was inline lives in static/ (css/*.css, js/*.js). Charts are SVG drawn with
# presentation attributes (fill=, stroke=), which the policy allows. img-src takes data: for the
# blank favicon and the images inside Django's and Swagger UI's stylesheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# End of Content-Security-Policy (issue 11)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
