"""Only the digits 0–9 make a number (issue 11): `\\d` and `str.isdigit()` also read «١٢٣»
(Arabic-Indic) as 123, which a reader of the sheet would not. The import, the admin and the API
share `parse_numero`, so each refuses them with the same message. NaN and infinities are refused
whichever way they come."""

from decimal import Decimal

import pytest

from indicadores.models import Meta
from politicas.models import Plan
from reportes.excel.importar import importar_libro
from seguimiento.numeros import NumeroInvalido, parse_numero
from tests import factories
from tests.libros_excel import libro, plan_minimo


@pytest.mark.parametrize(
    "texto, ajenas",
    [
        ("١٢٣", "«١», «٢», «٣»"),  # Arabic-Indic
        ("۱۲۳", "«۱», «۲», «۳»"),  # Extended Arabic-Indic (Persian)
        ("१२३", "«१», «२», «३»"),  # Devanagari
        ("１２３", "«１», «２», «３»"),  # full width
        ("7.٤٨٠", "«٠», «٤», «٨»"),  # mixed with ASCII thousands
        ("0,٣٣", "«٣»"),  # only the fraction
        ("2²", "«²»"),  # a superscript, which str.isdigit() takes
    ],
)
def test_las_cifras_que_no_son_ascii_se_rechazan_diciendo_cuales(texto, ajenas):
    with pytest.raises(NumeroInvalido) as error:
        parse_numero(texto)
    assert str(error.value) == (
        f"«{texto}» tiene cifras que no son 0–9 ({ajenas}); escriba el número con las cifras 0 a 9."
    )


@pytest.mark.parametrize("valor", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("sNaN"),
                                   Decimal("Infinity"), Decimal("-Infinity")])
def test_nan_e_infinito_ya_numericos_se_rechazan(valor):
    with pytest.raises(NumeroInvalido, match="no es un número finito"):
        parse_numero(valor)


@pytest.mark.parametrize("texto", ["NaN", "nan", "Infinity", "inf", "-Infinity", "1e999999", "1E5", "0x10", "1_000"])
def test_los_textos_que_decimal_leeria_no_son_numeros_colombianos(texto):
    with pytest.raises(NumeroInvalido, match="no es un número"):
        parse_numero(texto)


@pytest.mark.parametrize("texto", ["$", "%", "-", "+", "$ %"])
def test_solo_signos_no_es_un_numero(texto):
    # «$» once reached texto[0] on an empty string (IndexError, a 500 wherever it was typed).
    with pytest.raises(NumeroInvalido, match="no es un número"):
        parse_numero(texto)


def test_un_texto_largo_se_cita_recortado():
    texto = "1" * 50_000 + ".5"
    with pytest.raises(NumeroInvalido) as error:
        parse_numero(texto)
    assert len(str(error.value)) < 200
    assert "(50.002 caracteres)" in str(error.value)


def test_un_entero_enorme_sigue_siendo_exacto():
    assert parse_numero(10**30) == Decimal(10**30)
    assert parse_numero("1" + ".000" * 10) == Decimal(10**30)


@pytest.mark.django_db
def test_la_importacion_rechaza_cifras_arabigas_y_no_escribe_nada():
    administrador = factories.usuario("admin", is_superuser=True, is_staff=True)
    hojas = plan_minimo()
    hojas["Indicadores"][1][9] = "٣٤٨٠"  # Meta 2023 of 1.1
    resultado = importar_libro(libro(hojas), usuario=administrador, confirmar=True)
    assert not resultado.aplicado
    error = resultado.errores[0]
    assert (error.hoja, error.fila, error.columna) == ("Indicadores", 2, "Meta 2023")
    assert "tiene cifras que no son 0–9" in str(error)
    assert not Plan.objects.filter(codigo="plan-nuevo").exists()
    assert not Meta.objects.exists()
