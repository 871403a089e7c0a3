"""Pages for officials and citizens: home, plan dashboard, indicator page and printable reports.

Views stay thin: they find the plan the user may see, read the cut and filters from the URL and
hand over to `reportes.paginas`. Published plans are readable without login; for anything else
an anonymous visitor is asked to log in and a logged-in user without access gets a 404.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from indicadores import permisos
from indicadores.models import Indicador
from politicas.models import Plan
from reportes import selectors_cualitativo
from reportes.filtros import FiltrosAnexo
from reportes.paginas import informes as imprimibles
from reportes.paginas import inicio as pagina_inicio
from reportes.paginas import tablero as pagina_tablero
from reportes.paginas.cortes import cortes_del_plan, elegir_corte, periodos_del_plan
from reportes.paginas.indicador import pagina_indicador


class _PedirIngreso(Exception):
    """Raised for anonymous visitors of a plan that is not public."""


def _plan(request: HttpRequest, codigo: str) -> Plan:
    plan = permisos.planes_visibles(request.user).filter(codigo=codigo).select_related("entidad").first()
    if plan is not None:
        return plan
    if not request.user.is_authenticated:
        raise _PedirIngreso
    raise Http404("No existe ese plan o no tiene acceso a él.")


def _con_plan(vista):
    """Resolve the `plan` URL argument with the access rules above."""

    def envoltura(request: HttpRequest, plan: str, **kwargs) -> HttpResponse:
        try:
            objeto = _plan(request, plan)
        except _PedirIngreso:
            return redirect_to_login(request.get_full_path())
        return vista(request, objeto, **kwargs)

    envoltura.__name__ = vista.__name__
    envoltura.__doc__ = vista.__doc__
    return envoltura


def inicio(request: HttpRequest) -> HttpResponse:
    """The plans the user may see, each with its headline avance, gap and band counts."""
    return render(request, "reportes/inicio.html", {"tarjetas": pagina_inicio.tarjetas_inicio(request.user)})


@_con_plan
def tablero(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Plan dashboard at a cut (default: the latest), with Anexo 1 filtered from the URL."""
    periodos = periodos_del_plan(plan)
    corte = elegir_corte(request.GET.get("corte"), periodos.cortes)
    datos = pagina_tablero.tablero_plan(
        plan=plan, corte=corte, cortes=periodos.cortes, user=request.user, filtros=FiltrosAnexo.desde_get(request.GET)
    )
    return render(
        request,
        "reportes/tablero.html",
        {"t": datos, "plan": plan, "corte": corte, "url_exportar": pagina_tablero.url_exportar(plan), "periodos": periodos},
    )


@_con_plan
def grafico_historia(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The history chart as an SVG image, so the dashboard does not wait for every past cut."""
    cortes = cortes_del_plan(plan)
    corte = elegir_corte(request.GET.get("corte"), cortes)
    svg = pagina_tablero.grafico_historia(plan=plan, corte=corte, cortes=cortes)
    respuesta = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    respuesta["Cache-Control"] = "private, max-age=300"
    return respuesta


@_con_plan
def indicador(request: HttpRequest, plan: Plan, indicador: str) -> HttpResponse:
    """An indicator: its place in the plan, year table, chart, percentages and narratives."""
    objeto = (
        permisos.indicadores_legibles(request.user, Indicador.objects.filter(plan=plan, codigo=indicador))
        .select_related("dependencia")
        .first()
    )
    if objeto is None:
        raise Http404("No existe ese indicador o no tiene acceso a él.")
    objeto.plan = plan
    cortes = cortes_del_plan(plan)
    corte = elegir_corte(request.GET.get("corte"), cortes)
    pagina = pagina_indicador(plan=plan, indicador=objeto, corte=corte, cortes=cortes, user=request.user)
    return render(request, "reportes/indicador.html", {"p": pagina, "plan": plan, "corte": corte})


@_con_plan
def informe_seguimiento(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The printable follow-up report of SPEC §8 (Bogotá format), with Anexo 1."""
    cortes = cortes_del_plan(plan)
    corte = elegir_corte(request.GET.get("corte"), cortes)
    informe = imprimibles.informe_seguimiento(plan=plan, corte=corte, cortes=cortes, user=request.user)
    return render(
        request,
        "reportes/informe_seguimiento.html",
        {
            "t": informe.tablero,
            "plan": plan,
            "corte": corte,
            "bajos": informe.bajos,
            "sobre": informe.sobre,
            "conteo": informe.conteo,
        },
    )


@_con_plan
def informe_indicadores(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The printable per-indicator report (Cali format) for a plan, a dependencia or a selection."""
    cortes = cortes_del_plan(plan)
    corte = elegir_corte(request.GET.get("corte"), cortes)
    dependencia = FiltrosAnexo.desde_get(request.GET).dependencia
    codigos = [c.strip() for c in request.GET.get("indicadores", "").split(",") if c.strip()]
    grupos = imprimibles.informe_indicadores(
        plan=plan, corte=corte, dependencia_id=dependencia, codigos=codigos, user=request.user
    )
    nombre_dependencia = next(
        (i.indicador.dependencia.nombre for g in grupos for i in g.indicadores if dependencia), ""
    )
    return render(
        request,
        "reportes/informe_indicadores.html",
        {"plan": plan, "corte": corte, "grupos": grupos, "nombre_dependencia": nombre_dependencia, "codigos": codigos},
    )


@_con_plan
def informe_semestral(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The printable qualitative semester report (Sopó format, SPEC §7)."""
    informes = selectors_cualitativo.informes_del_plan(plan=plan)
    elegido = selectors_cualitativo.elegir(informes, request.GET.get("periodo"))
    return render(
        request,
        "reportes/informe_semestral.html",
        {"plan": plan, "informes": informes, "informe": elegido},
    )
