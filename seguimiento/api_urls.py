"""`/api/v1/`: the REST API (issue 6), its OpenAPI schema and its documentation pages.

The documentation page loads Swagger UI from drf-spectacular-sidecar's static files, so it works
on a closed network. (Redoc is not offered: its page template pulls fonts from the internet.)
Its init script is served by a second request to the same URL (`?script=`), not inline, so the
Content-Security-Policy needs no 'unsafe-inline' (issue 11); templates/api/swagger_ui.html moves
drf-spectacular's inline style to a static file.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from indicadores.api import ReporteViewSet
from politicas.api import DependenciaViewSet, EntidadViewSet, NivelViewSet, PlanViewSet, TokenView
from reportes.api import PlanResultadosView
from reportes.api_indicadores import IndicadorViewSet

router = DefaultRouter()
router.register("entidades", EntidadViewSet, basename="entidad")
router.register("dependencias", DependenciaViewSet, basename="dependencia")
router.register("planes", PlanViewSet, basename="plan")
router.register("niveles", NivelViewSet, basename="nivel")
router.register("indicadores", IndicadorViewSet, basename="indicador")
router.register("reportes", ReporteViewSet, basename="reporte")

app_name = "api"

urlpatterns = [
    path("token/", TokenView.as_view(), name="token"),
    path("planes/<slug:codigo>/resultados/", PlanResultadosView.as_view(), name="plan-resultados"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
