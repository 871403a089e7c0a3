"""Read endpoints of /api/v1/: who sees what, filters, stable pages and fixed query counts."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from indicadores import permisos
from indicadores.models import Enfoque
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def politica_publicada_y_plan_borrador():
    """A published policy with two dependencias' indicators, and an unpublished plan."""
    entidad = factories.entidad(nombre="Alcaldía Mayor de Bogotá")
    gestion = factories.dependencia(entidad=entidad, nombre="Sector Gestión Pública")
    mujeres = factories.dependencia(entidad=entidad, nombre="Sector Mujeres")
    publicado = factories.plan(codigo="politica-publicada", entidad=entidad, publicado=True)
    objetivo = factories.nivel(plan=publicado, codigo="1", nombre="Objetivo uno")
    producto = factories.nivel(plan=publicado, padre=objetivo, codigo="1.1", nombre="Producto uno")
    otro_objetivo = factories.nivel(plan=publicado, codigo="2", nombre="Objetivo dos")
    genero = Enfoque.objects.get(codigo="genero")  # seeded by a migration
    uno = factories.indicador(
        nivel=producto, codigo="1.1.5", nombre="Personas formadas en liderazgo", dependencia=gestion,
        metas={2023: "2", 2024: "2"}, reportes={2023: "3"},
    )
    uno.enfoques.add(genero)
    dos = factories.indicador(
        nivel=otro_objetivo, codigo="2.1.2", nombre="Casas de igualdad", dependencia=mujeres,
        tipo_anualizacion="constante", periodicidad="semestral", metas={2023: "100"},
    )
    borrador = factories.plan(codigo="plan-borrador", entidad=entidad, publicado=False)
    oculto = factories.indicador(plan=borrador, codigo="X.1", nombre="Indicador oculto", dependencia=gestion)
    return {
        "entidad": entidad, "gestion": gestion, "mujeres": mujeres, "publicado": publicado, "borrador": borrador,
        "objetivo": objetivo, "uno": uno, "dos": dos, "oculto": oculto,
    }


def _cliente(usuario=None) -> APIClient:
    cliente = APIClient()
    if usuario is not None:
        cliente.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=usuario).key}")
    return cliente


def _codigos(respuesta) -> list[str]:
    assert respuesta.status_code == 200, respuesta.content
    return [fila["codigo"] for fila in respuesta.json()["results"]]


# --- Anonymous visitors: published plans only ------------------------------------------------


def test_anonimo_lee_solo_planes_publicados(politica_publicada_y_plan_borrador):
    cliente = _cliente()
    assert _codigos(cliente.get("/api/v1/planes/")) == ["politica-publicada"]
    assert cliente.get("/api/v1/planes/politica-publicada/").json()["niveles_nombres"] == ["Objetivo", "Producto"]
    assert cliente.get("/api/v1/planes/plan-borrador/").status_code == 404
    assert sorted(_codigos(cliente.get("/api/v1/indicadores/"))) == ["1.1.5", "2.1.2"]
    assert cliente.get(f"/api/v1/indicadores/{politica_publicada_y_plan_borrador['oculto'].pk}/").status_code == 404
    assert {n["codigo"] for n in cliente.get("/api/v1/niveles/").json()["results"]} == {"1", "1.1", "2"}


def test_anonimo_no_ve_borradores_de_reportes(politica_publicada_y_plan_borrador):
    factories.indicador(plan=politica_publicada_y_plan_borrador["publicado"], codigo="3.1.1")  # no report
    politica_publicada_y_plan_borrador["dos"].reportes.create(anio=2023, periodo=1, valor=50, estado="borrador")
    filas = _cliente().get("/api/v1/reportes/").json()["results"]
    assert [(f["indicador_codigo"], f["estado"]) for f in filas] == [("1.1.5", "aprobado")]


def test_anonimo_ve_entidades_y_dependencias_de_planes_publicados(politica_publicada_y_plan_borrador):
    factories.entidad(nombre="Municipio sin planes publicados")
    factories.dependencia(
        entidad=politica_publicada_y_plan_borrador["entidad"], nombre="Sector sin indicadores públicos"
    )
    cliente = _cliente()
    assert [e["nombre"] for e in cliente.get("/api/v1/entidades/").json()["results"]] == ["Alcaldía Mayor de Bogotá"]
    assert [d["nombre"] for d in cliente.get("/api/v1/dependencias/").json()["results"]] == [
        "Sector Gestión Pública", "Sector Mujeres",
    ]


# --- Logged-in users -------------------------------------------------------------------------


def test_planeador_ve_lo_publicado_y_lo_de_sus_dependencias(politica_publicada_y_plan_borrador):
    """Logging in never hides what an anonymous visitor sees; unpublished plans stay scoped."""
    de_mujeres = _cliente(
        factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[politica_publicada_y_plan_borrador["mujeres"]])
    )
    assert sorted(_codigos(de_mujeres.get("/api/v1/indicadores/"))) == ["1.1.5", "2.1.2"]
    assert de_mujeres.get(f"/api/v1/indicadores/{politica_publicada_y_plan_borrador['oculto'].pk}/").status_code == 404
    assert de_mujeres.get("/api/v1/planes/plan-borrador/").status_code == 404

    de_gestion = _cliente(
        factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[politica_publicada_y_plan_borrador["gestion"]])
    )
    assert sorted(_codigos(de_gestion.get("/api/v1/indicadores/"))) == ["1.1.5", "2.1.2", "X.1"]


def _estados(cliente) -> list[tuple[str, str]]:
    return sorted((f["indicador_codigo"], f["estado"]) for f in cliente.get("/api/v1/reportes/").json()["results"])


def test_planeador_no_ve_borradores_de_otra_dependencia(politica_publicada_y_plan_borrador):
    politica_publicada_y_plan_borrador["dos"].reportes.create(anio=2023, periodo=1, valor=50, estado="borrador")
    de_gestion = _cliente(
        factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[politica_publicada_y_plan_borrador["gestion"]])
    )
    de_mujeres = _cliente(
        factories.usuario(grupos=(permisos.PLANEADOR,), dependencias=[politica_publicada_y_plan_borrador["mujeres"]])
    )
    assert _estados(de_gestion) == [("1.1.5", "aprobado")]
    assert _estados(de_mujeres) == [("1.1.5", "aprobado"), ("2.1.2", "borrador")]


@pytest.mark.parametrize("rol", [permisos.FUNCIONARIO, permisos.AUDITOR])
def test_funcionario_y_auditor_leen_todo(politica_publicada_y_plan_borrador, rol):
    cliente = _cliente(factories.usuario(grupos=(rol,)))
    assert sorted(_codigos(cliente.get("/api/v1/planes/"))) == ["plan-borrador", "politica-publicada"]
    assert sorted(_codigos(cliente.get("/api/v1/indicadores/"))) == ["1.1.5", "2.1.2", "X.1"]


def test_la_sesion_del_navegador_tambien_autentica(politica_publicada_y_plan_borrador, client):
    client.force_login(factories.usuario(grupos=(permisos.AUDITOR,)))
    assert "X.1" in [f["codigo"] for f in client.get("/api/v1/indicadores/").json()["results"]]


# --- Filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "consulta, esperados",
    [
        ("plan=politica-publicada", ["1.1.5", "2.1.2"]),
        ("plan=plan-que-no-existe", []),
        ("tipo=constante", ["2.1.2"]),
        ("periodicidad=semestral", ["2.1.2"]),
        ("enfoque=genero", ["1.1.5"]),
        ("codigo=1.1.5", ["1.1.5"]),
        ("q=igualdad", ["2.1.2"]),
        ("q=1.1", ["1.1.5"]),
    ],
)
def test_filtros_de_indicadores(politica_publicada_y_plan_borrador, consulta, esperados):
    cliente = _cliente(factories.usuario(grupos=(permisos.FUNCIONARIO,)))
    assert sorted(_codigos(cliente.get(f"/api/v1/indicadores/?{consulta}"))) == esperados


def test_filtros_por_nivel_y_dependencia_incluyen_subniveles(politica_publicada_y_plan_borrador):
    cliente = _cliente()
    assert _codigos(
        cliente.get(f"/api/v1/indicadores/?nivel={politica_publicada_y_plan_borrador['objetivo'].pk}")
    ) == ["1.1.5"]
    assert _codigos(
        cliente.get(f"/api/v1/indicadores/?dependencia={politica_publicada_y_plan_borrador['mujeres'].pk}")
    ) == ["2.1.2"]


def test_indicador_trae_sus_metas_y_enfoques(politica_publicada_y_plan_borrador):
    fila = _cliente().get(f"/api/v1/indicadores/{politica_publicada_y_plan_borrador['uno'].pk}/").json()
    assert fila["metas"] == [{"anio": 2023, "valor": 2.0}, {"anio": 2024, "valor": 2.0}]
    assert fila["enfoques"] == ["genero"]
    assert fila["plan"] == "politica-publicada"
    assert fila["nivel_codigo"] == "1.1"


def test_filtros_de_reportes_y_niveles(politica_publicada_y_plan_borrador):
    politica_publicada_y_plan_borrador["dos"].reportes.create(anio=2024, periodo=1, valor=40, estado="aprobado")
    cliente = _cliente()
    filas = cliente.get("/api/v1/reportes/?anio=2024").json()["results"]
    assert [(f["indicador_codigo"], f["anio"], f["periodo"]) for f in filas] == [("2.1.2", 2024, 1)]
    assert cliente.get("/api/v1/reportes/?codigo=1.1.5").json()["count"] == 1
    assert _codigos(cliente.get("/api/v1/niveles/?plan=politica-publicada&raiz=true")) == ["1", "2"]
    assert _codigos(
        cliente.get(f"/api/v1/niveles/?padre={politica_publicada_y_plan_borrador['objetivo'].pk}")
    ) == ["1.1"]


@pytest.mark.parametrize(
    "consulta",
    ["tipo=otro", "nivel=abc", "nivel=99999999999999999999999", "banda=bajo", "corte=2024-3&banda=bajo&plan=x"],
)
def test_filtros_mal_escritos_responden_400(politica_publicada_y_plan_borrador, consulta):
    respuesta = _cliente().get(f"/api/v1/indicadores/?{consulta}")
    assert respuesta.status_code == 400
    assert set(respuesta.json()) & {"tipo", "nivel", "banda", "corte"}


# --- Pages and query counts ------------------------------------------------------------------


@pytest.fixture
def sesenta_planes_publicados(politica_publicada_y_plan_borrador):
    """More than a page of everything: 60 published plans, each with its own entidad, lead
    dependencia and level, and an indicator (with targets, reports and an enfoque)."""
    genero = Enfoque.objects.get(codigo="genero")
    for numero in range(60):
        plan = factories.plan(publicado=True)
        plan.dependencia_lider = factories.dependencia(entidad=plan.entidad)
        plan.save()
        indicador = factories.indicador(
            nivel=factories.nivel(plan=plan), codigo=f"9.{numero:02d}",
            dependencia=politica_publicada_y_plan_borrador["gestion"], metas={2023: "1", 2024: "1"},
            reportes={2023: "1", 2024: "2"},
        )
        indicador.enfoques.add(genero)
    return politica_publicada_y_plan_borrador


def test_paginas_estables_sin_repetir_ni_perder_filas(sesenta_planes_publicados):
    cliente = _cliente()
    vistos = []
    url = "/api/v1/indicadores/?page_size=7"
    while url:
        pagina = cliente.get(url).json()
        vistos += [fila["id"] for fila in pagina["results"]]
        url = pagina["next"]
    assert len(vistos) == len(set(vistos)) == 62


# Expected queries per list, whatever the page size:
#   the list itself: count + page (+ metas + enfoques for indicators);
#   who asks: anonymous nothing; with a token, the token (and its user), then the user's groups
#   where visibility depends on the role, then their dependencias where a planner is scoped.
LISTAS = {
    #  url                                     anonimo  planeador  auditor
    "/api/v1/entidades/":                       (2,      3,         3),
    "/api/v1/dependencias/":                    (2,      3,         3),
    "/api/v1/planes/":                          (2,      4,         4),
    "/api/v1/niveles/":                         (2,      4,         4),
    "/api/v1/indicadores/":                     (4,      7,         6),
    "/api/v1/indicadores/?enfoque=genero&q=9":  (4,      7,         6),
    "/api/v1/reportes/":                        (2,      5,         4),
}  # fmt: skip


@pytest.mark.parametrize("url", LISTAS)
@pytest.mark.parametrize("columna, rol", [(0, None), (1, permisos.PLANEADOR), (2, permisos.AUDITOR)])
@pytest.mark.parametrize("tamano", [5, 50])
def test_listas_con_consultas_fijas_cualquiera_sea_el_tamano_de_pagina(
    sesenta_planes_publicados, url, columna, rol, tamano, django_assert_num_queries
):
    usuario = factories.usuario(grupos=(rol,), dependencias=[sesenta_planes_publicados["gestion"]]) if rol else None
    cliente = _cliente(usuario)
    separador = "&" if "?" in url else "?"
    with django_assert_num_queries(LISTAS[url][columna]):
        respuesta = cliente.get(f"{url}{separador}page_size={tamano}")
    assert respuesta.status_code == 200
    assert respuesta.json()["count"] > 50
    assert len(respuesta.json()["results"]) == tamano
