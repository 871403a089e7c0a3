"""The OpenAPI schema and the documentation pages of /api/v1/ (they must work offline)."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

RUTAS = [
    "/api/v1/token/",
    "/api/v1/entidades/",
    "/api/v1/dependencias/",
    "/api/v1/planes/",
    "/api/v1/planes/{codigo}/",
    "/api/v1/planes/{codigo}/resultados/",
    "/api/v1/niveles/",
    "/api/v1/indicadores/",
    "/api/v1/reportes/",
    "/api/v1/reportes/{id}/",
]


def test_el_esquema_describe_cada_endpoint(client):
    respuesta = client.get("/api/v1/schema/")
    assert respuesta.status_code == 200
    esquema = yaml.safe_load(respuesta.content)
    assert esquema["openapi"].startswith("3.")
    assert set(RUTAS) <= set(esquema["paths"])
    parametros = {p["name"] for p in esquema["paths"]["/api/v1/indicadores/"]["get"]["parameters"]}
    assert {"plan", "nivel", "dependencia", "tipo", "periodicidad", "enfoque", "codigo", "q", "corte", "banda",
            "page", "page_size"} <= parametros
    assert {"get", "post"} <= set(esquema["paths"]["/api/v1/reportes/"])
    assert "delete" not in esquema["paths"]["/api/v1/reportes/{id}/"]


def test_la_documentacion_interactiva_no_carga_nada_de_fuera(client):
    respuesta = client.get("/api/v1/docs/")
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    # Every script, stylesheet and icon comes from this server's static files.
    recursos = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert recursos, html
    for recurso in recursos:
        assert not re.match(r"^(https?:)?//", recurso), recurso
        if recurso.startswith("/static/"):
            assert finders.find(recurso.removeprefix("/static/")), recurso
    assert "cdn" not in html.lower()
