"""Charts drawn on the server as inline SVG: they work on a closed network, need no JavaScript
and print exactly as they show.

Every chart is a `<figure>`-ready SVG string with `role="img"`, a `<title>` and a `<desc>` that
says in words what the chart shows, and every bar or point carries its value as text: the
semáforo bands are named and marked with an icon, never told apart by colour alone.
All input text is escaped here; the result is marked safe for templates.
"""

import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from math import ceil, floor, log10

from django.utils.safestring import SafeString, mark_safe

from seguimiento.metodologia.resultados import Semaforo
from seguimiento.numeros import formato_numero, formato_porcentaje

# Colours of SPEC §4, dark enough to carry white text (except amarillo) and distinct in grey print.
COLOR_BANDA: dict[Semaforo, str] = {
    Semaforo.SOBRE_EJECUCION: "#d35400",
    Semaforo.ALTO: "#1e7b34",
    Semaforo.MEDIO: "#e0a800",
    Semaforo.BAJO: "#c0392b",
    Semaforo.SIN_INFORMACION: "#7f8c8d",
}
# The icon that goes with each band's name so colour is never the only cue.
ICONO_BANDA: dict[Semaforo, str] = {
    Semaforo.SOBRE_EJECUCION: "▲",
    Semaforo.ALTO: "●",
    Semaforo.MEDIO: "◆",
    Semaforo.BAJO: "▼",
    Semaforo.SIN_INFORMACION: "○",
}
ORDEN_BANDAS = [
    Semaforo.SOBRE_EJECUCION,
    Semaforo.ALTO,
    Semaforo.MEDIO,
    Semaforo.BAJO,
    Semaforo.SIN_INFORMACION,
]

COLOR_AVANCE = "#1f4e79"
COLOR_TRAYECTORIA = "#8e8e8e"
COLOR_META = "#8e8e8e"
FUENTE = "font-family=\"system-ui, 'Segoe UI', Roboto, Arial, sans-serif\""


@dataclass
class Serie:
    """One line or one set of bars: a name for the legend and one value per category (None: gap)."""

    nombre: str
    valores: list[Decimal | None]
    color: str = COLOR_AVANCE
    discontinua: bool = False
    marcadores: list[str] = field(default_factory=list)  # optional per-point extra text


def _txt(valor: object) -> str:
    return escape(str(valor), quote=True)


def _fmt(valor: Decimal | None, unidad: str) -> str:
    if valor is None:
        return "sin dato"
    if unidad == "%":
        return formato_porcentaje(valor, 2)
    if unidad == "pp":
        return f"{formato_numero(valor, 2)} pp"
    return formato_numero(valor, 2)


def escala(minimo: Decimal, maximo: Decimal, marcas: int = 5) -> list[Decimal]:
    """Round tick values that cover [minimo, maximo] (always including 0) in about `marcas` steps."""
    minimo = min(Decimal(minimo), Decimal(0))
    maximo = max(Decimal(maximo), Decimal(0))
    if maximo == minimo:
        maximo = minimo + 1
    bruto = (maximo - minimo) / marcas
    magnitud = Decimal(10) ** floor(log10(bruto))
    paso = next(m * magnitud for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)) if m * magnitud >= bruto)
    inicio = (minimo / paso).to_integral_value(rounding="ROUND_FLOOR") * paso
    fin = (maximo / paso).to_integral_value(rounding="ROUND_CEILING") * paso
    ticks = []
    valor = inicio
    while valor <= fin:
        ticks.append(valor)
        valor += paso
    return ticks


def _envoltura(ancho: int, alto: int, titulo: str, descripcion: str, cuerpo: list[str], ident: str) -> SafeString:
    return mark_safe(
        f'<svg class="grafico" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {ancho} {alto}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" {FUENTE} font-size="12">'
        f'<title id="{ident}-t">{_txt(titulo)}</title><desc id="{ident}-d">{_txt(descripcion)}</desc>'
        + "".join(cuerpo)
        + "</svg>"
    )


def _leyenda(
    series: list[Serie], x: int, y: int, *, barras: bool = False, textos: list[str] | None = None, px_por_letra: float = 7.2
) -> list[str]:
    partes = []
    for i, serie in enumerate(series):
        texto = textos[i] if textos else serie.nombre
        if barras:
            relleno = f'fill="{serie.color}"' if not serie.discontinua else f'fill="#fff" stroke="{serie.color}" stroke-width="2" stroke-dasharray="4 2"'
            partes.append(f'<rect x="{x}" y="{y - 8}" width="18" height="12" {relleno}/>')
        else:
            trazo = ' stroke-dasharray="6 4"' if serie.discontinua else ""
            partes.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{serie.color}" stroke-width="3"{trazo}/>')
        partes.append(f'<text x="{x + 30}" y="{y + 4}" fill="#222">{_txt(texto)}</text>')
        x += 48 + round(px_por_letra * len(texto))
    return partes


def _ident(texto: str) -> str:
    """A stable id for aria-labelledby, unique enough for the charts of one page."""
    return f"g{zlib.crc32(texto.encode()):08x}"


def _escala_vertical(series: list["Serie"], arriba: float, area_h: float):
    """The y-axis ticks for the series' values and the function that places a value in pixels."""
    valores = [v for s in series for v in s.valores if v is not None]
    ticks = escala(min(valores, default=Decimal(0)), max(valores, default=Decimal(1)))
    vmin, vmax = ticks[0], ticks[-1]

    def y_de(valor: Decimal) -> float:
        return arriba + area_h - float((valor - vmin) / (vmax - vmin)) * area_h

    return ticks, y_de


def lineas(
    *, titulo: str, etiquetas: list[str], series: list[Serie], unidad: str = "%", ancho: int = 720, alto: int = 300
) -> SafeString:
    """A line chart over categories (cuts, years): avance against trayectoria, metas against reportes."""
    izquierda, derecha, arriba, abajo = 64, 36, 20, 48
    area_w, area_h = ancho - izquierda - derecha, alto - arriba - abajo
    ticks, y_de = _escala_vertical(series, arriba, area_h)

    n = max(len(etiquetas), 1)
    paso_x = area_w / max(n - 1, 1)

    def x_de(i: int) -> float:
        return izquierda + (i * paso_x if n > 1 else area_w / 2)

    cuerpo = _ejes_y(ticks, y_de, izquierda, ancho - derecha, unidad)
    cada = max(1, ceil(n / 12))  # keep x labels readable on long histories
    for i, etiqueta in enumerate(etiquetas):
        if i % cada == 0 or i == n - 1:
            cuerpo.append(
                f'<text x="{x_de(i):.1f}" y="{arriba + area_h + 18}" text-anchor="middle" fill="#333">{_txt(etiqueta)}</text>'
            )
    for serie in series:
        puntos = [(x_de(i), y_de(v), v) for i, v in enumerate(serie.valores) if v is not None]
        trazo = ' stroke-dasharray="6 4"' if serie.discontinua else ""
        if len(puntos) > 1:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in puntos)
            cuerpo.append(f'<polyline points="{d}" fill="none" stroke="{serie.color}" stroke-width="2.5"{trazo}/>')
        for x, y, v in puntos:
            cuerpo.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{serie.color}">'
                f"<title>{_txt(serie.nombre)}: {_txt(_fmt(v, unidad))}</title></circle>"
            )
    # The legend quotes each series' latest value: the figure officials read out.
    textos = []
    for serie in series:
        ultimos = [(e, v) for e, v in zip(etiquetas, serie.valores) if v is not None]
        textos.append(f"{serie.nombre}: {_fmt(ultimos[-1][1], unidad)} ({ultimos[-1][0]})" if ultimos else serie.nombre)
    cuerpo += _leyenda(series, izquierda, alto - 10, textos=textos)
    descripcion = "; ".join(
        f"{s.nombre}: " + ", ".join(f"{e} {_fmt(v, unidad)}" for e, v in zip(etiquetas, s.valores)) for s in series
    )
    return _envoltura(ancho, alto, titulo, descripcion, cuerpo, _ident(titulo + descripcion))


def _ejes_y(ticks: list[Decimal], y_de, x0: int, x1: int, unidad: str) -> list[str]:
    partes = []
    for tick in ticks:
        y = y_de(tick)
        color = "#555" if tick == 0 else "#e3e3e3"
        partes.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="{color}" stroke-width="1"/>')
        etiqueta = formato_porcentaje(tick, 1 if tick != tick.to_integral_value() else 0) if unidad == "%" else formato_numero(tick)
        partes.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_txt(etiqueta)}</text>')
    return partes


_BARRAS_IZQUIERDA, _BARRAS_DERECHA = 64, 16


def ancho_grupo_barras(n_categorias: int, ancho: int = 720) -> float:
    """The width (in chart units) each category gets in `barras`: callers size axis labels with it."""
    return (ancho - _BARRAS_IZQUIERDA - _BARRAS_DERECHA) / max(n_categorias, 1)


def barras(
    *, titulo: str, categorias: list[str], series: list[Serie], unidad: str = "%", ancho: int = 720, alto: int = 300
) -> SafeString:
    """Grouped vertical bars, one group per category, each bar labelled with its value."""
    izquierda, derecha, arriba, abajo = _BARRAS_IZQUIERDA, _BARRAS_DERECHA, 28, 56
    area_w, area_h = ancho - izquierda - derecha, alto - arriba - abajo
    ticks, y_de = _escala_vertical(series, arriba, area_h)

    cuerpo = _ejes_y(ticks, y_de, izquierda, ancho - derecha, unidad)
    n = max(len(categorias), 1)
    grupo = area_w / n
    barra = min(36.0, grupo * 0.8 / max(len(series), 1))
    cero = y_de(Decimal(0))
    for i, categoria in enumerate(categorias):
        x0 = izquierda + i * grupo + (grupo - barra * len(series)) / 2
        for j, serie in enumerate(series):
            valor = serie.valores[i] if i < len(serie.valores) else None
            x = x0 + j * barra
            if valor is None:  # no bar; the description says «sin dato»
                continue
            y = y_de(valor)
            arriba_y, alto_b = min(y, cero), abs(cero - y)
            relleno = f'fill="{serie.color}"' if not serie.discontinua else f'fill="#fff" stroke="{serie.color}" stroke-width="2" stroke-dasharray="4 2"'
            cuerpo.append(
                f'<rect x="{x + 1:.1f}" y="{arriba_y:.1f}" width="{barra - 2:.1f}" height="{max(alto_b, 0.5):.1f}" {relleno}>'
                f"<title>{_txt(categoria)} · {_txt(serie.nombre)}: {_txt(_fmt(valor, unidad))}</title></rect>"
            )
            etiqueta_y = arriba_y - 3 if valor >= 0 else arriba_y + alto_b + 11
            # Bar labels carry the bare number (the unit is in the title and axis) so they fit.
            cuerpo.append(
                f'<text x="{x + barra / 2:.1f}" y="{etiqueta_y:.1f}" text-anchor="middle" fill="#222" font-size="10">'
                f"{_txt(_fmt(valor, '' if unidad == 'pp' else unidad))}</text>"
            )
        cuerpo.append(
            f'<text x="{izquierda + i * grupo + grupo / 2:.1f}" y="{arriba + area_h + 16}" text-anchor="middle" '
            f'fill="#333">{_txt(categoria)}</text>'
        )
    # Inline charts get larger text on phones (static/css/app.css): the legend leaves room for it.
    cuerpo += _leyenda(series, izquierda, alto - 10, barras=True, px_por_letra=9.5)
    descripcion = "; ".join(
        f"{c}: " + ", ".join(f"{s.nombre} {_fmt(s.valores[i] if i < len(s.valores) else None, unidad)}" for s in series)
        for i, c in enumerate(categorias)
    )
    return _envoltura(ancho, alto, titulo, descripcion, cuerpo, _ident(titulo + descripcion))


def distribucion_semaforo(*, titulo: str, conteo: dict[Semaforo, int], ancho: int = 560) -> SafeString:
    """Horizontal bars, one per band: icon, name, count and share, so the colour is a redundant cue."""
    total = sum(conteo.values()) or 1
    fila, etiqueta_w, derecha = 30, 210, 110
    alto = fila * len(ORDEN_BANDAS) + 16
    area_w = ancho - etiqueta_w - derecha
    maximo = max(conteo.values(), default=0) or 1
    cuerpo = []
    partes_desc = []
    for i, banda in enumerate(ORDEN_BANDAS):
        n = conteo.get(banda, 0)
        y = 8 + i * fila
        w = area_w * n / maximo
        porcentaje = Decimal(n * 100) / Decimal(total)
        cuerpo.append(
            f'<text x="{etiqueta_w - 8}" y="{y + 17}" text-anchor="end" fill="#222">'
            f'<tspan fill="{COLOR_BANDA[banda]}" font-size="14">{ICONO_BANDA[banda]}</tspan> {_txt(banda.etiqueta)}</text>'
        )
        cuerpo.append(
            f'<rect x="{etiqueta_w}" y="{y + 4}" width="{max(w, 1):.1f}" height="{fila - 10}" fill="{COLOR_BANDA[banda]}">'
            f"<title>{_txt(banda.etiqueta)}: {n}</title></rect>"
        )
        cuerpo.append(
            f'<text x="{etiqueta_w + w + 6:.1f}" y="{y + 17}" fill="#222" font-weight="bold">'
            f"{n} ({_txt(formato_porcentaje(porcentaje))})</text>"
        )
        partes_desc.append(f"{banda.etiqueta}: {n} ({formato_porcentaje(porcentaje)})")
    return _envoltura(ancho, alto, titulo, "; ".join(partes_desc), cuerpo, _ident(titulo + str(partes_desc)))


def semaforo_por_grupo(*, titulo: str, filas: list[tuple[str, dict[Semaforo, int]]], ancho: int = 560) -> SafeString:
    """Stacked horizontal bars, one per dependencia or sector, split by band with counts written in."""
    fila, etiqueta_w, derecha = 30, 250, 40
    # The legend wraps onto as many lines as the chart's width needs.
    anchos = [34 + round(8.6 * len(b.etiqueta)) for b in ORDEN_BANDAS]
    lineas_leyenda, usado = 1, 8
    for w in anchos:
        if usado + w > ancho and usado > 8:
            lineas_leyenda, usado = lineas_leyenda + 1, 8
        usado += w
    alto = fila * len(filas) + 26 + 18 * lineas_leyenda
    area_w = ancho - etiqueta_w - derecha
    maximo = max((sum(c.values()) for _, c in filas), default=0) or 1
    unidad_w = area_w / maximo
    cuerpo = []
    partes_desc = []
    for i, (nombre, conteo) in enumerate(filas):
        y = 6 + i * fila
        corto = nombre if len(nombre) <= 28 else nombre[:27] + "…"  # fits 250 units at phone text size
        cuerpo.append(
            f'<text x="{etiqueta_w - 8}" y="{y + 17}" text-anchor="end" fill="#222"><title>{_txt(nombre)}</title>{_txt(corto)}</text>'
        )
        x = float(etiqueta_w)
        trozos = []
        for banda in ORDEN_BANDAS:
            n = conteo.get(banda, 0)
            if not n:
                continue
            w = unidad_w * n
            cuerpo.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{fila - 10}" fill="{COLOR_BANDA[banda]}" '
                f'stroke="#fff" stroke-width="1"><title>{_txt(nombre)} · {_txt(banda.etiqueta)}: {n}</title></rect>'
            )
            texto_color = "#222" if banda == Semaforo.MEDIO else "#fff"
            if w >= 26:
                cuerpo.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 17}" text-anchor="middle" fill="{texto_color}" font-size="11">'
                    f"{ICONO_BANDA[banda]} {n}</text>"
                )
            x += w
            trozos.append(f"{banda.etiqueta} {n}")
        cuerpo.append(f'<text x="{x + 6:.1f}" y="{y + 17}" fill="#222" font-weight="bold">{sum(conteo.values())}</text>')
        partes_desc.append(f"{nombre}: " + ", ".join(trozos))
    # Legend: icon and name of each band.
    x = 8
    y = alto - 12 - 18 * (lineas_leyenda - 1)
    for banda, w in zip(ORDEN_BANDAS, anchos):
        if x + w > ancho and x > 8:
            x, y = 8, y + 18
        cuerpo.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOR_BANDA[banda]}"/>'
            f'<text x="{x + 16}" y="{y}" fill="#222" font-size="11">{ICONO_BANDA[banda]} {_txt(banda.etiqueta)}</text>'
        )
        x += w  # room for the larger text on phones
    return _envoltura(ancho, alto, titulo, "; ".join(partes_desc), cuerpo, _ident(titulo + str(partes_desc)))
