"""Compliance view of the planning office: per dependencia, the indicators still owing their
report at the open cut, and email reminders to the planners concerned."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicadores import services
from indicadores.cumplimiento import cumplimiento_corte
from indicadores.models import Reporte
from indicadores.permisos import FUNCIONARIO, PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def e():
    salud = factories.dependencia(nombre="Salud")
    turismo = factories.dependencia(nombre="Turismo", entidad=salud.entidad)
    plan = factories.plan(entidad=salud.entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 2)
    revisor = factories.usuario("revisor", grupos=(REVISOR,), is_staff=True)
    corte = services.corte_abrir(plan=plan, anio=ANIO, semestre=1, usuario=revisor, fecha_limite=timezone.localdate())
    ana = factories.usuario("ana", grupos=(PLANEADOR,), dependencias=[salud], email="ana@sopo.gov.co")
    luis = factories.usuario("luis", grupos=(PLANEADOR,), dependencias=[turismo], email="luis@sopo.gov.co")
    nivel = factories.nivel(plan=plan)
    factories.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-1", periodicidad="semestral")
    aprobado = factories.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-2", periodicidad="anual")
    Reporte.objects.create(indicador=aprobado, anio=ANIO, periodo=1, valor=Decimal(1), estado="aprobado")
    borrador = factories.indicador(plan=plan, nivel=nivel, dependencia=turismo, codigo="T-1", periodicidad="trimestral")
    Reporte.objects.create(indicador=borrador, anio=ANIO, periodo=2, valor=Decimal(1), estado="borrador")
    # A report of an earlier period does not settle the one owed at this cut.
    Reporte.objects.create(indicador=borrador, anio=ANIO, periodo=1, valor=Decimal(1), estado="aprobado")
    return {"corte": corte, "revisor": revisor, "ana": ana, "luis": luis, "plan": plan, "salud": salud, "nivel": nivel}


def test_pendientes_por_dependencia(e):
    filas = {f["dependencia"].nombre: f for f in cumplimiento_corte(corte=e["corte"])}
    assert [(p["codigo"], p["estado"]) for p in filas["Salud"]["pendientes"]] == [("S-1", "sin reporte")]
    assert filas["Salud"]["conteo"] == {"sin reporte": 1, "aprobado": 1}
    assert [(p["codigo"], p["estado"], p["periodo"]) for p in filas["Turismo"]["pendientes"]] == [("T-1", "borrador", 2)]
    assert filas["Turismo"]["correos"] == ["luis@sopo.gov.co"]


def test_devuelto_cuenta_como_pendiente(e):
    reporte = Reporte.objects.get(indicador__codigo="S-2")
    services.reporte_devolver(reporte=reporte, usuario=e["revisor"], comentario="Sin soporte")
    filas = {f["dependencia"].nombre: f for f in cumplimiento_corte(corte=e["corte"])}
    assert {p["codigo"]: p["estado"] for p in filas["Salud"]["pendientes"]} == {"S-1": "sin reporte", "S-2": "devuelto"}


def test_pagina_y_recordatorios(client, e):
    client.force_login(e["revisor"])
    pagina = client.get(reverse("cumplimiento_corte", args=[e["corte"].pk]))
    contenido = pagina.content.decode()
    assert pagina.status_code == 200 and "S-1" in contenido and "T-1" in contenido and "S-2" not in contenido
    respuesta = client.post(reverse("recordatorios", args=[e["corte"].pk]))
    assert respuesta.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@sopo.gov.co", "luis@sopo.gov.co"]
    del_ana = next(m for m in mail.outbox if m.to == ["ana@sopo.gov.co"])
    assert f"corte {ANIO}-1" in del_ana.subject and "S-1" in del_ana.body and "T-1" not in del_ana.body


def test_solo_la_oficina_de_planeacion(client, e):
    for usuario in (e["ana"], factories.usuario(grupos=(FUNCIONARIO,))):
        client.force_login(usuario)
        assert client.get(reverse("cumplimiento")).status_code == 403
        assert client.post(reverse("recordatorios", args=[e["corte"].pk])).status_code == 403
    assert not mail.outbox


def test_consultas_fijas(client, e):
    client.force_login(e["revisor"])
    url = reverse("cumplimiento_corte", args=[e["corte"].pk])
    with CaptureQueriesContext(connection) as antes:
        client.get(url)
    for i in range(25):
        dep = factories.dependencia(entidad=e["salud"].entidad)
        factories.usuario(grupos=(PLANEADOR,), dependencias=[dep], email=f"p{i}@example.org")
        factories.indicador(plan=e["plan"], nivel=e["nivel"], dependencia=dep, reportes={ANIO: "1"})
    with CaptureQueriesContext(connection) as despues:
        client.get(url)
    assert len(despues) == len(antes)
