"""Logging in (issue 11): the lockout after repeated failures on the admin's login and on the
token endpoint, tokens that expire and can be revoked, sessions that end when idle, and the
optional second factor for administrators and reviewers."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from seguimiento import sesiones
from seguimiento.ingreso import inscribir_totp, ip_del_cliente, secreto
from seguimiento.roles import PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db

CLAVE = "clave-de-prueba-123"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/token/"


@pytest.fixture
def bloqueo(settings):
    """django-axes on, as in production: 5 failures of a user from one address → 15 minutes."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 15 / 60
    return settings


@pytest.fixture
def doble_factor(settings):
    settings.SEGUIMIENTO_2FA = True
    return settings


def _staff(username="ana", **campos):
    return factories.usuario(username, is_staff=True, **campos)


def _enfriar(minutos: int) -> None:
    """Move every recorded failure `minutos` into the past, as if that much time had gone by."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutos))


def _codigo(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sesion_autenticada(client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------------------------
# Lockout: 30 wrong passwords on each login path, then the right one, then the cool-off


def test_admin_bloquea_tras_cinco_fallos_aun_con_la_clave_correcta_y_se_libera(client, bloqueo):
    _staff()
    estados = [
        client.post(ADMIN_LOGIN, {"username": "ana", "password": f"mala-{i}"}).status_code for i in range(30)
    ]
    assert estados[:4] == [200] * 4  # the form again, with its error
    assert estados[4:] == [429] * 26

    bloqueada = client.post(ADMIN_LOGIN, {"username": "ana", "password": CLAVE})
    assert bloqueada.status_code == 429
    html = bloqueada.content.decode()
    assert "Ingreso bloqueado" in html and "Espere 15 minutos" in html
    assert bloqueada["Retry-After"] == "900"
    assert not _sesion_autenticada(client)

    _enfriar(14)  # not yet: the last attempt was 14 minutes ago
    assert client.post(ADMIN_LOGIN, {"username": "ana", "password": CLAVE}).status_code == 429
    _enfriar(16)
    libre = client.post(ADMIN_LOGIN, {"username": "ana", "password": CLAVE})
    assert libre.status_code == 302
    assert _sesion_autenticada(client)


def test_token_bloquea_tras_cinco_fallos_con_json_y_se_libera_con_axes_reset(bloqueo):
    planeador = factories.usuario("pedro", grupos=(PLANEADOR,))
    api = APIClient()
    respuestas = [api.post(TOKEN, {"username": "pedro", "password": f"mala-{i}"}, format="json") for i in range(30)]
    assert [r.status_code for r in respuestas[:4]] == [400] * 4
    assert [r.status_code for r in respuestas[4:]] == [429] * 26
    cuerpo = respuestas[-1].json()
    assert "Ingreso bloqueado" in cuerpo["detail"] and "15 minutos" in cuerpo["detail"]
    assert respuestas[-1]["Retry-After"] == "900"

    correcta = api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json")
    assert correcta.status_code == 429 and "token" not in correcta.json()
    assert not Token.objects.filter(user=planeador).exists()

    call_command("axes_reset", verbosity=0)
    libre = api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json")
    assert libre.status_code == 200
    assert libre.json()["token"] == Token.objects.get(user=planeador).key


def test_el_bloqueo_es_del_usuario_en_esa_direccion_y_vale_en_todas_las_puertas(client, bloqueo):
    _staff("ana")
    _staff("beto")
    for i in range(5):
        client.post(ADMIN_LOGIN, {"username": "ana", "password": f"mala-{i}"})
    # The failures live in the database, which every worker and server shares: the token
    # endpoint and the site's login form refuse the same user from the same address.
    api = APIClient()
    assert api.post(TOKEN, {"username": "ana", "password": CLAVE}, format="json").status_code == 429
    publico = client.post(reverse("login"), {"username": "ana", "password": CLAVE})
    assert publico.status_code == 429 and "Ingreso bloqueado" in publico.content.decode()
    assert AccessAttempt.objects.get(username="ana").failures_since_start >= 7
    # Another user from that address, and the same user from another address, still get in.
    assert api.post(TOKEN, {"username": "beto", "password": CLAVE}, format="json").status_code == 200
    otra = APIClient(REMOTE_ADDR="10.20.30.40")
    assert otra.post(TOKEN, {"username": "ana", "password": CLAVE}, format="json").status_code == 200


def test_el_formulario_del_sitio_muestra_la_pagina_de_bloqueo(client, bloqueo):
    factories.usuario("funcionaria")
    for i in range(5):
        respuesta = client.post(reverse("login"), {"username": "funcionaria", "password": f"mala-{i}"})
    assert respuesta.status_code == 429
    html = respuesta.content.decode()
    assert "Ingreso bloqueado temporalmente" in html and 'href="/cuentas/ingresar/"' in html


def test_un_usuario_enorme_en_el_token_es_un_400_no_un_500(bloqueo):
    # The failure is recorded with its username (255 characters in django-axes' table): the
    # serializer refuses what could not be recorded, on PostgreSQL as on SQLite.
    api = APIClient()
    respuesta = api.post(TOKEN, {"username": "x" * 10_000, "password": "y" * 100_000}, format="json")
    assert respuesta.status_code == 400
    assert set(respuesta.json()) == {"username", "password"}
    assert not AccessAttempt.objects.exists()


def test_la_direccion_se_lee_detras_de_los_proxies_de_confianza(settings):
    fabrica = RequestFactory()
    pedido = fabrica.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 200.1.2.3", REMOTE_ADDR="10.0.0.1")
    settings.PROXIES_DE_CONFIANZA = 0
    assert ip_del_cliente(pedido) == "10.0.0.1"  # without a proxy, the header is the client's word
    settings.PROXIES_DE_CONFIANZA = 1
    assert ip_del_cliente(pedido) == "200.1.2.3"  # what the proxy saw; 6.6.6.6 was typed by the client
    falsa = fabrica.get("/", HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="10.0.0.1")
    assert ip_del_cliente(falsa) == "10.0.0.1"


# ---------------------------------------------------------------------------------------------
# Tokens: expire, rotate, revoke


def _api(token: Token) -> APIClient:
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return cliente


def _envejecer(token: Token, horas: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(hours=horas))


def test_un_token_vencido_se_rechaza_con_401_y_mensaje(settings):
    settings.TOKEN_HORAS = 12
    token = Token.objects.create(user=factories.usuario(grupos=(PLANEADOR,)))
    assert _api(token).get("/api/v1/planes/").status_code == 200
    _envejecer(token, 11.9)
    assert _api(token).get("/api/v1/planes/").status_code == 200
    _envejecer(token, 12.1)
    respuesta = _api(token).get("/api/v1/planes/")
    assert respuesta.status_code == 401
    assert "El token venció" in respuesta.json()["detail"] and "12 horas" in respuesta.json()["detail"]


def test_pedir_token_devuelve_el_vigente_y_rota_el_vencido(settings):
    settings.TOKEN_HORAS = 12
    usuario = factories.usuario("pedro", grupos=(PLANEADOR,))
    api = APIClient()
    primero = api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json").json()
    expira = timezone.datetime.fromisoformat(primero["expira"])
    assert abs(expira - (timezone.now() + timedelta(hours=12))) < timedelta(minutes=1)
    assert api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json").json()["token"] == primero["token"]

    _envejecer(Token.objects.get(user=usuario), 13)
    nuevo = api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json")
    assert nuevo.status_code == 200 and nuevo.json()["token"] != primero["token"]
    assert list(Token.objects.filter(user=usuario).values_list("key", flat=True)) == [nuevo.json()["token"]]
    # Asking with the old header in place still works: the endpoint does not read it on POST.
    viejo = APIClient()
    viejo.credentials(HTTP_AUTHORIZATION=f"Token {primero['token']}")
    assert viejo.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json").status_code == 200


def test_delete_revoca_el_token_de_quien_llama():
    usuario = factories.usuario(grupos=(PLANEADOR,))
    otro = Token.objects.create(user=factories.usuario(grupos=(PLANEADOR,)))
    token = Token.objects.create(user=usuario)
    cliente = _api(token)
    assert cliente.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=usuario).exists()
    assert Token.objects.filter(pk=otro.pk).exists()
    assert cliente.get("/api/v1/planes/").status_code == 401  # the revoked key no longer works
    assert APIClient().delete(TOKEN).status_code == 401


def test_un_token_vencido_no_sirve_ni_para_revocarse(settings):
    token = Token.objects.create(user=factories.usuario())
    _envejecer(token, 13)
    assert _api(token).delete(TOKEN).status_code == 401


def test_el_esquema_documenta_bloqueo_vencimiento_y_revocacion():
    esquema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    token = esquema["paths"]["/api/v1/token/"]
    assert {"200", "400", "429"} <= set(token["post"]["responses"])
    assert {"204", "401"} <= set(token["delete"]["responses"])
    propiedades = esquema["components"]["schemas"]["Token"]["properties"]
    assert {"token", "expira"} <= set(propiedades)


# ---------------------------------------------------------------------------------------------
# Sessions: idle timeout, maximum age, and no extra query on the first request after a login


def _mover_sello(client, clave: str, segundos_atras: int) -> None:
    sesion = client.session
    sesion[clave] = int(time.time()) - segundos_atras
    sesion.save()


def test_sesion_inactiva_mas_de_30_minutos_se_cierra(client, settings):
    settings.SESION_INACTIVIDAD_MINUTOS = 30
    client.force_login(factories.usuario(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    _mover_sello(client, sesiones.ULTIMA_ACTIVIDAD, 31 * 60)
    respuesta = client.get("/admin/")
    assert respuesta.status_code == 302 and respuesta["Location"] == "/admin/login/?next=%2Fadmin%2F"
    assert not _sesion_autenticada(client)
    pagina = client.get(respuesta["Location"])
    assert "pasaron más de 30 minutos sin actividad" in pagina.content.decode()


def test_sesion_activa_no_se_cierra_y_renueva_su_actividad(client, settings):
    settings.SESION_INACTIVIDAD_MINUTOS = 30
    client.force_login(factories.usuario(grupos=("Funcionario",)))
    _mover_sello(client, sesiones.ULTIMA_ACTIVIDAD, 29 * 60)
    assert client.get("/").status_code == 200
    assert _sesion_autenticada(client)
    assert int(time.time()) - client.session[sesiones.ULTIMA_ACTIVIDAD] < 5
    _mover_sello(client, sesiones.ULTIMA_ACTIVIDAD, 31 * 60)
    respuesta = client.get("/")
    assert respuesta.status_code == 302 and respuesta["Location"].startswith("/cuentas/ingresar/?next=")


def test_sesion_inactiva_en_la_api_responde_401_en_json(settings):
    cliente = APIClient()
    cliente.force_login(factories.usuario(grupos=(PLANEADOR,)))
    _mover_sello(cliente, sesiones.ULTIMA_ACTIVIDAD, 31 * 60)
    respuesta = cliente.get("/api/v1/planes/")
    assert respuesta.status_code == 401 and "sin actividad" in respuesta.json()["detail"]


def test_sesion_de_mas_de_12_horas_se_cierra_aunque_siga_activa(client, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    client.force_login(factories.usuario(grupos=("Funcionario",)))
    _mover_sello(client, sesiones.INICIO, 12 * 3600 + 60)
    respuesta = client.get("/")
    assert respuesta.status_code == 302 and not _sesion_autenticada(client)


def _escrituras_de_sesion(consultas) -> int:
    return sum(1 for q in consultas.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"][:8])


def test_la_actividad_se_guarda_a_lo_sumo_una_vez_por_minuto(client):
    client.force_login(factories.usuario(grupos=("Funcionario",)))
    for _ in range(3):  # right after the login: the login's stamp counts, nothing to save
        with CaptureQueriesContext(connection) as consultas:
            assert client.get("/").status_code == 200
        assert _escrituras_de_sesion(consultas) == 0
    _mover_sello(client, sesiones.ULTIMA_ACTIVIDAD, 61)
    with CaptureQueriesContext(connection) as consultas:
        client.get("/")
    assert _escrituras_de_sesion(consultas) == 1
    with CaptureQueriesContext(connection) as consultas:
        client.get("/")
    assert _escrituras_de_sesion(consultas) == 0


# ---------------------------------------------------------------------------------------------
# Second factor (SEGUIMIENTO_2FA=1): administrators and reviewers type a TOTP code


def _admin_con_totp(username="jefa"):
    usuario = factories.usuario(username, is_staff=True, is_superuser=True)
    return usuario, inscribir_totp(username)


def test_sin_2fa_el_formulario_no_pide_codigo(client):
    factories.usuario("jefa", is_staff=True, is_superuser=True)
    assert 'name="otp_token"' not in client.get(ADMIN_LOGIN).content.decode()
    assert client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE}).status_code == 302


def test_con_2fa_el_administrador_sin_codigo_no_entra_y_con_codigo_si(client, doble_factor):
    _, device = _admin_con_totp()
    assert 'name="otp_token"' in client.get(ADMIN_LOGIN).content.decode()

    sin_codigo = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE})
    assert sin_codigo.status_code == 200 and "exige el código de verificación" in sin_codigo.content.decode()
    assert not _sesion_autenticada(client)
    malo = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": "000000"})
    assert malo.status_code == 200 and "no es correcto" in malo.content.decode()
    assert 'value="clave-de-prueba-123"' not in malo.content.decode()  # the password is not written back
    assert client.get("/admin/").status_code == 302

    # Right after a wrong code the device waits a second (django-otp's throttle), then takes it.
    apurado = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": _codigo(device)})
    assert apurado.status_code == 200
    assert "Verificación en pausa tras 1 código(s) incorrecto(s)" in apurado.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    bueno = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": _codigo(device)})
    assert bueno.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_con_2fa_el_revisor_tambien_y_el_planeador_no(client, doble_factor):
    revisora = factories.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    device = inscribir_totp("revisora")
    factories.usuario("planeadora", grupos=(PLANEADOR,), is_staff=True)

    assert client.post(ADMIN_LOGIN, {"username": "revisora", "password": CLAVE}).status_code == 200
    entra = client.post(ADMIN_LOGIN, {"username": "revisora", "password": CLAVE, "otp_token": _codigo(device)})
    assert entra.status_code == 302 and int(client.session["_auth_user_id"]) == revisora.pk
    client.post(reverse("logout"))

    planeadora = client.post(ADMIN_LOGIN, {"username": "planeadora", "password": CLAVE})
    assert planeadora.status_code == 302 and client.get("/admin/").status_code == 200


def test_con_2fa_el_administrador_sin_dispositivo_no_entra(client, doble_factor):
    factories.usuario("jefa", is_staff=True, is_superuser=True)
    respuesta = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": "123456"})
    assert respuesta.status_code == 200
    assert "no tiene una aplicación de autenticación inscrita" in respuesta.content.decode()
    assert not _sesion_autenticada(client)


def test_con_2fa_una_sesion_sin_verificar_se_cierra(client, doble_factor):
    # A session opened before 2FA was switched on (or by any other path) is not let through.
    client.force_login(factories.usuario("revisora", grupos=(REVISOR,), is_staff=True))
    respuesta = client.get("/admin/")
    assert respuesta.status_code == 302 and respuesta["Location"].startswith("/admin/login/")
    assert not _sesion_autenticada(client)


def test_con_2fa_el_formulario_del_sitio_pide_el_codigo(client, doble_factor):
    _, device = _admin_con_totp()
    assert client.post(reverse("login"), {"username": "jefa", "password": CLAVE}).status_code == 200
    entra = client.post(reverse("login"), {"username": "jefa", "password": CLAVE, "otp_token": _codigo(device)})
    assert entra.status_code == 302 and _sesion_autenticada(client)
    assert client.get("/").status_code == 200 and _sesion_autenticada(client)


def test_con_2fa_el_token_de_la_api_exige_el_codigo(doble_factor):
    _, device = _admin_con_totp()
    factories.usuario("pedro", grupos=(PLANEADOR,))
    api = APIClient()
    sin_codigo = api.post(TOKEN, {"username": "jefa", "password": CLAVE}, format="json")
    assert sin_codigo.status_code == 400 and "código de verificación" in sin_codigo.json()["otp_token"][0]
    assert not Token.objects.filter(user__username="jefa").exists()
    con_codigo = api.post(TOKEN, {"username": "jefa", "password": CLAVE, "otp_token": _codigo(device)}, format="json")
    assert con_codigo.status_code == 200
    assert api.post(TOKEN, {"username": "pedro", "password": CLAVE}, format="json").status_code == 200


def test_con_2fa_los_codigos_equivocados_cuentan_para_el_bloqueo(client, bloqueo, doble_factor):
    _, device = _admin_con_totp()
    estados = [
        client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": f"{i:06d}"}).status_code
        for i in range(5)
    ]
    assert estados == [200, 200, 200, 200, 429]
    device.throttling_failure_count = 0
    device.save()
    bueno = client.post(ADMIN_LOGIN, {"username": "jefa", "password": CLAVE, "otp_token": _codigo(device)})
    assert bueno.status_code == 429 and not _sesion_autenticada(client)


def test_inscribir_totp_da_la_url_otpauth_y_el_qr_en_el_admin(client):
    jefa, device = _admin_con_totp()
    assert device.config_url.startswith("otpauth://totp/Seguimiento%3Ajefa?secret=")
    assert len(secreto(device)) == 32
    assert inscribir_totp("jefa").pk != device.pk and TOTPDevice.objects.filter(user=jefa).count() == 1
    device = TOTPDevice.objects.get(user=jefa)

    client.force_login(jefa)
    pagina = client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    assert pagina.status_code == 200 and escape(device.config_url) in pagina.content.decode()
    qr = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
