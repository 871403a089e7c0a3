"""API tokens that expire and can be revoked (issue 11).

DRF's own `Token` model stays (one token per user, `manage.py drf_create_token` still works); a
token is refused `TOKEN_HORAS` hours after it was issued (`Token.created`), with a 401 that says
so. `POST /api/v1/token/` gives back the user's token while it is valid and a new one once it has
expired; `DELETE /api/v1/token/` revokes it. `TOKEN_HORAS=0` means tokens never expire.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from seguimiento.numeros import formato_numero


def horas_de_vida() -> int:
    return int(getattr(settings, "TOKEN_HORAS", 12))


def vence(token: Token) -> datetime | None:
    """When the token stops working (None: never, with `TOKEN_HORAS=0`)."""
    horas = horas_de_vida()
    return token.created + timedelta(hours=horas) if horas > 0 else None


def token_vencido(token: Token, ahora: datetime | None = None) -> bool:
    limite = vence(token)
    return limite is not None and (ahora or timezone.now()) >= limite


def mensaje_vencido() -> str:
    return (
        f"El token venció: se emitió hace más de {formato_numero(horas_de_vida())} horas. "
        "Pida uno nuevo con POST /api/v1/token/ (usuario y contraseña)."
    )


class TokenConVencimiento(TokenAuthentication):
    """DRF's `TokenAuthentication` (same header, same one query), refusing expired tokens."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_vencido(token):
            raise exceptions.AuthenticationFailed(mensaje_vencido())
        return user, token


def token_emitir(user) -> Token:
    """The user's valid token, or a new one in place of an expired one (or of none)."""
    with transaction.atomic():
        actual = Token.objects.select_for_update().filter(user=user).first()
        if actual is not None and not token_vencido(actual):
            return actual
        if actual is not None:
            actual.delete()
        try:
            with transaction.atomic():
                return Token.objects.create(user=user)
        except IntegrityError:  # another request of the same user created it just now
            return Token.objects.get(user=user)


def token_revocar(user) -> int:
    """Delete the user's token; the number deleted (0 or 1)."""
    borrados, _ = Token.objects.filter(user=user).delete()
    return borrados
