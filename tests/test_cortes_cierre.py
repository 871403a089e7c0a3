"""Closing a cut with eyes open, in the admin: a confirmation page that lists per dependencia what
is still pending and says what closing does; only its POST closes (from the cut's page or the
list's bulk action) and stores the official figures; an administrator reopens or re-publishes a
closed cut only with a reason, which the cut's page shows."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicadores import services
from indicadores.models import Corte, Reporte
from indicadores.permisos import FUNCIONARIO, PLANEADOR, REVISOR
from reportes.admin_cortes import resumen_pendientes
from reportes.models import CifrasCorte
from reportes.selectors import plan_resultados_vivos
from seguimiento.metodologia.resultados import CorteRef
from tests import factories

pytestmark = pytest.mark.django_db

FECHA_HORA = re.compile(
    r"\d{1,2} de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre) "
    r"de \d{4} a las \d\d:\d\d"
)


def _reporte(indicador, estado: str, valor: str = "5", **campos) -> Reporte:
    return Reporte.objects.create(indicador=indicador, anio=2024, periodo=1, valor=Decimal(valor), estado=estado, **campos)


@pytest.fixture
def plan_con_reportes_en_cada_estado():
    """A plan with two dependencias and the cut 2024-2 open. Its annual indicators' 2024 reports:
    Salud: approved, none, draft, sent; Turismo: returned, approved, a correction of an approved
    value (draft, the approved 5 still official), sent."""
    salud = factories.dependencia(nombre="Salud")
    turismo = factories.dependencia(nombre="Turismo", entidad=salud.entidad)
    plan = factories.plan(entidad=salud.entidad, codigo="plan-cortes", nombre="Plan de cortes", anio_inicio=2023, anio_fin=2026)
    nivel = factories.nivel(plan=plan)

    def indicador(dependencia, codigo):
        return factories.indicador(plan=plan, nivel=nivel, dependencia=dependencia, codigo=codigo, metas={2024: "10"})

    _reporte(indicador(salud, "S-1"), "aprobado")
    indicador(salud, "S-2")
    _reporte(indicador(salud, "S-3"), "borrador")
    _reporte(indicador(salud, "S-4"), "enviado", "10")
    _reporte(indicador(turismo, "T-1"), "devuelto", comentario_revision="Sin soporte")
    _reporte(indicador(turismo, "T-2"), "aprobado")
    _reporte(indicador(turismo, "T-3"), "borrador", "9", valor_oficial=Decimal("5"))
    _reporte(indicador(turismo, "T-4"), "enviado")
    revisor = factories.usuario("revisora", grupos=(REVISOR,), is_staff=True, first_name="Rosa", last_name="Revisora")
    corte = services.corte_abrir(plan=plan, anio=2024, semestre=2, usuario=revisor)
    return {
        "plan": plan, "nivel": nivel, "corte": corte, "revisor": revisor, "salud": salud, "turismo": turismo,
        "planeador": factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True),
        "funcionario": factories.usuario("funcionario", grupos=(FUNCIONARIO,), is_staff=True),
        "admin": factories.usuario("administradora", is_staff=True, is_superuser=True),
    }


def _url(nombre: str, corte: Corte) -> str:
    return reverse(f"admin:indicadores_corte_{nombre}", args=[corte.pk])


def _mensajes(respuesta) -> list[str]:
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


def _cerrar(client, e) -> None:
    client.force_login(e["revisor"])
    client.post(_url("cerrar", e["corte"]))
    e["corte"].refresh_from_db()


# --- The confirmation page ----------------------------------------------------------------


def test_la_confirmacion_lista_lo_pendiente_por_dependencia(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    respuesta = client.get(_url("cerrar", e["corte"]))
    assert respuesta.status_code == 200
    seccion = respuesta.context["secciones"][0]
    conteos = {f["dependencia"].nombre: (dict(f["por_estado"]), f["aprobados"]) for f in seccion["filas"]}
    assert conteos == {
        "Salud": ({"sin reporte": 1, "borrador": 1, "enviado": 1, "devuelto": 0}, 1),
        "Turismo": ({"sin reporte": 0, "borrador": 1, "enviado": 1, "devuelto": 1}, 1),
    }
    pendientes = {p["codigo"]: p["estado"] for f in seccion["filas"] for p in f["pendientes"]}
    assert pendientes == {"S-2": "sin reporte", "S-3": "borrador", "S-4": "enviado", "T-1": "devuelto",
                          "T-3": "borrador", "T-4": "enviado"}
    html = respuesta.content.decode()
    assert (
        "De 8 indicadores, 6 tienen pendiente el reporte de este corte: 1 sin reporte, 2 en borrador, "
        "2 enviados sin aprobar y 1 devuelto; 2 están aprobados. Lo pendiente no cuenta en las cifras oficiales. "
        "Uno de los pendientes es la corrección de un valor ya aprobado: en las cifras cuenta el aprobado."
    ) in html
    assert "Cerrar el corte publica sus cifras como oficiales" in html
    assert "congela los reportes de los periodos terminados\n        al 31 de diciembre de 2024" in html
    assert "Plan de cortes · corte 2024-2 (31 de diciembre de 2024)" in html
    assert "T-3</a> · 2024 · borrador (corrección de un valor aprobado)" in html
    assert "(es)" not in html and "(s)" not in html


def test_la_confirmacion_muestra_las_cifras_que_se_publicaran(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    html = client.get(_url("cerrar", e["corte"])).content.decode()
    total = plan_resultados_vivos(plan=e["plan"], corte=CorteRef(2024, 2)).total
    assert total is not None
    assert total.avance == Decimal("18.75")  # S-1, T-2 and T-3's approved copy: 3 of 8 at 50 %
    assert "avance del plan <strong>18,75 %</strong>" in html and "brecha <strong>−81,25 pp</strong>" in html


def test_abrir_la_confirmacion_no_cierra_el_corte(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    client.get(_url("cerrar", e["corte"]))
    e["corte"].refresh_from_db()
    assert e["corte"].estado == Corte.Estado.ABIERTO
    assert not CifrasCorte.objects.exists()


def test_confirmar_cierra_y_guarda_las_cifras_oficiales(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    vivas = plan_resultados_vivos(plan=e["plan"], corte=CorteRef(2024, 2)).total
    respuesta = client.post(_url("cerrar", e["corte"]))
    assert respuesta.status_code == 302 and respuesta.url == _url("change", e["corte"])
    corte = Corte.objects.get(pk=e["corte"].pk)
    assert corte.estado == Corte.Estado.CERRADO and corte.cerrado_por == e["revisor"] and corte.cerrado_en
    cifras = CifrasCorte.objects.get(corte=corte, vigente=True)
    assert Decimal(cifras.totales["avance"]) == vivas.avance and cifras.congelado_por == e["revisor"]
    [mensaje] = _mensajes(respuesta)
    assert mensaje.startswith("Corte 2024-2 de plan-cortes cerrado el ")
    assert FECHA_HORA.search(mensaje)
    assert mensaje.endswith("quedaron publicadas como oficiales y los reportes de los periodos terminados al "
                            "31 de diciembre de 2024 quedaron congelados.")


def test_cerrar_sin_el_token_csrf_no_cierra(plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    navegador = Client(enforce_csrf_checks=True)
    navegador.force_login(e["revisor"])
    assert navegador.post(_url("cerrar", e["corte"])).status_code == 403
    e["corte"].refresh_from_db()
    assert e["corte"].estado == Corte.Estado.ABIERTO


def test_cerrar_congela_el_reporte_enviado_que_no_se_aprobo(client, plan_con_reportes_en_cada_estado):
    """What the page warns about: a sent report left unapproved cannot be approved after closing."""
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    enviado = Reporte.objects.get(indicador__codigo="S-4")
    with pytest.raises(services.ValidationError, match="2024-2 del plan está cerrado"):
        services.reporte_aprobar(reporte=enviado, usuario=e["revisor"])


def test_un_planeador_o_un_funcionario_no_puede_cerrar(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    for usuario in (e["planeador"], e["funcionario"]):
        client.force_login(usuario)
        assert client.get(_url("cerrar", e["corte"])).status_code == 403
        assert client.post(_url("cerrar", e["corte"])).status_code == 403
        # Nor through the list's bulk action, which they are not offered.
        lista = reverse("admin:indicadores_corte_changelist")
        assert 'value="cerrar"' not in client.get(lista).content.decode()
        client.post(lista, {"action": "cerrar", "_selected_action": [e["corte"].pk], "confirmado": "si"})
        # Nor by editing the cut's page.
        assert 'href="' + _url("cerrar", e["corte"]) not in client.get(_url("change", e["corte"])).content.decode()
    e["corte"].refresh_from_db()
    assert e["corte"].estado == Corte.Estado.ABIERTO and not CifrasCorte.objects.exists()


def test_la_accion_en_lote_pasa_por_la_misma_confirmacion(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    otro = services.corte_abrir(plan=e["plan"], anio=2024, semestre=1, usuario=e["revisor"])
    client.force_login(e["revisor"])
    lista = reverse("admin:indicadores_corte_changelist")
    seleccion = {"action": "cerrar", "_selected_action": [e["corte"].pk, otro.pk]}
    respuesta = client.post(lista, {**seleccion, "index": 0})
    assert respuesta.status_code == 200
    assert [t.name for t in respuesta.templates][0] == "admin/indicadores/corte/cerrar.html"
    assert [s["corte"].clave for s in respuesta.context["secciones"]] == ["2024-2", "2024-1"]
    assert 'value="Sí, cerrar los 2 cortes"' in respuesta.content.decode()
    assert not Corte.objects.filter(estado=Corte.Estado.CERRADO).exists()

    respuesta = client.post(lista, {**seleccion, "confirmado": "si"})
    assert respuesta.status_code == 302
    assert set(Corte.objects.values_list("estado", flat=True)) == {Corte.Estado.CERRADO}
    assert CifrasCorte.objects.filter(vigente=True).count() == 2
    assert sorted(m[:26] for m in _mensajes(respuesta)) == ["Corte 2024-1 de plan-corte", "Corte 2024-2 de plan-corte"]


def test_la_accion_en_lote_no_vuelve_a_cerrar_un_corte_cerrado(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    lista = reverse("admin:indicadores_corte_changelist")
    respuesta = client.post(lista, {"action": "cerrar", "_selected_action": [e["corte"].pk], "index": 0})
    html = respuesta.content.decode()
    assert "Ya está cerrado y no se toca" in html and 'type="submit"' not in html.split('id="content-main"')[1]
    assert CifrasCorte.objects.count() == 1


def test_la_pagina_de_cumplimiento_lleva_a_la_confirmacion(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    html = client.get(reverse("cumplimiento_corte", args=[e["corte"].pk])).content.decode()
    assert f'href="{_url("cerrar", e["corte"])}">Cerrar el corte 2024-2…</a>' in html


def test_consultas_fijas_en_la_confirmacion(client, plan_con_reportes_en_cada_estado, django_assert_max_num_queries):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    url = _url("cerrar", e["corte"])
    with CaptureQueriesContext(connection) as pequeno:
        assert client.get(url).status_code == 200
    for i in range(15):
        dependencia = factories.dependencia(entidad=e["salud"].entidad, nombre=f"Dependencia {i:02}")
        factories.usuario(grupos=(PLANEADOR,), dependencias=[dependencia], email=f"p{i}@example.org")
        for j, estado in enumerate(("aprobado", "borrador", "enviado", "devuelto", None)):
            indicador = factories.indicador(plan=e["plan"], nivel=e["nivel"], dependencia=dependencia,
                                            codigo=f"X-{i}-{j}", metas={2024: "4"})
            if estado:
                _reporte(indicador, estado)
    with django_assert_max_num_queries(len(pequeno)):
        respuesta = client.get(url)
    assert respuesta.context["secciones"][0]["indicadores"] == 8 + 15 * 5


# --- The cut's page -----------------------------------------------------------------------


def test_la_pagina_del_corte_abierto_enlaza_el_cierre_para_la_oficina_de_planeacion(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["revisor"])
    html = client.get(_url("change", e["corte"])).content.decode()
    assert f'<a href="{_url("cerrar", e["corte"])}">Cerrar corte</a>' in html
    assert 'name="fecha_limite"' in html
    assert "Corte abierto: sus cifras se calculan en vivo" in html
    assert _url("reabrir", e["corte"]) not in html


def test_la_pagina_del_corte_cerrado_dice_quien_y_cuando_y_es_de_solo_lectura(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    respuesta = client.get(_url("change", e["corte"]))
    html = respuesta.content.decode()
    assert 'name="fecha_limite"' not in html and 'name="_save"' not in html
    assert '<div class="readonly">Cerrado</div>' in html
    assert '<div class="readonly">Rosa Revisora</div>' in html
    assert FECHA_HORA.search(html)
    assert "Versiones publicadas de las cifras oficiales" in html and "Cierre del corte" in html
    # Only an administrator is offered reopening and correcting.
    assert _url("reabrir", e["corte"]) not in html and _url("cerrar", e["corte"]) not in html
    # A POST of the form anyway (an old tab) changes nothing.
    assert client.post(_url("change", e["corte"]), {"fecha_limite": "21/11/2026"}).status_code == 403
    e["corte"].refresh_from_db()
    assert e["corte"].fecha_limite is None
    client.force_login(e["admin"])
    html = client.get(_url("change", e["corte"])).content.decode()
    assert f'<a href="{_url("reabrir", e["corte"])}">Reabrir corte</a>' in html
    assert f'<a href="{_url("corregir", e["corte"])}">Corregir cifras oficiales</a>' in html
    assert 'name="fecha_limite"' not in html


def test_la_lista_de_cortes_con_fechas_colombianas(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    Corte.objects.filter(pk=e["corte"].pk).update(fecha_limite="2026-11-21")
    _cerrar(client, e)
    html = client.get(reverse("admin:indicadores_corte_changelist")).content.decode()
    assert "21/11/2026" in html and "Rosa Revisora" in html and FECHA_HORA.search(html)


def test_un_corte_cerrado_no_se_borra(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    client.force_login(e["admin"])
    assert client.post(reverse("admin:indicadores_corte_delete", args=[e["corte"].pk]), {"post": "yes"}).status_code == 403
    assert Corte.objects.filter(pk=e["corte"].pk).exists() and CifrasCorte.objects.exists()


# --- Reopening and correcting -------------------------------------------------------------


def test_reabrir_exige_administrador_y_motivo(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    url = _url("reabrir", e["corte"])
    assert client.get(url).status_code == 403  # the planning office does not reopen
    assert client.post(url, {"motivo": "Quiero reabrir"}).status_code == 403
    client.force_login(e["admin"])
    pagina = client.get(url)
    assert pagina.status_code == 200 and "Reabrir el corte retira sus cifras oficiales" in pagina.content.decode()
    sin_motivo = client.post(url, {"motivo": "   "})
    assert sin_motivo.status_code == 200 and "Escriba el motivo" in sin_motivo.content.decode()
    e["corte"].refresh_from_db()
    assert e["corte"].cerrado

    respuesta = client.post(url, {"motivo": "La Secretaría de Salud entregó tarde el acta del indicador S-2."})
    assert respuesta.status_code == 302
    corte = Corte.objects.get(pk=e["corte"].pk)
    assert corte.estado == Corte.Estado.ABIERTO and corte.cerrado_en is None
    assert corte.motivo_correccion == "La Secretaría de Salud entregó tarde el acta del indicador S-2."
    assert not CifrasCorte.objects.filter(vigente=True).exists() and CifrasCorte.objects.count() == 1
    assert "reabierto" in _mensajes(respuesta)[0]
    html = client.get(_url("change", corte)).content.decode()
    assert "La Secretaría de Salud entregó tarde el acta del indicador S-2." in html
    assert "Ya no vigentes" in html
    # The reason is in the cut's audit trail too.
    assert corte.history.filter(history_change_reason__startswith="La Secretaría de Salud").exists()


def test_corregir_publica_de_nuevo_las_cifras_con_su_motivo(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    _cerrar(client, e)
    anteriores = CifrasCorte.objects.get(vigente=True)
    # An administrator approves the frozen sent report, saying why; the published figures stay.
    enviado = Reporte.objects.get(indicador__codigo="S-4")
    services.reporte_aprobar(reporte=enviado, usuario=e["admin"], motivo="Aprobado tarde por error de la oficina")
    assert CifrasCorte.objects.get(vigente=True).pk == anteriores.pk

    url = _url("corregir", e["corte"])
    assert client.get(url).status_code == 403  # the planning office does not correct
    client.force_login(e["admin"])
    pagina = client.get(url).content.decode()
    assert "Cifras oficiales publicadas: avance del plan" in pagina and "Con los valores aprobados de hoy" in pagina
    assert client.post(url, {"motivo": ""}).status_code == 200
    assert CifrasCorte.objects.get(vigente=True).pk == anteriores.pk

    respuesta = client.post(url, {"motivo": "S-4 se aprobó después del cierre."})
    assert respuesta.status_code == 302
    nuevas = CifrasCorte.objects.get(vigente=True)
    assert nuevas.pk != anteriores.pk and nuevas.motivo == "S-4 se aprobó después del cierre."
    assert Decimal(nuevas.totales["avance"]) > Decimal(anteriores.totales["avance"])
    assert CifrasCorte.objects.filter(pk=anteriores.pk, vigente=False).exists()
    corte = Corte.objects.get(pk=e["corte"].pk)
    assert corte.cerrado and corte.motivo_correccion == "S-4 se aprobó después del cierre." and corte.corregido_en
    [mensaje] = _mensajes(respuesta)
    assert mensaje.startswith("Cifras oficiales del corte 2024-2 de plan-cortes publicadas de nuevo el ")
    html = client.get(_url("change", corte)).content.decode()
    assert html.count("S-4 se aprobó después del cierre.") >= 2  # the cut's field and the versions table
    assert "Reemplazadas" not in html and "Ya no vigentes" in html and "Vigentes" in html


def test_reabrir_o_corregir_un_corte_abierto_no_hace_nada(client, plan_con_reportes_en_cada_estado):
    e = plan_con_reportes_en_cada_estado
    client.force_login(e["admin"])
    for nombre in ("reabrir", "corregir"):
        respuesta = client.post(_url(nombre, e["corte"]), {"motivo": "Por si acaso"})
        assert respuesta.status_code == 302
        assert "está abierto" in _mensajes(respuesta)[-1]
    e["corte"].refresh_from_db()
    assert not e["corte"].cerrado and not e["corte"].motivo_correccion


# --- Wording ------------------------------------------------------------------------------


def test_el_resumen_de_pendientes_con_plurales_correctos():
    uno = {"indicadores": 1, "pendientes": 1, "aprobados": 0, "correcciones": 0,
           "por_estado": [("sin reporte", 0), ("borrador", 0), ("enviado", 1), ("devuelto", 0)]}
    assert resumen_pendientes(uno) == (
        "De 1 indicador, 1 tiene pendiente el reporte de este corte: 1 enviado sin aprobar; ninguno está aprobado. "
        "Lo pendiente no cuenta en las cifras oficiales."
    )
    varios = {"indicadores": 5, "pendientes": 3, "aprobados": 2, "correcciones": 2,
              "por_estado": [("sin reporte", 2), ("borrador", 0), ("enviado", 0), ("devuelto", 1)]}
    assert resumen_pendientes(varios) == (
        "De 5 indicadores, 3 tienen pendiente el reporte de este corte: 2 sin reporte y 1 devuelto; "
        "2 están aprobados. Lo pendiente no cuenta en las cifras oficiales. 2 de los pendientes son correcciones "
        "de valores ya aprobados: en las cifras cuentan los aprobados."
    )
    al_dia = {**varios, "pendientes": 0, "aprobados": 5, "correcciones": 0}
    assert resumen_pendientes(al_dia) == (
        "De 5 indicadores, todos tienen aprobado el reporte de este corte: no queda nada pendiente."
    )
