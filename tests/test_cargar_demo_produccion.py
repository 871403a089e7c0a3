"""The demo loader refuses to run on a production configuration: its users' passwords are public."""

import pytest
from django.core.management import CommandError, call_command
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_cargar_demo_se_niega_fuera_de_desarrollo(settings):
    settings.DEMO_PERMITIDA = False
    with pytest.raises(CommandError, match="contraseñas publicadas"):
        call_command("cargar_demo", verbosity=0)
    assert not get_user_model().objects.filter(username="admin").exists()
