"""What the dashboards call a plan's levels and indicators: proper Spanish plurals, the name of the
level below the deepest one the plan uses, and chart labels without a stray period («Eje 1»)."""

import pytest
from django.urls import reverse

from politicas.models import Nivel
from reportes.paginas.nombres import NombreNivel, abreviatura, etiquetas_categorias, nombres_de_niveles, plural
from tests import factories as f


@pytest.mark.parametrize(
    "singular, esperado",
    [
        ("Indicador", "Indicadores"),
        ("Producto", "Productos"),
        ("Programa", "Programas"),
        ("Eje", "Ejes"),
        ("Componente", "Componentes"),
        ("Acción", "Acciones"),
        ("Dimensión", "Dimensiones"),
        ("Línea de acción", "Líneas de acción"),
        ("Eje estratégico", "Ejes estratégicos"),
        ("País", "Países"),
        ("Luz", "Luces"),
        ("Análisis", "Análisis"),
        ("ODS", "ODS"),
    ],
)
def test_plural_en_espanol(singular, esperado):
    assert plural(singular) == esperado


def test_contar_usa_singular_o_plural():
    producto = NombreNivel.de("Producto")
    assert producto.contar(1) == "1 producto"
    assert producto.contar(3) == "3 productos"
    assert producto.contar(0) == "0 productos"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nombres, profundidad, objetivo, indicador",
    [
        ("Objetivo, Producto", 0, "Objetivo", "Producto"),  # Bogotá: objectives only, products below
        ("Eje, Componente, Programa", 2, "Eje", "Indicador"),  # Cali: all three levels used
        ("Eje, Componente, Programa", 1, "Eje", "Programa"),
        ("Objetivo, Producto", None, "Objetivo", "Indicador"),  # no levels at all
        ("", None, "Nivel", "Indicador"),
    ],
)
def test_nombre_de_los_indicadores_sigue_al_nivel_mas_profundo(nombres, profundidad, objetivo, indicador):
    plan = f.plan(nombres_niveles=nombres or "x")
    plan.nombres_niveles = nombres
    nivel_objetivo, nivel_indicador = nombres_de_niveles(plan, profundidad)
    assert (nivel_objetivo.singular, nivel_indicador.singular) == (objetivo, indicador)


def test_etiquetas_de_categorias_completas_o_todas_abreviadas():
    assert etiquetas_categorias("Eje", ["1", "2"], ancho_grupo=100) == ["Eje 1", "Eje 2"]
    assert etiquetas_categorias("Objetivo", ["1", "2"], ancho_grupo=200) == ["Objetivo 1", "Objetivo 2"]
    # Too narrow for «Objetivo 10»: every label is shortened, never a mix.
    assert etiquetas_categorias("Objetivo", ["1", "10"], ancho_grupo=60) == ["Obj. 1", "Obj. 10"]
    assert abreviatura("Eje") == "Eje"  # never «Eje.»
    assert abreviatura("Componente") == "Comp."


@pytest.mark.django_db
def test_tablero_con_productos_bajo_objetivos_dice_productos(client):
    plan = f.plan(publicado=True, nombres_niveles="Objetivo, Producto")
    objetivo = f.nivel(plan=plan, codigo="1")
    f.indicador(plan=plan, nivel=objetivo, codigo="1.1.1", metas={2023: "2"}, reportes={2023: "1"})
    f.indicador(plan=plan, nivel=objetivo, codigo="1.1.2", metas={2023: "2"}, reportes={2023: "1"})
    html = client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2023-2"}).content.decode()
    assert "<dt>Productos</dt>" in html
    assert "Productos por banda del semáforo" in html
    assert "Productoss" not in html and "Productos</th>" in html
    assert "de 2 productos" in html


@pytest.mark.django_db
def test_tablero_de_tres_niveles_usados_dice_indicadores(client):
    plan = f.plan(publicado=True, nombres_niveles="Eje, Componente, Programa")
    eje = f.nivel(plan=plan, codigo="4")
    componente = Nivel.objects.create(plan=plan, padre=eje, codigo="4.1", nombre="Componente")
    programa = Nivel.objects.create(plan=plan, padre=componente, codigo="4.1.1", nombre="Programa")
    f.indicador(plan=plan, nivel=programa, codigo="4401", metas={2023: "2"}, reportes={2023: "1"})
    html = client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2023-2"}).content.decode()
    assert "<dt>Indicadores</dt>" in html
    assert "Indicadores por banda del semáforo" in html
    assert "Programas" not in html
    assert ">Eje 4</text>" in html and "Eje." not in html


@pytest.mark.django_db
def test_tablero_cali_demo_dice_indicadores_y_ejes_sin_punto(client, datos_demo):
    html = client.get(reverse("tablero", args=["cali-2016"])).content.decode()
    assert "<dt>Indicadores</dt>" in html and "Indicadores por banda del semáforo" in html
    assert "Programas" not in html and "Indicadors" not in html
    assert ">Eje 4</text>" in html and "Eje. " not in html


@pytest.mark.django_db
def test_tablero_e_informe_bogota_demo_dicen_productos(client, datos_demo):
    html = client.get(reverse("tablero", args=["bogota-conpes-29"]), {"corte": "2024-1"}).content.decode()
    assert "<dt>Productos</dt>" in html and "Productos por banda del semáforo" in html
    informe = client.get(reverse("informe_seguimiento", args=["bogota-conpes-29"]), {"corte": "2024-1"}).content.decode()
    assert "7 objetivos y 36 productos" in informe
    assert "Productoss" not in informe and "Objetivos por" not in informe
    assert "Estado de avance de los productos" in informe
