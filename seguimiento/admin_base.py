"""What every app's admin shares: numbers read and shown the Colombian way, the audit-trail base
class, a save refused at the last moment, and how refusals and counts are worded.

Nothing here knows a model of the project: `politicas` and `indicadores` build their admins on it.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field
from django.contrib.auth import get_permission_codename
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from seguimiento.numeros import NumeroInvalido, formato_numero, parse_numero

# --- Numbers typed the Colombian way ---------------------------------------------------------


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


# --- Numbers shown the Colombian way -------------------------------------------------------


def es_codigo_entero(campo: models.Field) -> bool:
    """Years, periods, semesters and versions are labels, not quantities: never grouped."""
    return isinstance(campo, models.IntegerField) and (
        campo.name.startswith("anio") or campo.name in {"periodo", "semestre", "version", "orden"}
    )


def con_formato_propio(campo: models.Field) -> bool:
    """Whether the admin must show this field with `texto_legible` instead of Django's display."""
    return not campo.choices and (isinstance(campo, models.DecimalField) or es_codigo_entero(campo))


def texto_legible(campo: models.Field, valor) -> str | None:
    """The Colombian text of a model field's value, or None when Django's display is right."""
    if valor is None or not con_formato_propio(campo):
        return None
    if isinstance(campo, models.DecimalField):
        return formato_numero(valor, campo.decimal_places)
    return str(valor)


class NumerosColombianos:
    """Decimal fields read and show numbers the Colombian way («7.480», «0,33»); years and
    periods show as 2024, never «2.024».

    Forms use `NumeroField`; list columns of such fields are swapped for `columna_legible`;
    read-only fields go through the admin templates' `contenido_legible` filter
    (`indicadores/templatetags/admin_numeros.py`, built on `texto_legible`).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            return campo_numero(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_list_display(self, request):
        columnas = []
        for nombre in super().get_list_display(request):
            try:
                campo = self.model._meta.get_field(nombre) if isinstance(nombre, str) else None
            except FieldDoesNotExist:  # a method or attribute name, not a field
                campo = None
            propio = campo is not None and con_formato_propio(campo) and nombre not in (self.list_display_links or ())
            columnas.append(columna_legible(campo, self) if propio else nombre)
        return columnas


def columna_legible(campo: models.Field, model_admin):
    """A changelist column showing `campo` as `texto_legible` does, sortable by the field."""

    def columna(obj) -> str:
        valor = getattr(obj, campo.attname)
        texto = texto_legible(campo, valor)
        return texto if texto is not None else display_for_field(valor, campo, model_admin.get_empty_value_display())

    columna.__name__ = campo.name  # the column's CSS class stays «column-anio»
    return admin.display(description=campo.verbose_name, ordering=campo.name)(columna)


# --- The audit trail -------------------------------------------------------------------------


class HistorialAdmin(NumerosColombianos, SimpleHistoryAdmin):
    """Base of every history-tracked model's admin.

    The audit trail (the "Historial" button) is for whoever may view the historical model
    (auditors and the planning office); history is read, never reverted from here, because a
    revert would bypass the services' rules.
    """

    def has_view_history_permission(self, request, obj=None) -> bool:
        opts = get_history_model_for_model(self.model)._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}") and (
            obj is None or self.has_view_permission(request, obj)
        )

    def has_change_history_permission(self, request, obj=None) -> bool:
        return False

    def has_view_history_or_change_history_permission(self, request, obj=None) -> bool:
        return self.has_view_history_permission(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        return True


# --- Refusals and counts, in Spanish ---------------------------------------------------------


def mensajes_error(exc: Exception) -> list[str]:
    """What a refusal says: a ValidationError's messages, or the text of a PermissionDenied."""
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def cantidad(n: int, singular: str, plural: str) -> str:
    """«1 reporte aprobado», «3 reportes aprobados»: Spanish agreement, never «reporte(s)»."""
    return f"{n} {singular if n == 1 else plural}"


class RechazoSinGuardar:
    """A change page whose save a service refuses at the last moment (someone wrote the same
    record between the page's checks and its save, and the service's lock saw it): the whole
    page is rolled back (the admin saves in one transaction) and the writer reads why."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            messages.error(request, "No se guardó nada. " + " ".join(mensajes_error(exc)))
            return HttpResponseRedirect(request.get_full_path())
