"""Fixtures shared by the whole suite."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from tests import factories


@pytest.fixture
def datos_demo(db):
    """The three seed plans and the demo users, as `cargar_demo` loads them."""
    call_command("cargar_demo", verbosity=0)


@pytest.fixture
def plan_pequeno(db):
    """Two objectives, three products of SPEC §6 (1.1.5, 3.1.1, 3.1.3), all anual, LB 0.

    Two names start like spreadsheet formulas, to prove no export turns them into one.
    """
    plan = factories.plan(codigo="bogota-mini", nombre="Política mini", anio_inicio=2023, anio_fin=2032)
    dep = factories.dependencia(entidad=plan.entidad, nombre="Sector Gestión Pública")
    o1 = factories.nivel(plan=plan, codigo="1", nombre="Objetivo uno", peso=Decimal("4"))
    o3 = factories.nivel(plan=plan, codigo="3", nombre="=HYPERLINK(\"http://x\")", peso=Decimal("96"))
    factories.indicador(
        plan=plan, nivel=o1, codigo="1.1.5", nombre="Producto 1.1.5", dependencia=dep, peso=Decimal("4"),
        metas={a: "2" for a in range(2023, 2033)}, meta_final=Decimal("20"), reportes={2023: "3"},
    )
    factories.indicador(
        plan=plan, nivel=o3, codigo="3.1.1", nombre="+Producto 3.1.1", dependencia=dep, peso=Decimal("36"),
        tipo_anualizacion="constante", metas={a: "0.8" for a in range(2023, 2033)}, meta_final=Decimal("0.8"),
        reportes={2024: "0.33"},
    )
    factories.indicador(
        plan=plan, nivel=o3, codigo="3.1.3", nombre="Producto 3.1.3", dependencia=dep, peso=Decimal("60"),
        tipo_anualizacion="creciente", linea_base=Decimal("0"), metas={2023: "0.4", 2024: "0.8", 2025: "1"},
        meta_final=Decimal("1"), reportes={2023: "0", 2024: "0"},
    )
    return plan


@pytest.fixture
def importaciones(settings, tmp_path):
    """The private folder where import previews wait for confirmation, empty for this test."""
    carpeta = tmp_path / "privado"
    carpeta.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "importaciones": {**settings.STORAGES["importaciones"], "OPTIONS": {"location": carpeta}},
    }
    return carpeta
