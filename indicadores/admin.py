"""The planner's daily tool: one indicator page with its targets and reports inline.

Admin classes stay thin: who sees what comes from `indicadores.permisos`, validation from
`indicadores.reglas` (through the models' `clean` and the forms of `indicadores.formularios`)
and every report write from `indicadores.services`. The other admins of the app live beside this
one and are registered when Django imports this module: reports and their review in
`admin_reportes`, cuts in `admin_cortes`; the list filters are in `admin_filtros`.
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from indicadores import permisos, services
from indicadores.admin_filtros import NivelSuperiorFilter
from indicadores.formularios import (
    IndicadorForm,
    MetasFormSet,
    ReporteInlineForm,
    ReportesFormSet,
)
from indicadores.models import Enfoque, Indicador, Meta, Reporte
from politicas.admin import TextosAcotados, avisar_errores_pesos
from politicas.models import Dependencia, Nivel
from seguimiento.admin_base import HistorialAdmin, NumerosColombianos, RechazoSinGuardar
from seguimiento.numeros import formato_numero

# --- Inlines of the indicator page ---------------------------------------------------------


class MetaInline(NumerosColombianos, admin.TabularInline):
    model = Meta
    formset = MetasFormSet
    fields = ("anio", "valor")
    extra = 1
    verbose_name = "meta de la vigencia"
    verbose_name_plural = "metas por vigencia (las de vigencias pasadas solo las corrige un administrador)"


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


# --- The indicator page --------------------------------------------------------------------


@admin.register(Indicador)
class IndicadorAdmin(TextosAcotados, RechazoSinGuardar, HistorialAdmin):
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

    # The plan's structure: where the indicator sits, who reports it and how it is measured and
    # weighed. Changing any of these changes the roll-up of levels shared with other
    # dependencias, so only an administrator does it (no other role may change indicators).
    CAMPOS_ESTRUCTURA = (
        "plan", "nivel", "codigo", "dependencia", "unidad", "tipo_anualizacion", "periodicidad",
        "linea_base", "anio_linea_base", "meta_final", "peso",
    )

    # Columns -----------------------------------------------------------------------------

    @admin.display(description="nombre", ordering="nombre")
    def nombre_corto(self, obj: Indicador) -> str:
        return obj.nombre if len(obj.nombre) <= 90 else obj.nombre[:88] + "…"

    @admin.display(description="nivel", ordering="nivel__codigo")
    def nivel_corto(self, obj: Indicador) -> str:
        return f"{obj.nivel.nombre_tipo} {obj.nivel.codigo}"

    @admin.display(description="ponderación", ordering="peso")
    def peso_col(self, obj: Indicador) -> str:
        return formato_numero(obj.peso) if obj.peso is not None else "—"

    # Who sees and changes what --------------------------------------------------------------

    def get_queryset(self, request):
        return permisos.indicadores_visibles(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permisos.puede_editar_indicador(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return (*self.fieldsets, ("Corrección de datos cerrados", {"fields": ("motivo_cambio",)}))
        return self.fieldsets

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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # The targets and reports are checked as the user who posted the page and with the
        # administrator's reason typed on it (`formularios.FilasDelIndicador`).
        return {
            **super().get_formset_kwargs(request, obj, inline, prefix),
            "usuario": request.user,
            "motivo": IndicadorForm.motivo_enviado(request),
        }

    # Saving ---------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        if change and not form.has_changed():
            return  # an untouched indicator is not written: no empty row in its audit trail
        # The page's reason is for the frozen targets and reports below (their services record
        # it); an indicator's own fields need none, so its history records none.
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Reporte:
            self._guardar_reportes(request, form.instance, formset)
        else:
            self._guardar_metas(request, formset)

    def _guardar_metas(self, request, formset: MetasFormSet) -> None:
        """Targets through the target services (`meta_registrar`, `meta_eliminar`), each history
        row with who and the page's reason. A row whose year was changed moves the target."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for formulario in formset.forms:
            if not formulario.has_changed() or not formulario.cleaned_data:
                continue
            anterior = formulario.instance if formulario.instance.pk else None
            if formset._should_delete_form(formulario):
                if anterior is not None:
                    services.meta_eliminar(meta=anterior, usuario=request.user, motivo=formset.motivo)
                    formset.deleted_objects.append(anterior)
                continue
            datos = formulario.cleaned_data
            if anterior is not None and "anio" in formulario.changed_data:
                services.meta_eliminar(
                    meta=Meta.objects.get(pk=anterior.pk), usuario=request.user, motivo=formset.motivo
                )
            meta = services.meta_registrar(
                indicador=formset.instance, anio=datos["anio"], valor=datos["valor"], usuario=request.user,
                motivo=formset.motivo,
            )
            if anterior is None:
                formset.new_objects.append(meta)
            else:
                formset.changed_objects.append((meta, formulario.changed_data))

    def _guardar_reportes(self, request, indicador: Indicador, formset: ReportesFormSet) -> None:
        """Reports: one write path for the admin, the API and imports (`services.reporte_registrar`)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for formulario in formset.forms:
            if not formulario.has_changed() or not formulario.cleaned_data:
                continue
            datos = formulario.cleaned_data
            nuevo = formulario.instance.pk is None
            reporte = services.reporte_registrar(
                indicador=indicador,
                anio=datos["anio"],
                periodo=datos["periodo"],
                valor=datos["valor"],
                usuario=request.user,
                observaciones=datos.get("observaciones", ""),
                plan_de_choque=datos.get("plan_de_choque", ""),
                # A new row is a create: for a period someone reported meanwhile it is refused.
                version_esperada=None if nuevo else datos.get("version_cargada"),
                motivo=formset.motivo,
            )
            if datos.get("enviar") and reporte.estado in (Reporte.Estado.BORRADOR, Reporte.Estado.DEVUELTO):
                reporte = services.reporte_enviar(
                    reporte=reporte, usuario=request.user, motivo=formset.motivo, version_esperada=reporte.version
                )
            if nuevo:
                formset.new_objects.append(reporte)
            else:
                formset.changed_objects.append((reporte, formulario.changed_data))

    def response_change(self, request, obj):
        avisar_errores_pesos(request, obj.plan)
        return super().response_change(request, obj)


# --- Other models -------------------------------------------------------------------------


@admin.register(Enfoque)
class EnfoqueAdmin(admin.ModelAdmin):
    list_display = ("nombre", "codigo")
    search_fields = ("nombre", "codigo")
