"""The planner's daily tool: one indicator page with its targets and reports inline.

Admin classes stay thin: who sees what comes from `indicadores.permisos`, validation from
`indicadores.reglas` (through the models' `clean`) and every report write from
`indicadores.services`.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth import get_permission_codename
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from indicadores import permisos, reglas, services
from indicadores.formularios import TextoNormalizadoField, campo_numero
from indicadores.models import Enfoque, Evidencia, Indicador, Meta, Reporte
from indicadores.templatetags.admin_numeros import con_formato_propio, texto_legible
from politicas.models import Dependencia, Nivel, Plan
from reportes import revision
from reportes.resultados import Semaforo
from seguimiento.numeros import formato_numero


class NumerosColombianos:
    """Decimal fields read and show numbers the Colombian way («7.480», «0,33»); years and
    periods show as 2024, never «2.024».

    Forms use `NumeroField`; list columns of such fields are swapped for `columna_legible`;
    read-only fields go through the admin templates' `contenido_legible` filter.
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


def _solo_lectura_total(request) -> bool:
    """Readers (Funcionario, Auditor, Revisor) may look at everything, never at another's form."""
    return not request.user.is_superuser and not permisos.es_planeador(request.user)


# --- Targets ------------------------------------------------------------------------------


class MetasFormSet(BaseInlineFormSet):
    """The yearly targets of one indicator, checked together against its final target and LB."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        metas: dict[int, Decimal] = {}
        for form in self.forms:
            datos = getattr(form, "cleaned_data", None) or {}
            if not datos or datos.get("DELETE") or datos.get("anio") is None or datos.get("valor") is None:
                continue
            if datos["anio"] in metas:
                raise ValidationError(f"La vigencia {datos['anio']} tiene dos metas; deje una sola.")
            metas[datos["anio"]] = datos["valor"]
        for form in self.forms:
            datos = getattr(form, "cleaned_data", None) or {}
            borrada = bool(datos.get("DELETE"))
            if not datos or (borrada and form.instance.pk is None) or not (borrada or form.has_changed()):
                continue
            anios = {datos.get("anio"), form.initial.get("anio")} - {None}
            for anio in sorted(anios):
                try:
                    services.meta_verificar(
                        indicador=self.instance, anio=anio, usuario=self.request.user, motivo=_motivo(self.request)
                    )
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, _mensajes(exc))
                    break
        if any(self.errors):
            return
        indicador = self.instance
        errores = reglas.errores_metas(
            tipo=indicador.tipo_anualizacion,
            linea_base=indicador.linea_base,
            meta_final=indicador.meta_final,
            metas=metas,
        )
        if errores:
            raise ValidationError(errores["metas"])


class MetaInline(NumerosColombianos, admin.TabularInline):
    model = Meta
    formset = MetasFormSet
    fields = ("anio", "valor")
    extra = 1
    verbose_name = "meta de la vigencia"
    verbose_name_plural = "metas por vigencia (las de vigencias pasadas solo las corrige un administrador)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


def _motivo(request) -> str:
    """The reason an administrator typed for changing something frozen (see `MotivoForm`)."""
    return getattr(request, "_motivo_cambio", "") or ""


def _mensajes(exc: Exception) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


class MotivoForm(forms.ModelForm):
    """Adds «motivo del cambio»: required from an administrator who changes a closed cut's
    report or a past year's target; it is recorded in the audit trail."""

    motivo_cambio = forms.CharField(
        label="motivo del cambio",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Solo administradores: obligatorio para corregir un corte cerrado o una meta de una vigencia "
        "pasada. Queda en el historial.",
    )


class RechazoSinGuardar:
    """A change page whose save a service refuses at the last moment (someone wrote the same
    report between the page's checks and its save, and the service's lock saw it): the whole
    page is rolled back (the admin saves in one transaction) and the writer reads why."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            messages.error(request, "No se guardó nada. " + " ".join(_mensajes(exc)))
            return HttpResponseRedirect(request.get_full_path())


# --- Reports ------------------------------------------------------------------------------


# The narratives are compared and cleaned as they are stored (CRLF → LF, no surrounding blanks).
CAMPOS_TEXTO_NORMALIZADO = {"observaciones": TextoNormalizadoField, "plan_de_choque": TextoNormalizadoField}
MENSAJE_SIN_VERSION = (
    "La página no traía la versión del reporte que usted abrió, así que no se puede saber si otra persona "
    "lo cambió entretanto. Recargue la página y vuelva a escribir su corrección."
)


class ReporteInlineForm(forms.ModelForm):
    # The version the planner loaded (rendered hidden in the row): a save over someone else's
    # newer save is refused with what they changed.
    version_cargada = forms.IntegerField(widget=forms.HiddenInput, required=False)
    enviar = forms.BooleanField(label="enviar a revisión", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_cargada"].initial = self.instance.version
            # Which period a report belongs to is fixed once written; its value is corrected.
            for campo in ("anio", "periodo"):
                if campo in self.fields:
                    self.fields[campo].disabled = True

    def validate_unique(self) -> None:
        """A new row for a period that already has a report is refused by the service's rule
        (`services.ReporteExistente`, checked in `ReportesFormSet.clean`), not by a generic one."""

    class Meta:
        model = Reporte
        fields = ("anio", "periodo", "valor", "observaciones", "plan_de_choque")
        field_classes = CAMPOS_TEXTO_NORMALIZADO
        # Two rows: the whole table fits a 1280 px screen; the box grows while it is being typed
        # in (see templates/admin/indicadores/indicador/change_form.html).
        widgets = {
            "observaciones": forms.Textarea(attrs={"rows": 2, "cols": 20}),
            "plan_de_choque": forms.Textarea(attrs={"rows": 2, "cols": 20}),
        }


class ReportesFormSet(BaseInlineFormSet):
    """Reports entered on the indicator page. Saving goes through `services.reporte_registrar`
    (see `IndicadorAdmin.save_formset`); here the same checks run first so a refusal comes back
    as a form error instead of a half-saved page."""

    request = None  # set per request by ReporteInline.get_formset

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        for form in self.forms:
            if not form.has_changed() or not getattr(form, "cleaned_data", None):
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            try:
                services.reporte_verificar(
                    indicador=self.instance,
                    anio=form.cleaned_data["anio"],
                    periodo=form.cleaned_data["periodo"],
                    usuario=self.request.user,
                    motivo=_motivo(self.request),
                )
                _verificar_version(
                    form.instance, form.cleaned_data.get("version_cargada"),
                    indicador=self.instance, anio=form.cleaned_data["anio"], periodo=form.cleaned_data["periodo"],
                )
                if form.cleaned_data.get("enviar"):
                    _verificar_envio(self.instance, form)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _mensajes(exc))


def _verificar_envio(indicador: Indicador, form) -> None:
    """Sending from the indicator page: `services.reporte_verificar_envio` before writing."""
    datos = form.cleaned_data
    borrador = Reporte(
        indicador=indicador, anio=datos["anio"], periodo=datos["periodo"], valor=datos["valor"],
        plan_de_choque=datos.get("plan_de_choque", ""), estado=form.instance.estado,
    )
    borrador.pk = form.instance.pk
    se_corrige = not form.instance.pk or set(form.changed_data) - {"enviar"}
    services.reporte_verificar_envio(borrador, se_corrige=bool(se_corrige))


def _verificar_version(
    reporte: Reporte, version_cargada: int | None, *, indicador: Indicador, anio: int, periodo: int
) -> None:
    """The checks `services.reporte_registrar` makes, before writing: a correction names the
    version it was typed over (`ConflictoEdicion` when someone saved since); a new report is for
    a period nobody has reported yet (`ReporteExistente`)."""
    if reporte.pk is None:
        existente = Reporte.objects.select_related("indicador").filter(
            indicador=indicador, anio=anio, periodo=periodo
        ).first()
        if existente is not None:
            raise services.ReporteExistente(existente)
        return
    if version_cargada is None:
        raise ValidationError(MENSAJE_SIN_VERSION, code="sin_version")
    if version_cargada != reporte.version:
        raise services.ConflictoEdicion(
            reporte=reporte,
            version_esperada=version_cargada,
            cambios=services.reporte_cambios_desde(reporte, version_cargada),
        )


class ReporteInline(NumerosColombianos, admin.TabularInline):
    model = Reporte
    form = ReporteInlineForm
    formset = ReportesFormSet
    # Seven columns that fit a 1280 px screen next to the admin's menu: the review comment goes
    # under the state instead of in a column of its own. The version the planner loaded travels
    # hidden in the row (`templates/admin/edit_inline/tabular.html` puts hidden fields in no column).
    fields = (
        "anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado_revision", "enviar", "version_cargada",
    )
    readonly_fields = ("estado_revision",)
    extra = 1
    can_delete = False  # a reported value is corrected, not erased (the audit trail keeps both)
    verbose_name = "reporte de avance"
    verbose_name_plural = "reportes de avance (observaciones y plan de choque)"

    @admin.display(description="estado")
    def estado_revision(self, obj: Reporte) -> str:
        if obj is None or obj.pk is None:
            return "nuevo"
        notas = []
        if obj.en_correccion:
            decimales = Reporte._meta.get_field("valor").decimal_places
            aprobado = formato_numero(obj.valor_oficial, decimales)
            notas.append(f"Corrige el aprobado ({aprobado}), que sigue siendo el oficial.")
        if obj.comentario_revision:
            notas.append(f"«{obj.comentario_revision}»")
        if not notas:
            return obj.get_estado_display()
        return format_html(
            "{}{}", obj.get_estado_display(), format_html_join("", "<br><small>{}</small>", ((nota,) for nota in notas))
        )

    def get_fields(self, request, obj=None):
        if obj is not None and not permisos.puede_editar_indicador(request.user, obj):
            # Readers see the reports; «enviar a revisión» and the version are a planner's.
            return tuple(campo for campo in self.fields if campo not in ("enviar", "version_cargada"))
        return self.fields

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


# --- Filters ------------------------------------------------------------------------------


class NivelSuperiorFilter(admin.SimpleListFilter):
    """Filter by a top-level node of the plan (an Eje, an Objetivo) and everything under it."""

    title = "nivel superior"
    parameter_name = "nivel_superior"

    def lookups(self, request, model_admin):
        # Only plans the user may see: an unpublished plan's structure is not revealed here.
        niveles = (
            Nivel.objects.filter(profundidad=0, plan__in=permisos.planes_visibles(request.user))
            .select_related("plan")
            .order_by("plan__nombre", "orden", "codigo")
        )
        plan_id = request.GET.get("plan__id__exact")
        if plan_id:
            niveles = niveles.filter(plan_id=plan_id)
        return [(n.pk, f"{n.plan.codigo} · {n.nombre_tipo} {n.codigo}") for n in niveles]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            raiz = Nivel.objects.get(pk=self.value())
        except (Nivel.DoesNotExist, ValueError):
            return queryset.none()
        # One query for the plan's tree, then the descendants are found in memory.
        hijos: dict[int, list[int]] = {}
        for nivel_id, padre_id in Nivel.objects.filter(plan_id=raiz.plan_id).values_list("id", "padre_id"):
            hijos.setdefault(padre_id, []).append(nivel_id)
        ids, pendientes = set(), [raiz.pk]
        while pendientes:
            actual = pendientes.pop()
            ids.add(actual)
            pendientes.extend(hijos.get(actual, []))
        return queryset.filter(nivel_id__in=ids)


# --- Indicators ---------------------------------------------------------------------------


class IndicadorForm(MotivoForm):
    class Meta:
        # A name or product typed on several lines reads the same whichever browser sent it.
        field_classes = {"nombre": TextoNormalizadoField, "producto": TextoNormalizadoField}


@admin.register(Indicador)
class IndicadorAdmin(RechazoSinGuardar, HistorialAdmin):
    form = IndicadorForm
    list_display = ("codigo", "nombre_corto", "plan", "nivel_corto", "dependencia", "tipo_anualizacion", "periodicidad", "peso_col")
    list_display_links = ("codigo", "nombre_corto")
    list_select_related = ("plan", "nivel__plan", "dependencia")
    list_filter = (
        ("plan", admin.RelatedOnlyFieldListFilter),
        ("dependencia", admin.RelatedOnlyFieldListFilter),
        "tipo_anualizacion",
        NivelSuperiorFilter,
    )
    search_fields = ("codigo", "nombre", "producto")
    inlines = (MetaInline, ReporteInline)
    filter_horizontal = ("enfoques",)
    fieldsets = (
        (None, {"fields": ("plan", "nivel", "codigo", "nombre", "producto", "dependencia")}),
        (
            "Medición",
            {
                "fields": (
                    "unidad",
                    "tipo_anualizacion",
                    "periodicidad",
                    ("linea_base", "anio_linea_base"),
                    "meta_final",
                    "peso",
                )
            },
        ),
        ("Otros datos", {"classes": ("collapse",), "fields": ("enfoques", "orden", "ilustrativo", "fuente")}),
    )

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return (*self.fieldsets, ("Corrección de datos cerrados", {"fields": ("motivo_cambio",)}))
        return self.fieldsets

    def save_form(self, request, form, change):
        # Inline formsets are validated after this, and need the administrator's reason.
        request._motivo_cambio = form.cleaned_data.get("motivo_cambio", "") if request.user.is_superuser else ""
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change) -> None:
        if change and not form.has_changed():
            return  # an untouched indicator is not written: no empty row in its audit trail
        if _motivo(request):
            obj._change_reason = _motivo(request)
        super().save_model(request, obj, form, change)

    @admin.display(description="nombre", ordering="nombre")
    def nombre_corto(self, obj: Indicador) -> str:
        return obj.nombre if len(obj.nombre) <= 90 else obj.nombre[:88] + "…"

    @admin.display(description="nivel", ordering="nivel__codigo")
    def nivel_corto(self, obj: Indicador) -> str:
        return f"{obj.nivel.nombre_tipo} {obj.nivel.codigo}"

    @admin.display(description="ponderación", ordering="peso")
    def peso_col(self, obj: Indicador) -> str:
        return formato_numero(obj.peso) if obj.peso is not None else "—"

    def get_queryset(self, request):
        return permisos.indicadores_visibles(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permisos.puede_editar_indicador(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    # The plan's structure: where the indicator sits, who reports it and how it is measured and
    # weighed. Changing any of these changes the roll-up of levels shared with other
    # dependencias, so only an administrator does it (no other role may change indicators).
    CAMPOS_ESTRUCTURA = (
        "plan", "nivel", "codigo", "dependencia", "unidad", "tipo_anualizacion", "periodicidad",
        "linea_base", "anio_linea_base", "meta_final", "peso",
    )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        # Planners keep the name, product, enfoques and sources, their targets and reports.
        return self.CAMPOS_ESTRUCTURA

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._indicador_en_edicion = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        usuario = request.user
        if db_field.name == "dependencia" and not usuario.is_superuser:
            kwargs["queryset"] = Dependencia.objects.filter(pk__in=permisos.dependencias_ids(usuario))
        elif db_field.name == "plan":
            kwargs["queryset"] = permisos.planes_visibles(usuario)
        elif db_field.name == "nivel":
            obj = getattr(request, "_indicador_en_edicion", None)
            niveles = Nivel.objects.select_related("plan")
            kwargs["queryset"] = niveles.filter(plan_id=obj.plan_id) if obj else niveles.filter(
                plan__in=permisos.planes_visibles(usuario)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Reporte:
            for instancia in formset.save(commit=False):
                instancia._history_user = request.user
                instancia._change_reason = _motivo(request) or None
                instancia.save()
            for eliminada in formset.deleted_objects:
                eliminada._history_user = request.user
                eliminada._change_reason = _motivo(request) or None
                eliminada.delete()
            formset.save_m2m()
            return
        # Reports: one write path for the admin, the API and imports.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for formulario in formset.forms:
            if not formulario.has_changed() or not formulario.cleaned_data:
                continue
            datos = formulario.cleaned_data
            nuevo = formulario.instance.pk is None
            reporte = services.reporte_registrar(
                indicador=form.instance,
                anio=datos["anio"],
                periodo=datos["periodo"],
                valor=datos["valor"],
                usuario=request.user,
                observaciones=datos.get("observaciones", ""),
                plan_de_choque=datos.get("plan_de_choque", ""),
                # A new row is a create: for a period someone reported meanwhile it is refused.
                version_esperada=None if nuevo else datos.get("version_cargada"),
                motivo=_motivo(request),
            )
            if datos.get("enviar") and reporte.estado in (Reporte.Estado.BORRADOR, Reporte.Estado.DEVUELTO):
                reporte = services.reporte_enviar(
                    reporte=reporte, usuario=request.user, motivo=_motivo(request), version_esperada=reporte.version
                )
            if nuevo:
                formset.new_objects.append(reporte)
            else:
                formset.changed_objects.append((reporte, formulario.changed_data))

    def response_change(self, request, obj):
        avisar_errores_pesos(request, obj.plan)
        return super().response_change(request, obj)


def avisar_errores_pesos(request, plan: Plan) -> None:
    """Warn (never block) about the plan's weight mismatches after a level or indicator is saved.

    Weights are often typed one at a time, so a mismatch is a to-do for the planner, not an error.
    """
    from politicas.selectors import plan_errores_pesos

    errores = plan_errores_pesos(plan=plan)
    for error in errores[:5]:
        messages.warning(request, error)
    if len(errores) > 5:
        messages.warning(request, f"… y {len(errores) - 5} diferencias más: use «Validar plan» en la página del plan.")


# --- Other models -------------------------------------------------------------------------


@admin.register(Enfoque)
class EnfoqueAdmin(admin.ModelAdmin):
    list_display = ("nombre", "codigo")
    search_fields = ("nombre", "codigo")


class ArchivoEvidenciaWidget(AdminFileWidget):
    """The admin's file input, whose «currently» link goes through the checked download view
    (uploads are never served from MEDIA_ROOT)."""

    url_descarga = ""

    def get_context(self, name, value, attrs):
        contexto = super().get_context(name, value, attrs)
        if contexto["widget"]["is_initial"]:
            # The stock template links `value.url`: hand it the download view's address.
            contexto["widget"]["value"] = ArchivoConDescarga(str(value), self.url_descarga)
        return contexto


class ArchivoConDescarga(str):
    """A stored file's name whose `url` is the checked download view."""

    def __new__(cls, nombre: str, url: str):
        objeto = super().__new__(cls, nombre)
        objeto.url = url
        return objeto


class EvidenciaForm(forms.ModelForm):
    enlace = forms.URLField(
        label="enlace", required=False, max_length=500, assume_scheme="https", widget=forms.URLInput(attrs={"size": 40})
    )

    class Meta:
        model = Evidencia
        fields = ("descripcion", "archivo", "enlace")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "archivo" in self.fields:
            widget = ArchivoEvidenciaWidget()
            if self.instance.pk:
                widget.url_descarga = reverse("evidencia_descargar", args=[self.instance.pk])
            self.fields["archivo"].widget = widget

    def clean_archivo(self):
        archivo = self.cleaned_data.get("archivo")
        if archivo and archivo is not getattr(self.instance, "archivo", None):
            errores = services.evidencia_errores_archivo(archivo)
            if errores:
                raise ValidationError(errores)
        return archivo


class EvidenciaInline(admin.TabularInline):
    model = Evidencia
    form = EvidenciaForm
    fields = ("descripcion", "archivo", "enlace")
    extra = 1
    verbose_name_plural = "evidencias (archivos o enlaces)"

    def get_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            # Read-only rows would link the file under /media/; link the checked download instead.
            return ("descripcion", "archivo_descarga", "enlace")
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return ("archivo_descarga",)

    @admin.display(description="archivo")
    def archivo_descarga(self, obj: Evidencia) -> str:
        if obj is None or not obj.pk or not obj.archivo:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("evidencia_descargar", args=[obj.pk]), obj.archivo.name.rsplit("/", 1)[-1])

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or permisos.puede_editar_indicador(request.user, obj.indicador)
        )

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class ReporteAdminForm(MotivoForm):
    request = None  # set per request by ReporteAdmin.get_form
    version_cargada = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Reporte
        fields = "__all__"
        field_classes = CAMPOS_TEXTO_NORMALIZADO

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_cargada"].initial = self.instance.version

    def validate_unique(self) -> None:
        """A report for a period that already has one is refused by the service's rule
        (`services.ReporteExistente`, in `clean`), which says whose it is."""

    def clean(self):
        datos = super().clean()
        indicador = datos.get("indicador") or getattr(self.instance, "indicador", None)
        anio = datos.get("anio", self.instance.anio)
        periodo = datos.get("periodo", self.instance.periodo)
        if indicador is not None and anio is not None and periodo is not None:
            usuario = self.request.user
            try:
                services.reporte_verificar(
                    indicador=indicador, anio=anio, periodo=periodo, usuario=usuario,
                    motivo=datos.get("motivo_cambio", "") if usuario.is_superuser else "",
                )
                _verificar_version(
                    self.instance, datos.get("version_cargada"), indicador=indicador, anio=anio, periodo=periodo
                )
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(_mensajes(exc)) from exc
        return datos


class ComentarioDevolucionForm(forms.Form):
    comentario = forms.CharField(
        label="comentario para el planeador", widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Qué debe corregir. Lo verá en su reporte devuelto.",
    )


def cuantos(n: int, singular: str, plural: str) -> str:
    """«1 reporte aprobado», «3 reportes aprobados»: Spanish agreement, never «reporte(s)»."""
    return f"{n} {singular if n == 1 else plural}"


class BandaAlAprobarFilter(admin.SimpleListFilter):
    """The review queue by the band each report gives its indicator once approved
    (`reportes.revision.bandas_al_aprobar`: a fixed number of queries, not one per report)."""

    title = "semáforo si se aprueba"
    parameter_name = "banda"

    def lookups(self, request, model_admin):
        return [(banda.value, banda.etiqueta) for banda in Semaforo]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            buscada = Semaforo(self.value())
        except ValueError:
            return queryset.none()
        bandas = revision.bandas_al_aprobar(queryset)
        return queryset.filter(pk__in=[pk for pk, banda in bandas.items() if banda == buscada])


class ColaRevision(ChangeList):
    """The report list, each row with the band approving it gives, computed for the whole page
    at once."""

    def get_results(self, request) -> None:
        super().get_results(request)
        pagina = list(self.result_list)
        bandas = revision.bandas_al_aprobar(Reporte.objects.filter(pk__in=[r.pk for r in pagina])) if pagina else {}
        for reporte in pagina:
            reporte.banda_al_aprobar = bandas.get(reporte.pk)


@admin.display(description="periodo", ordering="anio")
def columna_periodo(obj: Reporte) -> str:
    """A report's period by its name: «2023», «2023 · semestre 1», never «2023-1»."""
    return obj.nombre_periodo


columna_periodo.__name__ = "anio"  # the column keeps its CSS class «column-anio» and its place


@admin.register(Reporte)
class ReporteAdmin(RechazoSinGuardar, HistorialAdmin):
    """Reports across indicators: the planning office reviews here, one by one or in bulk."""

    form = ReporteAdminForm
    list_display = (
        "indicador_codigo", "plan", "dependencia", columna_periodo, "valor_col", "estado", "banda_col", "version",
        "actualizado_en",
    )
    list_display_links = ("indicador_codigo",)
    list_select_related = ("indicador__plan", "indicador__dependencia")
    list_filter = (
        "estado",
        ("indicador__plan", admin.RelatedOnlyFieldListFilter),
        ("indicador__dependencia", admin.RelatedOnlyFieldListFilter),
        "anio",
        BandaAlAprobarFilter,  # last: it computes on what the other filters left
    )
    search_fields = ("indicador__codigo", "indicador__nombre")
    fields = (
        "indicador", "anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado",
        "comentario_revision", "version", "version_cargada",
    )
    readonly_fields = ("estado", "comentario_revision", "version")
    raw_id_fields = ("indicador",)
    inlines = (EvidenciaInline,)
    actions = ("enviar", "aprobar", "devolver")

    @admin.display(description="indicador", ordering="indicador__codigo")
    def indicador_codigo(self, obj: Reporte) -> str:
        return obj.indicador.codigo

    @admin.display(description="plan", ordering="indicador__plan__codigo")
    def plan(self, obj: Reporte) -> str:
        # The code must not break at its hyphens («cali-␤2016»); the full name is the tooltip.
        plan = obj.indicador.plan
        return format_html('<span class="nowrap" title="{}">{}</span>', plan.nombre, plan.codigo)

    @admin.display(description="dependencia", ordering="indicador__dependencia__nombre")
    def dependencia(self, obj: Reporte) -> str:
        return obj.indicador.dependencia.nombre

    @admin.display(description="avance", ordering="valor")
    def valor_col(self, obj: Reporte) -> str:
        return formato_numero(obj.valor, decimales=Reporte._meta.get_field("valor").decimal_places)

    @admin.display(description="semáforo si se aprueba")
    def banda_col(self, obj: Reporte) -> str:
        banda = getattr(obj, "banda_al_aprobar", None)
        return banda.etiqueta if banda is not None else "—"

    def get_changelist(self, request, **kwargs):
        return ColaRevision

    def get_queryset(self, request):
        visibles = permisos.indicadores_visibles(request.user)
        return super().get_queryset(request).filter(indicador__in=visibles)

    def get_fields(self, request, obj=None):
        campos = self.fields
        if obj is not None:
            # A written report's period is shown by its name («2023 · semestre 1»), never «1».
            campos = tuple("periodo_nombre" if campo == "anio" else campo for campo in campos if campo != "periodo")
            if not self.has_change_permission(request, obj):
                # Read only: the version the page was loaded with is a writer's field.
                return tuple(campo for campo in campos if campo != "version_cargada")
        if request.user.is_superuser:
            return (*campos, "motivo_cambio")
        return campos

    @admin.display(description="periodo")
    def periodo_nombre(self, obj: Reporte) -> str:
        return obj.nombre_periodo

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # The planning office changes reports only through the review actions.
        return obj is None or permisos.puede_editar_indicador(request.user, obj.indicador)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def has_revisar_permission(self, request) -> bool:
        return permisos.es_revisor(request.user)

    def has_enviar_permission(self, request) -> bool:
        return request.user.is_superuser or permisos.es_planeador(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Which period a report belongs to is fixed once written; correct its value instead.
            return ("indicador", "anio", "periodo", "periodo_nombre", *self.readonly_fields)
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        formulario = super().get_form(request, obj, change=change, **kwargs)
        formulario.request = request
        return formulario

    def save_model(self, request, obj, form, change) -> None:
        datos = form.cleaned_data
        guardado = services.reporte_registrar(
            indicador=obj.indicador,
            anio=obj.anio,
            periodo=obj.periodo,
            valor=datos["valor"],
            usuario=request.user,
            observaciones=datos.get("observaciones", ""),
            plan_de_choque=datos.get("plan_de_choque", ""),
            # Adding is a create: for a period someone reported meanwhile it is refused.
            version_esperada=datos.get("version_cargada") if change else None,
            motivo=datos.get("motivo_cambio", "") if request.user.is_superuser else "",
        )
        obj.pk, obj.version, obj.estado = guardado.pk, guardado.version, guardado.estado

    def get_urls(self):
        propias = [
            path("<int:reporte_id>/revisar/", self.admin_site.admin_view(self.revisar_view), name="indicadores_reporte_revisar")
        ]
        return propias + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "puede_revisar": permisos.es_revisor(request.user),
                         "formulario_devolucion": ComentarioDevolucionForm()}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # What the reviewer decides with: target, before → after, the figures approving gives.
            context["revision"] = revision.revision_reporte(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def revisar_view(self, request, reporte_id: int):
        """Approve or return one report from its page (POST only; the service checks the role).

        The form carries the version the reviewer read: if the report moved since (another
        reviewer, or the planner's new correction), the decision is refused with what changed."""
        if request.method != "POST":
            return redirect("admin:indicadores_reporte_change", reporte_id)
        reporte = get_object_or_404(self.get_queryset(request).select_related("indicador"), pk=reporte_id)
        aprobar = request.POST.get("accion") == "aprobar"
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            messages.error(
                request, "La página de revisión no traía la versión del reporte: recárguela y decida otra vez."
            )
            return redirect("admin:indicadores_reporte_change", reporte.pk)
        try:
            if aprobar:
                reporte = services.reporte_aprobar(reporte=reporte, usuario=request.user, version_esperada=version)
                messages.success(request, f"Reporte {reporte} aprobado: sus cifras ya cuentan este valor.")
            else:
                reporte = services.reporte_devolver(
                    reporte=reporte, usuario=request.user, comentario=request.POST.get("comentario", ""),
                    version_esperada=version,
                )
                messages.success(request, f"Reporte {reporte} devuelto al planeador.")
        except (ValidationError, PermissionDenied) as exc:
            que = "aprobó" if aprobar else "devolvió"
            messages.error(request, f"No se {que} el reporte {reporte}. " + " ".join(_mensajes(exc)))
            return redirect("admin:indicadores_reporte_change", reporte.pk)
        return redirect(f"{reverse('admin:indicadores_reporte_changelist')}?estado__exact=enviado")

    def _en_lote(self, request, accion, queryset, *, infinitivo: str, hecho: tuple[str, str], **kwargs) -> None:
        """Each report is locked and its state re-checked by the service; each succeeds or fails
        on its own, and each refusal is said with its reason."""
        reportes = queryset.select_related("indicador__plan", "indicador__dependencia")
        hechos, errores = services.reportes_en_lote(accion, reportes, usuario=request.user, **kwargs)
        if hechos:
            singular, plural = hecho
            messages.success(request, cuantos(len(hechos), f"reporte {singular}", f"reportes {plural}") + ".")
        if errores:
            no_se = "No se pudo" if len(errores) == 1 else "No se pudieron"
            messages.error(request, f"{no_se} {infinitivo} {cuantos(len(errores), 'reporte', 'reportes')}:")
        for error in errores:
            messages.error(request, error)

    @admin.action(description="Enviar a revisión", permissions=["enviar"])
    def enviar(self, request, queryset) -> None:
        self._en_lote(
            request, services.reporte_enviar, queryset, infinitivo="enviar a revisión",
            hecho=("enviado a revisión", "enviados a revisión"),
        )

    @admin.action(description="Aprobar", permissions=["revisar"])
    def aprobar(self, request, queryset) -> None:
        self._en_lote(
            request, services.reporte_aprobar, queryset, infinitivo="aprobar", hecho=("aprobado", "aprobados")
        )

    @admin.action(description="Devolver al planeador con un comentario", permissions=["revisar"])
    def devolver(self, request, queryset):
        formulario = ComentarioDevolucionForm(request.POST if "comentario" in request.POST else None)
        if formulario.is_valid():
            self._en_lote(
                request, services.reporte_devolver, queryset, infinitivo="devolver", hecho=("devuelto", "devueltos"),
                comentario=formulario.cleaned_data["comentario"],
            )
            return None
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Devolver reportes",
            "reportes": queryset.select_related("indicador"),
            "formulario": formulario,
            "accion": "devolver",
            "seleccion": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/indicadores/reporte/devolver.html", contexto)


# The cut admin (closing, reopening, correcting) lives in its own module; importing it registers it.
from indicadores import admin_cortes  # noqa: E402,F401
