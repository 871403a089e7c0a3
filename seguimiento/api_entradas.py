"""What the REST API accepts (issue 11): one number reader, bounded texts, and a 4xx with a
Spanish message, never a 500, for whatever a script or an attacker sends. (The JSON body parser
is `seguimiento.api_parsers.JSONAcotadoParser`.)

- `manejar_excepcion` answers a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` with 413 and too many form
  fields with 400, as JSON (Django would answer its own HTML 400 page).
- `NumeroColombianoField` reads every decimal a client writes through
  `seguimiento.numeros.parse_numero`, the import's reader: JSON numbers stay numbers, text is
  Colombian («7.480» is 7480, «0,33» is 0.33) and what could be read two ways («7.48») is refused.
- `TextoAcotadoField` is a text with a maximum length whose message gives the real length.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from seguimiento.limites import mensaje_largo
from seguimiento.numeros import NumeroInvalido, formato_numero, parse_numero

# ---------------------------------------------------------------------------------------------
# Errors Django raises before a view sees the data


def _bytes(cantidad: int) -> str:
    return f"{formato_numero(cantidad, 0)} bytes"


def manejar_excepcion(exc, context):
    """DRF's exception handler, plus the request-size refusals Django raises while reading a body
    (`SuspiciousOperation`s that would otherwise become Django's HTML 400 page)."""
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        solicitud = context.get("request")
        if solicitud is not None:
            # The body stays unread: whatever renders or logs the answer sees an empty request
            # instead of raising again.
            solicitud._full_data = solicitud._data = {}
            solicitud._files = {}
        if isinstance(exc, RequestDataTooBig):
            maximo = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                largo = int(solicitud.META.get("CONTENT_LENGTH") or 0) if solicitud is not None else 0
            except ValueError:
                largo = 0
            pesa = f"pesa {_bytes(largo)}" if largo > maximo else f"pesa más de {_bytes(maximo)}"
            return Response(
                {"detail": f"La solicitud {pesa}; el máximo es {_bytes(maximo)}."},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if isinstance(exc, TooManyFieldsSent):
            maximo = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return Response(
                {"detail": f"La solicitud trae más de {formato_numero(maximo, 0)} campos; el máximo es "
                 f"{formato_numero(maximo, 0)}."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"detail": "La solicitud trae demasiados archivos; la API no recibe archivos."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)


# ---------------------------------------------------------------------------------------------
# Fields


MENSAJE_NUMERO = (
    "Escriba un número: 7480 o 0.33 como número JSON, o como texto a la colombiana, «7.480» (miles con "
    "punto) o «0,33» (decimales con coma)."
)


class NumeroColombianoField(serializers.DecimalField):
    """A decimal a client writes: a JSON number as it is (0.33 is Decimal('0.33'); an int stays an
    int), or text read by `parse_numero` exactly as the Excel import reads it. Never NaN or
    infinite; the digits before and after the point are bounded and the message gives the real
    count. In the schema it is a number in answers and a number or a Colombian string in requests."""

    default_error_messages = {"invalid": MENSAJE_NUMERO}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
        elif isinstance(data, bool) or not isinstance(data, (int, float, Decimal)):
            self.fail("invalid")
        try:
            valor = parse_numero(data)
        except NumeroInvalido as error:
            raise serializers.ValidationError(str(error), code="invalid") from error
        return self.quantize(self.validate_precision(valor))

    def validate_precision(self, value: Decimal) -> Decimal:
        _signo, cifras, exponente = value.as_tuple()
        if exponente >= 0:
            enteras, decimales = len(cifras) + exponente, 0
        else:
            decimales = -exponente
            enteras = max(len(cifras) - decimales, 0)
        if self.decimal_places is not None and decimales > self.decimal_places:
            raise serializers.ValidationError(
                f"Tiene {formato_numero(decimales, 0)} decimales; el máximo es {self.decimal_places}.",
                code="max_decimal_places",
            )
        if self.max_whole_digits is not None and enteras > self.max_whole_digits:
            raise serializers.ValidationError(
                f"Tiene {formato_numero(enteras, 0)} cifras antes de la coma decimal; el máximo es "
                f"{self.max_whole_digits}.",
                code="max_whole_digits",
            )
        return super().validate_precision(value)


class NumeroColombianoExtension(OpenApiSerializerFieldExtension):
    """A number in answers, a number or a Colombian string in requests. When the schema does not
    split request and response components, the one component says both."""

    target_class = NumeroColombianoField

    def map_serializer_field(self, auto_schema, direction):
        numero = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response" and spectacular_settings.COMPONENT_SPLIT_REQUEST:
            return numero
        texto = {
            "type": "string",
            "maxLength": self.target.MAX_STRING_LENGTH,
            "description": "A la colombiana: «7.480» (miles con punto), «0,33» (decimales con coma).",
            "pattern": r"^[+-]?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?$|^[+-]?[0-9]+(,[0-9]+)?$",
        }
        return {"oneOf": [numero, texto]}


class EnteroField(serializers.IntegerField):
    """An integer: a JSON number, or text of ASCII digits. (Python's `int` also reads «٢٠٢٤» and
    «2_024», which DRF's IntegerField accepts as 2024.)"""

    default_error_messages = {"invalid": "Escriba un número entero con las cifras 0 a 9."}

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"\s*[+-]?[0-9]+(\.0*)?\s*", data[: self.MAX_STRING_LENGTH + 1],
                                                      re.ASCII):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextoAcotadoField(serializers.CharField):
    """A text with a maximum length, counted as the services store it (line breaks as \\n, no
    surrounding blanks), with `limites.mensaje_largo`'s message: the real length and the maximum.
    The schema shows `maxLength`."""

    def __init__(self, **kwargs):
        maximo = kwargs.pop("max_length", None)
        super().__init__(**kwargs)  # without DRF's validator, which would count \r\n as two
        self.max_length = maximo

    def to_internal_value(self, data):
        texto = super().to_internal_value(data).replace("\r\n", "\n").replace("\r", "\n")
        if self.max_length is not None and len(texto) > self.max_length:
            raise serializers.ValidationError(mensaje_largo(len(texto), self.max_length), code="max_length")
        return texto


class TextoAcotadoExtension(OpenApiSerializerFieldExtension):
    """`maxLength` from the field (spectacular reads it from DRF's validator, which this field
    replaces)."""

    target_class = TextoAcotadoField

    def map_serializer_field(self, auto_schema, direction):
        esquema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.max_length is not None:
            esquema["maxLength"] = self.target.max_length
        return esquema
