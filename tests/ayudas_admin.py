"""Helpers for admin tests: post a change form as a browser would after editing a few fields."""

from django.forms import CheckboxInput, SelectMultiple


def _valor(campo_ligado):
    widget = campo_ligado.field.widget
    widget = getattr(widget, "widget", widget)  # the admin's RelatedFieldWidgetWrapper
    valor = campo_ligado.value()
    if isinstance(widget, CheckboxInput):
        return "on" if valor else None
    if isinstance(widget, SelectMultiple):
        return [str(v.pk if hasattr(v, "pk") else v) for v in (valor or [])] or None
    if valor is None:
        return ""
    formateado = widget.format_value(valor)
    return "" if formateado is None else formateado


def datos_formulario(respuesta) -> dict:
    """The POST data the admin change page at `respuesta` would send unchanged."""
    datos: dict = {}
    formulario = respuesta.context["adminform"].form
    for nombre in formulario.fields:
        valor = _valor(formulario[nombre])
        if valor is not None:
            datos[formulario.add_prefix(nombre)] = valor
    for inline in respuesta.context["inline_admin_formsets"]:
        formset = inline.formset
        for nombre, campo in formset.management_form.fields.items():
            datos[formset.management_form.add_prefix(nombre)] = formset.management_form[nombre].value()
        for form in formset.forms:
            for nombre in form.fields:
                valor = _valor(form[nombre])
                if valor is not None:
                    datos[form.add_prefix(nombre)] = valor
    return {clave: valor for clave, valor in datos.items() if valor is not None}
