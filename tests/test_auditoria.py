"""The audit trail: each kind of change recorded with who, when, before/after and reason;
read per indicator, filtered, and exported to Excel by auditors."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicadores import auditoria, services
from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def indicador_de_salud(django_user_model):
    dep = factories.dependencia(nombre="Salud")
    plan = factories.plan(codigo="conpes-29", entidad=dep.entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 2)
    nivel = factories.nivel(plan=plan, codigo="1", peso=Decimal("15"))
    indicador = factories.indicador(plan=plan, nivel=nivel, dependencia=dep, codigo="1.1.5", tipo_anualizacion="suma",
                                    periodicidad="semestral")
    return {
        "plan": plan, "nivel": nivel, "indicador": indicador,
        "planeador": factories.usuario("ana", grupos=(PLANEADOR,), dependencias=[dep], is_staff=True),
        "auditor": factories.usuario("auditor", grupos=(AUDITOR,), is_staff=True),
        "admin": django_user_model.objects.create_superuser("admin", "a@example.com", "clave-de-prueba-123"),
    }


def _de(registros, objeto, accion=None):
    return [r for r in registros if r.objeto == objeto and (accion is None or r.accion == accion)]


def test_cada_tipo_de_cambio_queda_registrado(client, indicador_de_salud):
    # A planner edits the indicator page: indicator, a target and a report, through the admin.
    client.force_login(indicador_de_salud["planeador"])
    url = reverse("admin:indicadores_indicador_change", args=[indicador_de_salud["indicador"].pk])
    datos = datos_formulario(client.get(url))
    datos.update({"nombre": "Sedes con conectividad", "metas-0-anio": str(ANIO), "metas-0-valor": "2",
                  "reportes-0-anio": str(ANIO), "reportes-0-periodo": "1", "reportes-0-valor": "3"})
    assert client.post(url, datos).status_code == 302
    datos = datos_formulario(client.get(url))
    datos["reportes-0-valor"] = "4"
    client.post(url, datos)
    # An administrator changes the plan and a level's weight.
    client.force_login(indicador_de_salud["admin"])
    url_nivel = reverse("admin:politicas_nivel_change", args=[indicador_de_salud["nivel"].pk])
    datos = datos_formulario(client.get(url_nivel))
    datos["peso"] = "20"
    assert client.post(url_nivel, datos).status_code == 302
    url_plan = reverse("admin:politicas_plan_change", args=[indicador_de_salud["plan"].pk])
    datos = datos_formulario(client.get(url_plan))
    datos["publicado"] = "on"
    assert client.post(url_plan, datos).status_code == 302

    registros = auditoria.registros(plan=indicador_de_salud["plan"])
    indicador = _de(registros, "indicador", "modificación")[0]
    assert indicador.usuario == "ana" and "nombre: Indicador de prueba → Sedes con conectividad" in indicador.cambios
    meta = _de(registros, "meta", "creación")[0]
    assert meta.identificacion == f"1.1.5 · vigencia {ANIO}" and "meta: 2" in meta.cambios
    reporte = _de(registros, "reporte", "modificación")[0]
    assert reporte.usuario == "ana" and "avance: 3 → 4" in reporte.cambios and "versión: 1 → 2" in reporte.cambios
    nivel = _de(registros, "nivel", "modificación")[0]
    assert nivel.usuario == "admin" and "ponderación: 15 → 20" in nivel.cambios
    plan = _de(registros, "plan", "modificación")[0]
    assert "publicado: No → Sí" in plan.cambios
    assert all(r.plan == "conpes-29" for r in registros)


def test_motivo_exigido_queda_en_el_registro(indicador_de_salud):
    reporte = services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(3),
        usuario=indicador_de_salud["planeador"],
    )
    revisor = factories.usuario(grupos=(REVISOR,))
    corte = services.corte_abrir(plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=revisor)
    services.corte_cerrar(corte=corte, usuario=revisor)
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(5),
        usuario=indicador_de_salud["admin"], version_esperada=reporte.version, motivo="Oficio 45 de la Secretaría",
    )
    ultimo = _de(auditoria.registros(indicador=indicador_de_salud["indicador"]), "reporte")[0]
    assert (ultimo.usuario, ultimo.motivo) == ("admin", "Oficio 45 de la Secretaría")
    assert "avance: 3 → 5" in ultimo.cambios
    cortes = _de(auditoria.registros(plan=indicador_de_salud["plan"]), "corte", "modificación")
    assert any("estado: Abierto → Cerrado" in c.cambios for c in cortes)
    assert reporte.pk


def test_filtros_por_plan_usuario_y_fechas(indicador_de_salud):
    otro_plan = factories.plan(codigo="cali-2016")
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(3),
        usuario=indicador_de_salud["planeador"],
    )
    factories.indicador(plan=otro_plan)
    assert {r.plan for r in auditoria.registros(plan=otro_plan)} == {"cali-2016"}
    del_usuario = auditoria.registros(usuario_id=indicador_de_salud["planeador"].pk)
    assert del_usuario and {r.usuario for r in del_usuario} == {"ana"}
    hoy = timezone.localdate()
    assert auditoria.registros(plan=indicador_de_salud["plan"], desde=hoy, hasta=hoy)
    assert not auditoria.registros(plan=indicador_de_salud["plan"], hasta=hoy - datetime.timedelta(days=1))
    assert not auditoria.registros(plan=indicador_de_salud["plan"], desde=hoy + datetime.timedelta(days=1))


def test_pagina_por_indicador_solo_para_auditores(client, indicador_de_salud):
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(3),
        usuario=indicador_de_salud["planeador"],
    )
    url = reverse("auditoria_indicador", args=[indicador_de_salud["indicador"].pk])
    client.force_login(indicador_de_salud["auditor"])
    pagina = client.get(url)
    html = pagina.content.decode()
    assert pagina.status_code == 200 and f"1.1.5 · {ANIO} · semestre 1" in html and f"{ANIO}-1" not in html
    for usuario in (indicador_de_salud["planeador"], factories.usuario(grupos=(FUNCIONARIO,))):
        client.force_login(usuario)
        assert client.get(url).status_code == 403
        assert client.get(reverse("auditoria_excel")).status_code == 403


def test_exportar_a_excel_filtrado(client, indicador_de_salud):
    services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=1, valor=Decimal(3),
        usuario=indicador_de_salud["planeador"],
    )
    client.force_login(indicador_de_salud["auditor"])
    respuesta = client.get(
        reverse("auditoria_excel"),
        {"plan": indicador_de_salud["plan"].pk, "usuario": indicador_de_salud["planeador"].pk},
    )
    assert respuesta["Content-Type"].startswith("application/vnd.openxmlformats")
    hoja = load_workbook(io.BytesIO(respuesta.content)).active
    filas = list(hoja.iter_rows(values_only=True))
    assert list(filas[0]) == auditoria.ENCABEZADOS
    assert len(filas) == 2
    assert filas[1][1:6] == ("ana", "creación", "reporte", "conpes-29", f"1.1.5 · {ANIO} · semestre 1")
    assert isinstance(filas[1][0], datetime.datetime)


def _consultas_exportar(client) -> int:
    with CaptureQueriesContext(connection) as consultas:
        assert client.get(reverse("auditoria_excel")).status_code == 200
    return len(consultas)


def test_exportar_con_numero_fijo_de_consultas(client, indicador_de_salud):
    client.force_login(indicador_de_salud["auditor"])

    def cambios(n):
        for i in range(n):
            ind = factories.indicador(
                plan=indicador_de_salud["plan"], nivel=indicador_de_salud["nivel"],
                dependencia=indicador_de_salud["indicador"].dependencia, metas={ANIO: "2"},
            )
            services.reporte_registrar(
                indicador=ind, anio=ANIO, periodo=1, valor=Decimal(i), usuario=indicador_de_salud["planeador"]
            )

    cambios(3)
    pocos = _consultas_exportar(client)
    cambios(30)
    assert _consultas_exportar(client) == pocos
    with CaptureQueriesContext(connection) as consultas:
        client.get(reverse("auditoria"))
    lista = len(consultas)
    cambios(10)
    with CaptureQueriesContext(connection) as consultas:
        client.get(reverse("auditoria"))
    assert len(consultas) == lista


def test_una_meta_corregida_por_importacion_queda_en_el_registro(plan_pequeno, indicador_de_salud):
    """The Excel import writes the audit trail as the admin does: who, what and why."""
    from reportes.excel.exportar import exportar_plan
    from reportes.excel.importar import importar_libro
    from seguimiento.metodologia.resultados import CorteRef

    salida = io.BytesIO()
    exportar_plan(salida, plan=plan_pequeno, corte=CorteRef.parse("2024-1"), usuario=indicador_de_salud["admin"])
    libro = load_workbook(io.BytesIO(salida.getvalue()))
    ws = libro["Indicadores"]
    titulos = [c.value for c in ws[1]]
    fila = next(f for f in ws.iter_rows(min_row=2) if f[titulos.index("Código")].value == "3.1.1")
    fila[titulos.index("Meta 2023")].value = "0,9"
    archivo = io.BytesIO()
    libro.save(archivo)
    archivo.seek(0)

    resultado = importar_libro(
        archivo, usuario=indicador_de_salud["admin"], confirmar=True, motivo="Fe de erratas del CONPES"
    )

    assert resultado.errores == []
    indicador = plan_pequeno.indicadores.get(codigo="3.1.1")
    meta = _de(auditoria.registros(indicador=indicador), "meta", "modificación")[0]
    assert (meta.usuario, meta.motivo) == ("admin", "Fe de erratas del CONPES")
    assert meta.identificacion == "3.1.1 · vigencia 2023" and "meta: 0,8 → 0,9" in meta.cambios
