"""The export door of the dashboard and the admin: /excel/exportar/<plan>/."""

import io
import openpyxl
import pytest
from django.urls import reverse

from tests import factories


def _libro(respuesta) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(respuesta.streaming_content)))


def test_auditor_descarga_el_libro_filtrado(client, plan_pequeno):
    client.force_login(factories.usuario(grupos=("Auditor",)))
    respuesta = client.get(reverse("exportar_plan", args=["bogota-mini"]), {"corte": "2024-1", "banda": "bajo"})
    assert respuesta.status_code == 200
    assert respuesta["Content-Disposition"].endswith('filename="seguimiento-bogota-mini-2024-1.xlsx"')
    libro = _libro(respuesta)
    ws = libro["Indicadores"]
    columna = [c.value for c in ws[1]].index("Código") + 1
    codigos = [fila[0].value for fila in ws.iter_rows(min_row=2, min_col=columna, max_col=columna)]
    assert codigos == ["3.1.1", "3.1.3"]
    acerca = {f[0].value: f[1].value for f in libro["Acerca de"].iter_rows()}
    assert acerca["Corte"].startswith("2024-1") and "Cumplimiento bajo" in acerca["Filtros"]


def test_plan_no_publicado_pide_ingresar_a_los_visitantes_anonimos(client, plan_pequeno):
    respuesta = client.get(reverse("exportar_plan", args=["bogota-mini"]))
    assert respuesta.status_code == 302 and "/cuentas/ingresar/" in respuesta["Location"]


def test_plan_publicado_se_exporta_sin_ingresar(client, plan_pequeno):
    plan_pequeno.publicado = True
    plan_pequeno.save()
    respuesta = client.get(reverse("exportar_plan", args=["bogota-mini"]), {"corte": "2024-1"})
    assert respuesta.status_code == 200
    assert _libro(respuesta)["Acerca de"]["B5"].value == "Visitante anónimo"


def test_un_plan_que_el_usuario_no_puede_ver_no_se_encuentra(client, plan_pequeno):
    client.force_login(factories.usuario(grupos=("Planeador",)))
    assert client.get(reverse("exportar_plan", args=["bogota-mini"])).status_code == 404


@pytest.mark.parametrize("productos", [3, 60])
def test_la_exportacion_hace_un_numero_fijo_de_consultas(
    client, plan_pequeno, productos, django_assert_max_num_queries
):
    nivel = plan_pequeno.niveles.get(codigo="3")
    dep = plan_pequeno.indicadores.first().dependencia
    for i in range(productos):
        factories.indicador(
            plan=plan_pequeno, nivel=nivel, codigo=f"8.{i}", dependencia=dep, metas={2024: "4"}, reportes={2024: "1"}
        )
    auditor = factories.usuario(grupos=("Auditor",))
    client.force_login(auditor)
    # Expect at most 13 queries: session, user, groups, plan, cuts (default cut), engine (the closed cut's
    # stored figures, levels, indicators), export (levels, indicators, targets, enfoques, reports streamed
    # once for the Reportes sheet and A[y])
    with django_assert_max_num_queries(13):
        respuesta = client.get(reverse("exportar_plan", args=["bogota-mini"]), {"corte": "2024-1"})
        libro = _libro(respuesta)
    assert libro["Indicadores"].max_row == 1 + 3 + productos
    assert libro["Niveles"]["I3"].value is not None  # objective 3's gap


def test_las_plantillas_se_descargan(client, plan_pequeno):
    planeador = factories.usuario(grupos=("Planeador",), dependencias=[plan_pequeno.indicadores.first().dependencia])
    client.force_login(planeador)
    plantilla = client.get(reverse("excel_plantilla_plan"), {"anio_inicio": "2024", "anio_fin": "2027"})
    assert plantilla.status_code == 200
    assert "Meta 2027" in [c.value for c in _libro(plantilla)["Indicadores"][1]]
    avance = client.get(reverse("excel_plantilla_avance", args=["bogota-mini"]), {"corte": "2024-1"})
    assert avance.status_code == 200
    assert _libro(avance)["Reportes"].max_row == 4
    assert client.get(reverse("excel_plantilla_plan"), {"anio_inicio": "dos mil"}).status_code == 400
