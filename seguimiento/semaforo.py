"""The installation's semáforo thresholds (settings SEMAFORO_UMBRAL_*, SPEC §4 defaults), read in
one place for the selectors, the review page and the plan-de-choque check."""

from decimal import Decimal

from django.conf import settings

from seguimiento.metodologia import calculos


def umbrales() -> calculos.Umbrales:
    return calculos.Umbrales(
        sobre=Decimal(settings.SEMAFORO_UMBRAL_SOBRE),
        alto=Decimal(settings.SEMAFORO_UMBRAL_ALTO),
        medio=Decimal(settings.SEMAFORO_UMBRAL_MEDIO),
    )
