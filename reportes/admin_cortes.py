"""Admin for cuts: the planning office opens a cut with its deadline and closes it with eyes open;
an administrator reopens a closed cut or re-publishes its figures, each with a reason.

Closing, from the cut's page or from the list's bulk action, always goes through one confirmation
page that lists, per dependencia, what is still pending at the cut (`cumplimiento.
pendientes_al_cerrar`) and the figures that will be published; only a POST closes. Reopening and
correcting have their own pages with a required reason, kept in the cut's audit trail and shown on
its page. Every change goes through `indicadores.services`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from indicadores import auditoria, permisos, services
from indicadores.cumplimiento import pendientes_al_cerrar
from indicadores.formularios import TextoNormalizadoField
from indicadores.models import Corte
from reportes import selectors
from reportes.models import CifrasCorte
from seguimiento.admin_base import HistorialAdmin, cantidad, mensajes_error
from seguimiento.limites import MAX_MOTIVO
from seguimiento.metodologia.resultados import CorteRef
from seguimiento.numeros import fecha_larga


def fecha_y_hora(momento) -> str:
    """«1 de diciembre de 2026 a las 10:04», in Bogotá time."""
    return date_format(timezone.localtime(momento), r"j \d\e F \d\e Y \a \l\a\s H:i").lower()


def enumerar(partes: list[str]) -> str:
    """«a», «a y b», «a, b y c»."""
    return partes[0] if len(partes) == 1 else f"{', '.join(partes[:-1])} y {partes[-1]}"


# How the closing page names each pending state, in singular and plural.
NOMBRES_PENDIENTES = {
    "sin reporte": ("sin reporte", "sin reporte"),
    "borrador": ("en borrador", "en borrador"),
    "enviado": ("enviado sin aprobar", "enviados sin aprobar"),
    "devuelto": ("devuelto", "devueltos"),
}


def resumen_pendientes(pendientes: dict) -> str:
    """The closing page's sentence on what is pending, from `cumplimiento.pendientes_al_cerrar`:
    «De 5 indicadores, 3 tienen pendiente el reporte de este corte: 1 sin reporte, 1 en borrador y
    1 enviado sin aprobar; 2 están aprobados. Lo pendiente no cuenta en las cifras oficiales.»"""
    total, n = pendientes["indicadores"], pendientes["pendientes"]
    if not total:
        return "El plan no tiene indicadores: el corte se publicaría sin cifras."
    if not n:
        return f"De {cantidad(total, 'indicador', 'indicadores')}, todos tienen aprobado el reporte de este corte: no queda nada pendiente."
    detalle = enumerar([cantidad(k, *NOMBRES_PENDIENTES[estado]) for estado, k in pendientes["por_estado"] if k])
    aprobados = pendientes["aprobados"]
    texto = (
        f"De {cantidad(total, 'indicador', 'indicadores')}, {n} {'tiene' if n == 1 else 'tienen'} pendiente el "
        f"reporte de este corte: {detalle}; "
        f"{cantidad(aprobados, 'está aprobado', 'están aprobados') if aprobados else 'ninguno está aprobado'}. "
        "Lo pendiente no cuenta en las cifras oficiales."
    )
    correcciones = pendientes["correcciones"]
    if correcciones == 1:
        texto += " Uno de los pendientes es la corrección de un valor ya aprobado: en las cifras cuenta el aprobado."
    elif correcciones:
        texto += (
            f" {correcciones} de los pendientes son correcciones de valores ya aprobados: en las cifras cuentan "
            "los aprobados."
        )
    return texto


class MotivoCorteForm(forms.Form):
    # Counted as the history keeps it (LF line breaks): «Motivo: tiene 501 caracteres; el máximo es 500.»
    motivo = TextoNormalizadoField(
        label="Motivo",
        max_length=MAX_MOTIVO,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Queda entero en el historial del corte y se muestra en sus páginas.",
        error_messages={"required": "Escriba el motivo: sin él no se modifica un corte cerrado."},
    )


@admin.register(Corte)
class CorteAdmin(HistorialAdmin):
    """Cuts are opened with their deadline and closed by the planning office (services)."""

    list_display = ("plan", "clave", "limite", "estado", "cerrado_por_nombre", "cerrado_el")
    list_select_related = ("plan", "cerrado_por")
    list_filter = ("estado", ("plan", admin.RelatedOnlyFieldListFilter), "anio")
    readonly_fields = ("estado", "cerrado_por_nombre", "cerrado_el", "corregido_el", "motivo_correccion")
    fields = ("plan", "anio", "semestre", "fecha_limite", *readonly_fields)
    actions = ("cerrar",)

    # --- Columns and read-only fields ----------------------------------------------------

    @admin.display(description="corte", ordering="anio")
    def clave(self, obj: Corte) -> str:
        return obj.clave

    @admin.display(description="fecha límite de reporte", ordering="fecha_limite")
    def limite(self, obj: Corte) -> str:
        return f"{obj.fecha_limite:%d/%m/%Y}" if obj.fecha_limite else "—"

    @admin.display(description="cerrado por", ordering="cerrado_por__username")
    def cerrado_por_nombre(self, obj: Corte) -> str:
        return auditoria.nombre_usuario(obj.cerrado_por) if obj.cerrado_por_id else "—"

    @admin.display(description="cerrado el", ordering="cerrado_en")
    def cerrado_el(self, obj: Corte) -> str:
        return fecha_y_hora(obj.cerrado_en) if obj.cerrado_en else "—"

    @admin.display(description="última corrección o reapertura")
    def corregido_el(self, obj: Corte) -> str:
        return fecha_y_hora(obj.corregido_en) if obj.corregido_en else "Ninguna"

    # --- Permissions -----------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=permisos.planes_visibles(request.user))

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else ("plan", "anio", "semestre", "fecha_limite")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("plan", "anio", "semestre", *self.readonly_fields)
        return ()

    def has_change_permission(self, request, obj=None) -> bool:
        # A closed cut is as it was published: it changes only by reopening or correcting it.
        return super().has_change_permission(request, obj) and not (obj is not None and obj.cerrado)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a closed cut would delete its published figures.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.cerrado)

    def has_cerrar_permission(self, request) -> bool:
        return permisos.es_revisor(request.user)

    def get_actions(self, request):
        # The bulk delete would take closed cuts (and their published figures) with it.
        acciones = super().get_actions(request)
        acciones.pop("delete_selected", None)
        return acciones

    # --- Saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj._history_user = request.user
            obj.save()
            return
        guardado = services.corte_abrir(
            plan=obj.plan, anio=obj.anio, semestre=obj.semestre, fecha_limite=obj.fecha_limite, usuario=request.user
        )
        obj.pk = guardado.pk

    # --- Pages -----------------------------------------------------------------------------

    def get_urls(self):
        vista = self.admin_site.admin_view
        propias = [
            path("<int:corte_id>/cerrar/", vista(self.cerrar_view), name="indicadores_corte_cerrar"),
            path("<int:corte_id>/reabrir/", vista(self.reabrir_view), name="indicadores_corte_reabrir"),
            path("<int:corte_id>/corregir/", vista(self.corregir_view), name="indicadores_corte_corregir"),
        ]
        return propias + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        publicaciones = (
            CifrasCorte.objects.filter(corte_id=object_id)
            .select_related("congelado_por")
            .defer("niveles", "indicadores")
            .order_by("-congelado_en", "-pk")
        )
        extra_context = {
            **(extra_context or {}),
            "puede_cerrar": permisos.es_revisor(request.user),
            "es_administrador": request.user.is_superuser,
            "publicaciones": publicaciones,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _corte(self, request, corte_id: int) -> Corte:
        return get_object_or_404(self.get_queryset(request).select_related("plan", "cerrado_por"), pk=corte_id)

    def _volver(self, corte: Corte):
        return redirect("admin:indicadores_corte_change", corte.pk)

    def _contexto(self, request, titulo: str, **contexto) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": titulo, **contexto}

    # Closing ----------------------------------------------------------------------------------

    def cerrar_view(self, request, corte_id: int):
        """GET: the confirmation page; POST: close the cut (the planning office only)."""
        if not permisos.es_revisor(request.user):
            raise PermissionDenied
        corte = self._corte(request, corte_id)
        if corte.cerrado:
            messages.warning(request, f"El corte {corte.clave} ya está cerrado.")
            return self._volver(corte)
        if request.method == "POST":
            self._cerrar(request, [corte])
            return self._volver(corte)
        return self._confirmar_cierre(request, [corte], en_lote=False)

    @admin.action(description="Cerrar los cortes seleccionados…", permissions=["cerrar"])
    def cerrar(self, request, queryset):
        """The list's bulk action: the same confirmation page; only its confirmation closes."""
        cortes = list(queryset.select_related("plan", "cerrado_por").order_by("plan__nombre", "-anio", "-semestre"))
        if request.POST.get("confirmado") == "si":
            self._cerrar(request, cortes)
            return None
        return self._confirmar_cierre(request, cortes, en_lote=True)

    def _confirmar_cierre(self, request, cortes: list[Corte], *, en_lote: bool):
        abiertos = [corte for corte in cortes if not corte.cerrado]
        secciones = [self._cierre_de(corte) for corte in abiertos]
        contexto = self._contexto(
            request,
            "Cerrar el corte" if len(abiertos) == 1 else "Cerrar los cortes",
            secciones=secciones,
            ya_cerrados=[corte for corte in cortes if corte.cerrado],
            en_lote=en_lote,
            seleccion=[corte.pk for corte in cortes],
            casilla_seleccion=helpers.ACTION_CHECKBOX_NAME,
        )
        return TemplateResponse(request, "admin/indicadores/corte/cerrar.html", contexto)

    def _cierre_de(self, corte: Corte) -> dict:
        """One cut's part of the confirmation page: what is pending and what will be published."""
        resultado = selectors.plan_resultados_vivos(plan=corte.plan, corte=CorteRef(corte.anio, corte.semestre))
        pendientes = pendientes_al_cerrar(corte=corte)
        return {
            "corte": corte,
            "fecha_corte": fecha_larga(corte.fecha_corte),
            "cifras": resultado.total,
            "resumen": resumen_pendientes(pendientes),
            **pendientes,
        }

    def _cerrar(self, request, cortes: list[Corte]) -> None:
        for corte in cortes:
            if corte.cerrado:
                messages.warning(request, f"El corte {corte.clave} de {corte.plan.codigo} ya estaba cerrado.")
                continue
            try:
                cerrado = services.corte_cerrar(corte=corte, usuario=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"Corte {corte.clave} de {corte.plan.codigo}: {' '.join(mensajes_error(exc))}")
                continue
            messages.success(
                request,
                f"Corte {cerrado.clave} de {cerrado.plan.codigo} cerrado el {fecha_y_hora(cerrado.cerrado_en)}: "
                "sus cifras quedaron publicadas como oficiales y los reportes de los periodos terminados al "
                f"{fecha_larga(cerrado.fecha_corte)} quedaron congelados.",
            )

    # Reopening and correcting (administrators, with a reason) --------------------------------

    def reabrir_view(self, request, corte_id: int):
        return self._con_motivo(
            request, corte_id, servicio=services.corte_reabrir, plantilla="admin/indicadores/corte/reabrir.html",
            titulo="Reabrir el corte",
            hecho=lambda c: (
                f"Corte {c.clave} de {c.plan.codigo} reabierto: sus cifras se calculan de nuevo en vivo hasta que "
                "se vuelva a cerrar. La versión publicada queda en el historial."
            ),
        )

    def corregir_view(self, request, corte_id: int):
        return self._con_motivo(
            request, corte_id, servicio=services.corte_corregir_cifras,
            plantilla="admin/indicadores/corte/corregir.html", titulo="Corregir las cifras oficiales del corte",
            hecho=lambda c: (
                f"Cifras oficiales del corte {c.clave} de {c.plan.codigo} publicadas de nuevo el "
                f"{fecha_y_hora(c.corregido_en)}. La versión anterior queda en el historial."
            ),
        )

    def _con_motivo(self, request, corte_id: int, *, servicio, plantilla: str, titulo: str, hecho):
        """A page that changes a closed cut: an administrator confirms it and says why."""
        if not request.user.is_superuser:
            raise PermissionDenied
        corte = self._corte(request, corte_id)
        if not corte.cerrado:
            messages.warning(request, f"El corte {corte.clave} está abierto: sus cifras se calculan en vivo.")
            return self._volver(corte)
        formulario = MotivoCorteForm(request.POST if request.method == "POST" else None)
        if formulario.is_valid():
            try:
                corte = servicio(corte=corte, usuario=request.user, motivo=formulario.cleaned_data["motivo"])
            except (ValidationError, PermissionDenied) as exc:
                formulario.add_error(None, mensajes_error(exc))
            else:
                messages.success(request, hecho(corte))
                return self._volver(corte)
        ref = CorteRef(corte.anio, corte.semestre)
        contexto = self._contexto(
            request, titulo, corte=corte, formulario=formulario,
            fecha_corte=fecha_larga(corte.fecha_corte),
            cerrado_el=fecha_y_hora(corte.cerrado_en) if corte.cerrado_en else "",
            publicadas=selectors.plan_resultados(plan=corte.plan, corte=ref).total,
            vivas=selectors.plan_resultados_vivos(plan=corte.plan, corte=ref).total,
            volver=reverse("admin:indicadores_corte_change", args=[corte.pk]),
        )
        return TemplateResponse(request, plantilla, contexto)
