"""Form pieces shared by the admin and the follow-up pages."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from indicadores.reglas import normalizar_texto
from seguimiento.numeros import NumeroInvalido, formato_numero, parse_numero


class NumeroInput(forms.TextInput):
    """Shows a Decimal the Colombian way (7.480; 0,33) without the model's trailing zeros."""

    def format_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return formato_numero(value, decimales=6)
        return super().format_value(value)


class NumeroField(forms.DecimalField):
    """A decimal typed as Colombians write it: «7.480» is 7480 and «0,33» is 0.33.

    Uses `parse_numero`, the same reader as the Excel import, so an ambiguous «7.48» is refused
    with the same explanation everywhere instead of being guessed.
    """

    widget = NumeroInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_numero(value)
        except NumeroInvalido as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def widget_attrs(self, widget):
        # A text box: browsers' number inputs reject the comma decimal separator.
        return {"inputmode": "decimal"}


def campo_numero(db_field, **kwargs) -> NumeroField:
    """`formfield_callback`-style helper: a model DecimalField as a Colombian NumeroField."""
    return db_field.formfield(form_class=NumeroField, **kwargs)


class TextoNormalizadoField(forms.CharField):
    """A narrative (observaciones, plan de choque) read as it is stored: LF line breaks, no
    surrounding blanks (`reglas.normalizar_texto`).

    A browser sends a textarea's line breaks as CRLF; compared as typed, an untouched box would
    count as changed, and the admin would write it (a phantom correction of an approved report).
    """

    def to_python(self, value):
        return normalizar_texto(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        return normalizar_texto(initial) != self.to_python(data)

