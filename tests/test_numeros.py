"""Colombian number formats (SPEC §1): what imports and forms accept, and how numbers are shown."""

from decimal import Decimal

import pytest

from seguimiento.numeros import NumeroInvalido, formato_numero, formato_porcentaje, parse_numero


@pytest.mark.parametrize(
    "texto, esperado",
    [
        ("7.480", Decimal("7480")),
        ("0,33", Decimal("0.33")),
        ("100%", Decimal("100")),
        ("$73.700.000", Decimal("73700000")),
        ("$ 73.700.000", Decimal("73700000")),
        ("1.234,5", Decimal("1234.5")),
        ("22.212", Decimal("22212")),
        ("-3,76", Decimal("-3.76")),
        ("563", Decimal("563")),
        (" 15.367 ", Decimal("15367")),
    ],
)
def test_lee_numeros_escritos_a_la_colombiana(texto, esperado):
    assert parse_numero(texto) == esperado


@pytest.mark.parametrize(
    "texto, pista",
    [
        ("1.234,5.6", "punto después de la coma"),
        ("1,2,3", "más de una coma"),
        ("7.48", "ambiguo"),
        ("0.5", "ambiguo"),
        ("12.34.567", "ambiguo"),
        ("abc", "no es un número"),
        ("", "vacío"),
        ("5,", "después de la coma"),
        ("١٢٣", "cifras que no son 0–9"),
        ("0,٣٣", "cifras que no son 0–9"),
        ("$", "no es un número"),
        ("NaN", "no es un número"),
    ],
)
def test_rechaza_lo_ambiguo_con_un_mensaje_que_explica(texto, pista):
    with pytest.raises(NumeroInvalido, match=pista):
        parse_numero(texto)


def test_el_mensaje_cita_el_valor_recibido():
    with pytest.raises(NumeroInvalido) as error:
        parse_numero("1.234,5.6")
    assert "«1.234,5.6»" in str(error.value)


def test_valores_ya_numericos_de_una_hoja_de_calculo_se_conservan():
    assert parse_numero(7480) == Decimal("7480")
    assert parse_numero(0.33) == Decimal("0.33")
    assert parse_numero(Decimal("0.8")) == Decimal("0.8")
    with pytest.raises(NumeroInvalido):
        parse_numero(True)


def test_valores_numericos_no_finitos_se_rechazan():
    for valor in (float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")):
        with pytest.raises(NumeroInvalido, match="no es un número finito"):
            parse_numero(valor)


@pytest.mark.parametrize(
    "valor, decimales, esperado",
    [
        (Decimal("7480"), 2, "7.480"),
        (Decimal("0.33"), 2, "0,33"),
        (Decimal("73700000"), 0, "73.700.000"),
        (Decimal("-3.756"), 2, "-3,76"),
        (Decimal("1234.50"), 2, "1.234,5"),
        (None, 2, "—"),
    ],
)
def test_muestra_numeros_a_la_colombiana(valor, decimales, esperado):
    assert formato_numero(valor, decimales) == esperado


def test_muestra_porcentajes_con_espacio_y_signo():
    assert formato_porcentaje(Decimal("41.25")) == "41 %"
    assert formato_porcentaje(Decimal("0.2"), 1) == "0,2 %"
    assert formato_porcentaje(None) == "—"
