"""Every text has a maximum, the same through every door (issue 11): the services, the admin's
indicator page and its inline reports, the review's comment, the Excel import, the demo loader's
service and the API. A reason (`motivo`) is an administrator's, bounded, recorded only where a
write needs one, and kept whole in the history and the audit trail."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import auditoria, services
from indicadores.models import Corte, Indicador, Meta, Reporte
from indicadores.permisos import AUDITOR, PLANEADOR, REVISOR
from politicas.models import Nivel, Plan
from reportes.excel.importar import importar_libro
from reportes.models import CifrasCorte
from seguimiento.limites import MAX_MOTIVO, MAX_NOMBRE, MAX_TEXTO
from tests import factories
from tests.ayudas_admin import datos_formulario
from tests.libros_excel import libro, plan_minimo

pytestmark = pytest.mark.django_db

# The observación the attack stored through a 36 KB workbook: 30 MiB of one letter.
ENORME = "A" * 31_457_280
MENSAJE_ENORME = "Observaciones: tiene 31.457.280 caracteres; el máximo es 10.000."


@pytest.fixture
def e(django_user_model):
    """A semestral indicator of Salud (2023–2026) with an approved 2024-1 report, its planner, the
    planning office, an auditor and an administrator."""
    salud = factories.dependencia(nombre="Salud")
    plan = factories.plan(entidad=salud.entidad, anio_inicio=2023, anio_fin=2026)
    indicador = factories.indicador(
        plan=plan, dependencia=salud, codigo="S-1", periodicidad="semestral", metas={2024: "10", 2025: "10"},
        reportes={(2024, 1): "4"},
    )
    return {
        "plan": plan,
        "indicador": indicador,
        "reporte": Reporte.objects.get(indicador=indicador),
        "planeador": factories.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[salud], is_staff=True),
        "revisor": factories.usuario("revisora", grupos=(REVISOR,), is_staff=True),
        "auditor": factories.usuario("auditora", grupos=(AUDITOR,), is_staff=True),
        "admin": django_user_model.objects.create_superuser("admin", "a@example.com", "clave-de-prueba-123"),
    }


def _cerrar_junio(e) -> Corte:
    corte = services.corte_abrir(plan=e["plan"], anio=2024, semestre=1, usuario=e["revisor"])
    return services.corte_cerrar(corte=corte, usuario=e["revisor"])


def _huella() -> tuple:
    """What a refused write must leave as it was: every report, target, history row and cut."""
    return (
        sorted(Reporte.objects.values_list("pk", "valor", "observaciones", "plan_de_choque", "estado", "version",
                                           "comentario_revision")),
        sorted(Meta.objects.values_list("pk", "valor")),
        Reporte.history.count(), Meta.history.count(), Corte.history.count(), CifrasCorte.objects.count(),
        Plan.objects.count(), Nivel.objects.count(), Indicador.objects.count(),
    )


def _mensajes(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- The services ------------------------------------------------------------------------


def test_el_servicio_rechaza_una_observacion_enorme_con_las_cifras(e):
    antes = _huella()
    with pytest.raises(ValidationError) as error:
        services.reporte_registrar(
            indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
            observaciones=ENORME,
        )
    assert _mensajes(error.value) == {"observaciones": [MENSAJE_ENORME]}
    assert _huella() == antes


def test_el_limite_es_exacto_y_cuenta_los_saltos_de_linea_como_se_guardan(e):
    # 10.000 characters once CRLF is stored as LF: accepted; one more is refused.
    justo = ("a" * 4_999 + "\r\n") * 2  # 5.000 + 5.000 once normalised (the last break is trimmed)
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
        plan_de_choque=justo,
    )
    assert len(reporte.plan_de_choque) == MAX_TEXTO - 1
    with pytest.raises(ValidationError, match=r"Plan de choque: tiene 10\.001 caracteres; el máximo es 10\.000\."):
        services.reporte_registrar(
            indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
            plan_de_choque="b" * (MAX_TEXTO + 1), version_esperada=reporte.version,
        )
    reporte.refresh_from_db()
    assert len(reporte.plan_de_choque) == MAX_TEXTO - 1


def test_el_modelo_rechaza_en_full_clean(e):
    """Whatever writes without the services (a shell, a future form) meets the model's validator."""
    reporte = Reporte(indicador=e["indicador"], anio=2025, periodo=1, valor=Decimal(1), observaciones="x" * 10_001)
    with pytest.raises(ValidationError) as error:
        reporte.full_clean()
    assert error.value.message_dict["observaciones"] == ["Tiene 10.001 caracteres; el máximo es 10.000."]
    nivel = Nivel(plan=e["plan"], codigo="9", nombre="n" * (MAX_NOMBRE + 1))
    with pytest.raises(ValidationError, match=r"Tiene 2\.001 caracteres; el máximo es 2\.000\."):
        nivel.full_clean()


def test_devolver_con_un_comentario_enorme_no_cambia_nada(e):
    enviado = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
    )
    services.reporte_enviar(reporte=enviado, usuario=e["planeador"])
    antes = _huella()
    with pytest.raises(ValidationError) as error:
        services.reporte_devolver(reporte=enviado, usuario=e["revisor"], comentario="c" * 10_001)
    assert _mensajes(error.value) == {
        "comentario_revision": ["Comentario de revisión: tiene 10.001 caracteres; el máximo es 10.000."]
    }
    assert _huella() == antes


def test_la_pagina_de_revision_dice_las_cifras_del_comentario_y_no_devuelve(client, e):
    enviado = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
    )
    services.reporte_enviar(reporte=enviado, usuario=e["planeador"])
    client.force_login(e["revisor"])
    antes = _huella()
    respuesta = client.post(
        reverse("admin:indicadores_reporte_revisar", args=[enviado.pk]),
        {"accion": "devolver", "comentario": "c" * 10_001, "version": enviado.version}, follow=True,
    )
    assert "Comentario de revisión: tiene 10.001 caracteres; el máximo es 10.000." in respuesta.content.decode()
    assert _huella() == antes


def test_la_carga_de_la_demo_rechaza_un_texto_enorme(e):
    """`reporte_publicado_cargar` is how the demo loader (and a plan import's «Aprobado» rows)
    write published figures: the same bound, before anything is written."""
    antes = _huella()
    with pytest.raises(ValidationError) as error:
        services.reporte_publicado_cargar(
            indicador=e["indicador"], anio=2025, periodo=1, valor=Decimal("3"), observaciones=ENORME,
            usuario=e["admin"],
        )
    assert _mensajes(error.value) == {"observaciones": [MENSAJE_ENORME]}
    assert _huella() == antes


def test_motivo_de_un_corte_reabierto_acotado_y_entero(e):
    corte = _cerrar_junio(e)
    with pytest.raises(ValidationError, match=r"Motivo: tiene 501 caracteres; el máximo es 500\."):
        services.corte_reabrir(corte=corte, usuario=e["admin"], motivo="m" * (MAX_MOTIVO + 1))
    corte.refresh_from_db()
    assert corte.cerrado
    motivo = "Oficio 45 de la Secretaría de Salud: " + "r" * (MAX_MOTIVO - 37)
    reabierto = services.corte_reabrir(corte=corte, usuario=e["admin"], motivo=motivo)
    assert reabierto.motivo_correccion == motivo
    assert reabierto.history.first().history_change_reason == motivo  # all 500 characters


def test_un_motivo_que_no_se_necesita_no_queda_en_el_historial(e):
    """An administrator's reason on an open period is not recorded: it would read as the
    justification of a change that needed none."""
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["admin"],
        motivo="Por si acaso",
    )
    assert reporte.history.first().history_change_reason in (None, "")
    meta = services.meta_registrar(indicador=e["indicador"], anio=2026, valor=Decimal("3"), usuario=e["admin"],
                                   motivo="Por si acaso")
    assert meta.history.first().history_change_reason in (None, "")


def test_un_planeador_no_da_motivos(e):
    antes = _huella()
    with pytest.raises(ValidationError) as error:
        services.reporte_registrar(
            indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
            motivo="Autorizado por el administrador",
        )
    assert _mensajes(error.value) == {"motivo": [services.MENSAJE_MOTIVO_SOLO_ADMINISTRADOR]}
    assert _huella() == antes


def test_peso_de_la_evidencia_con_cifras_distintas(settings):
    """10 MB and one byte is not «10 MB» against a maximum of «10 MB»."""

    class Archivo:
        name = "acta.pdf"
        size = 10 * 1024 * 1024 + 1

    settings.EVIDENCIA_MAX_BYTES = 10 * 1024 * 1024
    [mensaje] = services.evidencia_errores_archivo(Archivo())
    assert mensaje == "El archivo «acta.pdf» pesa 10.485.761 bytes; el máximo es 10.485.760 bytes."
    Archivo.size = 15 * 1024 * 1024
    [mensaje] = services.evidencia_errores_archivo(Archivo())
    assert mensaje == "El archivo «acta.pdf» pesa 15 MB; el máximo es 10 MB."


# --- The admin -----------------------------------------------------------------------------


def test_la_pagina_del_indicador_rechaza_una_observacion_larga_en_sus_reportes(client, e):
    url = reverse("admin:indicadores_indicador_change", args=[e["indicador"].pk])
    client.force_login(e["planeador"])
    pagina = client.get(url)
    html = pagina.content.decode()
    assert 'name="reportes-0-observaciones"' in html and f'maxlength="{MAX_TEXTO}"' in html
    datos = datos_formulario(pagina)
    nueva = next(k for k, v in datos.items() if k.startswith("reportes-") and k.endswith("-anio") and v == "")
    fila = nueva.rsplit("-", 1)[0]
    datos.update({f"{fila}-anio": "2024", f"{fila}-periodo": "2", f"{fila}-valor": "5",
                  f"{fila}-observaciones": "o" * 10_001})
    antes = _huella()
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 200
    assert "Observaciones: tiene 10.001 caracteres; el máximo es 10.000." in respuesta.content.decode()
    assert _huella() == antes


def test_el_nombre_del_indicador_y_el_motivo_del_administrador_tambien(client, e):
    url = reverse("admin:indicadores_indicador_change", args=[e["indicador"].pk])
    client.force_login(e["admin"])
    datos = datos_formulario(client.get(url))
    datos.update({"nombre": "n" * (MAX_NOMBRE + 1), "motivo_cambio": "m" * (MAX_MOTIVO + 1)})
    antes = _huella()
    html = client.post(url, datos).content.decode()
    assert "Nombre: tiene 2.001 caracteres; el máximo es 2.000." in html
    assert "Motivo del cambio: tiene 501 caracteres; el máximo es 500." in html
    assert _huella() == antes
    assert Indicador.objects.get(pk=e["indicador"].pk).nombre == "Indicador de prueba"


def test_la_pagina_del_plan_rechaza_un_objetivo_largo(client, e):
    url = reverse("admin:politicas_plan_change", args=[e["plan"].pk])
    client.force_login(e["admin"])
    pagina = client.get(url)
    assert f'maxlength="{MAX_TEXTO}"' in pagina.content.decode()
    datos = datos_formulario(pagina)
    datos["objetivo"] = "o" * (MAX_TEXTO + 1)
    respuesta = client.post(url, datos)
    assert respuesta.status_code == 200
    assert "Objetivo: tiene 10.001 caracteres; el máximo es 10.000." in respuesta.content.decode()
    assert Plan.objects.get(pk=e["plan"].pk).objetivo == ""


def test_un_administrador_corrige_en_la_pagina_con_un_motivo_largo_que_queda_entero(client, e):
    _cerrar_junio(e)
    url = reverse("admin:indicadores_indicador_change", args=[e["indicador"].pk])
    client.force_login(e["admin"])
    datos = datos_formulario(client.get(url))
    fila = "reportes-0"  # the approved 2024 · semestre 1, frozen by the closed June cut
    assert datos[f"{fila}-periodo"] == "1" and datos[f"{fila}-anio"] == "2024"
    motivo = "Acta 7 del comité de seguimiento, " + "que corrige la cifra de junio " * 9
    assert 100 < len(motivo.strip()) <= MAX_MOTIVO
    datos.update({f"{fila}-valor": "5", "motivo_cambio": motivo})
    assert client.post(url, datos).status_code == 302
    reporte = Reporte.objects.get(pk=e["reporte"].pk)
    assert reporte.valor == Decimal("5")
    assert reporte.history.first().history_change_reason == motivo.strip()


# --- The Excel import ----------------------------------------------------------------------


def test_la_importacion_rechaza_textos_largos_con_hoja_fila_y_columna(e):
    hojas = plan_minimo()
    hojas["Niveles"][1][2] = "n" * (MAX_NOMBRE + 1)
    hojas["Indicadores"][2][1] = "i" * (MAX_NOMBRE + 5)
    hojas["Reportes"] = [
        ["Código del indicador", "Año", "Periodo", "Avance", "Observaciones"],
        ["1.1", 2023, 1, "3", "o" * (MAX_TEXTO + 1)],  # (a 30 MiB one is refused unread, by the archive's bounds)
    ]
    antes = _huella()
    resultado = importar_libro(libro(hojas), usuario=e["admin"], confirmar=True)
    assert not resultado.aplicado
    errores = [str(error) for error in resultado.errores]
    assert "Hoja «Niveles», fila 2, columna «Nombre»: Tiene 2.001 caracteres; el máximo es 2.000. (celda C2)" in errores
    assert ("Hoja «Indicadores», fila 3, columna «Indicador»: Tiene 2.005 caracteres; el máximo es 2.000. (celda B3)"
            in errores)
    assert ("Hoja «Reportes», fila 2, columna «Observaciones»: Tiene 10.001 caracteres; el máximo es 10.000. "
            "(celda E2)") in errores
    # Each message quotes the figures, never the text.
    assert all(len(error) < 300 for error in errores)
    assert _huella() == antes


def test_la_importacion_solo_acepta_el_motivo_de_un_administrador(e):
    archivo = libro(plan_minimo())
    antes = _huella()
    resultado = importar_libro(archivo, usuario=e["revisor"], confirmar=True, motivo="Oficio 12")
    assert not resultado.aplicado
    assert services.MENSAJE_MOTIVO_SOLO_ADMINISTRADOR in [e.mensaje for e in resultado.errores]
    archivo.seek(0)
    resultado = importar_libro(archivo, usuario=e["admin"], confirmar=True, motivo="m" * (MAX_MOTIVO + 1))
    assert not resultado.aplicado
    assert "Motivo: tiene 501 caracteres; el máximo es 500." in [e.mensaje for e in resultado.errores]
    assert _huella() == antes


# --- The API -------------------------------------------------------------------------------


def _cliente(usuario) -> APIClient:
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=usuario)[0].key}")
    return cliente


def _texto(respuesta) -> str:
    return respuesta.content.decode()


def test_la_api_rechaza_una_observacion_de_31_millones_de_caracteres(e):
    """30 MiB never reaches the serializer: the body's own bound answers first (413, with the
    figures); an observación that fits in a body but not in its field is a 400 on that field."""
    antes = _huella()
    cliente = _cliente(e["planeador"])
    datos = {"indicador": e["indicador"].pk, "anio": 2024, "periodo": 2, "valor": "5", "observaciones": ENORME}
    respuesta = cliente.post("/api/v1/reportes/", datos, format="json")
    assert respuesta.status_code == 413
    assert "31.457." in _texto(respuesta) and len(respuesta.content) < 1_000  # the answer does not echo it
    assert _huella() == antes
    datos["observaciones"] = "o" * (MAX_TEXTO + 1)
    respuesta = cliente.post("/api/v1/reportes/", datos, format="json")
    assert respuesta.status_code == 400
    assert "observaciones" in respuesta.json()
    assert "10.001" in _texto(respuesta) and "10.000" in _texto(respuesta)
    assert len(respuesta.content) < 2_000
    assert _huella() == antes


def test_la_api_rechaza_un_motivo_de_501_caracteres(e):
    _cerrar_junio(e)
    reporte = e["reporte"]
    antes = _huella()
    respuesta = _cliente(e["admin"]).put(
        f"/api/v1/reportes/{reporte.pk}/",
        {"valor": "5", "version": reporte.version, "motivo": "m" * (MAX_MOTIVO + 1)}, format="json",
    )
    assert respuesta.status_code == 400
    assert "501" in _texto(respuesta) and "500" in _texto(respuesta)
    assert _huella() == antes


def test_la_api_rechaza_el_motivo_de_un_planeador_y_no_lo_registra(e):
    antes = _huella()
    falso = "=HYPERLINK(\"http://127.0.0.1:9/x\",\"Autorizado por el administrador\")"
    respuesta = _cliente(e["planeador"]).post(
        "/api/v1/reportes/",
        {"indicador": e["indicador"].pk, "anio": 2024, "periodo": 2, "valor": "5", "motivo": falso}, format="json",
    )
    assert respuesta.status_code == 400
    assert "Solo un administrador da un motivo" in _texto(respuesta)
    assert _huella() == antes
    assert not Reporte.history.filter(history_change_reason=falso).exists()


def test_el_motivo_de_300_caracteres_de_un_administrador_queda_entero_en_la_historia_y_la_auditoria(client, e):
    _cerrar_junio(e)
    reporte = e["reporte"]
    motivo = "Oficio 45 de la Secretaría de Salud: la cifra de junio era 5. " * 5
    motivo = motivo[:300].strip()
    respuesta = _cliente(e["admin"]).put(
        f"/api/v1/reportes/{reporte.pk}/", {"valor": "5", "version": reporte.version, "motivo": motivo}, format="json",
    )
    assert respuesta.status_code == 200, respuesta.content
    registro = reporte.history.order_by("-history_date", "-history_id").first()
    assert registro.history_change_reason == motivo and len(motivo) == 300
    [ultimo] = [r for r in auditoria.registros(indicador=e["indicador"]) if r.objeto == "reporte"][:1]
    assert ultimo.motivo == motivo
    client.force_login(e["auditor"])
    pagina = client.get(reverse("auditoria_indicador", args=[e["indicador"].pk]))
    assert pagina.status_code == 200
    assert motivo in pagina.content.decode()
    lista = client.get(reverse("auditoria"))
    assert lista.status_code == 200 and motivo in lista.content.decode()


def test_la_caja_del_motivo_de_la_importacion_anuncia_su_maximo(client):
    """The browser stops typing at the bound the server enforces (the server refuses beyond it)."""
    admin = factories.usuario("jefa", is_superuser=True, is_staff=True)
    client.force_login(admin)
    pagina = client.get(reverse("excel_importar")).content.decode()
    assert f'name="motivo" id="id_motivo" size="60" maxlength="{MAX_MOTIVO}"' in pagina


def test_devolver_en_lote_con_un_comentario_enorme_no_devuelve_ninguno(client, e):
    enviados = [
        services.reporte_enviar(
            reporte=services.reporte_registrar(
                indicador=e["indicador"], anio=anio, periodo=periodo, valor=Decimal("5"), usuario=e["planeador"],
            ),
            usuario=e["planeador"],
        )
        for anio, periodo in ((2024, 2), (2025, 1))
    ]
    client.force_login(e["revisor"])
    antes = _huella()
    respuesta = client.post(
        reverse("admin:indicadores_reporte_changelist"),
        {"action": "devolver", "_selected_action": [r.pk for r in enviados], "comentario": "c" * 10_001},
    )
    assert "10.001" in respuesta.content.decode() and "10.000" in respuesta.content.decode()
    assert _huella() == antes


def test_la_api_rechaza_una_correccion_con_un_texto_largo_y_no_la_toca(e):
    reporte = services.reporte_registrar(
        indicador=e["indicador"], anio=2024, periodo=2, valor=Decimal("5"), usuario=e["planeador"],
    )
    antes = _huella()
    respuesta = _cliente(e["planeador"]).patch(
        f"/api/v1/reportes/{reporte.pk}/",
        {"plan_de_choque": "p" * (MAX_TEXTO + 1), "version": reporte.version}, format="json",
    )
    assert respuesta.status_code == 400
    assert respuesta.json() == {"plan_de_choque": ["Tiene 10.001 caracteres; el máximo es 10.000."]}
    assert _huella() == antes
