"""Pages of the follow-up workflow under /seguimiento/: the planning office's compliance view with
reminders, the audit trail (per indicator, filtered, and its Excel export) for auditors, and the
download of evidence files (uploads are never served straight from MEDIA_ROOT)."""

import datetime
import posixpath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicadores import auditoria, permisos, services
from indicadores.cumplimiento import cumplimiento_corte, recordatorios_resumen
from indicadores.models import Corte, Evidencia, Indicador
from politicas.models import Plan

TIPO_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _exigir(condicion: bool) -> None:
    if not condicion:
        raise PermissionDenied


# --- Compliance ---------------------------------------------------------------------------


@login_required
def cumplimiento(request, corte_id: int | None = None):
    """Per dependencia, the indicators still owing their report at an open cut."""
    _exigir(permisos.es_revisor(request.user))
    abiertos = list(Corte.objects.filter(estado=Corte.Estado.ABIERTO).select_related("plan").order_by("plan__nombre", "-anio", "-semestre"))
    corte = get_object_or_404(Corte.objects.select_related("plan"), pk=corte_id) if corte_id else (abiertos[0] if abiertos else None)
    filas = cumplimiento_corte(corte=corte) if corte else []
    contexto = {
        "abiertos": abiertos,
        "corte": corte,
        "filas": filas,
        "total_pendientes": sum(len(f["pendientes"]) for f in filas),
        "recordatorios": recordatorios_resumen(filas),
    }
    return render(request, "indicadores/cumplimiento.html", contexto)


@login_required
@require_POST
def recordatorios(request, corte_id: int):
    """Email each dependencia's planners the indicators they still owe (console backend by default)."""
    _exigir(permisos.es_revisor(request.user))
    corte = get_object_or_404(Corte.objects.select_related("plan"), pk=corte_id, estado=Corte.Estado.ABIERTO)
    enviados = services.recordatorios_enviar(pendientes_por_dependencia=cumplimiento_corte(corte=corte), corte=corte)
    if enviados:
        messages.success(request, f"Se enviaron {enviados} recordatorio(s) a los planeadores con reportes pendientes.")
    else:
        messages.warning(request, "No se envió ningún recordatorio: ningún planeador con reportes pendientes tiene correo registrado.")
    return redirect("cumplimiento_corte", corte_id=corte.pk)


# --- Audit trail --------------------------------------------------------------------------


class UsuarioChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return auditoria.nombre_usuario(obj)


class FiltroAuditoria(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), required=False, empty_label="Todos los planes")
    usuario = UsuarioChoiceField(queryset=auditoria.usuarios_con_cambios(), required=False, empty_label="Todos los usuarios")
    desde = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    hasta = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"])


def _historial_filtrado(request) -> tuple[FiltroAuditoria, auditoria.Historial]:
    filtro = FiltroAuditoria(request.GET or None)
    datos = filtro.cleaned_data if filtro.is_valid() else {}
    historial = auditoria.Historial(
        plan=datos.get("plan"),
        usuario_id=datos["usuario"].pk if datos.get("usuario") else None,
        desde=datos.get("desde"),
        hasta=datos.get("hasta"),
    )
    return filtro, historial


POR_PAGINA = 50


def _paginar(request, historial: auditoria.Historial) -> dict:
    """One page of the trail (counted and read in SQL) and the query string (filters, without the
    page) for its links."""
    pagina = Paginator(historial, POR_PAGINA).get_page(request.GET.get("pagina"))
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    return {"pagina": pagina, "registros": pagina.object_list, "total": pagina.paginator.count, "filtros": consulta.urlencode()}


@login_required
def auditoria_lista(request):
    """The audit trail filtered by plan, user and dates, 50 changes a page; the list goes to Excel."""
    _exigir(permisos.puede_auditar(request.user))
    filtro, historial = _historial_filtrado(request)
    contexto = {"filtro": filtro, **_paginar(request, historial)}
    return render(request, "indicadores/auditoria.html", contexto)


@login_required
def auditoria_excel(request):
    """The filtered trail as a workbook: rows stream from the database into the writer, a block at
    a time; only the compressed file is held, in the response."""
    _exigir(permisos.puede_auditar(request.user))
    _, historial = _historial_filtrado(request)
    respuesta = HttpResponse(content_type=TIPO_XLSX)
    nombre = f"auditoria-{datetime.date.today():%Y%m%d}.xlsx"
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    auditoria.exportar_xlsx(respuesta, historial)
    return respuesta


@login_required
def auditoria_indicador(request, indicador_id: int):
    """Every change to one indicator, its targets and its reports."""
    _exigir(permisos.puede_auditar(request.user))
    indicador = get_object_or_404(Indicador.objects.select_related("plan"), pk=indicador_id)
    contexto = {"indicador": indicador, **_paginar(request, auditoria.Historial(indicador=indicador))}
    return render(request, "indicadores/auditoria_indicador.html", contexto)


# --- Evidence -----------------------------------------------------------------------------


def evidencia_legible(user, evidencia: Evidencia) -> bool:
    """Who may download an evidence file: anyone once its report is approved in a published plan;
    a draft (or an unpublished plan) only the indicator's dependencia and readers of everything."""
    indicador = evidencia.reporte.indicador
    if permisos.lee_todo(user) or indicador.dependencia_id in permisos.dependencias_ids(user):
        return True
    return evidencia.reporte.es_oficial and indicador.plan.publicado


def evidencia_descargar(request, evidencia_id: int):
    """The evidence file as an attachment, after checking who asks; 404 otherwise, so a draft's
    evidence is not revealed to exist."""
    evidencia = (
        Evidencia.objects.select_related("reporte__indicador__plan").exclude(archivo="").filter(pk=evidencia_id).first()
    )
    if evidencia is None or not evidencia_legible(request.user, evidencia):
        raise Http404("No existe esa evidencia.")
    try:
        archivo = evidencia.archivo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("El archivo de esta evidencia ya no está en el almacenamiento.") from exc
    return FileResponse(archivo, as_attachment=True, filename=posixpath.basename(evidencia.archivo.name))
