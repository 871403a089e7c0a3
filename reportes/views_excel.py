"""Excel doors: the auditors' export, the templates to download and the admin import (issue 5).

Thin views: access rules come from `indicadores.permisos`, the work from the `reportes.excel`
package (export, templates, import). Between the import's preview and its confirmation the uploaded file waits in
the default storage, named in a signed token, with what the preview read of the database (report
versions, targets, plan fields) beside it: the confirmation refuses when any of that changed since.
"""

import datetime
import json
import tempfile
import uuid

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
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
from reportes.excel.plantillas import plantilla_avance, plantilla_plan
from reportes.paginas.cortes import cortes_del_plan, elegir_corte
from seguimiento.metodologia.resultados import CorteRef

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAL_FIRMA = "reportes.importar"  # the module's old name: tokens already signed stay valid
_VIGENCIA_FIRMA = 3600  # seconds a preview can wait for its confirmation
_CARPETA = "importaciones"


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
    """Upload → preview (changes and every error) → confirm."""
    contexto = {"title": "Importar desde Excel", "es_superusuario": request.user.is_superuser, "max_mb": MAX_BYTES // 2**20}
    if request.method == "GET":
        return render(request, "reportes/excel/importar.html", contexto)
    if "token" in request.POST:
        return _confirmar(request, contexto)
    archivo = request.FILES.get("archivo")
    motivo = (request.POST.get("motivo") or "").strip()
    if archivo is None:
        contexto["error"] = "Elija un archivo .xlsx."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    if archivo.size > MAX_BYTES:
        contexto["error"] = f"El archivo pesa más de {MAX_BYTES // 2**20} MB; divídalo en varios."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    _limpiar_abandonados()
    nombre = uuid.uuid4().hex
    ruta = default_storage.save(f"{_CARPETA}/{nombre}.xlsx", archivo)
    with default_storage.open(ruta, "rb") as guardado:
        resultado = importar_libro(guardado, usuario=request.user, confirmar=False, motivo=motivo)
    token = ""
    if resultado.errores or resultado.sin_cambios:
        default_storage.delete(ruta)  # nothing to confirm: the file is not kept
    else:
        leido = default_storage.save(f"{_CARPETA}/{nombre}.json", ContentFile(json.dumps(resultado.leido).encode()))
        token = signing.dumps(
            {"ruta": ruta, "leido": leido, "usuario": request.user.pk, "motivo": motivo}, salt=_SAL_FIRMA
        )
    contexto.update(resultado=resultado, token=token, nombre=archivo.name, motivo=motivo)
    return render(request, "reportes/excel/vista_previa.html", contexto, status=200 if resultado.ok else 422)


def _limpiar_abandonados() -> None:
    """Previews never confirmed leave their file behind: remove those older than a day."""
    try:
        _, archivos = default_storage.listdir(_CARPETA)
    except (FileNotFoundError, NotImplementedError):
        return
    limite = timezone.now() - datetime.timedelta(days=1)
    for nombre in archivos:
        ruta = f"{_CARPETA}/{nombre}"
        try:
            if default_storage.get_modified_time(ruta) < limite:
                default_storage.delete(ruta)
        except (FileNotFoundError, NotImplementedError):
            continue


def _confirmar(request: HttpRequest, contexto: dict) -> HttpResponse:
    try:
        datos = signing.loads(request.POST["token"], salt=_SAL_FIRMA, max_age=_VIGENCIA_FIRMA)
    except signing.BadSignature:
        contexto["error"] = "La vista previa venció o no es válida: suba el archivo de nuevo."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    ruta, ruta_leido = datos["ruta"], datos.get("leido", "")
    guardados = (ruta, ruta_leido)
    if datos["usuario"] != request.user.pk or not all(
        r.startswith(f"{_CARPETA}/") and default_storage.exists(r) for r in guardados
    ):
        contexto["error"] = "La vista previa venció o no es válida: suba el archivo de nuevo."
        return render(request, "reportes/excel/importar.html", contexto, status=400)
    with default_storage.open(ruta_leido, "rb") as guardado:
        leido = json.loads(guardado.read().decode())
    with default_storage.open(ruta, "rb") as guardado:
        resultado = importar_libro(
            guardado, usuario=request.user, confirmar=True, motivo=datos.get("motivo", ""), leido=leido
        )
    for guardado in guardados:
        default_storage.delete(guardado)
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
