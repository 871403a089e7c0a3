"""Fixtures shared by the whole suite."""

import pytest
from django.core.management import call_command


@pytest.fixture
def datos_demo(db):
    """The three seed plans and the demo users, as `cargar_demo` loads them."""
    call_command("cargar_demo", verbosity=0)
