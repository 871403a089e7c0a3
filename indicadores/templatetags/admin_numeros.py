"""Read-only admin values the Colombian way.

Django's admin prints read-only integers with the thousands separator («2.024») and decimals
with every stored place («0,330000»). The admin's field templates (`templates/admin/includes/
fieldset.html`, `templates/admin/edit_inline/tabular.html`) show read-only fields through
`contenido_legible` instead, so years and periods read 2024 and measured values 0,33 or 7.480.
"""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from seguimiento.numeros import formato_numero

register = template.Library()


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


@register.filter
def contenido_legible(campo_admin: AdminReadonlyField) -> str:
    """The read-only field's contents, with years and decimals as a Colombian reader expects."""
    nombre = campo_admin.field["field"]
    instancia = campo_admin.form.instance
    if isinstance(nombre, str):
        try:
            campo = instancia._meta.get_field(nombre)
        except FieldDoesNotExist:
            campo = None
        if campo is not None and campo.concrete and not campo.is_relation:
            texto = texto_legible(campo, getattr(instancia, campo.attname, None))
            if texto is not None:
                return texto
    return campo_admin.contents()
