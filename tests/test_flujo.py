"""The semester reporting workflow: every transition and who may make it, the bajo/sobre rule,
closed cuts (admin, API, the service imports use) and concurrent edits."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from indicadores import services
from indicadores.models import Corte, Meta, Reporte
from indicadores.permisos import AUDITOR, FUNCIONARIO, PLANEADOR, REVISOR
from tests import factories
from tests.ayudas_admin import datos_formulario

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year


@pytest.fixture
def indicador_de_salud(django_user_model):
    """An indicator of Salud with a target of 10 a year, its planner, the planning office and readers."""
    salud = factories.dependencia(nombre="Salud")
    otra = factories.dependencia(nombre="Turismo", entidad=salud.entidad)
    plan = factories.plan(entidad=salud.entidad, anio_inicio=ANIO - 3, anio_fin=ANIO + 3)
    indicador = factories.indicador(
        plan=plan, dependencia=salud, codigo="1.1.5", tipo_anualizacion="suma", periodicidad="semestral",
        metas={ANIO: "10"},
    )
    return {
        "plan": plan,
        "indicador": indicador,
        "planeador": factories.usuario("planeador", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True),
        "otro_planeador": factories.usuario(grupos=(PLANEADOR,), dependencias=[otra], is_staff=True),
        "revisor": factories.usuario("revisor", grupos=(REVISOR,), is_staff=True),
        "funcionario": factories.usuario(grupos=(FUNCIONARIO,), is_staff=True),
        "auditor": factories.usuario(grupos=(AUDITOR,), is_staff=True),
        "admin": django_user_model.objects.create_superuser("admin", "a@example.com", "clave-de-prueba-123"),
    }


def _registrar(indicador_de_salud, valor="4", periodo=1, usuario=None, **kwargs):
    """A write by someone who has the period's current report open (its version, if it exists)."""
    actual = Reporte.objects.filter(indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=periodo).first()
    kwargs.setdefault("version_esperada", actual.version if actual else None)
    return services.reporte_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO, periodo=periodo, valor=Decimal(valor),
        usuario=usuario or indicador_de_salud["planeador"], **kwargs,
    )


# --- Transitions and who may make them ----------------------------------------------------


def test_borrador_enviado_aprobado(indicador_de_salud):
    reporte = _registrar(indicador_de_salud, "4")  # 4 of 5 due at June: 80 %, alto
    assert reporte.estado == Reporte.Estado.BORRADOR
    services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
    assert reporte.estado == Reporte.Estado.ENVIADO
    services.reporte_aprobar(reporte=reporte, usuario=indicador_de_salud["revisor"])
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.APROBADO


def test_devuelto_con_comentario_vuelve_al_planeador(indicador_de_salud):
    reporte = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4"), usuario=indicador_de_salud["planeador"]
    )
    with pytest.raises(ValidationError, match="Escriba por qué devuelve"):
        services.reporte_devolver(reporte=reporte, usuario=indicador_de_salud["revisor"], comentario="  ")
    services.reporte_devolver(
        reporte=reporte, usuario=indicador_de_salud["revisor"], comentario="Falta la evidencia del taller."
    )
    reporte.refresh_from_db()
    assert (reporte.estado, reporte.comentario_revision) == (Reporte.Estado.DEVUELTO, "Falta la evidencia del taller.")
    # The planner corrects and sends again.
    reporte = _registrar(indicador_de_salud, "4,5".replace(",", "."), observaciones="Con evidencia")
    assert reporte.estado == Reporte.Estado.BORRADOR
    services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
    assert reporte.estado == Reporte.Estado.ENVIADO


def test_aprobado_puede_devolverse(indicador_de_salud):
    reporte = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4"), usuario=indicador_de_salud["planeador"]
    )
    services.reporte_aprobar(reporte=reporte, usuario=indicador_de_salud["revisor"])
    services.reporte_devolver(reporte=reporte, usuario=indicador_de_salud["revisor"], comentario="Cifra sin soporte.")
    assert reporte.estado == Reporte.Estado.DEVUELTO
    # Returned for correction, the approved value stays the official one.
    assert (reporte.valor_publicado, Reporte.objects.oficiales().count()) == (Decimal("4"), 1)


@pytest.mark.parametrize("quien", ["otro_planeador", "revisor", "funcionario", "auditor"])
def test_solo_el_planeador_de_la_dependencia_envia(indicador_de_salud, quien):
    reporte = _registrar(indicador_de_salud, "4")
    with pytest.raises(PermissionDenied):
        services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud[quien])
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.BORRADOR


@pytest.mark.parametrize("quien", ["planeador", "otro_planeador", "funcionario", "auditor"])
def test_solo_la_oficina_de_planeacion_aprueba_y_devuelve(indicador_de_salud, quien):
    reporte = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4"), usuario=indicador_de_salud["planeador"]
    )
    with pytest.raises(PermissionDenied):
        services.reporte_aprobar(reporte=reporte, usuario=indicador_de_salud[quien])
    with pytest.raises(PermissionDenied):
        services.reporte_devolver(reporte=reporte, usuario=indicador_de_salud[quien], comentario="No")
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.ENVIADO


def test_transiciones_invalidas(indicador_de_salud):
    reporte = _registrar(indicador_de_salud, "4")
    with pytest.raises(ValidationError, match="está borrador: no se puede aprobar"):
        services.reporte_aprobar(reporte=reporte, usuario=indicador_de_salud["revisor"])
    with pytest.raises(ValidationError, match="no se puede devolver"):
        services.reporte_devolver(reporte=reporte, usuario=indicador_de_salud["revisor"], comentario="x")
    services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
    with pytest.raises(ValidationError, match="está enviado: no se puede enviar"):
        services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])


def test_corregir_un_reporte_aprobado_lo_devuelve_a_borrador(indicador_de_salud):
    reporte = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4"), usuario=indicador_de_salud["planeador"]
    )
    services.reporte_aprobar(reporte=reporte, usuario=indicador_de_salud["revisor"])
    corregido = _registrar(indicador_de_salud, "4.5")
    assert corregido.estado == Reporte.Estado.BORRADOR
    assert corregido.version > reporte.version - 1
    # A correction is a proposal: the approved 4 stays official until the correction is approved.
    assert (corregido.valor, corregido.valor_publicado) == (Decimal("4.5"), Decimal("4"))
    # The same values again change nothing.
    assert _registrar(indicador_de_salud, "4.5").version == corregido.version


def test_aprobar_y_devolver_en_lote_desde_el_admin(client, indicador_de_salud):
    primero = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4", periodo=1), usuario=indicador_de_salud["planeador"]
    )
    segundo = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "9", periodo=2, plan_de_choque="ok"),
        usuario=indicador_de_salud["planeador"],
    )
    client.force_login(indicador_de_salud["revisor"])
    url = reverse("admin:indicadores_reporte_changelist")
    client.post(url, {"action": "aprobar", "_selected_action": [primero.pk, segundo.pk]})
    assert set(Reporte.objects.values_list("estado", flat=True)) == {"aprobado"}
    # Returning asks for the comment first, then applies it to every selected report.
    pagina = client.post(url, {"action": "devolver", "_selected_action": [primero.pk, segundo.pk]})
    assert "comentario para el planeador" in pagina.content.decode()
    client.post(url, {"action": "devolver", "_selected_action": [primero.pk, segundo.pk], "comentario": "Revisar cifras"})
    assert set(Reporte.objects.values_list("estado", "comentario_revision")) == {("devuelto", "Revisar cifras")}


def test_planeador_no_ve_las_acciones_de_revision(client, indicador_de_salud):
    _registrar(indicador_de_salud, "4")
    client.force_login(indicador_de_salud["planeador"])
    acciones = client.get(reverse("admin:indicadores_reporte_changelist")).context["action_form"].fields["action"].choices
    nombres = {nombre for nombre, _ in acciones}
    assert "enviar" in nombres and "aprobar" not in nombres and "devolver" not in nombres


# --- Bajo / sobre ejecución needs a plan de choque ----------------------------------------


@pytest.mark.parametrize(
    "valor, banda",
    [("1", "cumplimiento bajo"), ("9", "sobre ejecución")],  # 20 % and 180 % of the 5 due at June
)
def test_bajo_o_sobre_ejecucion_no_se_envia_sin_plan_de_choque(indicador_de_salud, valor, banda):
    reporte = _registrar(indicador_de_salud, valor)
    with pytest.raises(ValidationError) as error:
        services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
    mensaje = error.value.message_dict["plan_de_choque"][0]
    assert banda in mensaje and f"al corte {ANIO}-1" in mensaje
    reporte = _registrar(indicador_de_salud, valor, plan_de_choque="Se reprogramaron los talleres para octubre.")
    services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
    assert reporte.estado == Reporte.Estado.ENVIADO


def test_cumplimiento_alto_o_medio_se_envia_sin_plan_de_choque(indicador_de_salud):
    for valor in ("4", "3"):  # 80 % alto, 60 % medio
        reporte = _registrar(indicador_de_salud, valor)
        if reporte.estado != Reporte.Estado.BORRADOR:
            continue
        services.reporte_enviar(reporte=reporte, usuario=indicador_de_salud["planeador"])
        assert reporte.estado == Reporte.Estado.ENVIADO
        services.reporte_devolver(reporte=reporte, usuario=indicador_de_salud["revisor"], comentario="otra vez")


# --- Cuts open and close ------------------------------------------------------------------


def test_abrir_y_cerrar_corte_solo_oficina_de_planeacion(indicador_de_salud):
    with pytest.raises(PermissionDenied):
        services.corte_abrir(
            plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=indicador_de_salud["planeador"]
        )
    corte = services.corte_abrir(
        plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=indicador_de_salud["revisor"],
        fecha_limite=timezone.localdate(),
    )
    assert corte.estado == Corte.Estado.ABIERTO
    with pytest.raises(PermissionDenied):
        services.corte_cerrar(corte=corte, usuario=indicador_de_salud["planeador"])
    services.corte_cerrar(corte=corte, usuario=indicador_de_salud["revisor"])
    corte.refresh_from_db()
    assert (corte.estado, corte.cerrado_por) == (Corte.Estado.CERRADO, indicador_de_salud["revisor"])
    with pytest.raises(ValidationError, match="está cerrado"):
        services.corte_abrir(
            plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=indicador_de_salud["revisor"]
        )
    services.corte_abrir(
        plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=indicador_de_salud["admin"],
        motivo="Error de digitación del corte",
    )
    assert corte.history.first().history_change_reason == "Error de digitación del corte"


@pytest.fixture
def reporte_de_un_corte_cerrado(indicador_de_salud):
    reporte = _registrar(indicador_de_salud, "4")
    corte = services.corte_abrir(
        plan=indicador_de_salud["plan"], anio=ANIO, semestre=1, usuario=indicador_de_salud["revisor"]
    )
    services.corte_cerrar(corte=corte, usuario=indicador_de_salud["revisor"])
    return reporte


def test_corte_cerrado_protege_sus_reportes_en_el_servicio(indicador_de_salud, reporte_de_un_corte_cerrado):
    # The API and the Excel import both write through reporte_registrar.
    with pytest.raises(ValidationError, match="está cerrado"):
        _registrar(indicador_de_salud, "5")
    with pytest.raises(ValidationError, match="está cerrado"):
        services.reporte_enviar(reporte=reporte_de_un_corte_cerrado, usuario=indicador_de_salud["planeador"])
    with pytest.raises(ValidationError, match="escribe el motivo"):
        _registrar(indicador_de_salud, "5", usuario=indicador_de_salud["admin"])
    # The second semester is another cut: still open.
    assert _registrar(indicador_de_salud, "6", periodo=2).valor == Decimal("6")
    corregido = _registrar(
        indicador_de_salud, "5", usuario=indicador_de_salud["admin"], motivo="Oficio 123: la cifra de junio era 5"
    )
    assert corregido.valor == Decimal("5")
    assert corregido.history.first().history_change_reason == "Oficio 123: la cifra de junio era 5"


def test_corte_cerrado_en_el_admin(client, indicador_de_salud, reporte_de_un_corte_cerrado):
    url = reverse("admin:indicadores_indicador_change", args=[indicador_de_salud["indicador"].pk])
    client.force_login(indicador_de_salud["planeador"])
    datos = datos_formulario(client.get(url))
    datos["reportes-0-valor"] = "5"
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 200
    assert f"El corte {ANIO}-1 del plan está cerrado" in respuesta.content.decode()
    assert Reporte.objects.get(pk=reporte_de_un_corte_cerrado.pk).valor == Decimal("4")
    # An administrator corrects it by giving the reason.
    client.force_login(indicador_de_salud["admin"])
    datos = datos_formulario(client.get(url))
    datos.update({"reportes-0-valor": "5", "motivo_cambio": "Acta de corrección 7"})
    assert client.post(url, datos).status_code == 302
    reporte = Reporte.objects.get(pk=reporte_de_un_corte_cerrado.pk)
    assert reporte.valor == Decimal("5")
    assert reporte.history.first().history_change_reason == "Acta de corrección 7"


def test_corte_cerrado_en_la_api(client, indicador_de_salud, reporte_de_un_corte_cerrado):
    client.force_login(indicador_de_salud["planeador"])
    respuesta = client.patch(
        f"/api/v1/reportes/{reporte_de_un_corte_cerrado.pk}/", {"valor": "5"}, content_type="application/json"
    )
    assert respuesta.status_code in (400, 403, 409)
    assert "cerrado" in respuesta.content.decode()
    assert Reporte.objects.get(pk=reporte_de_un_corte_cerrado.pk).valor == Decimal("4")


def test_metas_de_vigencias_pasadas_solo_las_cambia_un_administrador_con_motivo(client, indicador_de_salud):
    Meta.objects.create(indicador=indicador_de_salud["indicador"], anio=ANIO - 1, valor=Decimal("8"))
    with pytest.raises(ValidationError, match="vigencia pasada"):
        services.meta_registrar(
            indicador=indicador_de_salud["indicador"], anio=ANIO - 1, valor=Decimal("9"),
            usuario=indicador_de_salud["planeador"],
        )
    assert services.meta_registrar(
        indicador=indicador_de_salud["indicador"], anio=ANIO + 1, valor=Decimal("9"),
        usuario=indicador_de_salud["planeador"],
    )
    url = reverse("admin:indicadores_indicador_change", args=[indicador_de_salud["indicador"].pk])
    client.force_login(indicador_de_salud["planeador"])
    datos = datos_formulario(client.get(url))
    anterior = next(k for k, v in datos.items() if k.startswith("metas-") and k.endswith("-anio") and v == str(ANIO - 1))
    datos[anterior.replace("-anio", "-valor")] = "12"
    respuesta = client.post(url, datos)
    assert "es de una vigencia pasada" in respuesta.content.decode()
    assert Meta.objects.get(anio=ANIO - 1).valor == Decimal("8")
    client.force_login(indicador_de_salud["admin"])
    datos = datos_formulario(client.get(url))
    datos.update({anterior.replace("-anio", "-valor"): "12", "motivo_cambio": "Ajuste aprobado por el concejo"})
    assert client.post(url, datos).status_code == 302
    meta = Meta.objects.get(anio=ANIO - 1)
    assert meta.valor == Decimal("12")
    assert meta.history.first().history_change_reason == "Ajuste aprobado por el concejo"


# --- No lost updates ----------------------------------------------------------------------


def test_segundo_guardado_concurrente_se_rechaza_y_muestra_el_cambio(indicador_de_salud):
    leido = _registrar(indicador_de_salud, "3")
    _registrar(indicador_de_salud, "4", observaciones="Cifra de la encuesta", version_esperada=leido.version)
    with pytest.raises(services.ConflictoEdicion) as conflicto:
        _registrar(indicador_de_salud, "3.5", version_esperada=leido.version)
    assert "avance: «3» → «4»" in str(conflicto.value)
    assert "observaciones: «» → «Cifra de la encuesta»" in str(conflicto.value)
    assert Reporte.objects.get().valor == Decimal("4")


def test_edicion_concurrente_en_el_admin(client, indicador_de_salud, django_user_model):
    _registrar(indicador_de_salud, "3")
    colega = factories.usuario(
        "colega", grupos=(PLANEADOR,), dependencias=[indicador_de_salud["indicador"].dependencia], is_staff=True
    )
    url = reverse("admin:indicadores_indicador_change", args=[indicador_de_salud["indicador"].pk])
    client.force_login(indicador_de_salud["planeador"])
    mio = datos_formulario(client.get(url))
    client.force_login(colega)
    del_colega = datos_formulario(client.get(url))
    del_colega["reportes-0-valor"] = "4"
    assert client.post(url, del_colega).status_code == 302
    client.force_login(indicador_de_salud["planeador"])
    mio["reportes-0-valor"] = "3,5"
    respuesta = client.post(url, mio)
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    assert "Otra persona guardó este reporte" in contenido and "«3» → «4»" in contenido and "colega" in contenido
    assert Reporte.objects.get().valor == Decimal("4")


def test_revision_concurrente_tambien_cuenta(indicador_de_salud):
    leido = _registrar(indicador_de_salud, "4")
    services.reporte_enviar(reporte=leido, usuario=indicador_de_salud["planeador"])
    with pytest.raises(services.ConflictoEdicion, match="estado: «Borrador» → «Enviado»"):
        _registrar(indicador_de_salud, "5", version_esperada=1)


def test_corte_cerrado_en_la_importacion_de_excel(indicador_de_salud, reporte_de_un_corte_cerrado):
    import io

    from openpyxl import load_workbook

    from reportes.excel.importar import importar_libro
    from reportes.excel.plantillas import plantilla_avance

    archivo = io.BytesIO()
    plantilla_avance(
        archivo, plan=indicador_de_salud["plan"], corte=Corte.objects.get(plan=indicador_de_salud["plan"]),
        usuario=indicador_de_salud["planeador"],
    )
    libro = load_workbook(io.BytesIO(archivo.getvalue()))
    hoja = libro["Reportes"]
    columnas = [celda.value for celda in hoja[1]]
    hoja.cell(row=2, column=columnas.index("Avance") + 1, value=5)
    salida = io.BytesIO()
    libro.save(salida)
    salida.seek(0)
    resultado = importar_libro(salida, usuario=indicador_de_salud["planeador"], confirmar=True)
    assert not resultado.aplicado
    assert any("cerrado" in str(error) for error in resultado.errores)
    assert Reporte.objects.get(pk=reporte_de_un_corte_cerrado.pk).valor == Decimal("4")


def test_enviar_desde_la_pagina_del_indicador(client, indicador_de_salud):
    url = reverse("admin:indicadores_indicador_change", args=[indicador_de_salud["indicador"].pk])
    client.force_login(indicador_de_salud["planeador"])
    datos = datos_formulario(client.get(url))
    datos.update({"reportes-0-anio": str(ANIO), "reportes-0-periodo": "1", "reportes-0-valor": "1",
                  "reportes-0-enviar": "on"})
    respuesta = client.post(url, datos)  # 20 % of the 5 due: bajo, and no plan de choque
    assert respuesta.status_code == 200
    assert "queda en cumplimiento bajo" in respuesta.content.decode()
    assert not Reporte.objects.exists()
    datos["reportes-0-plan_de_choque"] = "Contratación del operador en julio."
    assert client.post(url, datos).status_code == 302
    reporte = Reporte.objects.get()
    assert (reporte.estado, reporte.plan_de_choque) == (Reporte.Estado.ENVIADO, "Contratación del operador en julio.")


def _version_de_la_pagina_de_revision(client, reporte) -> str:
    """The version the review page's approve/return forms carry (what the reviewer read)."""
    import re

    pagina = client.get(reverse("admin:indicadores_reporte_change", args=[reporte.pk])).content.decode()
    assert "Revisión de la oficina de planeación" in pagina
    versiones = set(re.findall(r'<input type="hidden" name="version" value="(\d+)">', pagina))
    assert len(versiones) == 1, versiones
    return versiones.pop()


def test_revision_uno_a_uno_desde_la_pagina_del_reporte(client, indicador_de_salud):
    reporte = services.reporte_enviar(
        reporte=_registrar(indicador_de_salud, "4"), usuario=indicador_de_salud["planeador"]
    )
    url = reverse("admin:indicadores_reporte_revisar", args=[reporte.pk])
    client.force_login(indicador_de_salud["revisor"])
    version = _version_de_la_pagina_de_revision(client, reporte)
    assert version == str(reporte.version)
    client.post(url, {"accion": "devolver", "comentario": "", "version": version})
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.ENVIADO  # a return needs its comment
    client.post(url, {"accion": "devolver", "comentario": "Adjunte el acta.", "version": version})
    reporte.refresh_from_db()
    assert (reporte.estado, reporte.comentario_revision) == (Reporte.Estado.DEVUELTO, "Adjunte el acta.")
    reporte = services.reporte_enviar(
        reporte=reporte, usuario=indicador_de_salud["planeador"], version_esperada=reporte.version
    )
    client.force_login(indicador_de_salud["planeador"])
    client.post(url, {"accion": "aprobar", "version": str(reporte.version)})
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.ENVIADO  # planners do not approve
    client.force_login(indicador_de_salud["revisor"])
    client.post(url, {"accion": "aprobar", "version": _version_de_la_pagina_de_revision(client, reporte)})
    reporte.refresh_from_db()
    assert reporte.estado == Reporte.Estado.APROBADO
