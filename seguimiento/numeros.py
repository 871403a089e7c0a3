"""Colombian number formats, in and out (SPEC §1).

`7.480` is seven thousand four hundred eighty, `0,33` is 0.33, `$73.700.000` is pesos and
`100%` is a percentage as written. Anything that could be read two ways is refused with a message
that says why, so an import never guesses.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Only the ASCII digits 0–9: `\d` and `str.isdigit()` also take «١٢٣» (Arabic-Indic) or «１２３»
# (full width), which nobody types in a Colombian report and which a reader of the sheet would not
# read as the number stored.
_MILES = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+", re.ASCII)
_DIGITOS = re.compile(r"[0-9]+", re.ASCII)


class NumeroInvalido(ValueError):
    """The text is not a number written the Colombian way; the message says why, in Spanish."""


def parse_numero(valor: object) -> Decimal:
    """Read a number from a cell, a form field or an API value, as a finite `Decimal`.

    Numbers that arrive already typed (int, float from a spreadsheet or a JSON body, Decimal) are
    taken as they are (a float by its shortest repr: 0.33 is Decimal('0.33')); text must follow the
    Colombian convention: dot for thousands, comma for decimals, ASCII digits only. NaN and
    infinities are refused whichever way they come.
    """
    if isinstance(valor, bool):
        raise NumeroInvalido(f"«{valor}» no es un número.")
    if isinstance(valor, int):
        return Decimal(valor)
    if isinstance(valor, float):
        valor = Decimal(repr(valor))
    if isinstance(valor, Decimal):
        if not valor.is_finite():
            raise NumeroInvalido(f"«{valor}» no es un número finito.")
        return valor
    texto = str(valor or "").strip()
    if not texto:
        raise NumeroInvalido("El valor está vacío.")
    return _parse_texto(texto)


def _cita(texto: str, largo: int = 40) -> str:
    """The text as the message quotes it: whole when short, its start when it is not."""
    return texto if len(texto) <= largo else f"{texto[:largo]}… ({formato_numero(len(texto), 0)} caracteres)"


def _parse_texto(original: str) -> Decimal:
    ajenas = sorted({c for c in original if (c.isdigit() or c.isdecimal()) and c not in "0123456789"})
    if ajenas:
        raise NumeroInvalido(
            f"«{_cita(original)}» tiene cifras que no son 0–9 ({', '.join(f'«{c}»' for c in ajenas[:5])}); "
            "escriba el número con las cifras 0 a 9."
        )
    cita = _cita(original)
    texto = original.replace("\u00a0", "").replace(" ", "").replace("$", "").replace("%", "")
    signo = ""
    if texto[:1] in ("+", "-"):
        signo, texto = ("-" if texto[0] == "-" else ""), texto[1:]
    entero, coma, fraccion = texto.partition(",")
    if "," in fraccion:
        raise NumeroInvalido(f"«{cita}» tiene más de una coma decimal.")
    if "." in fraccion:
        raise NumeroInvalido(
            f"«{cita}» tiene un punto después de la coma decimal; "
            "escriba los miles con punto y los decimales con coma, por ejemplo 1.234,5."
        )
    if coma and not _DIGITOS.fullmatch(fraccion):
        raise NumeroInvalido(f"«{cita}» no tiene dígitos después de la coma decimal.")
    if "." in entero and not _MILES.fullmatch(entero):
        raise NumeroInvalido(
            f"«{cita}» es ambiguo: el punto separa miles en grupos de tres cifras "
            "(7.480); para decimales use coma (0,5)."
        )
    if not _DIGITOS.fullmatch(entero.replace(".", "")):
        raise NumeroInvalido(f"«{cita}» no es un número.")
    try:
        return Decimal(signo + entero.replace(".", "") + ("." + fraccion if coma else ""))
    except InvalidOperation as exc:  # pragma: no cover - the patterns above already rule it out
        raise NumeroInvalido(f"«{cita}» no es un número.") from exc


def formato_numero(valor: Decimal | int | None, decimales: int = 2) -> str:
    """`Decimal('7480')` → `7.480`; `Decimal('0.33')` → `0,33`. Trailing zeros are dropped."""
    if valor is None:
        return "—"
    cuantizado = Decimal(valor).quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    texto = f"{cuantizado:,f}"
    if "." in texto:
        texto = texto.rstrip("0").rstrip(".")
    return texto.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def formato_porcentaje(valor: Decimal | None, decimales: int = 0) -> str:
    """A percentage in percent units as Colombians write it: `41 %`, `0,2 %`; None is «—»."""
    if valor is None:
        return "—"
    return f"{formato_numero(valor, decimales)} %"


MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)


def fecha_larga(momento) -> str:
    """«1 de diciembre de 2026»: month names in lowercase, as Spanish writes them; a datetime is
    read in the installation's time zone."""
    if momento is None:
        return ""
    if hasattr(momento, "hour"):
        from django.utils import timezone

        momento = timezone.localtime(momento) if timezone.is_aware(momento) else momento
    return f"{momento.day} de {MESES[momento.month - 1]} de {momento.year}"
