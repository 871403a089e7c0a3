"""Bounds on every input (issue 11), in one place: texts, reasons, uploads, request bodies.

Each bound is enforced before the work starts, on every entry point (model, admin, API, import),
with a message that says the real figure and the maximum. An installation may not raise them by
accident: they are constants, not settings, except where a setting says otherwise.

The text bounds reach every entry point from the models: each text field declares its
`max_length` from here (a TextField's drives the admin's form, with the browser's `maxlength`, and
DRF's serializer field) and the `LargoMaximo` validator, so `full_clean` refuses too; the services
check with `indicadores.reglas.errores_largos` before writing, and the import reads each column
with its field's maximum.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible

from seguimiento.numeros import formato_numero

# Texts, in characters (after line breaks are normalised to \n). The demo's longest: a name of
# 226, a product of 304, an observación of 1.553, a qualitative report's section of 1.984.
MAX_NOMBRE = 2_000  # names of indicators and levels, products (Bogotá's longest is under 600)
MAX_TEXTO = 10_000  # narratives: observaciones, plan de choque, comments, qualitative report
MAX_MOTIVO = 500  # the reason an administrator gives for a correction; kept whole in the history

# JSON request bodies: nesting depth (a report is flat; 10.000 levels is an attack).
MAX_PROFUNDIDAD_JSON = 20


def mensaje_largo(largo: int, maximo: int, etiqueta: str = "") -> str:
    """«Observaciones: tiene 31.457.280 caracteres; el máximo es 10.000.» (without `etiqueta`,
    «Tiene …», for a message already placed on its field or column)."""
    if etiqueta:
        return f"{etiqueta[:1].upper()}{etiqueta[1:]}: tiene {formato_numero(largo)} caracteres; " \
               f"el máximo es {formato_numero(maximo)}."
    return f"Tiene {formato_numero(largo)} caracteres; el máximo es {formato_numero(maximo)}."


@deconstructible
class LargoMaximo:
    """A text of at most `maximo` characters; the message gives both figures as Colombians write
    them. The models' text fields declare it (a TextField's `max_length` alone is not checked by
    `full_clean`), and the admin's form fields use it instead of Django's message."""

    code = "max_length"

    def __init__(self, maximo: int, etiqueta: str = ""):
        self.maximo = maximo
        self.etiqueta = etiqueta

    def __call__(self, valor) -> None:
        if isinstance(valor, str) and len(valor) > self.maximo:
            raise ValidationError(mensaje_largo(len(valor), self.maximo, self.etiqueta), code=self.code)

    def __eq__(self, otro) -> bool:
        return isinstance(otro, LargoMaximo) and (otro.maximo, otro.etiqueta) == (self.maximo, self.etiqueta)

    def __hash__(self) -> int:
        return hash((self.maximo, self.etiqueta))


def con_mensaje_de_largo(campo):
    """A form field whose length check says the real figure and the maximum (`LargoMaximo`)
    instead of Django's «Asegúrese de que este valor tenga como máximo 10000 caracteres»; the
    widget keeps its `maxlength`. Any other field is returned as it is."""
    maximo = getattr(campo, "max_length", None)
    if maximo is None or not hasattr(campo, "validators"):
        return campo
    etiqueta = str(campo.label or "")
    campo.validators = [
        LargoMaximo(int(maximo), etiqueta) if isinstance(v, MaxLengthValidator) else v for v in campo.validators
    ]
    return campo
