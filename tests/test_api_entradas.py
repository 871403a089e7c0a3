"""Hostile input to /api/v1/ (issue 11): whatever a script or an attacker sends gets a 4xx with a
Spanish message, never a 500, and nothing is half-saved. Numbers are read as the import reads
them, and an indicator the user may not see is answered exactly like one that does not exist."""

import io
import json
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos
from indicadores.models import Reporte
from seguimiento.api_entradas import NumeroColombianoField
from seguimiento.api_parsers import JSONAcotadoParser
from seguimiento.limites import MAX_MOTIVO, MAX_PROFUNDIDAD_JSON, MAX_TEXTO
from seguimiento.numeros import NumeroInvalido, parse_numero
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/reportes/"


@pytest.fixture
def dos_planes():
    """A published plan with an indicator of Gestión Pública and one of Mujeres, and an unpublished
    plan with an indicator of Mujeres; a planner of Gestión Pública and an administrator."""
    entidad = factories.entidad()
    gestion = factories.dependencia(entidad=entidad, nombre="Gestión Pública")
    mujeres = factories.dependencia(entidad=entidad, nombre="Mujeres")
    publicado = factories.plan(codigo="publicado", entidad=entidad, publicado=True, anio_inicio=2023, anio_fin=2032)
    borrador = factories.plan(codigo="borrador", entidad=entidad, publicado=False, anio_inicio=2023, anio_fin=2032)
    return {
        "propio": factories.indicador(plan=publicado, codigo="1.1.1", dependencia=gestion, metas={2024: "10"}),
        "ajeno_publico": factories.indicador(plan=publicado, codigo="2.2.2", dependencia=mujeres, metas={2024: "5"}),
        "ajeno_oculto": factories.indicador(plan=borrador, codigo="SECRETO-9", dependencia=mujeres, metas={2024: "5"}),
        "planeador": factories.usuario("planeadora", grupos=(permisos.PLANEADOR,), dependencias=[gestion]),
        "administrador": factories.usuario("admin", is_superuser=True, is_staff=True),
    }


def _cliente(usuario=None) -> APIClient:
    cliente = APIClient()
    if usuario is not None:
        cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=usuario)[0].key}")
    return cliente


def _crudo(cliente: APIClient, cuerpo: bytes | str, *, metodo: str = "post", url: str = URL, tipo="application/json"):
    cuerpo = cuerpo.encode() if isinstance(cuerpo, str) else cuerpo
    return getattr(cliente, metodo)(url, data=cuerpo, content_type=tipo)


def _reporte(dos_planes, **cambios) -> dict:
    return {"indicador": dos_planes["propio"].pk, "anio": 2024, "periodo": 1, "valor": 3, **cambios}


def _detalle(respuesta) -> str:
    assert respuesta["Content-Type"].startswith("application/json"), respuesta.content[:200]
    return respuesta.json()["detail"]


# --- Request bodies: depth, encoding, constants, size ----------------------------------------


@pytest.mark.parametrize("apertura, cierre", [("[", "]"), ('{"a":', "}")])
def test_json_anidado_diez_mil_niveles_es_400_y_no_guarda_nada(dos_planes, apertura, cierre):
    cliente = _cliente(dos_planes["planeador"])
    respuesta = _crudo(cliente, apertura * 10_000 + "1" + cierre * 10_000)
    assert respuesta.status_code == 400
    assert f"el máximo es {MAX_PROFUNDIDAD_JSON}" in _detalle(respuesta)
    assert "anida" in _detalle(respuesta)
    assert not Reporte.objects.exists()


def test_json_anidado_en_una_correccion_es_400_y_no_la_toca(dos_planes):
    cliente = _cliente(dos_planes["planeador"])
    creado = cliente.post(URL, _reporte(dos_planes), format="json").json()
    cuerpo = '{"valor": 5, "version": 1, "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    for metodo in ("patch", "put"):
        respuesta = _crudo(cliente, cuerpo, metodo=metodo, url=f"{URL}{creado['id']}/")
        assert respuesta.status_code == 400
        assert f"el máximo es {MAX_PROFUNDIDAD_JSON}" in _detalle(respuesta)
    assert (Reporte.objects.get().valor, Reporte.objects.get().version) == (Decimal(3), 1)


def test_json_anidado_justo_por_encima_del_limite_dice_cuantos_niveles(dos_planes):
    cliente = _cliente(dos_planes["planeador"])

    def anidado(niveles: int) -> dict:
        # The report itself is one level; `extra` adds the rest.
        extra: object = 1
        for _ in range(niveles - 1):
            extra = [extra]
        return _reporte(dos_planes, extra=extra)

    demasiado = _crudo(cliente, json.dumps(anidado(MAX_PROFUNDIDAD_JSON + 1)))
    assert demasiado.status_code == 400
    assert _detalle(demasiado).startswith(
        f"El JSON anida {MAX_PROFUNDIDAD_JSON + 1} niveles de objetos o listas; el máximo es {MAX_PROFUNDIDAD_JSON}."
    )
    assert not Reporte.objects.exists()
    # At the limit the body is read (the unknown key is ignored) and the report is created.
    assert _crudo(cliente, json.dumps(anidado(MAX_PROFUNDIDAD_JSON))).status_code == 201


def test_json_en_bytes_que_no_son_utf8_es_400(dos_planes):
    cuerpo = b'{"indicador": %d, "anio": 2024, "valor": 3, "observaciones": "Bogot\xe1"}' % dos_planes["propio"].pk
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    assert _detalle(respuesta).startswith("El cuerpo no es texto UTF-8 válido: el byte 0xe1 en la posición")
    assert not Reporte.objects.exists()


def test_un_juego_de_caracteres_que_no_es_texto_es_400(dos_planes):
    respuesta = _crudo(
        _cliente(dos_planes["planeador"]), json.dumps(_reporte(dos_planes)), tipo="application/json; charset=bz2_codec"
    )
    assert respuesta.status_code == 400
    assert _detalle(respuesta) == "El juego de caracteres «bz2_codec» no se admite; envíe el JSON en UTF-8."


@pytest.mark.parametrize("constante", ["NaN", "Infinity", "-Infinity"])
def test_nan_e_infinito_en_el_json_son_400(dos_planes, constante):
    cuerpo = json.dumps(_reporte(dos_planes)).replace('"valor": 3', f'"valor": {constante}')
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    assert _detalle(respuesta) == (
        f"El cuerpo no es JSON válido: «{constante}» no es un número JSON (NaN e Infinity no se admiten)."
    )
    assert not Reporte.objects.exists()


@pytest.mark.parametrize(
    "cuerpo, motivo",
    [
        ('{"indicador": 1,', "se esperaba el nombre de un campo entre comillas dobles (línea 1, columna 17)"),
        ('{"anio": 2024} {"anio": 2025}', "sobra texto después del JSON (línea 1, columna 16)"),
        ('{"observaciones": "sin cerrar}', "una cadena de texto sin cerrar (línea 1, columna 19)"),
        ("", None),  # an empty body is no body: the serializer asks for the fields
    ],
)
def test_json_mal_escrito_es_400_con_linea_y_columna(dos_planes, cuerpo, motivo):
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    if motivo is None:
        assert set(respuesta.json()) >= {"indicador", "anio", "valor"}
    else:
        assert _detalle(respuesta) == f"El cuerpo no es JSON válido: {motivo}."
    assert not Reporte.objects.exists()


def test_un_entero_de_miles_de_cifras_es_400(dos_planes):
    cuerpo = json.dumps(_reporte(dos_planes)).replace('"anio": 2024', '"anio": ' + "9" * 5000)
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    assert _detalle(respuesta) == "El cuerpo no es JSON válido: un número entero de 5.000 cifras."


def test_un_sustituto_suelto_en_un_texto_es_400_y_no_llega_a_la_base(dos_planes):
    # «\ud800» is valid JSON but not a character: no database stores it (SQLite raised a 500).
    cuerpo = json.dumps(_reporte(dos_planes, observaciones="Avance \ud800 parcial"))
    assert "\\ud800" in cuerpo
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    assert "«observaciones»" in _detalle(respuesta)
    assert not Reporte.objects.exists()
    # A real character outside the BMP, escaped as its surrogate pair, is fine.
    bien = _crudo(_cliente(dos_planes["planeador"]), json.dumps(_reporte(dos_planes, observaciones="Meta 🎯")))
    assert bien.status_code == 201, bien.content
    assert Reporte.objects.get().observaciones == "Meta 🎯"


def test_un_json_con_marca_de_orden_de_bytes_se_lee(dos_planes):
    cuerpo = b"\xef\xbb\xbf" + json.dumps(_reporte(dos_planes)).encode()
    assert _crudo(_cliente(dos_planes["planeador"]), cuerpo).status_code == 201


@pytest.mark.parametrize("cuerpo", ["[1, 2]", '"texto"', "null", "7480", "true"])
def test_un_cuerpo_que_no_es_un_objeto_es_400(dos_planes, cuerpo):
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400, respuesta.content
    assert "non_field_errors" in respuesta.json() or "indicador" in respuesta.json()
    assert not Reporte.objects.exists()


def _tamano_excesivo() -> int:
    return max(3 * 1024 * 1024, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def _mensaje_de_peso(tamano: int) -> str:
    maximo = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"La solicitud pesa {tamano:,} bytes; el máximo es {maximo:,} bytes.".replace(",", ".")


def test_un_cuerpo_json_de_3_mb_es_413_con_las_cifras(dos_planes):
    tamano = _tamano_excesivo()
    relleno = json.dumps(_reporte(dos_planes))[:-1] + ', "x": "'
    cuerpo = relleno + "a" * (tamano - len(relleno) - 2) + '"}'
    assert len(cuerpo) == tamano
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 413
    assert _detalle(respuesta) == _mensaje_de_peso(tamano)
    assert not Reporte.objects.exists()


def _sesion_de_navegador(usuario) -> APIClient:
    """A logged-in browser: session cookie and CSRF cookie, CSRF checked (the check reads a form)."""
    cliente = APIClient(enforce_csrf_checks=True)
    cliente.force_login(usuario)
    cliente.cookies["csrftoken"] = "a" * 32
    return cliente


def test_un_formulario_de_3_mb_es_413_con_las_cifras(dos_planes):
    # The token view reads forms (it keeps DRF's form parsers): the same answer there.
    cuerpo = "username=planeadora&password=" + "a" * _tamano_excesivo()
    respuesta = _crudo(APIClient(), cuerpo, url="/api/v1/token/", tipo="application/x-www-form-urlencoded")
    assert respuesta.status_code == 413
    assert _detalle(respuesta) == _mensaje_de_peso(len(cuerpo))
    assert not Token.objects.exists()


def test_demasiados_campos_de_formulario_son_400(dos_planes):
    maximo = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    cuerpo = "&".join(f"c{i}=1" for i in range(maximo + 5))
    respuesta = _crudo(APIClient(), cuerpo, url="/api/v1/token/", tipo="application/x-www-form-urlencoded")
    assert respuesta.status_code == 400
    assert _detalle(respuesta) == f"La solicitud trae más de {maximo:,} campos; el máximo es {maximo:,}.".replace(
        ",", "."
    )


def test_un_formulario_de_una_sesion_se_rechaza_sin_leerlo(dos_planes):
    # Even the CSRF check of a browser session does not read a form body on a JSON endpoint.
    cuerpo = f"indicador={dos_planes['propio'].pk}&anio=2024&valor=3&observaciones=" + "a" * _tamano_excesivo()
    respuesta = _crudo(_sesion_de_navegador(dos_planes["planeador"]), cuerpo, tipo="application/x-www-form-urlencoded")
    assert respuesta.status_code == 415
    assert not Reporte.objects.exists()


@pytest.mark.parametrize("tipo", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/csv"])
def test_la_api_solo_lee_json(dos_planes, tipo):
    # Scripts and Swagger UI send JSON; a form or a multipart upload is refused unread.
    cuerpo = f"indicador={dos_planes['propio'].pk}&anio=2024&periodo=1&valor=3"
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo, tipo=tipo)
    assert respuesta.status_code == 415
    assert not Reporte.objects.exists()


# --- One number reader: the import's ---------------------------------------------------------


@pytest.mark.parametrize(
    "enviado, guardado",
    [
        ("7.480", Decimal("7480")),
        ("0,33", Decimal("0.33")),
        ("1.234,5", Decimal("1234.5")),
        ("12,5", Decimal("12.5")),
        (0.33, Decimal("0.33")),
        (7480, Decimal("7480")),
        (7.48, Decimal("7.48")),  # a JSON number is a number: no thousands separator to misread
    ],
)
def test_el_valor_se_lee_como_en_la_importacion(dos_planes, enviado, guardado):
    respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, valor=enviado), format="json")
    assert respuesta.status_code == 201, respuesta.content
    assert Reporte.objects.get().valor == guardado


def test_un_numero_json_de_20_cifras_se_lee_exacto():
    # A float keeps 17 significant digits: 12345678901234.123 instead of …123456. (SQLite stores
    # decimals as floats anyway; PostgreSQL keeps all 20.)
    cuerpo = b'{"valor": 12345678901234.123456}'
    leido = JSONAcotadoParser().parse(io.BytesIO(cuerpo), "application/json", {})["valor"]
    assert leido == Decimal("12345678901234.123456")
    campo = NumeroColombianoField(max_digits=20, decimal_places=6)
    assert campo.run_validation(leido) == Decimal("12345678901234.123456")


@pytest.mark.parametrize("texto", ["7.48", "0.5", "١٢٣", "１２", "NaN", "Infinity", "1e5", "abc", "1.234,5.6", "5,"])
def test_el_texto_ambiguo_se_rechaza_con_el_mensaje_de_la_importacion(dos_planes, texto):
    with pytest.raises(NumeroInvalido) as importacion:
        parse_numero(texto)
    respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, valor=texto), format="json")
    assert respuesta.status_code == 400
    assert respuesta.json() == {"valor": [str(importacion.value)]}
    assert not Reporte.objects.exists()


@pytest.mark.parametrize(
    "valor, mensaje",
    [
        (10**30, "Tiene 31 cifras antes de la coma decimal; el máximo es 14."),
        ("1" + "0" * 30, "Tiene 31 cifras antes de la coma decimal; el máximo es 14."),
        (0.1234567, "Tiene 7 decimales; el máximo es 6."),
        ("x" * 5000, None),
        (True, None),
        ([3], None),
        ({"valor": 3}, None),
        (None, None),
        ("", "El valor está vacío."),
    ],
)
def test_un_valor_de_otro_tipo_o_fuera_de_rango_es_400(dos_planes, valor, mensaje):
    respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, valor=valor), format="json")
    assert respuesta.status_code == 400, respuesta.content
    assert list(respuesta.json()) == ["valor"]
    if mensaje:
        assert respuesta.json()["valor"] == [mensaje]
    assert not Reporte.objects.exists()


def test_un_exponente_enorme_es_400(dos_planes):
    cuerpo = json.dumps(_reporte(dos_planes)).replace('"valor": 3', '"valor": 1e999999')
    respuesta = _crudo(_cliente(dos_planes["planeador"]), cuerpo)
    assert respuesta.status_code == 400
    assert respuesta.json() == {"valor": ["Tiene 1.000.000 cifras antes de la coma decimal; el máximo es 14."]}


def test_la_correccion_lee_los_numeros_igual(dos_planes):
    cliente = _cliente(dos_planes["planeador"])
    creado = cliente.post(URL, _reporte(dos_planes), format="json").json()
    ambiguo = cliente.patch(f"{URL}{creado['id']}/", {"valor": "7.48", "version": 1}, format="json")
    assert ambiguo.status_code == 400
    assert "ambiguo" in ambiguo.json()["valor"][0]
    assert cliente.patch(f"{URL}{creado['id']}/", {"valor": "7.480", "version": 1}, format="json").status_code == 200
    assert Reporte.objects.get().valor == Decimal("7480")


def test_el_esquema_anuncia_numero_o_texto_al_escribir(client):
    esquema = yaml.safe_load(client.get("/api/v1/schema/").content)

    def campos(operacion: dict) -> dict:
        referencia = operacion["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return esquema["components"]["schemas"][referencia.rsplit("/", 1)[1]]["properties"]

    rutas = esquema["paths"]
    for operacion in (rutas["/api/v1/reportes/"]["post"], rutas["/api/v1/reportes/{id}/"]["patch"]):
        assert list(operacion["requestBody"]["content"]) == ["application/json"]
        assert [opcion["type"] for opcion in campos(operacion)["valor"]["oneOf"]] == ["number", "string"]
        assert campos(operacion)["observaciones"]["maxLength"] == MAX_TEXTO
        assert campos(operacion)["motivo"]["maxLength"] == MAX_MOTIVO


# --- Other fields: wrong types, out of range -------------------------------------------------


@pytest.mark.parametrize(
    "campo, valor",
    [
        ("anio", 10**30),
        ("anio", -1),
        ("anio", "٢٠٢٤"),
        ("anio", 2024.5),
        ("anio", "abc"),
        ("anio", [2024]),
        ("anio", None),
        ("periodo", 10**30),
        ("periodo", {"a": 1}),
        ("indicador", 10**30),
        ("indicador", "9" * 30),
        ("indicador", -1),
        ("indicador", 0),
        ("indicador", 1.5),
        ("indicador", True),
        ("indicador", None),
        ("indicador", "١"),
        ("observaciones", ["a"]),
        ("observaciones", {"a": "b"}),
        ("observaciones", "nulo \x00 aquí"),
        ("motivo", 5),
        ("motivo", ["x"]),
    ],
)
def test_campos_de_otro_tipo_o_fuera_de_rango_son_400(dos_planes, campo, valor):
    respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, **{campo: valor}), format="json")
    assert respuesta.status_code == 400, respuesta.content
    assert campo in respuesta.json(), respuesta.json()
    assert not Reporte.objects.exists()


def test_el_id_del_indicador_con_decimales_no_se_redondea_a_otro(dos_planes):
    # Django would read 1.5 (or "1.0") as the indicator with id 1.
    pk = dos_planes["propio"].pk
    for valor in (pk + 0.5, f"{pk}.0"):
        respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, indicador=valor), format="json")
        assert respuesta.status_code == 400
    assert not Reporte.objects.exists()


@pytest.mark.parametrize("campo", ["observaciones", "plan_de_choque"])
def test_un_texto_largo_es_400_con_su_largo(dos_planes, campo):
    respuesta = _cliente(dos_planes["planeador"]).post(
        URL, _reporte(dos_planes, **{campo: "a" * (MAX_TEXTO + 1)}), format="json"
    )
    assert respuesta.status_code == 400
    assert respuesta.json() == {campo: ["Tiene 10.001 caracteres; el máximo es 10.000."]}
    assert not Reporte.objects.exists()


def test_los_saltos_de_linea_cuentan_como_se_guardan(dos_planes):
    # 5.000 lines typed in a browser: 14.998 characters with CRLF, 9.999 as stored.
    texto = "\r\n".join(["a"] * 5000)
    assert len(texto) > MAX_TEXTO
    respuesta = _cliente(dos_planes["planeador"]).post(URL, _reporte(dos_planes, observaciones=texto), format="json")
    assert respuesta.status_code == 201, respuesta.content
    assert Reporte.objects.get().observaciones == "\n".join(["a"] * 5000)


def test_un_motivo_largo_es_400_y_no_guarda_nada(dos_planes):
    administrador = _cliente(dos_planes["administrador"])
    respuesta = administrador.post(URL, _reporte(dos_planes, motivo="m" * (MAX_MOTIVO + 1)), format="json")
    assert respuesta.status_code == 400
    assert respuesta.json() == {"motivo": ["Tiene 501 caracteres; el máximo es 500."]}
    assert not Reporte.objects.exists()


def test_el_motivo_de_un_planeador_se_rechaza_con_400(dos_planes):
    # Only an administrator's reason means anything (the service refuses anyone else's).
    respuesta = _cliente(dos_planes["planeador"]).post(
        URL, _reporte(dos_planes, motivo='=HYPERLINK("http://127.0.0.1:9/x","Autorizado por el administrador")'),
        format="json",
    )
    assert respuesta.status_code == 400
    assert list(respuesta.json()) == ["motivo"]
    assert not Reporte.objects.exists()


# --- An indicator or report the user may not see is one that does not exist ------------------


def test_un_indicador_invisible_se_responde_como_uno_inexistente(dos_planes):
    cliente = _cliente(dos_planes["planeador"])
    oculto = dos_planes["ajeno_oculto"]
    inexistente = oculto.pk + 1000
    invisible = cliente.post(URL, _reporte(dos_planes, indicador=oculto.pk), format="json")
    no_existe = cliente.post(URL, _reporte(dos_planes, indicador=inexistente), format="json")
    assert invisible.status_code == no_existe.status_code == 400
    mensaje = "No hay un indicador con id {} entre los que usted puede ver."
    assert invisible.json() == {"indicador": [mensaje.format(oculto.pk)]}
    assert no_existe.json() == {"indicador": [mensaje.format(inexistente)]}
    assert oculto.codigo not in invisible.content.decode()
    assert not Reporte.objects.exists()


def test_un_indicador_visible_que_no_es_suyo_sigue_siendo_403(dos_planes):
    respuesta = _cliente(dos_planes["planeador"]).post(
        URL, _reporte(dos_planes, indicador=dos_planes["ajeno_publico"].pk), format="json"
    )
    assert respuesta.status_code == 403
    assert "2.2.2" in _detalle(respuesta)
    assert not Reporte.objects.exists()


def test_sin_sesion_no_se_escribe(dos_planes):
    assert _cliente().post(URL, _reporte(dos_planes), format="json").status_code == 401


def test_un_reporte_invisible_se_lee_y_corrige_como_uno_inexistente(dos_planes):
    oculto = Reporte.objects.create(indicador=dos_planes["ajeno_oculto"], anio=2024, valor=1)
    cliente = _cliente(dos_planes["planeador"])
    for metodo, datos in (("get", None), ("patch", {"valor": 2, "version": 1}), ("put", {"valor": 2, "version": 1})):
        invisible = getattr(cliente, metodo)(f"{URL}{oculto.pk}/", datos, format="json")
        no_existe = getattr(cliente, metodo)(f"{URL}{oculto.pk + 1000}/", datos, format="json")
        assert invisible.status_code == no_existe.status_code == 404
        assert invisible.json() == no_existe.json()
    oculto.refresh_from_db()
    assert (oculto.valor, oculto.version) == (Decimal("1"), 1)


def test_un_indicador_o_plan_invisible_se_lee_como_uno_inexistente(dos_planes):
    cliente = _cliente(dos_planes["planeador"])
    oculto = dos_planes["ajeno_oculto"]
    invisible = cliente.get(f"/api/v1/indicadores/{oculto.pk}/")
    no_existe = cliente.get(f"/api/v1/indicadores/{oculto.pk + 1000}/")
    assert invisible.status_code == no_existe.status_code == 404
    assert invisible.json() == no_existe.json()
    plan_invisible = cliente.get("/api/v1/planes/borrador/resultados/", {"corte": "2024-1"})
    plan_inexistente = cliente.get("/api/v1/planes/no-existe/resultados/", {"corte": "2024-1"})
    assert plan_invisible.status_code == plan_inexistente.status_code == 404
    assert plan_invisible.json() == plan_inexistente.json()
    assert cliente.get("/api/v1/indicadores/", {"plan": "borrador"}).json()["results"] == []
    assert cliente.get("/api/v1/reportes/", {"indicador": oculto.pk}).json()["results"] == []


# --- Query strings ---------------------------------------------------------------------------

FILTROS = {
    "/api/v1/entidades/": ["q"],
    "/api/v1/dependencias/": ["entidad", "tipo", "plan", "q"],
    "/api/v1/planes/": ["entidad", "tipo", "publicado", "codigo", "q"],
    "/api/v1/niveles/": ["plan", "padre", "raiz", "profundidad", "codigo", "q"],
    "/api/v1/indicadores/": [
        "plan", "nivel", "dependencia", "tipo", "periodicidad", "enfoque", "codigo", "q", "corte", "banda",
    ],
    "/api/v1/reportes/": ["plan", "indicador", "codigo", "nivel", "dependencia", "anio", "periodo", "estado"],
}
HOSTILES = [str(10**30), "-1", "1.5", "1e5", "x" * 5000, "\x00", "%00", "100%", "%(x)s", "٢٠٢٤", "NaN", "[]", "{}"]


@pytest.mark.parametrize("url", list(FILTROS))
def test_ningun_filtro_responde_500(dos_planes, url):
    cliente = _cliente(dos_planes["administrador"])
    for parametro in [*FILTROS[url], "page", "page_size"]:
        for valor in HOSTILES:
            respuesta = cliente.get(url, {parametro: valor})
            assert respuesta.status_code in (200, 400, 404), (parametro, valor[:20], respuesta.status_code)


@pytest.mark.parametrize("corte", ["100%", "%(x)s", "%s", "2024-1%"])
def test_un_corte_con_porcentaje_es_400_con_el_valor_citado(dos_planes, corte):
    # The message quotes what was sent; a «%» in it once made the filter's error a 500.
    respuesta = _cliente(dos_planes["planeador"]).get("/api/v1/indicadores/", {"corte": corte})
    assert respuesta.status_code == 400
    assert respuesta.json()["corte"][0].startswith(f"Corte «{corte}» no válido")


def test_paginas_absurdas_son_404_y_tamanos_absurdos_se_acotan(dos_planes):
    cliente = _cliente(dos_planes["administrador"])
    assert cliente.get("/api/v1/indicadores/", {"page": 10**30}).status_code == 404
    respuesta = cliente.get("/api/v1/indicadores/", {"page_size": 10**30})
    assert respuesta.status_code == 200
    assert len(respuesta.json()["results"]) == 3


@pytest.mark.parametrize("corte", [str(10**30), "٢٠٢٤-١", "٢٠٢٤-1", "2024-3", "0001-1", "x" * 5000, "%(x)s"])
def test_un_corte_absurdo_en_resultados_es_400(dos_planes, corte):
    respuesta = _cliente(dos_planes["administrador"]).get("/api/v1/planes/publicado/resultados/", {"corte": corte})
    assert respuesta.status_code == 400
    assert "corte" in respuesta.json()


def test_filtros_y_paginas_solo_leen_cifras_ascii(dos_planes):
    cliente = _cliente(dos_planes["administrador"])
    en_ascii = cliente.get(URL, {"anio": "2024"})
    arabigo = cliente.get(URL, {"anio": "٢٠٢٤"})
    assert en_ascii.status_code == 200
    assert arabigo.status_code == 400
    assert arabigo.json()["anio"] == ["Escriba un número entero con cifras 0-9."]
    assert cliente.get(URL, {"page": "١"}).status_code == 404
    assert cliente.get(URL, {"page": "1"}).status_code == 200


def test_el_token_con_json_anidado_diez_mil_niveles_es_400(dos_planes):
    respuesta = _crudo(APIClient(), "[" * 10_000 + "]" * 10_000, url="/api/v1/token/")
    assert respuesta.status_code == 400
    assert "niveles" in json.dumps(respuesta.json(), ensure_ascii=False)


def test_un_corte_larguisimo_no_se_repite_entero_en_el_mensaje(dos_planes):
    respuesta = _cliente(dos_planes["administrador"]).get("/api/v1/planes/publicado/resultados/", {"corte": "x" * 5000})
    assert respuesta.status_code == 400
    mensaje = json.dumps(respuesta.json(), ensure_ascii=False)
    assert "x" * 39 + "…" in mensaje and len(mensaje) < 500
