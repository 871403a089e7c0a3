"""The audit trail reads like a sentence: field names as the forms say them, local dates in the
Colombian format, people and objects by name, normalised decimals; 50 changes a page with the
filters kept, and the same number of queries for a short or a long history."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicadores import auditoria, services
from indicadores.models import Corte
from indicadores.permisos import AUDITOR, PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def indicador_de_salud():
    dep = factories.dependencia(nombre="Salud")
    plan = factories.plan(codigo="conpes-29", entidad=dep.entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 2)
    nivel = factories.nivel(plan=plan, codigo="1")
    indicador = factories.indicador(plan=plan, nivel=nivel, dependencia=dep, codigo="1.1.5", periodicidad="semestral")
    return {
        "dep": dep, "plan": plan, "nivel": nivel, "indicador": indicador,
        "planeadora": factories.usuario("paula", grupos=(PLANEADOR,), dependencias=[dep], is_staff=True,
                                        first_name="Paula", last_name="Planeadora"),
        "revisora": factories.usuario("rosa", grupos=(REVISOR,), is_staff=True, first_name="Rosa", last_name="Revisora"),
        "auditor": factories.usuario("andres", grupos=(AUDITOR,), is_staff=True),
    }


def _cerrar_corte(indicador_de_salud) -> Corte:
    corte = services.corte_abrir(
        plan=indicador_de_salud["plan"], anio=ANIO - 1, semestre=2, usuario=indicador_de_salud["revisora"]
    )
    return services.corte_cerrar(corte=corte, usuario=indicador_de_salud["revisora"])


def test_cierre_de_corte_con_nombres_de_campo_fecha_local_y_nombre_de_quien_cerro(client, indicador_de_salud):
    corte = _cerrar_corte(indicador_de_salud)
    client.force_login(indicador_de_salud["auditor"])
    html = client.get(reverse("auditoria")).content.decode()
    cerrado_en = timezone.localtime(corte.cerrado_en).strftime("%d/%m/%Y %H:%M")
    assert "estado: Abierto → Cerrado" in html
    assert f"cerrado en: — → {cerrado_en}" in html
    assert "cerrado por: — → Rosa Revisora" in html
    assert "cerrado_por_id" not in html and "cerrado_en" not in html and "+00:00" not in html
    # Who made the change, by name too.
    assert "<td>Rosa Revisora</td>" in html


def test_decimales_normalizados_y_relaciones_por_codigo(indicador_de_salud):
    reporte = services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal("0.33"),
        usuario=indicador_de_salud["planeadora"],
    )
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal("7480"),
        usuario=indicador_de_salud["planeadora"], version_esperada=reporte.version,
    )
    reportes = [r for r in auditoria.registros(indicador=indicador_de_salud["indicador"]) if r.objeto == "reporte"]
    creacion, cambio = reportes[1], reportes[0]
    assert "avance: 0,33" in creacion.cambios
    assert "indicador: 1.1.5" in creacion.cambios
    assert "creado por: Paula Planeadora" in creacion.cambios
    assert "estado: Borrador" in creacion.cambios
    assert "avance: 0,33 → 7.480" in cambio.cambios
    assert cambio.usuario == "Paula Planeadora"


def test_excel_con_los_mismos_valores_legibles(client, indicador_de_salud):
    corte = _cerrar_corte(indicador_de_salud)
    client.force_login(indicador_de_salud["auditor"])
    hoja = load_workbook(io.BytesIO(client.get(reverse("auditoria_excel")).content)).active
    filas = list(hoja.iter_rows(values_only=True))[1:]
    cierre = next(f for f in filas if f[2] == "modificación" and f[3] == "corte")
    assert cierre[1] == "Rosa Revisora"
    cerrado_en = timezone.localtime(corte.cerrado_en).strftime("%d/%m/%Y %H:%M")
    assert cierre[6].split("\n") == ["estado: Abierto → Cerrado", f"cerrado en: — → {cerrado_en}", "cerrado por: — → Rosa Revisora"]


def _historial(indicador_de_salud, n: int, prefijo: str = "X") -> None:
    """n indicators, each created with a report by the planner: 2·n changes naming plans, levels,
    users…"""
    for i in range(n):
        ind = factories.indicador(
            plan=indicador_de_salud["plan"], nivel=indicador_de_salud["nivel"], dependencia=indicador_de_salud["dep"],
            codigo=f"{prefijo}{i}",
        )
        services.reporte_registrar(
            indicador=ind, anio=ANIO, periodo=1, valor=Decimal(i), usuario=indicador_de_salud["planeadora"]
        )


def _filas(html: str) -> int:
    return html.count('<ul class="cambios">')


def test_pagina_de_50_con_los_filtros_en_los_enlaces(client, indicador_de_salud):
    _historial(indicador_de_salud, 60)  # 120 changes, 60 of them reports by the planner
    total = len(auditoria.registros(plan=indicador_de_salud["plan"]))
    client.force_login(indicador_de_salud["auditor"])
    filtro = {"plan": indicador_de_salud["plan"].pk, "usuario": indicador_de_salud["planeadora"].pk}
    del_usuario = len(
        auditoria.registros(plan=indicador_de_salud["plan"], usuario_id=indicador_de_salud["planeadora"].pk)
    )
    assert del_usuario == 60 and total > 60
    primera = client.get(reverse("auditoria"), filtro).content.decode()
    assert _filas(primera) == 50
    assert "60 cambios" in primera and "Página 1 de 2" in primera
    siguiente = re.search(r'href="\?([^"]*)" rel="next"', primera).group(1).replace("&amp;", "&")
    assert siguiente == f"plan={indicador_de_salud['plan'].pk}&usuario={indicador_de_salud['planeadora'].pk}&pagina=2"
    segunda = client.get(reverse("auditoria") + "?" + siguiente).content.decode()
    assert _filas(segunda) == 10 and "Página 2 de 2" in segunda and 'rel="prev"' in segunda
    # An out-of-range page shows the last one instead of an error.
    assert _filas(client.get(reverse("auditoria"), {**filtro, "pagina": 99}).content.decode()) == 10


def _consultas(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as consultas:
        assert client.get(url, params).status_code == 200
    return len(consultas)


def test_misma_cantidad_de_consultas_para_historial_corto_y_largo(client, indicador_de_salud):
    client.force_login(indicador_de_salud["auditor"])
    url = reverse("auditoria")
    url_indicador = reverse("auditoria_indicador", args=[indicador_de_salud["indicador"].pk])
    _historial(indicador_de_salud, 3)
    _cerrar_corte(indicador_de_salud)
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(1),
        usuario=indicador_de_salud["planeadora"],
    )
    corto = (
        _consultas(client, url), _consultas(client, url, plan=indicador_de_salud["plan"].pk),
        _consultas(client, url_indicador),
    )
    _historial(indicador_de_salud, 120, prefijo="Y")  # 240 more changes: five pages
    version = None
    for i in range(60):  # 60 corrections of one report, each over the version the planner read
        version = services.reporte_registrar(
            indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=2, valor=Decimal(i),
            usuario=indicador_de_salud["planeadora"], version_esperada=version,
        ).version
    largo = (
        _consultas(client, url), _consultas(client, url, plan=indicador_de_salud["plan"].pk),
        _consultas(client, url_indicador),
    )
    assert largo == corto
    assert _consultas(client, url, pagina=5) == corto[0]
    assert _consultas(client, url_indicador, pagina=2) == corto[2]
