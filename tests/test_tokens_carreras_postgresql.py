"""Two scripts of the same user ask for a token at once, when the old one has expired (issue 11).

On PostgreSQL each request runs in its own thread with its own connection, and the threads meet
at a barrier inside the token service, right before it locks the user's token: both replace the
expired token at the same moment. Elsewhere (SQLite serialises writers) they run one after the
other. Either way both get the same new token and one token is left, valid: neither script is
handed a key that the other's request deleted.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores.permisos import PLANEADOR
from seguimiento import tokens
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

EN_PARALELO = connection.vendor == "postgresql"
ESPERA_MAXIMA = 20
CLAVE = "clave-de-prueba-123"


def _pedir_token() -> dict:
    respuesta = APIClient().post("/api/v1/token/", {"username": "pedro", "password": CLAVE}, format="json")
    assert respuesta.status_code == 200, respuesta.content
    return respuesta.json()


def _a_la_vez(peticion, veces: int) -> list:
    if not EN_PARALELO:
        return [peticion() for _ in range(veces)]
    respuestas: list = [None] * veces
    errores: list[BaseException] = []

    def correr(indice: int) -> None:
        try:
            respuestas[indice] = peticion()
        except BaseException as error:  # re-raised in the test's thread
            errores.append(error)
        finally:
            connections.close_all()

    hilos = [threading.Thread(target=correr, args=(i,)) for i in range(veces)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(2 * ESPERA_MAXIMA)
    assert not any(hilo.is_alive() for hilo in hilos), "Una petición quedó bloqueada"
    if errores:
        raise errores[0]
    return respuestas


def test_dos_pedidos_a_la_vez_con_el_token_vencido_reciben_el_mismo_token_nuevo(settings, monkeypatch):
    settings.TOKEN_HORAS = 12
    usuario = factories.usuario("pedro", grupos=(PLANEADOR,))
    viejo = Token.objects.create(user=usuario)
    Token.objects.filter(pk=viejo.pk).update(created=timezone.now() - timedelta(hours=13))
    llegadas: list[int] = []
    if EN_PARALELO:
        barrera = threading.Barrier(2, timeout=ESPERA_MAXIMA)
        original = tokens.token_emitir

        def reunirse(user):
            llegadas.append(threading.get_ident())
            barrera.wait()
            return original(user)

        monkeypatch.setattr("politicas.api.token_emitir", reunirse)

    respuestas = _a_la_vez(_pedir_token, 2)

    assert len(llegadas) == (2 if EN_PARALELO else 0)
    claves = {r["token"] for r in respuestas}
    assert len(claves) == 1 and viejo.key not in claves
    (nuevo,) = Token.objects.filter(user=usuario)
    assert nuevo.key in claves and not tokens.token_vencido(nuevo)
