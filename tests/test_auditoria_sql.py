"""The audit trail filters and pages in SQL: the rows it shows are the ones reading every version in
Python would show (held equal on random histories), a page reads only its own rows and their
previous versions, the export reads the history a block at a time, and its texts stay text."""

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from simple_history.models import HistoricalChanges

from indicadores import auditoria
from indicadores.models import Corte, Indicador, Meta, Reporte
from indicadores.permisos import AUDITOR
from politicas.models import Nivel, Plan
from tests import factories

pytestmark = pytest.mark.django_db
ANIO = 2024


# --- The reference: every version read in Python, as the trail did before it paged in SQL ------


def _campos(historico) -> list:
    return [c for c in historico._meta.fields if not c.name.startswith("history_") and c.name not in ("id", "actualizado_en")]


def _cambia(campos, anterior, actual) -> bool:
    if anterior is None:
        return any(getattr(actual, c.attname) not in (None, "") for c in campos)
    return any(getattr(anterior, c.attname) != getattr(actual, c.attname) for c in campos)


def _referencia(*, plan=None, indicador=None, usuario_id=None, desde=None, hasta=None) -> list[tuple[str, int]]:
    """(objeto, history_id) of every change the trail shows, newest first."""
    del_plan = {"plan_id": plan.pk} if plan else {}
    indicadores_del_plan = set(Indicador.history.filter(**del_plan).values_list("id", flat=True))
    fuentes = []
    if indicador is None:
        fuentes += [
            ("plan", Plan.history.filter(**({"id": plan.pk} if plan else {}))),
            ("nivel", Nivel.history.filter(**del_plan)),
            ("corte", Corte.history.filter(**del_plan)),
        ]
    hijos = {"indicador_id": indicador.pk} if indicador else ({"indicador_id__in": indicadores_del_plan} if plan else {})
    fuentes += [
        ("indicador", Indicador.history.filter(**({"id": indicador.pk} if indicador else del_plan))),
        ("meta", Meta.history.filter(**hijos)),
        ("reporte", Reporte.history.filter(**hijos)),
    ]
    inicio = timezone.make_aware(datetime.datetime.combine(desde, datetime.time.min)) if desde else None
    fin = timezone.make_aware(datetime.datetime.combine(hasta, datetime.time.max)) if hasta else None
    vistos = []
    for objeto, consulta in fuentes:
        if fin is not None:
            consulta = consulta.filter(history_date__lte=fin)
        campos = _campos(consulta.model)
        anteriores = {}
        for version in consulta.order_by("id", "history_date", "history_id"):
            anterior, anteriores[version.id] = anteriores.get(version.id), version
            if inicio is not None and version.history_date < inicio:
                continue
            if usuario_id is not None and version.history_user_id != usuario_id:
                continue
            if version.history_type == "~" and not version.history_change_reason and not _cambia(campos, anterior, version):
                continue
            vistos.append((version.history_date, objeto, version.history_id))
    vistos.sort(key=lambda v: v[0], reverse=True)  # stable: equal instants keep the sources' order
    return [(objeto, history_id) for _, objeto, history_id in vistos]


# --- Random histories -------------------------------------------------------------------------


def _historial_al_azar(azar: random.Random) -> dict:
    """Two plans with levels, indicators, targets, reports and a cut, changed at random: unchanged
    saves (with and without a reason), moves between levels and plans, deletions; then every
    version gets a user and an instant drawn from a few, so many changes share an instant."""
    usuarios = [factories.usuario(f"persona{i}") for i in range(3)]
    planes = [factories.plan(codigo=f"azar-{i}", anio_inicio=ANIO - 1, anio_fin=ANIO + 1) for i in range(2)]
    niveles = [factories.nivel(plan=p, codigo=f"{i}.{j}") for i, p in enumerate(planes) for j in range(2)]
    indicadores = []
    for i in range(8):
        nivel = azar.choice(niveles)
        indicadores.append(factories.indicador(
            plan=nivel.plan, nivel=nivel, codigo=f"I{i}", periodicidad=azar.choice(["anual", "semestral"]),
            metas={ANIO: str(azar.randint(1, 9))}, reportes={(ANIO, 1): str(azar.randint(0, 9))},
        ))
    Corte.objects.create(plan=planes[0], anio=ANIO, semestre=1)
    for _ in range(40):
        indicador = azar.choice(indicadores)
        que = azar.random()
        if que < 0.25:
            indicador.save()  # a form saved as it was
        elif que < 0.45:
            reporte = indicador.reportes.first()
            reporte.valor = Decimal(azar.choice(["1", "1.0", "2.5", "7480"]))  # 1 and 1.0 are no change
            reporte.save()
        elif que < 0.6:
            meta = indicador.metas.first()
            meta.valor = Decimal(azar.randint(1, 3))
            meta.save()
        elif que < 0.75:
            nivel = azar.choice(niveles)
            indicador.nivel, indicador.plan = nivel, nivel.plan
            indicador.save()
        elif que < 0.85:
            indicador.nombre = azar.choice(["Uno", "Dos", ""])
            indicador.save()
        else:
            plan = azar.choice(planes)
            plan.documento = azar.choice(["", "CONPES 29"])
            plan.save()
    indicadores.pop(azar.randrange(len(indicadores))).delete()  # its targets and reports go too
    Meta.objects.filter(pk=indicadores[0].metas.first().pk).delete()
    instantes = [timezone.make_aware(datetime.datetime(ANIO, 3, d, 10)) for d in (1, 2, 2, 3, 5)]
    for modelo in auditoria.AUDITADOS:
        for history_id in modelo.history.values_list("history_id", flat=True):
            modelo.history.filter(history_id=history_id).update(
                history_date=azar.choice(instantes) + datetime.timedelta(seconds=azar.choice([0, 0, 1])),
                history_user_id=azar.choice([*[u.pk for u in usuarios], None]),
                history_change_reason=azar.choice([None, None, None, "", "Oficio 45"]),
            )
    return {"usuarios": usuarios, "planes": planes, "indicadores": indicadores}


def _filtros(datos: dict) -> list[dict]:
    dia = datetime.date(ANIO, 3, 2)
    return [
        {},
        {"plan": datos["planes"][0]},
        {"plan": datos["planes"][1], "usuario_id": datos["usuarios"][0].pk},
        {"indicador": datos["indicadores"][0]},
        {"desde": dia},
        {"hasta": dia},
        {"desde": dia, "hasta": dia, "usuario_id": datos["usuarios"][1].pk},
        {"plan": datos["planes"][0], "desde": datetime.date(ANIO, 3, 3)},
    ]


@pytest.mark.parametrize("semilla", range(4))
def test_el_sql_muestra_lo_mismo_que_leer_cada_version_en_python(semilla):
    datos = _historial_al_azar(random.Random(semilla))
    for filtros in _filtros(datos):
        esperado = _referencia(**filtros)
        historial = auditoria.Historial(**filtros)
        assert [(r.objeto, r.id_historico) for r in historial] == esperado, filtros
        assert historial.count() == len(esperado)
        assert [(r.objeto, r.id_historico) for r in historial[5:12]] == esperado[5:12]
        assert [(r.objeto, r.id_historico) for r in historial[len(esperado) - 3:]] == esperado[-3:]


def test_un_cambio_se_lee_contra_su_version_anterior_aunque_quede_fuera_de_los_filtros():
    """The previous version by another person, or before `desde`, still gives the «before»."""
    ana, luis = factories.usuario("ana"), factories.usuario("luis")
    indicador = factories.indicador(codigo="1.1.5", reportes={(ANIO, 1): "3"})
    reporte = indicador.reportes.get()
    reporte.valor = Decimal(4)
    reporte.save()
    antes, despues = Reporte.history.order_by("history_id")
    enero, febrero = (timezone.make_aware(datetime.datetime(ANIO, mes, 5)) for mes in (1, 2))
    Reporte.history.filter(pk=antes.pk).update(history_user=ana, history_date=enero)
    Reporte.history.filter(pk=despues.pk).update(history_user=luis, history_date=febrero)
    cambio, = auditoria.registros(indicador=indicador, usuario_id=luis.pk, desde=datetime.date(ANIO, 2, 1))
    assert (cambio.accion, cambio.usuario) == ("modificación", "luis") and "avance: 3 → 4" in cambio.cambios


# --- A page reads only its rows ---------------------------------------------------------------


@pytest.fixture
def versiones_leidas():
    """How many history rows Python builds (every model instance read from a history table)."""
    leidas = []

    def contar(sender, instance, **kwargs):
        if isinstance(instance, HistoricalChanges):
            leidas.append(instance)

    post_init.connect(contar)
    yield leidas
    post_init.disconnect(contar)


def _correcciones(reporte: Reporte, n: int) -> None:
    """n more versions of a report, written straight into its history (fast): a long history."""
    historico = Reporte.history.model
    base = Reporte.history.filter(id=reporte.pk).latest("history_date")
    campos = [c.attname for c in historico._meta.fields if c.attname != "history_id"]
    versiones = []
    for i in range(n):
        version = historico(**{c: getattr(base, c) for c in campos})
        version.valor, version.version, version.history_type = Decimal(i), base.version + i + 1, "~"
        version.history_date = base.history_date + datetime.timedelta(seconds=i + 1)
        versiones.append(version)
    historico.objects.bulk_create(versiones)


def _pagina(client, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as consultas:
        respuesta = client.get(reverse("auditoria"), params)
    assert respuesta.status_code == 200
    return respuesta.content.decode(), len(consultas)


def test_una_pagina_lee_solo_sus_filas_y_sus_versiones_anteriores(client, versiones_leidas):
    client.force_login(factories.usuario("andres", grupos=(AUDITOR,), is_staff=True))
    indicador = factories.indicador(codigo="1.1.5", reportes={(ANIO, 1): "3"})
    reporte = indicador.reportes.get()
    _correcciones(reporte, 10)
    _, corta = _pagina(client)
    _correcciones(reporte, 3000)
    total = Reporte.history.count()

    versiones_leidas.clear()
    html, larga = _pagina(client)
    assert "Página 1 de" in html and html.count('<ul class="cambios">') == 50
    assert len(versiones_leidas) <= 2 * 50, "la página leyó más versiones que las suyas"
    assert larga == corta
    versiones_leidas.clear()
    html, ultima = _pagina(client, pagina=999)
    assert len(versiones_leidas) <= 2 * 50 and ultima == corta
    assert "Página 61 de 61" in html and auditoria.Historial().count() == total + 3  # the plan, its level, the indicator


def test_la_exportacion_lee_el_historial_por_bloques(client, versiones_leidas, monkeypatch):
    monkeypatch.setattr(auditoria, "FILAS_POR_LECTURA", 10)
    indicador = factories.indicador(codigo="1.1.5", reportes={(ANIO, 1): "3"})
    _correcciones(indicador.reportes.get(), 95)
    historial = iter(auditoria.Historial(indicador=indicador))
    versiones_leidas.clear()
    primera = next(historial)
    assert "avance: 93 → 94" in primera.cambios
    assert len(versiones_leidas) <= 2 * 10, "la exportación leyó todo el historial de una vez"
    assert 1 + sum(1 for _ in historial) == auditoria.Historial(indicador=indicador).count() == 97

    client.force_login(factories.usuario("andres", grupos=(AUDITOR,), is_staff=True))
    hoja = load_workbook(io.BytesIO(client.get(reverse("auditoria_excel")).content)).active
    assert hoja.max_row == 1 + 97 + 2  # the header, the indicator's 97 changes, its plan and level


# --- Texts stay text --------------------------------------------------------------------------


def test_un_motivo_o_un_nombre_que_parecen_formula_quedan_como_texto(client):
    indicador = factories.indicador(codigo="1.1.5", reportes={(ANIO, 1): "3"})
    persona = factories.usuario("x", first_name="=1+1", last_name="")
    Reporte.history.update(history_change_reason="=HYPERLINK(\"http://x\")", history_user=persona)
    client.force_login(factories.usuario("andres", grupos=(AUDITOR,), is_staff=True))
    respuesta = client.get(reverse("auditoria_excel"), {"plan": indicador.plan_id})
    hoja = load_workbook(io.BytesIO(respuesta.content)).active
    fila = next(f for f in hoja.iter_rows(min_row=2) if f[3].value == "reporte")
    usuario, motivo = fila[1], fila[7]
    assert (usuario.value, motivo.value) == ("=1+1", "=HYPERLINK(\"http://x\")")
    assert usuario.data_type == motivo.data_type == "s" and usuario.quotePrefix and motivo.quotePrefix


# --- Who appears in the filter -----------------------------------------------------------------


def test_el_filtro_ofrece_solo_a_quienes_aparecen_en_el_historial(client, django_assert_num_queries):
    ana = factories.usuario("ana", first_name="Ana")
    factories.usuario("sin-cambios")
    auditor = factories.usuario("andres", grupos=(AUDITOR,), is_staff=True)
    factories.nivel()  # its plan saved without a user: nobody to offer for it
    Nivel.history.update(history_user=ana)
    with django_assert_num_queries(1):
        assert list(auditoria.usuarios_con_cambios()) == [ana]
    client.force_login(auditor)
    html = client.get(reverse("auditoria")).content.decode()
    assert ">Ana</option>" in html and "sin-cambios" not in html and ">andres</option>" not in html
