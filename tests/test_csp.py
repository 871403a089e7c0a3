"""Content-Security-Policy (issue 11): every response carries the policy, and no page the app
renders has inline script or style for the policy to block.

The browser's side (no violation in Chromium's console, Swagger UI and the admin still work) is
in tests/e2e/test_csp.py.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from indicadores.models import Corte, Indicador, Reporte

pytestmark = pytest.mark.django_db

BOGOTA = "bogota-conpes-29"

POLITICA = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def politica(respuesta) -> dict[str, set[str]]:
    """The Content-Security-Policy header of a response, as {directive: sources}."""
    assert "Content-Security-Policy" in respuesta, f"sin Content-Security-Policy: {respuesta.request['PATH_INFO']}"
    directivas = {}
    for parte in respuesta["Content-Security-Policy"].split(";"):
        nombre, *fuentes = parte.split()
        directivas[nombre] = set(fuentes)
    return directivas


def afirmar_politica(respuesta) -> None:
    assert politica(respuesta) == POLITICA
    cabecera = respuesta["Content-Security-Policy"]
    assert "unsafe" not in cabecera and "nonce-" not in cabecera, cabecera


class _Inline(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' blocks: <style>, <script> with code, style=,
    on*= handlers and javascript: URLs. A <script type="application/json"> is data, not code."""

    def __init__(self):
        super().__init__()
        self.hallazgos: list[str] = []
        self._script_en_linea = False

    def handle_starttag(self, tag, attrs):
        atributos = dict(attrs)
        if tag == "style":
            self.hallazgos.append("<style>")
        if tag == "script":
            tipo = (atributos.get("type") or "").lower()
            self._script_en_linea = "src" not in atributos and tipo not in {"application/json", "text/template"}
        for nombre, valor in attrs:
            if nombre == "style" or nombre.startswith("on"):
                self.hallazgos.append(f"<{tag} {nombre}={valor!r}>")
            if nombre in {"href", "src", "action", "formaction"} and (valor or "").strip().lower().startswith("javascript:"):
                self.hallazgos.append(f"<{tag} {nombre}={valor!r}>")

    def handle_data(self, data):
        if self._script_en_linea and data.strip():
            self.hallazgos.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_en_linea = False


def en_linea(html: str) -> list[str]:
    lector = _Inline()
    lector.feed(html)
    return lector.hallazgos


def test_el_detector_de_lo_en_linea_encuentra_cada_forma():
    # The scan below proves nothing if it cannot see what it looks for.
    hostil = (
        '<style>p{}</style><p style="color:red">x</p><a href="JavaScript:alert(1)">y</a>'
        '<button onclick="f()">z</button><script>alert(1)</script><svg><rect style="fill:red"/></svg>'
        '<script src="/static/js/imprimir.js"></script><script type="application/json">{"a": 1}</script>'
    )
    assert len(en_linea(hostil)) == 6, en_linea(hostil)


def test_pagina_publica_lleva_la_politica(client, plan_pequeno):
    respuesta = client.get(reverse("inicio"))
    assert respuesta.status_code == 200
    afirmar_politica(respuesta)


def test_admin_lleva_la_politica(admin_client):
    respuesta = admin_client.get(reverse("admin:index"))
    assert respuesta.status_code == 200
    afirmar_politica(respuesta)
    # The login page too, before anyone is in.
    afirmar_politica(Client().get(reverse("admin:login")))


def test_documentacion_de_la_api_sin_script_ni_estilo_en_linea(client):
    respuesta = client.get("/api/v1/docs/")
    assert respuesta.status_code == 200
    afirmar_politica(respuesta)
    html = respuesta.content.decode()
    assert en_linea(html) == []
    # Swagger UI's start-up script is a request of its own to this server, and it is JavaScript.
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()


def test_api_json_lleva_la_politica(admin_client, plan_pequeno):
    respuesta = admin_client.get("/api/v1/planes/", HTTP_ACCEPT="application/json")
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"].startswith("application/json")
    afirmar_politica(respuesta)
    afirmar_politica(admin_client.get("/api/v1/schema/"))


def test_la_api_responde_json_tambien_al_navegador(admin_client, plan_pequeno):
    # DRF's browsable API pages carry inline styles; a browser asking for HTML gets JSON instead.
    for url in ("/api/v1/", "/api/v1/planes/", "/api/v1/planes/?format=api"):
        respuesta = admin_client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert respuesta.status_code in (200, 404), url
        assert respuesta["Content-Type"].startswith("application/json"), url
        afirmar_politica(respuesta)


def _paginas() -> list[str]:
    indicador = Indicador.objects.filter(plan__codigo=BOGOTA).order_by("codigo").first()
    corte_abierto = Corte.objects.filter(plan__codigo=BOGOTA, estado="abierto").get()
    reporte = Reporte.objects.filter(indicador=indicador).order_by("anio", "periodo").first()
    return [
        reverse("inicio"),
        reverse("tablero", args=[BOGOTA]),
        reverse("indicador", args=[BOGOTA, indicador.codigo]),
        reverse("informe_seguimiento", args=[BOGOTA]),
        reverse("informe_indicadores", args=[BOGOTA]),
        reverse("informe_semestral", args=[BOGOTA]),
        reverse("auditoria"),
        reverse("auditoria_indicador", args=[indicador.pk]),
        reverse("cumplimiento"),
        reverse("excel_inicio"),
        reverse("admin:index"),
        reverse("admin:indicadores_indicador_changelist"),
        reverse("admin:indicadores_indicador_change", args=[indicador.pk]),
        reverse("admin:indicadores_indicador_history", args=[indicador.pk]),
        reverse("admin:indicadores_reporte_changelist") + "?estado__exact=enviado",
        reverse("admin:indicadores_reporte_change", args=[reporte.pk]),
        reverse("admin:indicadores_corte_changelist"),
        reverse("admin:indicadores_corte_change", args=[corte_abierto.pk]),
        reverse("admin:indicadores_corte_cerrar", args=[corte_abierto.pk]),
        reverse("admin:politicas_plan_changelist"),
        reverse("admin:auth_user_changelist"),
        "/api/v1/docs/",
    ]


@pytest.mark.parametrize("usuario", ["admin", "revisor", "planeador"])
def test_ninguna_pagina_tiene_script_ni_estilo_en_linea(client, datos_demo, usuario):
    # Each role sees other buttons, actions and lists.
    client.login(username=usuario, password=f"demo-{usuario}-2024")
    revisadas = 0
    for url in _paginas():
        respuesta = client.get(url)
        if respuesta.status_code == 403:  # what the role may not see is not a page for it
            continue
        assert respuesta.status_code == 200, url
        afirmar_politica(respuesta)
        assert en_linea(respuesta.content.decode()) == [], url
        revisadas += 1
    assert revisadas >= 15


def test_ninguna_lista_del_admin_pide_el_estilo_en_linea_de_django():
    # Django's change_list.html writes an inline <style> when a ModelAdmin turns off both
    # actions bars; the policy would block it. Hiding the actions means `actions = None`.
    sin_barras = [
        type(modelo_admin).__name__
        for modelo_admin in admin.site._registry.values()
        if not modelo_admin.actions_on_top and not modelo_admin.actions_on_bottom
    ]
    assert sin_barras == []


def test_paginas_de_ingreso_sin_script_ni_estilo_en_linea(client):
    for url in (reverse("login"), reverse("admin:login")):
        respuesta = client.get(url)
        assert respuesta.status_code == 200
        afirmar_politica(respuesta)
        assert en_linea(respuesta.content.decode()) == [], url


def test_el_rechazo_csrf_sin_estilo_en_linea():
    # A form left open past the session's end is refused by Django's CSRF check; its page is the
    # project's (templates/403_csrf.html), not Django's, which styles itself inline.
    cliente = Client(enforce_csrf_checks=True)
    respuesta = cliente.post(reverse("login"), {"username": "x", "password": "y"})
    assert respuesta.status_code == 403
    afirmar_politica(respuesta)
    html = respuesta.content.decode()
    assert en_linea(html) == []
    assert "No se pudo enviar el formulario" in html and "recárguela" in html
