"""The qualitative semester report (SPEC §7, the Sopó format): pure arithmetic over activities."""

from decimal import ROUND_HALF_UP, Decimal


def porcentaje(realizadas: int | None, programadas: int | None) -> Decimal | None:
    """Share of programmed activities carried out, in percent units; None when nothing was programmed."""
    if not programadas:
        return None
    return (Decimal(realizadas or 0) * 100 / Decimal(programadas)).quantize(Decimal("0.01"), ROUND_HALF_UP)
