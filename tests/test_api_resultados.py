"""GET /api/v1/planes/<codigo>/resultados/?corte=2024-1 and the band filter on indicators:
the same figures as `semaforo --json` (one selector behind both)."""

import io
import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos, services
from indicadores.models import Reporte
from tests import factories

pytestmark = pytest.mark.django_db

DIEZ_ANIOS = {anio: "2" for anio in range(2023, 2033)}


@pytest.fixture
def politica():
    """Objectives 1 and 3 of SPEC §6 (products 1.1.5, 3.1.1 and 3.1.3), published."""
    plan = factories.plan(codigo="conpes-prueba", publicado=True, anio_inicio=2023, anio_fin=2032)
    uno = factories.nivel(plan=plan, codigo="1", nombre="Objetivo uno")
    tres = factories.nivel(plan=plan, codigo="3", nombre="Objetivo tres")
    factories.indicador(
        nivel=uno, codigo="1.1.5", peso="4", tipo_anualizacion="suma", metas=DIEZ_ANIOS, reportes={2023: "3"}
    )
    factories.indicador(
        nivel=tres, codigo="3.1.1", peso="3", tipo_anualizacion="constante",
        metas={anio: "0.8" for anio in range(2023, 2033)}, reportes={2024: "0.33"},
    )
    factories.indicador(
        nivel=tres, codigo="3.1.3", peso="5", tipo_anualizacion="creciente",
        metas={2023: "0.4", 2024: "0.8", 2025: "1"}, reportes={2023: "0", 2024: "0"},
    )
    return plan


def _semaforo_json(codigo: str, corte: str) -> dict:
    salida = io.StringIO()
    call_command("semaforo", "--plan", codigo, "--corte", corte, "--json", stdout=salida)
    return json.loads(salida.getvalue())


def _contiene(grande: dict, chico: dict) -> None:
    """Every key of `chico` is in `grande` with the same value."""
    assert {clave: grande.get(clave) for clave in chico} == chico


def _mismos_resultados(api: dict, comando: dict) -> None:
    assert (api["plan"], api["corte"]) == (comando["plan"], comando["corte"])
    assert len(api["indicadores"]) == len(comando["indicadores"]) > 0
    for de_api, del_comando in zip(api["indicadores"], comando["indicadores"], strict=True):
        _contiene(de_api, del_comando)
    assert len(api["niveles"]) == len(comando["niveles"]) > 0
    for de_api, del_comando in zip(api["niveles"], comando["niveles"], strict=True):
        _contiene(de_api, del_comando)
    _contiene(api["total"], comando["total"])


def test_resultados_de_la_politica_en_el_corte(politica):
    respuesta = APIClient().get("/api/v1/planes/conpes-prueba/resultados/?corte=2024-1")
    assert respuesta.status_code == 200, respuesta.content
    cuerpo = respuesta.json()
    assert (cuerpo["corte"], cuerpo["fecha_corte"]) == ("2024-1", "2024-06-30")
    por_codigo = {fila["codigo"]: fila for fila in cuerpo["indicadores"]}
    assert (por_codigo["1.1.5"]["pahv"], por_codigo["1.1.5"]["paa"], por_codigo["1.1.5"]["semaforo"]) == (
        150, 15, "sobre_ejecucion",
    )
    assert (por_codigo["3.1.1"]["pav"], por_codigo["3.1.1"]["semaforo"]) == (41.25, "bajo")
    niveles = {fila["codigo"]: fila for fila in cuerpo["niveles"]}
    assert niveles["1"]["brecha"] == pytest.approx(0.2)
    assert niveles["3"]["brecha"] == pytest.approx(-3.7625)
    assert cuerpo["conteo_semaforo"]["bajo"] == 2


def test_resultados_iguales_a_semaforo_json(politica):
    api = APIClient().get("/api/v1/planes/conpes-prueba/resultados/?corte=2024-1").json()
    _mismos_resultados(api, _semaforo_json("conpes-prueba", "2024-1"))


def test_resultados_del_plan_demo_de_bogota_iguales_a_semaforo_json(datos_demo):
    api = APIClient().get("/api/v1/planes/bogota-conpes-29/resultados/?corte=2024-1")
    assert api.status_code == 200
    _mismos_resultados(api.json(), _semaforo_json("bogota-conpes-29", "2024-1"))


@pytest.mark.parametrize("corte", ["", "2024", "2024-3", "junio"])
def test_corte_mal_escrito_responde_400_con_el_formato(politica, corte):
    respuesta = APIClient().get(f"/api/v1/planes/conpes-prueba/resultados/?corte={corte}")
    assert respuesta.status_code == 400
    assert "AAAA-S" in respuesta.json()["corte"][0]


def test_plan_no_publicado_solo_con_sesion(politica):
    politica.publicado = False
    politica.save()
    url = "/api/v1/planes/conpes-prueba/resultados/?corte=2024-1"
    assert APIClient().get(url).status_code == 404
    cliente = APIClient()
    funcionario = factories.usuario(grupos=(permisos.FUNCIONARIO,))
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=funcionario).key}")
    assert cliente.get(url).status_code == 200


def test_filtro_por_banda_en_un_corte(politica):
    cliente = APIClient()
    base = "/api/v1/indicadores/?plan=conpes-prueba&corte=2024-1"
    assert [f["codigo"] for f in cliente.get(f"{base}&banda=bajo").json()["results"]] == ["3.1.1", "3.1.3"]
    assert [f["codigo"] for f in cliente.get(f"{base}&banda=sobre_ejecucion").json()["results"]] == ["1.1.5"]
    assert cliente.get(f"{base}&banda=medio").json()["results"] == []


@pytest.mark.parametrize("productos", [1, 40])
def test_resultados_de_un_corte_cerrado_con_consultas_fijas(politica, productos, django_assert_num_queries):
    _agrandar(politica, productos)
    revisora = factories.usuario(grupos=(permisos.REVISOR,))
    corte = services.corte_abrir(plan=politica, anio=2024, semestre=1, usuario=revisora)
    services.corte_cerrar(corte=corte, usuario=revisora)
    # plan + its published figures: nothing is computed.
    with django_assert_num_queries(2):
        respuesta = APIClient().get("/api/v1/planes/conpes-prueba/resultados/?corte=2024-1")
    assert respuesta.status_code == 200
    assert len(respuesta.json()["indicadores"]) == 3 + productos


def _agrandar(plan, productos: int) -> None:
    nivel = factories.nivel(plan=plan, codigo="9", nombre="Objetivo grande")
    for numero in range(productos):
        factories.indicador(
            nivel=nivel, codigo=f"9.1.{numero}", peso="0", metas=DIEZ_ANIOS, reportes={2023: "1", 2024: "1"}
        )


@pytest.mark.parametrize("productos", [1, 40])
def test_resultados_y_filtro_por_banda_con_consultas_fijas(
    politica, productos, django_assert_num_queries, django_assert_max_num_queries
):
    _agrandar(politica, productos)
    cliente = APIClient()
    url = "/api/v1/planes/conpes-prueba/resultados/?corte=2024-1"
    # The first read of a cut also computes and stores the indicators' summaries (a fixed few
    # queries more, see reportes.selectors); later reads use them.
    with django_assert_max_num_queries(8):
        assert cliente.get(url).status_code == 200
    # plan + the selector's 3 (a closed cut's published figures, none here; levels; indicators
    # with their stored summaries).
    with django_assert_num_queries(4):
        assert cliente.get(url).status_code == 200
    # plan (by code) + selector's 3 + count + page + metas + enfoques.
    with django_assert_num_queries(8):
        respuesta = cliente.get("/api/v1/indicadores/?plan=conpes-prueba&corte=2024-1&banda=bajo")
    assert respuesta.status_code == 200


# --- Official figures (issue 10) -----------------------------------------------------------------

URL_2024_1 = "/api/v1/planes/conpes-prueba/resultados/?corte=2024-1"


@pytest.fixture
def planeador_y_revisor(politica):
    """The planner of 3.1.1's dependencia and a reviewer of the planning office."""
    dependencia = politica.indicadores.get(codigo="3.1.1").dependencia
    return {
        "planeador": factories.usuario("planeadora", grupos=(permisos.PLANEADOR,), dependencias=[dependencia]),
        "revisor": factories.usuario("revisora", grupos=(permisos.REVISOR,)),
    }


def _corregir_por_la_api(planeador, valor: str) -> Reporte:
    """The planner corrects 3.1.1's approved 2024 report (0,33) through PATCH with its version."""
    reporte = Reporte.objects.get(indicador__codigo="3.1.1", anio=2024)
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=planeador)[0].key}")
    respuesta = cliente.patch(
        f"/api/v1/reportes/{reporte.pk}/",
        {"valor": valor, "plan_de_choque": "Curso virtual en agosto.", "version": reporte.version},
        format="json",
    )
    assert respuesta.status_code == 200, respuesta.content
    return Reporte.objects.get(pk=reporte.pk)


def _aprobar(reporte: Reporte, planeador_y_revisor) -> None:
    enviado = services.reporte_enviar(
        reporte=reporte, usuario=planeador_y_revisor["planeador"], version_esperada=reporte.version
    )
    services.reporte_aprobar(reporte=enviado, usuario=planeador_y_revisor["revisor"], version_esperada=enviado.version)


def _fila(cuerpo: dict, codigo: str) -> dict:
    return next(fila for fila in cuerpo["indicadores"] if fila["codigo"] == codigo)


def test_una_correccion_por_la_api_no_mueve_las_cifras_hasta_aprobarla(politica, planeador_y_revisor):
    cliente = APIClient()
    antes = cliente.get(URL_2024_1).json()
    reporte = _corregir_por_la_api(planeador_y_revisor["planeador"], "0,6")
    assert cliente.get(URL_2024_1).json() == antes
    assert _fila(antes, "3.1.1")["pav"] == 41.25
    _aprobar(reporte, planeador_y_revisor)
    despues = cliente.get(URL_2024_1).json()
    assert _fila(despues, "3.1.1")["pav"] == 75
    assert despues["total"] != antes["total"]


def test_un_corte_abierto_no_tiene_publicacion(politica):
    assert APIClient().get(URL_2024_1).json()["publicacion"] is None


def test_un_corte_cerrado_conserva_sus_cifras_aunque_se_apruebe_un_cambio_despues(politica, planeador_y_revisor):
    """The annual 2024 report is still running at the June cut: it may change for December, and
    the closed June cut keeps the figures it published."""
    cliente = APIClient()
    corte = services.corte_abrir(plan=politica, anio=2024, semestre=1, usuario=planeador_y_revisor["revisor"])
    corte = services.corte_cerrar(corte=corte, usuario=planeador_y_revisor["revisor"])
    publicado = cliente.get(URL_2024_1).json()
    assert publicado["publicacion"] == {
        "cerrado_en": corte.cerrado_en.astimezone().isoformat(), "corregido_en": None, "motivo_correccion": "",
    }
    _aprobar(_corregir_por_la_api(planeador_y_revisor["planeador"], "0,6"), planeador_y_revisor)
    assert cliente.get(URL_2024_1).json() == publicado
    assert _fila(publicado, "3.1.1")["pav"] == 41.25
    # The open December cut counts the approved change.
    diciembre = cliente.get("/api/v1/planes/conpes-prueba/resultados/?corte=2024-2").json()
    assert (diciembre["publicacion"], _fila(diciembre, "3.1.1")["pav"]) == (None, 75)
    # The band filter reads the same published figures.
    bajos = cliente.get("/api/v1/indicadores/?plan=conpes-prueba&corte=2024-1&banda=bajo").json()["results"]
    assert [fila["codigo"] for fila in bajos] == ["3.1.1", "3.1.3"]


def test_la_correccion_de_un_corte_cerrado_dice_cuando_y_por_que(politica, planeador_y_revisor):
    cliente = APIClient()
    corte = services.corte_abrir(plan=politica, anio=2024, semestre=1, usuario=planeador_y_revisor["revisor"])
    corte = services.corte_cerrar(corte=corte, usuario=planeador_y_revisor["revisor"])
    administrador = factories.usuario(is_superuser=True)
    motivo = "La Secretaría corrigió la cifra de 2024."
    _aprobar(_corregir_por_la_api(planeador_y_revisor["planeador"], "0,6"), planeador_y_revisor)
    corte = services.corte_corregir_cifras(corte=corte, usuario=administrador, motivo=motivo)
    corregido = cliente.get(URL_2024_1).json()
    assert corregido["publicacion"]["motivo_correccion"] == motivo
    assert corregido["publicacion"]["corregido_en"] == corte.corregido_en.astimezone().isoformat()
    assert _fila(corregido, "3.1.1")["pav"] == 75
