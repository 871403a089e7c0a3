"""Reports across indicators: the planning office's review queue and each report's page, where a
reviewer approves or returns it (one by one or in bulk) and a planner attaches evidence.

Every write goes through `indicadores.services`; what the reviewer decides with (target, before →
after, the band approving gives) comes from `reportes.revision`.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from indicadores import permisos, services
from indicadores.formularios import ComentarioDevolucionForm, EvidenciaForm, ReporteAdminForm, motivo_de_administrador
from indicadores.models import Evidencia, Reporte
from politicas.admin import TextosAcotados
from reportes import revision
from seguimiento.admin_base import HistorialAdmin, RechazoSinGuardar, cantidad, mensajes_error
from seguimiento.metodologia.resultados import Semaforo
from seguimiento.numeros import formato_numero


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


class EvidenciaInline(TextosAcotados, admin.TabularInline):
    """A report's evidence: files (downloaded through the checked view) or links."""

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
class ReporteAdmin(TextosAcotados, RechazoSinGuardar, HistorialAdmin):
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
            # Adding is a create: for a period someone reported meanwhile it is refused.
            version_esperada=datos.get("version_cargada") if change else None,
            motivo=motivo_de_administrador(datos, request.user),
        )
        obj.pk, obj.version, obj.estado = guardado.pk, guardado.version, guardado.estado

    def save_formset(self, request, form, formset, change) -> None:
        """Evidence: a new file or link through `services.evidencia_agregar` (type, content, size,
        permissions, closed cuts); a changed or removed one after the same checks of the report."""
        reporte, motivo = form.instance, motivo_de_administrador(form.cleaned_data, request.user)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for formulario in formset.forms:
            if not formulario.has_changed() or not formulario.cleaned_data:
                continue
            datos, evidencia = formulario.cleaned_data, formulario.instance
            if evidencia.pk is None:
                if not formset._should_delete_form(formulario):
                    formset.new_objects.append(services.evidencia_agregar(
                        reporte=reporte, usuario=request.user, archivo=datos.get("archivo"),
                        enlace=datos.get("enlace", ""), descripcion=datos.get("descripcion", ""), motivo=motivo,
                    ))
                continue
            necesario = services.reporte_verificar(
                indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=request.user,
                motivo=motivo,
            )
            evidencia._history_user = request.user
            if necesario:  # the evidence of a report a closed cut froze: the administrator's reason
                evidencia._change_reason = necesario
            if formset._should_delete_form(formulario):
                evidencia.delete()
                formset.deleted_objects.append(evidencia)
            else:
                evidencia.save()
                formset.changed_objects.append((evidencia, formulario.changed_data))

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
            messages.error(request, f"No se {que} el reporte {reporte}. " + " ".join(mensajes_error(exc)))
            return redirect("admin:indicadores_reporte_change", reporte.pk)
        return redirect(f"{reverse('admin:indicadores_reporte_changelist')}?estado__exact=enviado")

    def _en_lote(self, request, accion, queryset, *, infinitivo: str, hecho: tuple[str, str], **kwargs) -> None:
        """Each report is locked and its state re-checked by the service; each succeeds or fails
        on its own, and each refusal is said with its reason."""
        reportes = queryset.select_related("indicador__plan", "indicador__dependencia")
        hechos, errores = services.reportes_en_lote(accion, reportes, usuario=request.user, **kwargs)
        if hechos:
            singular, plural = hecho
            messages.success(request, cantidad(len(hechos), f"reporte {singular}", f"reportes {plural}") + ".")
        if errores:
            no_se = "No se pudo" if len(errores) == 1 else "No se pudieron"
            messages.error(request, f"{no_se} {infinitivo} {cantidad(len(errores), 'reporte', 'reportes')}:")
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
