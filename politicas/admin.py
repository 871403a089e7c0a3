"""Admin of plans, their hierarchy, the offices that report and the qualitative reports."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from politicas import cualitativo
from politicas.models import ActividadCualitativa, Dependencia, Entidad, InformeCualitativo, Nivel, Plan
from politicas.roles import dependencias_ids, planes_visibles
from politicas.selectors import plan_errores_pesos
from seguimiento.admin_base import HistorialAdmin
from seguimiento.limites import con_mensaje_de_largo
from seguimiento.numeros import formato_numero, formato_porcentaje
from seguimiento.roles import es_revisor, lee_todo


class TextosAcotados:
    """An admin (or inline) whose text fields refuse a text over their model field's maximum with
    both figures («Nombre: tiene 2.001 caracteres; el máximo es 2.000.»), beside the browser's
    `maxlength` (`seguimiento.limites`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return con_mensaje_de_largo(super().formfield_for_dbfield(db_field, request, **kwargs))


def avisar_errores_pesos(request, plan: Plan) -> None:
    """Warn (never block) about the plan's weight mismatches after a level or indicator is saved.

    Weights are often typed one at a time, so a mismatch is a to-do for the planner, not an error.
    """
    errores = plan_errores_pesos(plan=plan)
    for error in errores[:5]:
        messages.warning(request, error)
    if len(errores) > 5:
        messages.warning(request, f"… y {len(errores) - 5} diferencias más: use «Validar plan» en la página del plan.")


@admin.register(Entidad)
class EntidadAdmin(admin.ModelAdmin):
    list_display = ("nombre", "sigla")
    search_fields = ("nombre", "sigla")


@admin.register(Dependencia)
class DependenciaAdmin(admin.ModelAdmin):
    list_display = ("nombre", "sigla", "entidad", "tipo", "num_usuarios")
    list_select_related = ("entidad",)
    list_filter = ("tipo", "entidad")
    search_fields = ("nombre", "sigla")
    filter_horizontal = ("usuarios",)

    @admin.display(description="planeadores", ordering="num_usuarios")
    def num_usuarios(self, obj: Dependencia) -> int:
        return obj.num_usuarios

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_usuarios=Count("usuarios", distinct=True))


@admin.register(Plan)
class PlanAdmin(TextosAcotados, HistorialAdmin):
    list_display = ("codigo", "nombre", "tipo", "entidad", "anio_inicio", "anio_fin", "publicado")
    list_select_related = ("entidad",)
    list_filter = ("tipo", "publicado", "entidad")
    search_fields = ("codigo", "nombre", "documento")
    prepopulated_fields = {"codigo": ("nombre",)}
    actions = ("validar_planes",)

    def get_queryset(self, request):
        return planes_visibles(request.user, super().get_queryset(request))

    def get_urls(self):
        propias = [
            path(
                "<int:plan_id>/validar/",
                self.admin_site.admin_view(self.validar_view),
                name="politicas_plan_validar",
            )
        ]
        return propias + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            plan = self.get_object(request, object_id)
            if plan is not None:
                errores = plan_errores_pesos(plan=plan)
                if errores:
                    messages.warning(
                        request,
                        f"El plan tiene {len(errores)} diferencia(s) de ponderación; véalas en «Validar plan».",
                    )
        return super().change_view(request, object_id, form_url, extra_context)

    def validar_view(self, request, plan_id: int):
        """Every weight mismatch of the plan, on one page the planner can work through."""
        plan = get_object_or_404(self.get_queryset(request), pk=plan_id)
        if not self.has_view_permission(request, plan):
            raise admin.sites.PermissionDenied
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "plan": plan,
            "errores": plan_errores_pesos(plan=plan),
            "title": f"Validación de ponderaciones: {plan}",
            "volver": reverse("admin:politicas_plan_change", args=[plan.pk]),
        }
        return TemplateResponse(request, "admin/politicas/plan/validar.html", contexto)

    @admin.action(description="Validar ponderaciones de los planes seleccionados", permissions=["view"])
    def validar_planes(self, request, queryset) -> None:
        for plan in queryset:
            errores = plan_errores_pesos(plan=plan)
            if not errores:
                messages.success(request, f"{plan.codigo}: las ponderaciones cuadran.")
            for error in errores:
                messages.warning(request, f"{plan.codigo}: {error}")


@admin.register(Nivel)
class NivelAdmin(TextosAcotados, HistorialAdmin):
    list_display = ("codigo", "nombre_corto", "tipo_nivel", "plan", "padre_codigo", "peso_col", "orden")
    list_display_links = ("codigo", "nombre_corto")
    list_select_related = ("plan", "padre")
    list_filter = (("plan", admin.RelatedOnlyFieldListFilter), "profundidad")
    search_fields = ("codigo", "nombre")
    fields = ("plan", "padre", "codigo", "nombre", "peso", "orden")

    @admin.display(description="nombre", ordering="nombre")
    def nombre_corto(self, obj: Nivel) -> str:
        return obj.nombre if len(obj.nombre) <= 90 else obj.nombre[:88] + "…"

    @admin.display(description="tipo", ordering="profundidad")
    def tipo_nivel(self, obj: Nivel) -> str:
        return obj.nombre_tipo

    @admin.display(description="nivel padre", ordering="padre__codigo")
    def padre_codigo(self, obj: Nivel) -> str:
        return obj.padre.codigo if obj.padre_id else "—"

    @admin.display(description="ponderación", ordering="peso")
    def peso_col(self, obj: Nivel) -> str:
        return formato_numero(obj.peso) if obj.peso is not None else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=planes_visibles(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._nivel_en_edicion = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "padre":
            obj = getattr(request, "_nivel_en_edicion", None)
            niveles = Nivel.objects.select_related("plan")
            kwargs["queryset"] = niveles.filter(plan_id=obj.plan_id).exclude(pk=obj.pk) if obj else niveles
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        avisar_errores_pesos(request, obj.plan)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        avisar_errores_pesos(request, obj.plan)
        return super().response_change(request, obj)


class ActividadCualitativaInline(TextosAcotados, admin.TabularInline):
    model = ActividadCualitativa
    fields = ("orden", "componente", "descripcion", "programadas", "realizadas", "ilustrativo")
    extra = 1


def planes_informables(user, solo_dependencias: set[int] | None = None):
    """Plans a user may file a qualitative report for: every plan for readers of everything (the
    planning office files for any policy); for a planner, the plans their dependencias lead or
    report indicators in (`solo_dependencias` narrows to some of them)."""
    if lee_todo(user):
        return Plan.objects.all()
    ids = dependencias_ids(user) if solo_dependencias is None else solo_dependencias & dependencias_ids(user)
    return Plan.objects.filter(Q(dependencia_lider_id__in=ids) | Q(indicadores__dependencia_id__in=ids)).distinct()


class InformeCualitativoForm(forms.ModelForm):
    usuario = None  # set per request by InformeCualitativoAdmin.get_form

    class Meta:
        model = InformeCualitativo
        fields = "__all__"

    def clean(self):
        datos = super().clean()
        plan, dependencia = datos.get("plan"), datos.get("dependencia")
        if self.usuario is None or lee_todo(self.usuario) or plan is None or dependencia is None:
            return datos
        # A planner reports for a policy their chosen dependencia leads or has indicators in.
        if not planes_informables(self.usuario, {dependencia.pk}).filter(pk=plan.pk).exists():
            raise ValidationError(
                f"La dependencia {dependencia} no lidera la política «{plan}» ni reporta indicadores en ella: "
                "no puede presentar su informe cualitativo."
            )
        return datos


@admin.register(InformeCualitativo)
class InformeCualitativoAdmin(TextosAcotados, HistorialAdmin):
    form = InformeCualitativoForm
    list_display = ("plan", "anio", "semestre", "dependencia", "cumplimiento_cuantitativo", "impacto")
    list_select_related = ("plan", "dependencia")
    list_filter = (("plan", admin.RelatedOnlyFieldListFilter), "anio", "semestre")
    inlines = (ActividadCualitativaInline,)
    fieldsets = (
        (None, {"fields": ("plan", ("anio", "semestre"), "dependencia")}),
        (
            "Informe de gestión",
            {"fields": ("actividades", "estrategias", "logros", "dificultades", "oportunidades", "evidencias")},
        ),
        ("Calificación del revisor", {"fields": ("impacto_cualitativo",)}),
        ("Resultado", {"fields": ("resumen",)}),
    )

    @admin.display(description="cumplimiento por componente")
    def resumen(self, obj: InformeCualitativo) -> str:
        if obj is None or obj.pk is None:
            return "Se calcula al guardar las actividades."
        datos = cualitativo.resumen_informe(obj)
        partes = [
            f"{c.nombre}: {c.realizadas} de {c.programadas} ({formato_porcentaje(c.cumplimiento)})"
            + (" (ilustrativo)" if c.ilustrativo else "")
            for c in datos.componentes
        ]
        total = (
            f"Total: {datos.realizadas} de {datos.programadas} actividades "
            f"({formato_porcentaje(datos.cumplimiento_cuantitativo)}); impacto cualitativo "
            f"{formato_porcentaje(datos.impacto_cualitativo)}."
            + (" Los conteos marcados como ilustrativos no están en el documento fuente." if datos.ilustrativo else "")
        )
        return " · ".join([*partes, total])

    @admin.display(description="cumplimiento cuantitativo")
    def cumplimiento_cuantitativo(self, obj: InformeCualitativo) -> str:
        return formato_porcentaje(cualitativo.porcentaje(obj.total_realizadas, obj.total_programadas))

    @admin.display(description="impacto cualitativo", ordering="impacto_cualitativo")
    def impacto(self, obj: InformeCualitativo) -> str:
        return formato_porcentaje(obj.impacto_cualitativo)

    def get_queryset(self, request):
        consulta = super().get_queryset(request).annotate(
            total_programadas=Sum("actividades_detalle__programadas"),
            total_realizadas=Sum("actividades_detalle__realizadas"),
        )
        if lee_todo(request.user):
            return consulta
        return consulta.filter(dependencia_id__in=dependencias_ids(request.user))

    def get_readonly_fields(self, request, obj=None):
        # The qualitative impact is the reviewer's score, not the reporting office's.
        return ("resumen",) if es_revisor(request.user) else ("impacto_cualitativo", "resumen")

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or es_revisor(request.user):
            return True
        return obj.dependencia_id in dependencias_ids(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "dependencia" and not lee_todo(request.user):
            kwargs["queryset"] = Dependencia.objects.filter(pk__in=dependencias_ids(request.user))
        elif db_field.name == "plan":
            # A plan outside the choices is refused on save («Escoja una opción válida»).
            kwargs["queryset"] = planes_informables(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        formulario = super().get_form(request, obj, change=change, **kwargs)
        formulario.usuario = request.user
        return formulario
