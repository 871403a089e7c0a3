"""Read-only admin values the Colombian way.

Django's admin prints read-only integers with the thousands separator («2.024») and decimals
with every stored place («0,330000»). The admin's field templates (`templates/admin/includes/
fieldset.html`, `templates/admin/edit_inline/tabular.html`) show read-only fields through
`contenido_legible` instead, so years and periods read 2024 and measured values 0,33 or 7.480.
The rule of which fields read so is `seguimiento.admin_base.texto_legible`, shared with list columns.
"""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.core.exceptions import FieldDoesNotExist

from seguimiento.admin_base import texto_legible

register = template.Library()


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
