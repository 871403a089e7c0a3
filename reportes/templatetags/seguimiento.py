"""Template filters and tags for follow-up pages: Colombian numbers and the semáforo.

`{% load seguimiento %}` then `{{ valor|numero }}` (7.480; 0,33), `{{ pct|porcentaje }}` (41 %),
`{{ brecha|puntos }}` (+0,20 pp) and `{% semaforo banda %}`, which always renders the band's
name (or, in compact form, its short name) with an icon and a text alternative, never colour alone.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from reportes.graficos import ICONO_BANDA
from seguimiento import numeros
from seguimiento.metodologia.resultados import Semaforo
from seguimiento.numeros import formato_numero, formato_porcentaje

register = template.Library()



def _decimal(valor) -> Decimal | None:
    if valor is None or valor == "":
        return None
    try:
        return Decimal(valor)
    except (ArithmeticError, ValueError, TypeError):
        return None


@register.filter
def fecha_larga(momento) -> str:
    return numeros.fecha_larga(momento)


@register.filter
def numero(valor, decimales: int = 2) -> str:
    """7480 → «7.480»; 0.33 → «0,33»; None → «—»."""
    return formato_numero(_decimal(valor), int(decimales))


@register.filter
def porcentaje(valor, decimales: int = 0) -> str:
    """41.25 → «41 %» (uncapped: 563 % is a real over-execution); None → «—»."""
    return formato_porcentaje(_decimal(valor), int(decimales))


@register.filter
def puntos(valor, decimales: int = 2) -> str:
    """Points of the plan with their sign, the way gaps are read: «+0,20 pp», «−3,76 pp»."""
    numero_ = _decimal(valor)
    if numero_ is None:
        return "—"
    decimales = int(decimales)
    cuantizado = abs(numero_).quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    signo = "+" if numero_ > 0 and cuantizado else ("−" if numero_ < 0 and cuantizado else "")
    # Fixed decimals, as the reports print gaps («+0,20»): formato_numero would drop the zero.
    texto = f"{cuantizado:,.{decimales}f}".replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")
    return f"{signo}{texto} pp"


@register.filter
def cantidad(n, nombre) -> str:
    """`{{ 3|cantidad:t.nivel_indicador }}` → «3 productos», `1` → «1 producto» (a `NombreNivel`)."""
    try:
        return nombre.contar(int(n))
    except (TypeError, ValueError, AttributeError):
        return str(n)


@register.filter
def banda(valor) -> Semaforo:
    """Accept a Semaforo or its value ("bajo") from a template."""
    return Semaforo(valor)


@register.inclusion_tag("reportes/_semaforo.html")
def semaforo(valor, corto: bool = False, texto: str = "") -> dict:
    """The band as icon + name; `corto` shows the short name but keeps the full one for readers."""
    banda_ = Semaforo(valor)
    return {
        "banda": banda_,
        "icono": ICONO_BANDA[banda_],
        "nombre": banda_.etiqueta,
        "visible": banda_.etiqueta_corta if corto else banda_.etiqueta,
        "texto": texto,
    }


@register.inclusion_tag("reportes/_porcentaje_semaforo.html")
def porcentaje_semaforo(valor, banda_: Semaforo | str, motivo: str = "") -> dict:
    """A percentage and its band in one cell: «41 % ▼ Bajo»; no value shows the reason, not 0 %."""
    banda_ = Semaforo(banda_)
    return {
        "valor": formato_porcentaje(_decimal(valor)) if valor is not None else "",
        "motivo": motivo or "Sin información",
        "banda": banda_,
        "icono": ICONO_BANDA[banda_],
        "nombre": banda_.etiqueta,
        "corto": banda_.etiqueta_corta,
    }
