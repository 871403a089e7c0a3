"""Compliance view of the planning office: per dependencia, the indicators still owing their
report at the open cut, and email reminders to the planners concerned."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicadores import services
from indicadores.cumplimiento import PENDIENTES_AL_CERRAR, cumplimiento_corte, pendientes_al_cerrar
from indicadores.models import Reporte
from indicadores.permisos import FUNCIONARIO, PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def corte_con_pendientes():
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


def test_pendientes_por_dependencia(corte_con_pendientes):
    filas = {f["dependencia"].nombre: f for f in cumplimiento_corte(corte=corte_con_pendientes["corte"])}
    assert [(p["codigo"], p["estado"]) for p in filas["Salud"]["pendientes"]] == [("S-1", "sin reporte")]
    assert filas["Salud"]["conteo"] == {"sin reporte": 1, "aprobado": 1}
    assert [(p["codigo"], p["estado"], p["periodo"]) for p in filas["Turismo"]["pendientes"]] == [("T-1", "borrador", 2)]
    assert filas["Turismo"]["correos"] == ["luis@sopo.gov.co"]


def test_devuelto_cuenta_como_pendiente(corte_con_pendientes):
    reporte = Reporte.objects.get(indicador__codigo="S-2")
    services.reporte_devolver(reporte=reporte, usuario=corte_con_pendientes["revisor"], comentario="Sin soporte")
    filas = {f["dependencia"].nombre: f for f in cumplimiento_corte(corte=corte_con_pendientes["corte"])}
    assert {p["codigo"]: p["estado"] for p in filas["Salud"]["pendientes"]} == {"S-1": "sin reporte", "S-2": "devuelto"}


def test_enviado_no_lo_debe_el_planeador_pero_queda_pendiente_al_cerrar(corte_con_pendientes):
    """The compliance page chases the planners: a sent report is the reviewer's to decide. Before
    closing, it is pending too: unapproved, it would stay out of the official figures."""
    s2 = Reporte.objects.get(indicador__codigo="S-2")
    Reporte.objects.filter(pk=s2.pk).update(estado="enviado")
    filas = {f["dependencia"].nombre: f for f in cumplimiento_corte(corte=corte_con_pendientes["corte"])}
    assert [p["codigo"] for p in filas["Salud"]["pendientes"]] == ["S-1"]
    assert filas["Salud"]["conteo"] == {"sin reporte": 1, "enviado": 1}
    al_cerrar = {
        f["dependencia"].nombre: f
        for f in cumplimiento_corte(corte=corte_con_pendientes["corte"], pendientes=PENDIENTES_AL_CERRAR)
    }
    assert {p["codigo"]: p["estado"] for p in al_cerrar["Salud"]["pendientes"]} == {"S-1": "sin reporte", "S-2": "enviado"}
    resumen = pendientes_al_cerrar(corte=corte_con_pendientes["corte"])
    assert resumen["por_estado"] == [("sin reporte", 1), ("borrador", 1), ("enviado", 1), ("devuelto", 0)]
    assert (resumen["indicadores"], resumen["pendientes"], resumen["aprobados"]) == (3, 3, 0)


def test_una_correccion_pendiente_se_senala(corte_con_pendientes):
    """A draft correcting an approved value is pending, and flagged: its approved copy still counts."""
    s2 = Reporte.objects.get(indicador__codigo="S-2")
    Reporte.objects.filter(pk=s2.pk).update(estado="borrador", valor=Decimal(2), valor_oficial=Decimal(1))
    [pendiente] = [
        p for f in cumplimiento_corte(corte=corte_con_pendientes["corte"]) for p in f["pendientes"]
        if p["codigo"] == "S-2"
    ]
    assert pendiente["en_correccion"] and pendiente["nombre_periodo"] == f"{ANIO}"
    assert pendientes_al_cerrar(corte=corte_con_pendientes["corte"])["correcciones"] == 1


def test_pagina_y_recordatorios(client, corte_con_pendientes):
    client.force_login(corte_con_pendientes["revisor"])
    pagina = client.get(reverse("cumplimiento_corte", args=[corte_con_pendientes["corte"].pk]))
    contenido = pagina.content.decode()
    assert pagina.status_code == 200 and "S-1" in contenido and "T-1" in contenido and "S-2" not in contenido
    respuesta = client.post(reverse("recordatorios", args=[corte_con_pendientes["corte"].pk]))
    assert respuesta.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@sopo.gov.co", "luis@sopo.gov.co"]
    del_ana = next(m for m in mail.outbox if m.to == ["ana@sopo.gov.co"])
    assert f"corte {ANIO}-1" in del_ana.subject and "S-1" in del_ana.body and "T-1" not in del_ana.body


def test_solo_la_oficina_de_planeacion(client, corte_con_pendientes):
    for usuario in (corte_con_pendientes["ana"], factories.usuario(grupos=(FUNCIONARIO,))):
        client.force_login(usuario)
        assert client.get(reverse("cumplimiento")).status_code == 403
        assert client.post(reverse("recordatorios", args=[corte_con_pendientes["corte"].pk])).status_code == 403
    assert not mail.outbox


def test_consultas_fijas(client, corte_con_pendientes):
    client.force_login(corte_con_pendientes["revisor"])
    url = reverse("cumplimiento_corte", args=[corte_con_pendientes["corte"].pk])
    with CaptureQueriesContext(connection) as antes:
        client.get(url)
    for i in range(25):
        dep = factories.dependencia(entidad=corte_con_pendientes["salud"].entidad)
        factories.usuario(grupos=(PLANEADOR,), dependencias=[dep], email=f"p{i}@example.org")
        factories.indicador(
            plan=corte_con_pendientes["plan"], nivel=corte_con_pendientes["nivel"], dependencia=dep,
            reportes={ANIO: "1"},
        )
    with CaptureQueriesContext(connection) as despues:
        client.get(url)
    assert len(despues) == len(antes)


def _pagina(client, corte_con_pendientes, corte=None) -> str:
    client.force_login(corte_con_pendientes["revisor"])
    respuesta = client.get(reverse("cumplimiento_corte", args=[(corte or corte_con_pendientes["corte"]).pk]))
    assert respuesta.status_code == 200
    return respuesta.content.decode()


def test_cortes_abiertos_por_nombre_del_plan_y_fecha_con_el_actual_marcado(client, corte_con_pendientes):
    otro_plan = factories.plan(codigo="cali-2016", nombre="Plan de Desarrollo de Cali", anio_inicio=2016, anio_fin=2019)
    otro = services.corte_abrir(plan=otro_plan, anio=2017, semestre=2, usuario=corte_con_pendientes["revisor"])
    html = _pagina(client, corte_con_pendientes)
    actual = f"{corte_con_pendientes['plan'].nombre} · {ANIO}-1 (30 de junio de {ANIO})"
    assert (
        f"<h1>Cumplimiento del reporte: {corte_con_pendientes['plan'].nombre} · corte {ANIO}-1 (30 de junio de {ANIO})</h1>"
        in html
    )
    assert f'<strong aria-current="page">{actual}</strong>' in html
    enlace = reverse("cumplimiento_corte", args=[otro.pk])
    assert f'<a href="{enlace}">Plan de Desarrollo de Cali · 2017-2 (31 de diciembre de 2017)</a>' in html
    assert "cali-2016 2017-2" not in html
    # Showing the other cut moves the mark.
    html = _pagina(client, corte_con_pendientes, corte=otro)
    assert '<strong aria-current="page">Plan de Desarrollo de Cali · 2017-2 (31 de diciembre de 2017)</strong>' in html


def test_la_pagina_lleva_a_cerrar_el_corte_con_confirmacion(client, corte_con_pendientes):
    html = _pagina(client, corte_con_pendientes)
    assert (
        f'href="{reverse("admin:indicadores_corte_cerrar", args=[corte_con_pendientes["corte"].pk])}">Cerrar el corte {ANIO}-1…</a>'
        in html
    )
    services.corte_cerrar(corte=corte_con_pendientes["corte"], usuario=corte_con_pendientes["revisor"])
    assert "Cerrar el corte" not in _pagina(client, corte_con_pendientes)


def test_el_boton_dice_cuantos_correos_se_enviaran(client, corte_con_pendientes):
    html = _pagina(client, corte_con_pendientes)
    assert "Enviar 2 recordatorios por correo a los planeadores</button>" in html
    assert "disabled" not in html


def test_dependencia_sin_correo_se_nombra_y_no_cuenta(client, corte_con_pendientes):
    corte_con_pendientes["luis"].email = ""
    corte_con_pendientes["luis"].save()
    html = _pagina(client, corte_con_pendientes)
    assert "Enviar 1 recordatorio por correo a los planeadores</button>" in html
    assert "Sin correo registrado, no recibirán recordatorio: Turismo." in html


def test_un_planeador_sin_correo_se_nombra_aunque_su_dependencia_tenga_otro(client, corte_con_pendientes):
    factories.usuario("marta", grupos=(PLANEADOR,), dependencias=[corte_con_pendientes["salud"]], email="")
    html = _pagina(client, corte_con_pendientes)
    assert "ana@sopo.gov.co<br><span class=\"nota\">Sin correo: marta</span>" in html
    assert "Enviar 2 recordatorios por correo a los planeadores</button>" in html


def test_sin_ningun_correo_el_boton_se_desactiva_y_explica_por_que(client, corte_con_pendientes):
    for usuario in (corte_con_pendientes["ana"], corte_con_pendientes["luis"]):
        usuario.email = ""
        usuario.save()
    html = _pagina(client, corte_con_pendientes)
    assert re.search(r'<button type="button" class="boton" disabled[^>]*>Enviar recordatorios', html)
    assert "ningún planeador de las dependencias con reportes pendientes tiene correo registrado" in html
    assert f'action="{reverse("recordatorios", args=[corte_con_pendientes["corte"].pk])}"' not in html
    # A POST anyway (an old tab) sends nothing and says so.
    respuesta = client.post(reverse("recordatorios", args=[corte_con_pendientes["corte"].pk]), follow=True)
    assert not mail.outbox
    assert "No se envió ningún recordatorio" in respuesta.content.decode()
