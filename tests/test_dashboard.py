"""Plan dashboard: headline figures, objectives, bands, Anexo 1 filters and a fixed query count."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicadores.models import Corte, Enfoque, Indicador, Reporte
from politicas.models import Nivel
from tests import factories as f
from tests.factories import plan_de_dos_objetivos

pytestmark = pytest.mark.django_db


def codigos_en_anexo(html: str) -> list[str]:
    cuerpo = html.split('class="tabla anexo"', 1)[1]
    return re.findall(r'<td class="codigo"><a href="[^"]+">([^<]+)</a>', cuerpo)


def test_muestra_avance_trayectoria_brecha_y_conteo_de_bandas(client):
    plan = plan_de_dos_objetivos(2)
    respuesta = client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2024-1"})
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    # Each objective: 25 · min(150 %, 1)... sobre: PAA 3/20 = 15 %; bajo: 0,5/20 = 2,5 %; TID 10 %.
    # Objective avance = 25 · 15 % + 25 · 2,5 % = 4,375; trayectoria 25 · 10 % · 2 = 5; brecha −0,625.
    assert 'data-objetivo="1">−0,63 pp' in html
    assert 'data-banda="sobre_ejecucion">2<' in html
    assert 'data-banda="bajo">2<' in html
    assert "Cumplimiento bajo" in html and "▼" in html  # band named and iconed, not colour only
    assert "Valores ilustrativos" in html


def test_filtro_por_banda_lista_solo_esa_banda_y_queda_en_la_url(client):
    plan = plan_de_dos_objetivos(3)
    url = reverse("tablero", args=[plan.codigo])
    html = client.get(url, {"corte": "2024-1", "banda": "bajo"}).content.decode()
    assert sorted(codigos_en_anexo(html)) == ["1.1.2", "2.1.2"]
    # The sort links keep the active filter.
    assert "banda=bajo" in html.split('class="tabla anexo"', 1)[1].split("</thead>")[0]


def test_filtros_por_dependencia_nivel_tipo_y_enfoque(client):
    plan = plan_de_dos_objetivos(3)
    url = reverse("tablero", args=[plan.codigo])
    hacienda = plan.entidad.dependencias.get(nombre="Sector Hacienda")
    assert sorted(codigos_en_anexo(client.get(url, {"dependencia": hacienda.id}).content.decode())) == ["1.1.2", "2.1.2"]
    objetivo_2 = Nivel.objects.get(plan=plan, codigo="2")
    assert sorted(codigos_en_anexo(client.get(url, {"nivel": objetivo_2.id}).content.decode())) == ["2.1.1", "2.1.2", "2.1.3"]
    genero = Enfoque.objects.get(codigo="genero")
    assert len(codigos_en_anexo(client.get(url, {"enfoque": genero.id}).content.decode())) == 4
    assert codigos_en_anexo(client.get(url, {"tipo": "creciente"}).content.decode()) == []


def test_ordena_por_pahv_descendente_con_sin_informacion_al_final(client):
    plan = plan_de_dos_objetivos(2)
    sin_reporte = Indicador.objects.filter(plan=plan, codigo="2.1.2").get()
    sin_reporte.reportes.all().delete()
    html = client.get(reverse("tablero", args=[plan.codigo]), {"orden": "-pahv", "corte": "2024-1"}).content.decode()
    codigos = codigos_en_anexo(html)
    assert codigos[:2] == ["1.1.1", "2.1.1"] and codigos[-1] == "2.1.2"


def test_filtros_invalidos_se_ignoran(client):
    plan = plan_de_dos_objetivos(1)
    respuesta = client.get(reverse("tablero", args=[plan.codigo]), {"banda": "rosado", "nivel": "x", "orden": "drop"})
    assert respuesta.status_code == 200
    assert len(codigos_en_anexo(respuesta.content.decode())) == 2


@pytest.mark.parametrize("n", [2, 12])
def test_numero_fijo_de_consultas(client, django_assert_num_queries, django_assert_max_num_queries, n):
    plan = plan_de_dos_objetivos(n)
    usuario = f.usuario(grupos=("Funcionario",))
    client.force_login(usuario)
    url = reverse("tablero", args=[plan.codigo])
    # The first read of a cut also computes and stores the indicators' summaries (the engine's
    # fixed few extra queries); later reads use them.
    with django_assert_max_num_queries(14):
        assert client.get(url, {"corte": "2024-1"}).status_code == 200
    # Expect 10 queries: session, user, groups, plan, cuts with semester reports (one union),
    # results (published figures of a closed cut, levels, indicators), dependencias, enfoques.
    with django_assert_num_queries(10):
        respuesta = client.get(url, {"corte": "2024-1", "banda": "bajo"})
    assert respuesta.status_code == 200


@pytest.mark.parametrize("n", [2, 12])
@pytest.mark.parametrize("corte, n_cortes", [("2022-2", 2), ("2027-2", 12), ("2032-2", 20)])
def test_grafico_de_historia_es_svg_con_consultas_fijas(client, django_assert_num_queries, n, corte, n_cortes):
    plan = plan_de_dos_objetivos(n)
    Corte.objects.create(plan=plan, anio=2032, semestre=2)  # cuts up to 2032-2 can be read
    url = reverse("grafico_historia", args=[plan.codigo])
    # The first read stores the summaries of every cut: one more statement, whatever the count.
    with django_assert_num_queries(7):
        client.get(url, {"corte": corte})
    # Expect 6 queries (anonymous): plan, cuts, levels, stale summaries (none), the stored
    # summaries of every cut at once, the published figures of the closed ones: neither the
    # number of cuts nor the plan's size counts.
    with django_assert_num_queries(6):
        respuesta = client.get(url, {"corte": corte})
    assert respuesta["Content-Type"].startswith("image/svg+xml")
    svg = respuesta.content.decode()
    assert svg.startswith("<svg") and corte in svg and "Trayectoria ideal" in svg
    assert svg.count("<circle") == 2 * n_cortes  # avance and trayectoria at every cut
    # At most MAX_CORTES_HISTORIA (20), the latest: 2022-1 and 2022-2 drop out of 2022-1..2032-2.
    assert ("2022-1" in svg) == (n_cortes < 20)
    # A report changes: recomputed (that indicator only) in the same one statement.
    Reporte.objects.filter(indicador__plan=plan, indicador__codigo="1.1.1").update(valor=Decimal(1))
    with django_assert_num_queries(7):
        assert client.get(url, {"corte": corte}).status_code == 200


def test_grafico_de_historia_sigue_los_reportes(client):
    plan = plan_de_dos_objetivos(2)
    url = reverse("grafico_historia", args=[plan.codigo])
    antes = client.get(url, {"corte": "2024-1"}).content.decode()
    # Every report brought to 0,5 (bajo): the avance line drops from 2023 on.
    Reporte.objects.filter(indicador__plan=plan).update(valor=Decimal("0.5"))
    despues = client.get(url, {"corte": "2024-1"}).content.decode()
    assert antes != despues


def test_tabla_por_anio_de_un_decreciente_sin_linea_base_no_tiene_porcentaje(db):
    """The Cali year table says what PAV says: no baseline, no percentage (not a made-up one)."""
    from decimal import Decimal

    from reportes.paginas.indicador import avances_por_anio
    from seguimiento.metodologia.resultados import CorteRef
    from tests import factories

    plan = factories.plan(anio_inicio=2023, anio_fin=2026)
    indicador = factories.indicador(plan=plan, nivel=factories.nivel(plan=plan), tipo_anualizacion="decreciente")
    from indicadores.models import Reporte

    reportes = [Reporte(indicador=indicador, anio=2023, periodo=1, valor=Decimal("80"))]
    filas = avances_por_anio(indicador, {2023: Decimal("60")}, reportes, CorteRef(2023, 2))
    assert [(f.anio, f.avance, f.porcentaje) for f in filas] == [(2023, Decimal("80"), None)]
    indicador.linea_base = Decimal("100")
    filas = avances_por_anio(indicador, {2023: Decimal("60")}, reportes, CorteRef(2023, 2))
    assert filas[0].porcentaje == Decimal("50")
