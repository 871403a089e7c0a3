"""Public view: published plans are readable logged out; everything else asks for login or 404s."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.test_dashboard import construir_plan

pytestmark = pytest.mark.django_db


def test_plan_publicado_se_lee_sin_ingresar(client):
    plan = construir_plan(1, publicado=True)
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
    plan = construir_plan(1, publicado=False)
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
    plan = construir_plan(1, publicado=False)
    client.force_login(f.usuario(grupos=("Planeador",)))
    assert client.get(reverse("tablero", args=[plan.codigo])).status_code == 404


def test_funcionario_ve_plan_no_publicado(client):
    plan = construir_plan(1, publicado=False)
    client.force_login(f.usuario(grupos=("Funcionario",)))
    assert client.get(reverse("tablero", args=[plan.codigo])).status_code == 200


def test_inicio_anonimo_solo_lista_planes_publicados(client):
    publicado = construir_plan(1, publicado=True)
    oculto = construir_plan(1, publicado=False)
    oculto.nombre = "Plan reservado"
    oculto.save()
    publicado.nombre = "Plan abierto"
    publicado.save()
    html = client.get(reverse("inicio")).content.decode()
    assert "Plan abierto" in html and "Plan reservado" not in html
    assert reverse("tablero", args=[publicado.codigo]) in html


def test_inicio_muestra_cifras_de_cada_plan(client):
    construir_plan(2, publicado=True)
    html = client.get(reverse("inicio")).content.decode()
    assert "Avance acumulado" in html and "−1,25 pp" in html  # two objectives at −0,63 each
    assert "Cumplimiento bajo" in html


@pytest.mark.parametrize("n_planes", [1, 4])
def test_inicio_numero_fijo_de_consultas(client, django_assert_num_queries, n_planes):
    for _ in range(n_planes):
        construir_plan(3, publicado=True)
    client.get(reverse("inicio"))  # the first read stores the cut's summaries
    # Expect 5 queries: plans, their cuts, levels, stale summaries (none), stored summaries.
    with django_assert_num_queries(5):
        assert client.get(reverse("inicio")).status_code == 200
