"""Evidence files are downloaded through the app, which checks who asks: uploads under MEDIA_ROOT
are never served directly, and a draft's evidence is not revealed to exist (404)."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from indicadores.models import Corte, Evidencia, Reporte
from indicadores.permisos import FUNCIONARIO, PLANEADOR
from politicas.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def almacenamiento(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _evidencia(*, publicado: bool, estado: str) -> dict:
    dep = factories.dependencia()
    plan = factories.plan(
        entidad=dep.entidad, codigo=f"plan-{publicado}-{estado}", tipo=Plan.Tipo.PLAN_DESARROLLO,
        anio_inicio=2020, anio_fin=2023, publicado=publicado,
    )
    Corte.objects.create(plan=plan, anio=2021, semestre=2)
    indicador = factories.indicador(plan=plan, dependencia=dep, codigo="IND-1", metas={2021: "10"})
    reporte = Reporte.objects.create(indicador=indicador, anio=2021, periodo=1, valor=Decimal(4), estado=estado)
    evidencia = Evidencia(reporte=reporte, descripcion="Acta de entrega")
    evidencia.archivo.save("acta entrega.pdf", ContentFile(PDF), save=True)
    planeador = factories.usuario(grupos=(PLANEADOR,), dependencias=[dep], is_staff=True)
    return {"evidencia": evidencia, "planeador": planeador, "plan": plan, "indicador": indicador}


def _url(evidencia: Evidencia) -> str:
    return reverse("evidencia_descargar", args=[evidencia.pk])


def _contenido(respuesta) -> bytes:
    return b"".join(respuesta.streaming_content)


def test_planeador_del_indicador_descarga_la_evidencia_de_su_borrador(client):
    d = _evidencia(publicado=True, estado=Reporte.Estado.BORRADOR)
    client.force_login(d["planeador"])
    respuesta = client.get(_url(d["evidencia"]))
    assert respuesta.status_code == 200
    assert _contenido(respuesta) == PDF
    assert respuesta["Content-Disposition"].startswith("attachment;")
    assert "acta" in respuesta["Content-Disposition"]


@pytest.mark.parametrize(
    ("publicado", "estado"),
    [(True, Reporte.Estado.BORRADOR), (True, Reporte.Estado.ENVIADO), (False, Reporte.Estado.APROBADO)],
    ids=["borrador", "enviado", "plan-sin-publicar"],
)
def test_anonimo_recibe_404_si_no_es_publico(client, publicado, estado):
    d = _evidencia(publicado=publicado, estado=estado)
    respuesta = client.get(_url(d["evidencia"]))
    assert respuesta.status_code == 404
    # The same answer as for evidence that does not exist: nothing is revealed.
    assert client.get(reverse("evidencia_descargar", args=[d["evidencia"].pk + 1000])).status_code == 404


def test_planeador_de_otra_dependencia_no_descarga_un_borrador(client):
    d = _evidencia(publicado=True, estado=Reporte.Estado.BORRADOR)
    client.force_login(factories.usuario(grupos=(PLANEADOR,), dependencias=[factories.dependencia()]))
    assert client.get(_url(d["evidencia"])).status_code == 404


def test_funcionario_lee_todo_y_descarga_un_borrador_de_plan_sin_publicar(client):
    d = _evidencia(publicado=False, estado=Reporte.Estado.BORRADOR)
    client.force_login(factories.usuario(grupos=(FUNCIONARIO,)))
    respuesta = client.get(_url(d["evidencia"]))
    assert respuesta.status_code == 200
    assert _contenido(respuesta) == PDF


def test_anonimo_descarga_la_evidencia_de_un_reporte_aprobado_de_plan_publicado(client):
    d = _evidencia(publicado=True, estado=Reporte.Estado.APROBADO)
    respuesta = client.get(_url(d["evidencia"]))
    assert respuesta.status_code == 200
    assert _contenido(respuesta) == PDF


def test_archivo_que_falta_en_el_almacenamiento_da_404(client, almacenamiento):
    d = _evidencia(publicado=True, estado=Reporte.Estado.APROBADO)
    (almacenamiento / d["evidencia"].archivo.name).unlink()
    assert client.get(_url(d["evidencia"])).status_code == 404


def test_la_pagina_del_indicador_enlaza_la_descarga_y_no_media(client):
    d = _evidencia(publicado=True, estado=Reporte.Estado.APROBADO)
    html = client.get(reverse("indicador", args=[d["plan"].codigo, d["indicador"].codigo])).content.decode()
    assert f'href="{_url(d["evidencia"])}"' in html
    assert "/media/" not in html


def test_el_admin_enlaza_la_descarga_y_no_media(client):
    d = _evidencia(publicado=False, estado=Reporte.Estado.BORRADOR)
    url = reverse("admin:indicadores_reporte_change", args=[d["evidencia"].reporte_id])
    client.force_login(d["planeador"])  # editable row: the file input's «actualmente» link
    html = client.get(url).content.decode()
    assert f'href="{_url(d["evidencia"])}"' in html
    assert "/media/" not in html
    lector = factories.usuario(grupos=(FUNCIONARIO,), is_staff=True)
    from politicas.roles import asegurar_grupos

    asegurar_grupos()
    client.force_login(lector)  # read-only row
    html = client.get(url).content.decode()
    assert f'href="{_url(d["evidencia"])}"' in html
    assert "/media/" not in html
