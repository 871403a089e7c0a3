"""The planner's daily tool: one indicator page with its targets and reports inline.

Admin classes stay thin: who sees what comes from `indicadores.permisos`, validation from
`indicadores.reglas` (through the models' `clean`) and every report write from
`indicadores.services`.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from indicadores import permisos, reglas, services
from indicadores.formularios import campo_numero
from indicadores.models import Corte, Enfoque, Evidencia, Indicador, Meta, Reporte
from politicas.models import Dependencia, Nivel, Plan
from seguimiento.numeros import formato_numero


class NumerosColombianos:
    """Decimal fields read and show numbers the Colombian way («7.480», «0,33»)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            return campo_numero(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


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
    verbose_name_plural = "metas por vigencia"


# --- Reports ------------------------------------------------------------------------------


class ReporteInlineForm(forms.ModelForm):
    class Meta:
        model = Reporte
        fields = ("anio", "periodo", "valor", "observaciones", "plan_de_choque")
        widgets = {
            "observaciones": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "plan_de_choque": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }


class ReportesFormSet(BaseInlineFormSet):
    """Reports entered on the indicator page. Saving goes through `services.reporte_registrar`
    (see `IndicadorAdmin.save_formset`); here the same checks run first so a refusal comes back
    as a form error instead of a half-saved page."""

    usuario = None  # set per request by ReporteInline.get_formset

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
                    usuario=self.usuario,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


class ReporteInline(NumerosColombianos, admin.TabularInline):
    model = Reporte
    form = ReporteInlineForm
    formset = ReportesFormSet
    fields = ("anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado", "comentario_revision")
    readonly_fields = ("estado", "comentario_revision")
    extra = 1
    can_delete = False  # a reported value is corrected, not erased (the audit trail keeps both)
    verbose_name = "reporte de avance"
    verbose_name_plural = "reportes de avance (observaciones y plan de choque)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.usuario = request.user
        return formset


# --- Filters ------------------------------------------------------------------------------


class NivelSuperiorFilter(admin.SimpleListFilter):
    """Filter by a top-level node of the plan (an Eje, an Objetivo) and everything under it."""

    title = "nivel superior"
    parameter_name = "nivel_superior"

    def lookups(self, request, model_admin):
        niveles = Nivel.objects.filter(profundidad=0).select_related("plan").order_by("plan__nombre", "orden", "codigo")
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


@admin.register(Indicador)
class IndicadorAdmin(HistorialAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        # Planners work on their indicators' measurement; the plan's structure is not theirs.
        return ("plan", "codigo")

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
                instancia.save()
            for eliminada in formset.deleted_objects:
                eliminada._history_user = request.user
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


@admin.register(Corte)
class CorteAdmin(HistorialAdmin):
    list_display = ("plan", "clave", "fecha_limite", "estado", "cerrado_por", "cerrado_en")
    list_select_related = ("plan", "cerrado_por")
    list_filter = ("estado", ("plan", admin.RelatedOnlyFieldListFilter), "anio")
    readonly_fields = ("estado", "cerrado_por", "cerrado_en")
    fields = ("plan", "anio", "semestre", "fecha_limite", "estado", "cerrado_por", "cerrado_en")

    @admin.display(description="corte", ordering="anio")
    def clave(self, obj: Corte) -> str:
        return obj.clave

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=permisos.planes_visibles(request.user))


class EvidenciaInline(admin.TabularInline):
    model = Evidencia
    fields = ("descripcion", "archivo", "enlace")
    extra = 1


class ReporteAdminForm(forms.ModelForm):
    usuario = None  # set per request by ReporteAdmin.get_form

    class Meta:
        model = Reporte
        fields = "__all__"

    def clean(self):
        datos = super().clean()
        indicador = datos.get("indicador") or getattr(self.instance, "indicador", None)
        anio = datos.get("anio", self.instance.anio)
        periodo = datos.get("periodo", self.instance.periodo)
        if indicador is not None and anio is not None and periodo is not None:
            try:
                services.reporte_verificar(indicador=indicador, anio=anio, periodo=periodo, usuario=self.usuario)
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(exc.messages if isinstance(exc, ValidationError) else str(exc)) from exc
        return datos


@admin.register(Reporte)
class ReporteAdmin(HistorialAdmin):
    form = ReporteAdminForm
    list_display = ("indicador_codigo", "plan", "dependencia", "anio", "periodo", "valor_col", "estado", "version", "actualizado_en")
    list_display_links = ("indicador_codigo",)
    list_select_related = ("indicador__plan", "indicador__dependencia")
    list_filter = (
        "estado",
        ("indicador__plan", admin.RelatedOnlyFieldListFilter),
        ("indicador__dependencia", admin.RelatedOnlyFieldListFilter),
        "anio",
    )
    search_fields = ("indicador__codigo", "indicador__nombre")
    fields = ("indicador", "anio", "periodo", "valor", "observaciones", "plan_de_choque", "estado", "comentario_revision", "version")
    readonly_fields = ("estado", "comentario_revision", "version")
    raw_id_fields = ("indicador",)
    inlines = (EvidenciaInline,)

    @admin.display(description="indicador", ordering="indicador__codigo")
    def indicador_codigo(self, obj: Reporte) -> str:
        return obj.indicador.codigo

    @admin.display(description="plan", ordering="indicador__plan__nombre")
    def plan(self, obj: Reporte) -> str:
        return obj.indicador.plan.codigo

    @admin.display(description="dependencia", ordering="indicador__dependencia__nombre")
    def dependencia(self, obj: Reporte) -> str:
        return obj.indicador.dependencia.nombre

    @admin.display(description="avance", ordering="valor")
    def valor_col(self, obj: Reporte) -> str:
        return formato_numero(obj.valor, decimales=6)

    def get_queryset(self, request):
        visibles = permisos.indicadores_visibles(request.user)
        return super().get_queryset(request).filter(indicador__in=visibles)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permisos.puede_editar_indicador(request.user, obj.indicador)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Which period a report belongs to is fixed once written; correct its value instead.
            return ("indicador", "anio", "periodo", *self.readonly_fields)
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        formulario = super().get_form(request, obj, change=change, **kwargs)
        formulario.usuario = request.user
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
        )
        obj.pk, obj.version = guardado.pk, guardado.version
