"""Rules of a plan's structure that need no database: the weights of siblings (SPEC §5).

Errors come in Spanish, so the admin, the imports and the demo loader explain a rejection with the
same words.
"""

from collections.abc import Iterable
from decimal import Decimal

from seguimiento.numeros import formato_numero

# Weights come from documents with two decimals; a rounding crumb is not an error.
TOLERANCIA_PESOS = Decimal("0.01")


def errores_pesos(
    *, padre: str, peso_padre: Decimal | None, hijos: Iterable[tuple[str, Decimal | None]]
) -> list[str]:
    """The weights of siblings add up to their parent's weight (100 for a plan's top level)."""
    hijos = list(hijos)
    pesos = [peso for _, peso in hijos if peso is not None]
    if peso_padre is None or not pesos:
        return []
    if len(pesos) < len(hijos):
        sin_peso = ", ".join(codigo for codigo, peso in hijos if peso is None)
        return [f"En {padre}, unos elementos tienen ponderación y otros no ({sin_peso}): complete todas o ninguna."]
    suma = sum(pesos, Decimal(0))
    if abs(suma - peso_padre) > TOLERANCIA_PESOS:
        return [
            f"Las ponderaciones de {padre} suman {formato_numero(suma)} y deberían sumar "
            f"{formato_numero(peso_padre)}."
        ]
    return []

