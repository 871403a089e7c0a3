"""`manage.py inscribir_totp`: the first administrator enrols their authenticator app."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories


@pytest.mark.django_db
def test_inscribe_la_aplicacion_y_el_codigo_que_muestra_verifica(tmp_path):
    admin = factories.usuario(username="jefa", is_superuser=True, is_staff=True)
    salida = io.StringIO()
    svg = tmp_path / "qr.svg"

    call_command("inscribir_totp", "jefa", "--svg", str(svg), stdout=salida)

    device = TOTPDevice.objects.get(user=admin)
    assert "otpauth://totp/" in salida.getvalue()
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert device.verify_token(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")


@pytest.mark.django_db
def test_reinscribir_reemplaza_la_aplicacion_anterior():
    admin = factories.usuario(username="jefa", is_superuser=True, is_staff=True)
    call_command("inscribir_totp", "jefa", stdout=io.StringIO())
    primera = TOTPDevice.objects.get(user=admin).key

    call_command("inscribir_totp", "jefa", stdout=io.StringIO())

    assert list(TOTPDevice.objects.filter(user=admin).values_list("key", flat=True)) != [primera]
    assert TOTPDevice.objects.filter(user=admin).count() == 1


@pytest.mark.django_db
def test_usuario_inexistente_se_dice_con_su_nombre():
    with pytest.raises(CommandError, match="No existe el usuario «nadie»"):
        call_command("inscribir_totp", "nadie", stdout=io.StringIO())
    assert not TOTPDevice.objects.exists()
