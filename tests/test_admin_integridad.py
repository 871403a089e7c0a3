"""Nobody's work is silently lost or changed in the admin: an untouched save from a browser changes
nothing; two writers on the indicator page, the report page or the review page: the second is told
what changed; bulk actions say per report what failed, in Spanish; periods read by their name; the
review queue filters by band in a fixed number of queries."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicadores import formularios as admin_indicadores
from indicadores import services
from indicadores.formularios import ReporteInlineForm
from indicadores.models import Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db
D = Decimal
OBSERVACIONES = "Se hicieron tres talleres.\n\nAsistieron 40 personas de cuatro localidades."


@pytest.fixture
def reporte_aprobado_de_junio():
    """A semestral suma indicator (target 10 in 2024: 5 due at June) with an approved June report
    whose observaciones have several lines; two planners of its dependencia and two reviewers."""
    dep = factories.dependencia(nombre="Salud")
    plan = factories.plan(entidad=dep.entidad, anio_inicio=2023, anio_fin=2030)
    nivel = factories.nivel(plan=plan, peso=D(100))
    indicador = factories.indicador(
        plan=plan, nivel=nivel, dependencia=dep, codigo="1.1.5", tipo_anualizacion="suma", periodicidad="semestral",
        metas={2024: "10", 2025: "10"}, meta_final=D("20"), reportes={(2024, 1): "4"},
    )
    Reporte.objects.filter(indicador=indicador).update(observaciones=OBSERVACIONES)
    return {
        "plan": plan,
        "dep": dep,
        "indicador": indicador,
        "reporte": Reporte.objects.get(indicador=indicador),
        "planeador": factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[dep], is_staff=True),
        "colega": factories.usuario("colega", grupos=(PLANEADOR,), dependencias=[dep], is_staff=True),
        "revisora": factories.usuario("revisora", grupos=(REVISOR,), is_staff=True),
        "revisor2": factories.usuario("revisor2", grupos=(REVISOR,), is_staff=True),
    }


def _pagina_indicador(indicador) -> str:
    return reverse("admin:indicadores_indicador_change", args=[indicador.pk])


def _pagina_reporte(reporte) -> str:
    return reverse("admin:indicadores_reporte_change", args=[reporte.pk])


def _como_navegador(datos: dict) -> dict:
    """A browser sends a textarea's line breaks as CRLF."""
    return {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in datos.items()}


def _mensajes(respuesta) -> list[str]:
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


def _leer(client, usuario, url) -> dict:
    client.force_login(usuario)
    return datos_formulario(client.get(url))


def _fila(datos: dict, reporte: Reporte) -> str:
    """The inline prefix («reportes-0») of `reporte`'s row in the indicator page's data."""
    return next(k[: -len("-id")] for k, v in datos.items() if k.startswith("reportes-") and k.endswith("-id")
                and str(v) == str(reporte.pk))


# --- No phantom changes -------------------------------------------------------------------


def test_formulario_de_la_fila_no_ve_cambio_en_saltos_de_linea_crlf(reporte_aprobado_de_junio):
    reporte = reporte_aprobado_de_junio["reporte"]
    datos = {"anio": "2024", "periodo": "1", "valor": "4", "version_cargada": str(reporte.version),
             "observaciones": OBSERVACIONES.replace("\n", "\r\n") + "  ", "plan_de_choque": ""}
    formulario = ReporteInlineForm(data=datos, instance=reporte)
    assert formulario.is_valid(), formulario.errors
    assert not formulario.has_changed()
    assert formulario.cleaned_data["observaciones"] == OBSERVACIONES


def test_guardar_sin_cambios_la_pagina_del_indicador_no_desaprueba(client, reporte_aprobado_de_junio):
    reporte = reporte_aprobado_de_junio["reporte"]
    historial = reporte.history.count(), reporte_aprobado_de_junio["indicador"].history.count()
    datos = _como_navegador(
        _leer(client, reporte_aprobado_de_junio["planeador"], _pagina_indicador(reporte_aprobado_de_junio["indicador"]))
    )
    respuesta = client.post(_pagina_indicador(reporte_aprobado_de_junio["indicador"]), {**datos, "_continue": "1"})
    assert respuesta.status_code == 302
    despues = Reporte.objects.get(pk=reporte.pk)
    assert (despues.estado, despues.version, despues.observaciones) == (Reporte.Estado.APROBADO, 1, OBSERVACIONES)
    assert (reporte.history.count(), reporte_aprobado_de_junio["indicador"].history.count()) == historial


def test_guardar_sin_cambios_la_pagina_del_reporte_no_desaprueba(client, reporte_aprobado_de_junio):
    reporte = reporte_aprobado_de_junio["reporte"]
    datos = _como_navegador(_leer(client, reporte_aprobado_de_junio["planeador"], _pagina_reporte(reporte)))
    datos.update({"evidencias-TOTAL_FORMS": "0", "evidencias-INITIAL_FORMS": "0"})
    respuesta = client.post(_pagina_reporte(reporte), datos)
    assert respuesta.status_code == 302, respuesta.context["errors"] if respuesta.context else ""
    despues = Reporte.objects.get(pk=reporte.pk)
    assert (despues.estado, despues.version) == (Reporte.Estado.APROBADO, 1)
    assert reporte.history.count() == 1


def test_demo_bogota_guardar_sin_cambios_3_1_1_conserva_la_cifra_publica(client, datos_demo):
    reporte = Reporte.objects.select_related("indicador").get(
        indicador__plan__codigo="bogota-conpes-29", indicador__codigo="3.1.1", anio=2024
    )
    assert "\n" in reporte.observaciones and reporte.estado == Reporte.Estado.APROBADO
    historial = reporte.history.count()
    planeador = get_user_model().objects.get(username="planeador")
    datos = _como_navegador(_leer(client, planeador, _pagina_indicador(reporte.indicador)))
    assert client.post(_pagina_indicador(reporte.indicador), {**datos, "_continue": "1"}).status_code == 302
    despues = Reporte.objects.get(pk=reporte.pk)
    assert (despues.estado, despues.version) == (Reporte.Estado.APROBADO, reporte.version)
    assert reporte.history.count() == historial
    client.logout()
    assert "43,92 %" in client.get(reverse("tablero", args=["bogota-conpes-29"])).content.decode()


# --- The indicator page's inline reports --------------------------------------------------


def test_la_fila_lleva_oculta_la_version_que_se_abrio_sin_columna_propia(client, reporte_aprobado_de_junio):
    client.force_login(reporte_aprobado_de_junio["planeador"])
    html = client.get(_pagina_indicador(reporte_aprobado_de_junio["indicador"])).content.decode()
    assert (
        f'<input type="hidden" name="reportes-0-version_cargada" value="{reporte_aprobado_de_junio["reporte"].version}"'
        in html
    )
    grupo = html[html.index('id="reportes-group"'):]
    assert "column-version_cargada" not in grupo[: grupo.index("</thead>")]
    # The period of a written report is fixed: its year and period are not inputs any more.
    assert re.search(r'<input[^>]*name="reportes-0-anio"[^>]*disabled', html)
    assert re.search(r'<input[^>]*name="reportes-1-anio"[^>]*>', html).group(0).count("disabled") == 0  # a new row


def test_dos_planeadores_en_la_misma_pagina_el_segundo_ve_lo_que_cambio(client, reporte_aprobado_de_junio):
    url = _pagina_indicador(reporte_aprobado_de_junio["indicador"])
    mio = _leer(client, reporte_aprobado_de_junio["planeador"], url)
    del_colega = _leer(client, reporte_aprobado_de_junio["colega"], url)
    fila = _fila(del_colega, reporte_aprobado_de_junio["reporte"])
    del_colega.update({f"{fila}-valor": "4,5", f"{fila}-observaciones": "Cifra del acta 12."})
    assert client.post(url, del_colega).status_code == 302
    client.force_login(reporte_aprobado_de_junio["planeador"])
    mio[f"{fila}-valor"] = "3"
    respuesta = client.post(url, mio)
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Otra persona guardó este reporte" in html
    assert "avance: «4» → «4,5»" in html and "Cifra del acta 12." in html and "(por colega)" in html
    assert Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk).valor == D("4.5")


def test_fila_nueva_de_un_periodo_que_otro_ya_registro_se_rechaza(client, reporte_aprobado_de_junio):
    url = _pagina_indicador(reporte_aprobado_de_junio["indicador"])
    mio = _leer(client, reporte_aprobado_de_junio["planeador"], url)
    del_colega = _leer(client, reporte_aprobado_de_junio["colega"], url)
    nueva = {"anio": "2024", "periodo": "2", "valor": "6"}
    del_colega.update({f"reportes-1-{k}": v for k, v in nueva.items()})
    assert client.post(url, del_colega).status_code == 302
    client.force_login(reporte_aprobado_de_junio["planeador"])
    mio.update({f"reportes-1-{k}": v for k, v in {**nueva, "valor": "7"}.items()})
    respuesta = client.post(url, mio)
    assert respuesta.status_code == 200
    assert "Ya existe el reporte 1.1.5 2024 · semestre 2" in respuesta.content.decode()
    assert Reporte.objects.get(indicador=reporte_aprobado_de_junio["indicador"], periodo=2).valor == D("6")


def test_fila_sin_version_no_se_guarda_a_ciegas(client, reporte_aprobado_de_junio):
    url = _pagina_indicador(reporte_aprobado_de_junio["indicador"])
    datos = _leer(client, reporte_aprobado_de_junio["planeador"], url)
    fila = _fila(datos, reporte_aprobado_de_junio["reporte"])
    del datos[f"{fila}-version_cargada"]
    datos[f"{fila}-valor"] = "3"
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 200
    assert "no traía la versión del reporte" in respuesta.content.decode()
    assert Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk).valor == D("4")


def test_si_otro_guarda_entre_la_validacion_y_el_guardado_no_se_guarda_nada(
    client, reporte_aprobado_de_junio, monkeypatch
):
    """The service re-checks the version under its lock: a write that slipped past the page's
    checks is refused, the whole page rolls back and the planner reads why."""
    url = _pagina_indicador(reporte_aprobado_de_junio["indicador"])
    datos = _leer(client, reporte_aprobado_de_junio["planeador"], url)
    fila = _fila(datos, reporte_aprobado_de_junio["reporte"])
    services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2024, periodo=1, valor=D("5"),
        usuario=reporte_aprobado_de_junio["colega"], version_esperada=1,
    )
    monkeypatch.setattr(admin_indicadores, "_verificar_version", lambda *args, **kwargs: None)
    datos.update({f"{fila}-valor": "3", "nombre": "Nombre cambiado"})
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 302
    assert any(m.startswith("No se guardó nada. Otra persona guardó este reporte") and "(por colega)" in m
               for m in _mensajes(respuesta))
    assert Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk).valor == D("5")
    reporte_aprobado_de_junio["indicador"].refresh_from_db()
    assert reporte_aprobado_de_junio["indicador"].nombre != "Nombre cambiado"


def test_corregir_un_aprobado_en_la_pagina_lo_deja_oficial_y_lo_dice(client, reporte_aprobado_de_junio):
    url = _pagina_indicador(reporte_aprobado_de_junio["indicador"])
    datos = _leer(client, reporte_aprobado_de_junio["planeador"], url)
    datos[f"{_fila(datos, reporte_aprobado_de_junio['reporte'])}-valor"] = "4,5"
    assert client.post(url, datos).status_code == 302
    reporte = Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk)
    assert (reporte.estado, reporte.valor, reporte.valor_publicado) == (Reporte.Estado.BORRADOR, D("4.5"), D("4"))
    html = client.get(url).content.decode()
    assert "Corrige el aprobado (4), que sigue siendo el oficial." in html


# --- The report page ----------------------------------------------------------------------


def test_dos_planeadores_en_la_pagina_del_reporte_el_segundo_ve_lo_que_cambio(client, reporte_aprobado_de_junio):
    url = _pagina_reporte(reporte_aprobado_de_junio["reporte"])
    extra = {"evidencias-TOTAL_FORMS": "0", "evidencias-INITIAL_FORMS": "0"}
    mio = {**_leer(client, reporte_aprobado_de_junio["planeador"], url), **extra}
    del_colega = {**_leer(client, reporte_aprobado_de_junio["colega"], url), **extra, "valor": "4,5"}
    assert client.post(url, del_colega).status_code == 302
    client.force_login(reporte_aprobado_de_junio["planeador"])
    respuesta = client.post(url, {**mio, "valor": "3"})
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Otra persona guardó este reporte" in html and "avance: «4» → «4,5»" in html and "(por colega)" in html
    assert Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk).valor == D("4.5")


def test_agregar_un_reporte_de_un_periodo_ya_reportado_dice_de_quien_es(client, reporte_aprobado_de_junio):
    client.force_login(reporte_aprobado_de_junio["planeador"])
    respuesta = client.post(
        reverse("admin:indicadores_reporte_add"),
        {"indicador": reporte_aprobado_de_junio["indicador"].pk, "anio": "2024", "periodo": "1", "valor": "9",
         "evidencias-TOTAL_FORMS": "0", "evidencias-INITIAL_FORMS": "0"},
    )
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Ya existe el reporte 1.1.5 2024 · semestre 1 (aprobado, versión 1, avance 4)" in html
    assert Reporte.objects.get(pk=reporte_aprobado_de_junio["reporte"].pk).valor == D("4")


def test_la_pagina_del_reporte_nombra_el_periodo(client, reporte_aprobado_de_junio):
    client.force_login(reporte_aprobado_de_junio["revisora"])
    html = client.get(_pagina_reporte(reporte_aprobado_de_junio["reporte"])).content.decode()
    assert '<div class="readonly">2024 · semestre 1</div>' in html
    assert "version_cargada" not in html  # a reader gets no writer's field


# --- The review page ----------------------------------------------------------------------


def _enviado(reporte_aprobado_de_junio, valor: str = "4,5", **textos) -> Reporte:
    """The planner's correction of the approved June report, sent to review."""
    reporte = services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2024, periodo=1, valor=D(valor.replace(",", ".")),
        usuario=reporte_aprobado_de_junio["planeador"], version_esperada=reporte_aprobado_de_junio["reporte"].version,
        observaciones=textos.get("observaciones", OBSERVACIONES), plan_de_choque=textos.get("plan_de_choque", ""),
    )
    return services.reporte_enviar(
        reporte=reporte, usuario=reporte_aprobado_de_junio["planeador"], version_esperada=reporte.version
    )


def _revisar(client, reporte, accion: str, version: int | None, comentario: str = ""):
    datos = {"accion": accion, "comentario": comentario}
    if version is not None:
        datos["version"] = str(version)
    return client.post(reverse("admin:indicadores_reporte_revisar", args=[reporte.pk]), datos)


def test_pagina_de_revision_muestra_meta_antes_despues_cifras_y_plan_de_choque(client, reporte_aprobado_de_junio):
    reporte = _enviado(
        reporte_aprobado_de_junio, "2", observaciones="Solo dos talleres.", plan_de_choque="Se contrató el operador."
    )
    client.force_login(reporte_aprobado_de_junio["revisora"])
    html = client.get(_pagina_reporte(reporte)).content.decode()
    panel = html[html.index('id="para-decidir"'):html.index("</fieldset>", html.index('id="para-decidir"'))]
    assert "Meta de 2024</th><td>10</td>" in panel
    assert "corrige un reporte aprobado, cuyo valor sigue siendo el oficial" in panel
    assert '<td class="antes">4</td>' in panel and '<td class="despues">2</td>' in panel
    assert "Solo dos talleres." in panel and "Se hicieron tres talleres." in panel
    assert "Cifras del indicador al corte 2024-1" in panel
    oficial = panel[panel.index('<tr class="oficial">'):panel.index('<tr class="al-aprobar">')]
    al_aprobar = panel[panel.index('<tr class="al-aprobar">'):]
    assert "80 %" in oficial and "Cumplimiento alto" in oficial  # 4 of the 5 due
    assert "40 %" in al_aprobar and "Cumplimiento bajo" in al_aprobar  # 2 of the 5 due
    assert "requiere un plan de choque, y el reporte lo trae" in panel
    assert f'<input type="hidden" name="version" value="{reporte.version}">' in html


def test_pagina_de_revision_avisa_si_falta_el_plan_de_choque(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio, "9", plan_de_choque="Justificación.")
    Reporte.objects.filter(pk=reporte.pk).update(plan_de_choque="")  # e.g. sent before the rule existed
    client.force_login(reporte_aprobado_de_junio["revisora"])
    html = client.get(_pagina_reporte(reporte)).content.decode()
    assert "requiere la justificación de la sobre ejecución, y el reporte no lo trae" in html


def test_dos_revisores_a_la_vez_el_segundo_sabe_que_cambio(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio)
    visto = reporte.version  # both reviewers opened the page at this version
    client.force_login(reporte_aprobado_de_junio["revisora"])
    _revisar(client, reporte, "aprobar", visto)
    client.force_login(reporte_aprobado_de_junio["revisor2"])
    respuesta = _revisar(client, reporte, "devolver", visto, comentario="Falta el acta.")
    mensajes = _mensajes(respuesta)
    assert any("No se devolvió el reporte 1.1.5 2024 · semestre 1" in m and "estado: «Enviado» → «Aprobado»" in m
               and "(por revisora)" in m for m in mensajes), mensajes
    reporte.refresh_from_db()
    assert (reporte.estado, reporte.valor, reporte.comentario_revision) == (Reporte.Estado.APROBADO, D("4.5"), "")


def test_aprobar_sobre_una_correccion_mas_reciente_del_planeador_se_rechaza(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio)
    visto = reporte.version
    # The planner withdraws it and corrects again while the reviewer reads the page.
    services.reporte_devolver(
        reporte=reporte, usuario=reporte_aprobado_de_junio["revisor2"], comentario="Revise", version_esperada=visto
    )
    services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2024, periodo=1, valor=D("9"),
        usuario=reporte_aprobado_de_junio["planeador"], version_esperada=visto + 1, observaciones=OBSERVACIONES,
        plan_de_choque="Justificación.",
    )
    client.force_login(reporte_aprobado_de_junio["revisora"])
    mensajes = _mensajes(_revisar(client, reporte, "aprobar", visto))
    assert any("No se aprobó" in m and "avance: «4,5» → «9»" in m for m in mensajes), mensajes
    assert Reporte.objects.get(pk=reporte.pk).valor_publicado == D("4")


def test_revision_sin_version_se_rechaza(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio)
    client.force_login(reporte_aprobado_de_junio["revisora"])
    mensajes = _mensajes(_revisar(client, reporte, "aprobar", None))
    assert any("no traía la versión" in m for m in mensajes)
    assert Reporte.objects.get(pk=reporte.pk).estado == Reporte.Estado.ENVIADO


def test_aprobar_desde_la_pagina_nombra_el_periodo_y_publica_el_valor(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio)
    client.force_login(reporte_aprobado_de_junio["revisora"])
    mensajes = _mensajes(_revisar(client, reporte, "aprobar", reporte.version))
    assert "Reporte 1.1.5 2024 · semestre 1 aprobado: sus cifras ya cuentan este valor." in mensajes
    reporte.refresh_from_db()
    assert (reporte.estado, reporte.valor_publicado) == (Reporte.Estado.APROBADO, D("4.5"))
    assert not reporte.en_correccion


# --- Bulk actions -------------------------------------------------------------------------


def _lote(client, accion: str, reportes, **extra):
    return client.post(
        reverse("admin:indicadores_reporte_changelist"),
        {"action": accion, "_selected_action": [r.pk for r in reportes], **extra},
    )


def test_aprobar_en_lote_dice_cuantos_y_por_que_fallo_cada_uno_en_espanol(client, reporte_aprobado_de_junio):
    enviado = _enviado(reporte_aprobado_de_junio)
    segundo = services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2024, periodo=2, valor=D("5"),
        usuario=reporte_aprobado_de_junio["planeador"],
    )
    segundo = services.reporte_enviar(
        reporte=segundo, usuario=reporte_aprobado_de_junio["planeador"], version_esperada=segundo.version
    )
    borrador = services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2025, periodo=1, valor=D("4"),
        usuario=reporte_aprobado_de_junio["planeador"],
    )
    client.force_login(reporte_aprobado_de_junio["revisora"])
    mensajes = _mensajes(_lote(client, "aprobar", [enviado, segundo, borrador]))
    assert "2 reportes aprobados." in mensajes
    assert "No se pudo aprobar 1 reporte:" in mensajes
    assert "1.1.5 2025 · semestre 1: El reporte 1.1.5 2025 · semestre 1 está borrador: no se puede aprobar." in mensajes
    assert not any("(s)" in m or "(es)" in m for m in mensajes)
    # One of one: singular (an approved report can be returned).
    mensajes = _mensajes(_lote(client, "devolver", [enviado], comentario="Revise el acta."))
    assert "1 reporte devuelto." in mensajes


def test_devolver_en_lote_lista_los_reportes_por_su_periodo(client, reporte_aprobado_de_junio):
    enviado = _enviado(reporte_aprobado_de_junio)
    client.force_login(reporte_aprobado_de_junio["revisora"])
    html = _lote(client, "devolver", [enviado]).content.decode()
    assert "Va a devolver 1 reporte a sus planeadores" in html
    assert "<li>1.1.5 2024 · semestre 1 (enviado)</li>" in html


def test_lote_vuelve_a_leer_el_estado_bajo_el_bloqueo(reporte_aprobado_de_junio):
    """A list read a moment ago may be stale: each transition re-reads its row under lock."""
    leido = _enviado(reporte_aprobado_de_junio)
    services.reporte_aprobar(
        reporte=leido, usuario=reporte_aprobado_de_junio["revisor2"], version_esperada=leido.version
    )
    hechos, errores = services.reportes_en_lote(
        services.reporte_devolver, [leido], usuario=reporte_aprobado_de_junio["revisora"], comentario="Tarde"
    )
    assert hechos  # an approved report can be returned: the fresh state decided, not the stale one
    hechos, errores = services.reportes_en_lote(
        services.reporte_aprobar, [leido], usuario=reporte_aprobado_de_junio["revisora"]
    )
    assert not hechos and errores == [
        "1.1.5 2024 · semestre 1: El reporte 1.1.5 2024 · semestre 1 está devuelto: no se puede aprobar."
    ]


def test_enviar_en_lote_en_singular_y_plural(client, reporte_aprobado_de_junio):
    uno = services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2025, periodo=1, valor=D("4"),
        usuario=reporte_aprobado_de_junio["planeador"],
    )
    otro = services.reporte_registrar(
        indicador=reporte_aprobado_de_junio["indicador"], anio=2025, periodo=2, valor=D("6"),
        usuario=reporte_aprobado_de_junio["planeador"], plan_de_choque="Justificación.",
    )
    client.force_login(reporte_aprobado_de_junio["planeador"])
    assert "1 reporte enviado a revisión." in _mensajes(_lote(client, "enviar", [uno]))
    mensajes = _mensajes(_lote(client, "enviar", [uno, otro]))
    assert "1 reporte enviado a revisión." in mensajes and "No se pudo enviar a revisión 1 reporte:" in mensajes


# --- The review queue ---------------------------------------------------------------------


def _cola(client, **parametros):
    return client.get(reverse("admin:indicadores_reporte_changelist"), parametros)


def test_cola_por_plan_dependencia_y_semaforo_al_aprobar(client, reporte_aprobado_de_junio):
    _enviado(reporte_aprobado_de_junio, "2", plan_de_choque="Plan.")  # 40 %: bajo once approved (80 % alto today)
    otra_dep = factories.dependencia(entidad=reporte_aprobado_de_junio["dep"].entidad, nombre="Turismo")
    otro_plan = factories.plan(entidad=reporte_aprobado_de_junio["dep"].entidad, anio_inicio=2023, anio_fin=2030)
    ajeno = factories.indicador(
        plan=otro_plan, dependencia=otra_dep, codigo="2.1.1", periodicidad="semestral",
        metas={2024: "10"}, reportes={(2024, 1): "4"},
    )
    client.force_login(reporte_aprobado_de_junio["revisora"])

    def codigos(**parametros):
        return sorted(str(r) for r in _cola(client, **parametros).context["cl"].result_list)

    assert codigos(banda="bajo") == ["1.1.5 2024 · semestre 1"]
    assert codigos(banda="alto") == ["2.1.1 2024 · semestre 1"]
    assert codigos(banda="sobre_ejecucion") == []
    assert codigos(**{"indicador__plan__id__exact": otro_plan.pk}) == ["2.1.1 2024 · semestre 1"]
    assert codigos(
        **{"indicador__dependencia__id__exact": reporte_aprobado_de_junio["dep"].pk}
    ) == ["1.1.5 2024 · semestre 1"]
    html = _cola(client).content.decode()
    assert '<td class="field-anio">2024 · semestre 1</td>' in html
    assert '<td class="field-banda_col">Cumplimiento bajo</td>' in html
    assert ajeno


def _poblar_cola(reporte_aprobado_de_junio, n: int) -> None:
    for _ in range(n):
        indicador = factories.indicador(
            plan=reporte_aprobado_de_junio["plan"], dependencia=reporte_aprobado_de_junio["dep"],
            nivel=reporte_aprobado_de_junio["indicador"].nivel, periodicidad="semestral",
            metas={2024: "10", 2025: "10"}, reportes={(2024, 1): "4", (2024, 2): "12"},
        )
        Reporte.objects.filter(indicador=indicador, periodo=2).update(estado=Reporte.Estado.ENVIADO)


def _consultas(client, url, **parametros) -> int:
    with CaptureQueriesContext(connection) as consultas:
        assert client.get(url, parametros).status_code == 200
    return len(consultas)


def test_cola_y_pagina_de_revision_con_numero_fijo_de_consultas(client, reporte_aprobado_de_junio):
    reporte = _enviado(reporte_aprobado_de_junio)
    client.force_login(reporte_aprobado_de_junio["revisora"])
    lista = reverse("admin:indicadores_reporte_changelist")
    _poblar_cola(reporte_aprobado_de_junio, 3)
    pocos = (_consultas(client, lista), _consultas(client, lista, banda="bajo"),
             _consultas(client, _pagina_reporte(reporte)))
    _poblar_cola(reporte_aprobado_de_junio, 60)
    for k in range(5):
        services.evidencia_agregar(
            reporte=reporte, usuario=reporte_aprobado_de_junio["planeador"], enlace=f"https://x.gov.co/{k}"
        )
    muchos = (_consultas(client, lista), _consultas(client, lista, banda="bajo"),
              _consultas(client, _pagina_reporte(reporte)))
    assert pocos == muchos
