"""Excel doors: the auditors' export, the templates to download and the admin import (issue 5).

Thin views: access rules come from `indicadores.permisos`, the work from the `reportes.excel`
package (export, templates, import). Between the import's preview and its confirmation the uploaded file waits in
a private storage (`STORAGES["importaciones"]`: never under MEDIA_ROOT, never served), named in a
signed token, with what the preview read of the database (report versions, targets, plan fields)
beside it: the confirmation refuses when any of that changed since. Confirming or cancelling removes
both files; a preview that can no longer be confirmed is removed when the next one is stored. An
upload is stored only when its preview has something to confirm: a refused workbook (too big, a
bomb, any error) leaves nothing behind.
"""

import datetime
import json
import re
import tempfile
import uuid

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from indicadores import permisos
from politicas.models import Plan
from reportes.excel.exportar import exportar_plan as escribir_exportacion
from reportes.excel.exportar import nombre_archivo
from reportes.excel.importar import importar_libro
from reportes.excel.importar_plan import puede_importar_plan
from reportes.excel.lector import MAX_BYTES
from reportes.excel.limites import mensaje_peso
from reportes.excel.plantillas import plantilla_avance, plantilla_plan
from reportes.paginas.cortes import cortes_del_plan, elegir_corte
from seguimiento.metodologia.resultados import CorteRef
from seguimiento.limites import MAX_MOTIVO

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAL_FIRMA = "reportes.importar"  # the module's old name: tokens already signed stay valid
_VIGENCIA_FIRMA = 3600  # seconds a preview can wait for its confirmation
_ALMACEN = "importaciones"  # settings.STORAGES["importaciones"]
_NOMBRE_GUARDADO = re.compile(r"[0-9a-f]{32}\.(xlsx|json)")
# A preview older than its token can never be confirmed; an hour more allows for clocks between servers.
_ABANDONO = datetime.timedelta(seconds=_VIGENCIA_FIRMA + 3600)
_VENCIDA = "La vista previa venció o no es válida: suba el archivo de nuevo."


def _plan_visible(request: HttpRequest, codigo: str) -> Plan | HttpResponse:
    plan = (
        permisos.planes_visibles(request.user)
        .filter(codigo=codigo)
        .select_related("entidad", "dependencia_lider")
        .first()
    )
    if plan is not None:
        return plan
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404("No existe ese plan o no tiene acceso a él.")


def _corte(request: HttpRequest, plan: Plan) -> CorteRef:
    """The cut in the URL, or the dashboard's default (the latest)."""
    return elegir_corte(request.GET.get("corte"), cortes_del_plan(plan))


def _archivo_xlsx(escribir, nombre: str) -> FileResponse:
    """Write to a temporary file (the workbook streams to disk, not to memory) and send it."""
    temporal = tempfile.TemporaryFile()
    escribir(temporal)
    temporal.seek(0)
    return FileResponse(temporal, as_attachment=True, filename=nombre, content_type=XLSX)


def exportar_plan(request: HttpRequest, codigo: str) -> HttpResponse:
    """The follow-up workbook at `?corte=` with the dashboard's filters (banda, dependencia…)."""
    plan = _plan_visible(request, codigo)
    if isinstance(plan, HttpResponse):
        return plan
    corte = _corte(request, plan)
    return _archivo_xlsx(
        lambda f: escribir_exportacion(f, plan=plan, corte=corte, usuario=request.user, params=request.GET.dict()),
        nombre_archivo(plan, corte),
    )


@login_required
def plantilla_plan_xlsx(request: HttpRequest) -> HttpResponse:
    """An empty plan workbook; `?anio_inicio=2024&anio_fin=2027` sets its «Meta AAAA» columns."""
    hoy = datetime.date.today().year
    try:
        inicio = int(request.GET.get("anio_inicio") or hoy)
        fin = int(request.GET.get("anio_fin") or inicio + 3)
    except ValueError:
        return HttpResponseBadRequest("Los años deben ser números, por ejemplo ?anio_inicio=2024&anio_fin=2027.")
    if not (1990 <= inicio <= fin <= 2100 and fin - inicio <= 30):
        return HttpResponseBadRequest("Años no válidos: entre 1990 y 2100, el de fin no antes del de inicio.")
    return _archivo_xlsx(lambda f: plantilla_plan(f, anio_inicio=inicio, anio_fin=fin), "plantilla-plan.xlsx")


@login_required
def plantilla_avance_xlsx(request: HttpRequest, codigo: str) -> HttpResponse:
    """The progress workbook of a cut, with the indicators the user may report."""
    plan = _plan_visible(request, codigo)
    if isinstance(plan, HttpResponse):
        return plan
    corte = _corte(request, plan)
    return _archivo_xlsx(
        lambda f: plantilla_avance(f, plan=plan, corte=corte, usuario=request.user),
        f"avance-{plan.codigo}-{corte.clave}.xlsx",
    )


@staff_member_required
def inicio(request: HttpRequest) -> HttpResponse:
    """What can be done with Excel: templates, imports and each visible plan's export."""
    planes = list(permisos.planes_visibles(request.user).order_by("nombre"))
    return render(
        request,
        "reportes/excel/inicio.html",
        {"planes": planes, "puede_importar_plan": puede_importar_plan(request.user), "title": "Excel"},
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def importar(request: HttpRequest) -> HttpResponse:
    """Upload → preview (changes and every error) → confirm or cancel."""
    contexto = {"title": "Importar desde Excel", "es_superusuario": request.user.is_superuser, "max_mb": MAX_BYTES // 2**20,
                "max_motivo": MAX_MOTIVO}
    if request.method == "GET":
        return render(request, "reportes/excel/importar.html", contexto)
    if "token" in request.POST:
        if "cancelar" in request.POST:
            return _cancelar(request)
        return _confirmar(request, contexto)
    archivo = request.FILES.get("archivo")
    motivo = (request.POST.get("motivo") or "").strip()
    if archivo is None:
        contexto["error"] = "Elija un archivo .xlsx."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    if archivo.size > MAX_BYTES:
        contexto["error"] = f"{mensaje_peso(archivo.size, MAX_BYTES)} Divídalo en varios archivos."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    resultado = importar_libro(archivo, usuario=request.user, confirmar=False, motivo=motivo)
    token = ""
    if not (resultado.errores or resultado.sin_cambios):  # something to confirm: keep the file until then
        almacen = _almacen()
        _limpiar_abandonados(almacen)
        nombre = uuid.uuid4().hex
        archivo.seek(0)
        ruta = almacen.save(f"{nombre}.xlsx", archivo)
        leido = almacen.save(f"{nombre}.json", ContentFile(json.dumps(resultado.leido).encode()))
        token = signing.dumps(
            {"ruta": ruta, "leido": leido, "usuario": request.user.pk, "motivo": motivo}, salt=_SAL_FIRMA
        )
    contexto.update(resultado=resultado, token=token, nombre=archivo.name, motivo=motivo)
    return render(request, "reportes/excel/vista_previa.html", contexto, status=200 if resultado.ok else 422)


def _almacen() -> Storage:
    """The private storage of previews (STORAGES["importaciones"], outside MEDIA_ROOT)."""
    return storages[_ALMACEN]


def _guardados(datos: dict) -> tuple[str, str] | None:
    """The preview's workbook and what it read, when the token names files of this storage."""
    rutas = (datos.get("ruta", ""), datos.get("leido", ""))
    if all(isinstance(r, str) and _NOMBRE_GUARDADO.fullmatch(r) for r in rutas):
        return rutas
    return None  # a token signed before issue 11 (files in the public media) or not ours


def _borrar(almacen: Storage, rutas: tuple[str, ...]) -> None:
    for ruta in rutas:
        almacen.delete(ruta)  # FileSystemStorage ignores a file already gone


def _limpiar_abandonados(almacen: Storage) -> None:
    """Previews never confirmed nor cancelled: remove those whose token can no longer be accepted."""
    try:
        _, archivos = almacen.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return
    limite = timezone.now() - _ABANDONO
    for nombre in archivos:
        if not _NOMBRE_GUARDADO.fullmatch(nombre):
            continue
        try:
            if almacen.get_modified_time(nombre) < limite:
                almacen.delete(nombre)
        except (FileNotFoundError, NotImplementedError):
            continue


def _cancelar(request: HttpRequest) -> HttpResponse:
    """Remove the preview's files (even of an expired token: the user is done with it)."""
    try:
        datos = signing.loads(request.POST["token"], salt=_SAL_FIRMA)
    except signing.BadSignature:
        datos = {}
    rutas = _guardados(datos) if datos.get("usuario") == request.user.pk else None
    if rutas:
        _borrar(_almacen(), rutas)
    messages.info(request, "Importación cancelada: no se guardó nada y el archivo subido se borró.")
    return redirect(reverse("excel_importar"))


def _confirmar(request: HttpRequest, contexto: dict) -> HttpResponse:
    try:
        datos = signing.loads(request.POST["token"], salt=_SAL_FIRMA, max_age=_VIGENCIA_FIRMA)
    except signing.BadSignature:
        contexto["error"] = _VENCIDA
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    almacen = _almacen()
    rutas = _guardados(datos)
    if datos.get("usuario") != request.user.pk or rutas is None or not all(almacen.exists(r) for r in rutas):
        contexto["error"] = _VENCIDA
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    ruta, ruta_leido = rutas
    try:
        with almacen.open(ruta_leido, "rb") as guardado:
            leido = json.loads(guardado.read().decode())
        with almacen.open(ruta, "rb") as guardado:
            resultado = importar_libro(
                guardado, usuario=request.user, confirmar=True, motivo=datos.get("motivo", ""), leido=leido
            )
    finally:
        _borrar(almacen, rutas)  # applied or refused, this preview is spent
    if not resultado.aplicado:  # the data changed since the preview: show what and by whom
        contexto.update(resultado=resultado, token="", confirmacion=True)
        return render(request, "reportes/excel/vista_previa.html", contexto, status=422)
    if resultado.sin_cambios:
        messages.info(request, f"Sin cambios en «{resultado.plan_codigo}»: el libro coincide con lo guardado.")
    else:
        messages.success(
            request, f"Importación aplicada en «{resultado.plan_codigo}»: {len(resultado.cambios)} cambios."
        )
    return redirect(reverse("excel_inicio"))
