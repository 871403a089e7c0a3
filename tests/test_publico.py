"""Public view: published plans are readable logged out; everything else asks for login or 404s."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.factories import plan_de_dos_objetivos

pytestmark = pytest.mark.django_db


def test_plan_publicado_se_lee_sin_ingresar(client):
    plan = plan_de_dos_objetivos(1, publicado=True)
    indicador = plan.indicadores.first()
    for url in (
        reverse("tablero", args=[plan.codigo]),
        reverse("indicador", args=[plan.codigo, indicador.codigo]),
        reverse("informe_seguimiento", args=[plan.codigo]),
        reverse("informe_indicadores", args=[plan.codigo]),
    ):
        respuesta = client.get(url)
        assert respuesta.status_code == 200, url
        assert "Administración" not in respuesta.content.decode()


def test_plan_no_publicado_pide_ingresar(client):
    plan = plan_de_dos_objetivos(1, publicado=False)
    indicador = plan.indicadores.first()
    for url in (
        reverse("tablero", args=[plan.codigo]),
        reverse("indicador", args=[plan.codigo, indicador.codigo]),
        reverse("informe_seguimiento", args=[plan.codigo]),
    ):
        respuesta = client.get(url)
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("login"))


def test_usuario_sin_acceso_recibe_404(client):
    plan = plan_de_dos_objetivos(1, publicado=False)
    client.force_login(f.usuario(grupos=("Planeador",)))
    assert client.get(reverse("tablero", args=[plan.codigo])).status_code == 404


def test_funcionario_ve_plan_no_publicado(client):
    plan = plan_de_dos_objetivos(1, publicado=False)
    client.force_login(f.usuario(grupos=("Funcionario",)))
    assert client.get(reverse("tablero", args=[plan.codigo])).status_code == 200


def test_inicio_anonimo_solo_lista_planes_publicados(client):
    publicado = plan_de_dos_objetivos(1, publicado=True)
    oculto = plan_de_dos_objetivos(1, publicado=False)
    oculto.nombre = "Plan reservado"
    oculto.save()
    publicado.nombre = "Plan abierto"
    publicado.save()
    html = client.get(reverse("inicio")).content.decode()
    assert "Plan abierto" in html and "Plan reservado" not in html
    assert reverse("tablero", args=[publicado.codigo]) in html


def test_inicio_muestra_cifras_de_cada_plan(client):
    plan_de_dos_objetivos(2, publicado=True)
    html = client.get(reverse("inicio")).content.decode()
    assert "Avance acumulado" in html and "−1,25 pp" in html  # two objectives at −0,63 each
    assert "Cumplimiento bajo" in html


@pytest.mark.parametrize("n_planes", [1, 4])
def test_inicio_numero_fijo_de_consultas(client, django_assert_num_queries, n_planes):
    for _ in range(n_planes):
        plan_de_dos_objetivos(3, publicado=True)
    client.get(reverse("inicio"))  # the first read stores the cut's summaries
    # Expect 6 queries: plans, their cuts, levels, published figures of closed cuts, stale
    # summaries (none), stored summaries.
    with django_assert_num_queries(6):
        assert client.get(reverse("inicio")).status_code == 200


def test_anios_e_ids_sin_separador_de_miles(client):
    """Years and ids are codes, not quantities: «2024», never «2.024»; an id 12345 stays «12345»
    in filter options and links, or the filter would not match."""
    from indicadores.models import Indicador
    from politicas.models import Dependencia, Nivel

    plan = plan_de_dos_objetivos(1, publicado=True)
    dependencia = Dependencia.objects.create(id=12345, entidad=plan.entidad, nombre="Sector Cultura")
    objetivo = Nivel.objects.create(id=23456, plan=plan, codigo="3", nombre="Objetivo 3")
    producto = Nivel.objects.create(id=23457, plan=plan, padre=objetivo, codigo="3.1.1", nombre="Producto 3.1.1")
    for codigo in ("3.1.1", "3.1.2"):
        f.indicador(plan=plan, nivel=producto, codigo=codigo, dependencia=dependencia, metas={2024: "1"}, reportes={2024: "1"})
    indicador = Indicador.objects.get(plan=plan, codigo="3.1.1")
    paginas = {
        "tablero": client.get(reverse("tablero", args=[plan.codigo]), {"corte": "2024-1", "dependencia": 12345}),
        "informe": client.get(reverse("informe_seguimiento", args=[plan.codigo]), {"corte": "2024-1"}),
        "indicador": client.get(reverse("indicador", args=[plan.codigo, indicador.codigo]), {"corte": "2024-1"}),
        "inicio": client.get(reverse("inicio")),
    }
    for nombre, respuesta in paginas.items():
        html = respuesta.content.decode()
        assert respuesta.status_code == 200, nombre
        assert "2.02" not in html and "12.345" not in html and "23.45" not in html, nombre
    tablero = paginas["tablero"].content.decode()
    assert '<option value="12345" selected>' in tablero
    assert '<option value="23456"' in tablero and "nivel=23456" in tablero
    assert "dependencia=12345" in tablero
    assert "nivel=23457" in paginas["indicador"].content.decode()
