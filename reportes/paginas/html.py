"""What the pages print in their cells: percentages with their band, band badges, the engine's
reasons in words, and the names of types and periodicities.

The Anexo table prints three percentages per row for up to thousands of rows, so the badges are
built once here and joined as plain strings.
"""

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from indicadores.models import Periodicidad, TipoAnualizacion
from reportes.graficos import ICONO_BANDA
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import ResultadoIndicador, Semaforo
from seguimiento.numeros import formato_porcentaje

NOMBRES_TIPO = dict(TipoAnualizacion.choices)
NOMBRES_PERIODICIDAD = dict(Periodicidad.choices)


def html_semaforo(banda: Semaforo, *, corto: bool = False) -> SafeString:
    """A band as icon + name (the full name always reaches screen readers)."""
    return _SEMAFORO_CORTO[banda] if corto else _SEMAFORO_LARGO[banda]


# Built once: the Anexo table prints three of these per row, for up to thousands of rows.
_SEMAFORO_CORTO = {
    b: format_html(
        '<span class="semaforo semaforo--{}" title="{}"><span class="semaforo__icono" aria-hidden="true">{}</span> '
        '<span aria-hidden="true">{}</span><span class="solo-lectores">{}</span></span>',
        b.value, b.etiqueta, ICONO_BANDA[b], b.etiqueta_corta, b.etiqueta,
    )
    for b in Semaforo
}
_SEMAFORO_LARGO = {
    b: format_html(
        '<span class="semaforo semaforo--{}"><span class="semaforo__icono" aria-hidden="true">{}</span> {}</span>',
        b.value, ICONO_BANDA[b], b.etiqueta,
    )
    for b in Semaforo
}


def etiqueta_motivo(motivo: str) -> str:
    """The engine's reason in words (`calculos.Motivo`); an unknown code still reads as words."""
    return calculos.Motivo.etiqueta(motivo) or (motivo.replace("_", " ").capitalize() if motivo else "Sin información")


def html_porcentaje(valor: Decimal | None, banda: Semaforo, motivo: str = "") -> SafeString:
    """«41 % ▼ Bajo» in one cell; without a value, the reason (never 0 %)."""
    if valor is not None:
        texto, clase = formato_porcentaje(valor), "pct__valor"
    else:
        texto, clase = escape(etiqueta_motivo(motivo)), "pct__motivo"
    return mark_safe(f'<span class="pct"><span class="{clase}">{texto}</span> {_SEMAFORO_CORTO[banda]}</span>')


def porcentajes_html(r: ResultadoIndicador) -> tuple[SafeString, SafeString, SafeString]:
    """PAV, PAHV and PAA of an indicator as cells; each missing one names its own reason first."""
    return (
        html_porcentaje(r.pav, r.semaforo_pav, r.motivo_pav or r.motivo_sin_informacion),
        html_porcentaje(r.pahv, r.semaforo_pahv, r.motivo_sin_informacion),
        html_porcentaje(r.paa, r.semaforo_paa, r.motivo_paa or r.motivo_sin_informacion),
    )


def pct_de(parte: Decimal, todo: Decimal) -> Decimal | None:
    """`parte` as a percentage of `todo`; None when there is no whole to share."""
    return parte * 100 / todo if todo else None


def corto(texto: str, largo: int) -> str:
    """`texto` cut to `largo` characters with an ellipsis, for options in a select."""
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"


def sin_informacion_alguna(indicadores: list[ResultadoIndicador]) -> bool:
    """True when the plan has indicators but none has information at the cut: its 0 % avance
    would say «nothing done» where the truth is «nothing reported»."""
    return bool(indicadores) and all(r.semaforo == Semaforo.SIN_INFORMACION for r in indicadores)
