"""Reads behind the dashboards, the indicator page and the printable reports.

Each function fetches what one page needs in a fixed number of queries (the engine's
`plan_resultados` plus a handful of flat reads) and returns plain objects for logic-free
templates. The methodology itself lives in `reportes.calculos` and `reportes.selectors`.
"""

import datetime
from html import escape as _esc  # stdlib: no lazy-string wrapper, for per-row cells
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Exists, IntegerField, Max, OuterRef, Prefetch, Value
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from indicadores import permisos
from indicadores.models import Corte, Enfoque, Indicador, Meta, Periodicidad, Reporte, TipoAnualizacion
from politicas.models import Dependencia, Nivel, Plan
from reportes import calculos, graficos, visibilidad
from politicas import arbol
from reportes.filtros import COLUMNAS, FiltrosAnexo, clave_codigo, descendientes, filtrar, ordenar
from reportes.graficos import COLOR_AVANCE, COLOR_META, COLOR_TRAYECTORIA, ICONO_BANDA, ORDEN_BANDAS, Serie
from reportes.resultados import (
    ESTADOS_OFICIALES,
    CorteRef,
    ResultadoIndicador,
    ResultadoNivel,
    ResultadoPlan,
    Semaforo,
)
from seguimiento.numeros import formato_numero, formato_porcentaje

# The history chart reads every cut in a fixed number of queries; the cap bounds its memory and
# rows read (cuts × indicators), and still shows every semester of a ten-year plan.
MAX_CORTES_HISTORIA = 20

NOMBRES_TIPO = dict(TipoAnualizacion.choices)
NOMBRES_PERIODICIDAD = dict(Periodicidad.choices)


# Cuts -----------------------------------------------------------------------------------------


def corte_de_fecha(fecha: datetime.date) -> CorteRef:
    """The latest cut whose date has passed by `fecha`."""
    if fecha >= datetime.date(fecha.year, 12, 31):
        return CorteRef(fecha.year, 2)
    if fecha >= datetime.date(fecha.year, 6, 30):
        return CorteRef(fecha.year, 1)
    return CorteRef(fecha.year - 1, 2)


@dataclass
class PeriodosPlan:
    """The cuts a plan can be read at (oldest first) and its semester reports (newest first)."""

    cortes: list[CorteRef]
    informes: list[CorteRef]

    @property
    def ultimo_informe(self) -> CorteRef | None:
        return self.informes[0] if self.informes else None


def _periodos_registrados(plan_ids: list[int]) -> list[tuple[int, int, int, str]]:
    """(plan, año, semestre, tipo) rows, one query: the plans' cuts («corte»), semester reports
    («informe») and, only for plans with neither, their last year with reports («reporte»).

    The reports are read only for plans without cuts or semester reports (an empty set for
    plans in use), so large plans pay nothing for this fallback.
    """
    from politicas.models import InformeCualitativo

    def tipo(nombre: str) -> Value:
        return Value(nombre, output_field=CharField())

    cortes = (
        Corte.objects.filter(plan_id__in=plan_ids).annotate(tipo=tipo("corte"))
        .values_list("plan_id", "anio", "semestre", "tipo").order_by()
    )
    informes = (
        InformeCualitativo.objects.filter(plan_id__in=plan_ids).annotate(tipo=tipo("informe"))
        .values_list("plan_id", "anio", "semestre", "tipo").order_by()
    )
    sin_periodos = (
        Plan.objects.filter(id__in=plan_ids)
        .exclude(Exists(Corte.objects.filter(plan=OuterRef("pk"))))
        .exclude(Exists(InformeCualitativo.objects.filter(plan=OuterRef("pk"))))
        .values("id")
    )
    reportes = (
        Reporte.objects.filter(indicador__plan_id__in=sin_periodos)
        .values("indicador__plan_id")
        .annotate(ultimo=Max("anio"), semestre=Value(2, output_field=IntegerField()), tipo=tipo("reporte"))
        .values_list("indicador__plan_id", "ultimo", "semestre", "tipo")
        .order_by()
    )
    return list(cortes.union(informes, reportes, all=True))


def _ultimo_corte(periodos: list[tuple[int, int, str]], plan: Plan, hoy: CorteRef) -> CorteRef:
    """The plan's default cut from its (año, semestre, tipo) rows: its latest opened cut, else its
    latest semester report, else the December cut of its last year with reports (not later than
    today's cut), else today's cut within the plan's years."""
    for buscado in ("corte", "informe"):
        refs = [CorteRef(a, s) for a, s, t in periodos if t == buscado]
        if refs:
            return max(refs)
    anios = [a for a, _s, t in periodos if t == "reporte"]
    return min(hoy, CorteRef(max(anios), 2)) if anios else min(hoy, CorteRef(plan.anio_fin, 2))


def periodos_del_plan(plan: Plan) -> PeriodosPlan:
    """Every semester cut from the plan's first year to its default cut, and its semester reports.

    The default (latest) cut is the last one that exists for the plan: its latest Corte, else its
    latest semester report, else the last year with reports; today's date only when the plan
    has no data at all. One query.
    """
    periodos = [(a, s, t) for _p, a, s, t in _periodos_registrados([plan.id])]
    ultimo = _ultimo_corte(periodos, plan, corte_de_fecha(datetime.date.today()))
    cortes = [CorteRef(a, s) for a in range(plan.anio_inicio, ultimo.anio + 1) for s in (1, 2)]
    informes = sorted({CorteRef(a, s) for a, s, t in periodos if t == "informe"}, reverse=True)
    return PeriodosPlan(cortes=[c for c in cortes if c <= ultimo] or [ultimo], informes=informes)


def cortes_del_plan(plan: Plan) -> list[CorteRef]:
    """The cuts a plan can be read at, oldest first (see `periodos_del_plan`)."""
    return periodos_del_plan(plan).cortes


def elegir_corte(texto: str | None, disponibles: list[CorteRef]) -> CorteRef:
    """The cut asked for in the URL when it is one of the plan's available cuts; a malformed
    text or a cut the plan does not have falls back to the latest one."""
    if texto:
        try:
            pedido = CorteRef.parse(texto)
        except ValueError:
            pedido = None
        if pedido in disponibles:
            return pedido
    return disponibles[-1]


# Engine ---------------------------------------------------------------------------------------


def resultados(plan: Plan, corte: CorteRef, estados=ESTADOS_OFICIALES) -> ResultadoPlan:
    from reportes import selectors  # the engine's module; imported late so pages load without it

    return selectors.plan_resultados(plan=plan, corte=corte, estados=estados)


def historia(plan: Plan, cortes: list[CorteRef], estados=ESTADOS_OFICIALES) -> list[ResultadoPlan]:
    """The plan's totals at its last cuts (at most MAX_CORTES_HISTORIA), oldest first.

    The engine reads the stored summaries of every cut at once (`plan_historial`): the number of
    queries depends neither on the number of cuts nor on the plan's size. Totals and levels only.
    """
    from reportes import selectors

    elegidos = sorted(cortes)[-MAX_CORTES_HISTORIA:]
    historial = selectors.plan_historial(plan=plan, cortes=elegidos, estados=estados, con_indicadores=False)
    return [resultado for _, resultado in historial]


# Display helpers -------------------------------------------------------------------------------


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


def _pct_de(parte: Decimal, todo: Decimal) -> Decimal | None:
    return parte * 100 / todo if todo else None


# Rows ------------------------------------------------------------------------------------------


@dataclass
class Fila:
    """One line of Anexo 1, with everything the template prints already formatted."""

    r: ResultadoIndicador
    url: str
    dependencia: str
    ilustrativo: bool
    tipo: str
    periodicidad: str
    meta: str
    avance: str
    pav: SafeString
    pahv: SafeString
    paa: SafeString


def _filas(
    lista: list[ResultadoIndicador], *, prefijo_url: str, dependencias: dict[int, str], ilustrativos: set[int]
) -> list[Fila]:
    filas = []
    for r in lista:
        filas.append(
            Fila(
                r=r,
                url=f"{prefijo_url}{r.codigo}/",
                dependencia=dependencias.get(r.dependencia_id, ""),
                ilustrativo=r.indicador_id in ilustrativos,
                tipo=NOMBRES_TIPO.get(r.tipo, r.tipo),
                periodicidad=NOMBRES_PERIODICIDAD.get(r.periodicidad, r.periodicidad),
                meta=formato_numero(r.meta_anio),
                avance=formato_numero(r.avance_anio),
                pav=html_porcentaje(r.pav, r.semaforo_pav, r.motivo_pav or r.motivo_sin_informacion),
                pahv=html_porcentaje(r.pahv, r.semaforo_pahv, r.motivo_sin_informacion),
                paa=html_porcentaje(r.paa, r.semaforo_paa, r.motivo_paa or r.motivo_sin_informacion),
            )
        )
    return filas


_ETIQUETA_ILUSTRATIVO = (
    ' <span class="etiqueta etiqueta--ilustrativo" title="Valores inferidos: el documento fuente no los da">'
    "Valores ilustrativos</span>"
)


def filas_html(filas: list[Fila], *, corte: CorteRef) -> SafeString:
    """The rows of Anexo 1 as HTML, written here rather than in a template loop: a template
    spends about 0,2 ms per row on variable lookups, too slow for a 1,000-indicator plan.
    Every text from the database is escaped; the cells match `_anexo_tabla.html`'s header."""
    partes = []
    sufijo = f"?corte={corte.clave}"
    # On phones the rows become cards (static/css/app.css) and each cell shows its column's
    # name from data-etiqueta; the year is written without a thousands separator.
    anio = str(corte.anio)
    for f in filas:
        r = f.r
        partes.append(
            f'<tr class="fila--{r.semaforo.value}">'
            f'<td class="codigo"><a href="{_esc(f.url)}{sufijo}">{_esc(r.codigo)}</a></td>'
            f'<td class="nombre">{_esc(r.nombre)}<span class="responsable">{_esc(f.dependencia)}</span>'
            f'{_ETIQUETA_ILUSTRATIVO if f.ilustrativo else ""}</td>'
            f'<td data-etiqueta="Tipo">{_esc(f.tipo)}</td><td data-etiqueta="Periodicidad">{_esc(f.periodicidad)}</td>'
            f'<td class="num" data-etiqueta="Meta {anio}">{f.meta}</td>'
            f'<td class="num" data-etiqueta="Avance {anio}">{f.avance}</td>'
            f'<td class="num pct-celda" data-etiqueta="PAV">{f.pav}</td>'
            f'<td class="num pct-celda" data-etiqueta="PAHV">{f.pahv}</td>'
            f'<td class="num pct-celda" data-etiqueta="PAA">{f.paa}</td></tr>'
        )
    return mark_safe("".join(partes))


def prefijo_indicador(plan: Plan) -> str:
    """`/planes/<plan>/indicadores/`: reversed once per page, not once per row (1,000 rows)."""
    return reverse("indicador", args=[plan.codigo, "X"])[:-2]


# Level names ----------------------------------------------------------------------------------

_CONECTORES = {"de", "del", "para", "en", "con", "por", "a", "al", "y", "e", "o", "u"}
_SIN_TILDE = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")
_VOCALES = "aeiouáéíóúü"


def _plural_palabra(palabra: str) -> str:
    """The Spanish plural of one word: Eje → Ejes, Acción → Acciones, Indicador → Indicadores."""
    if not palabra or not palabra[-1].isalpha() or (palabra.isupper() and len(palabra) > 1):
        return palabra  # acronyms (ODS, PDM) do not change
    base, final = palabra.lower(), palabra[-1].lower()
    vocales_tilde = [c for c in base if c in "áéíóú"]
    if final in "aeiouáéó":
        plural = base + "s"
    elif final in "íú":
        plural = base + "es"  # ají → ajíes (the learned form)
    elif final == "z":
        plural = base[:-1] + "ces"
    elif final in "sx" and not (vocales_tilde and base[-2] in "áéíóú" or sum(c in "aeiou" for c in base) == 1):
        plural = base  # análisis, tesis, lunes: unstressed final syllable, no change
    elif final in "ns" and len(base) > 2 and base[-2] in "áéíóú" and not (base[-2] in "íú" and base[-3] in _VOCALES):
        plural = base[:-2] + base[-2].translate(_SIN_TILDE) + base[-1] + "es"  # acción → acciones (país → países)
    else:
        plural = base + "es"
    return palabra[: len(palabra) - len(base)] + (plural[0].upper() + plural[1:] if palabra[0].isupper() else plural)


def plural(nombre: str) -> str:
    """The Spanish plural of a level name, e.g. «Eje estratégico» → «Ejes estratégicos»,
    «Línea de acción» → «Líneas de acción»: the words before the first connector agree in number."""
    palabras = nombre.split()
    for i, palabra in enumerate(palabras):
        if palabra.lower() in _CONECTORES and i > 0:
            return " ".join([_plural_palabra(p) for p in palabras[:i]] + palabras[i:])
    return " ".join(_plural_palabra(p) for p in palabras)


def abreviatura(nombre: str) -> str:
    """A short form for crowded chart axes: «Obj.», «Comp.», «Prog.»; short names stay whole («Eje»).

    Three letters, then any consonants that follow, so the cut falls before a vowel."""
    primera = nombre.split()[0] if nombre.split() else nombre
    if len(primera) <= 5:
        return primera
    corte = 3
    while corte < len(primera) - 1 and primera[corte].lower() not in _VOCALES:
        corte += 1
    return primera[:corte] + "."


@dataclass(frozen=True)
class NombreNivel:
    """What a plan calls a level, in singular and plural («Producto», «Productos»)."""

    singular: str
    plural: str

    @classmethod
    def de(cls, singular: str) -> "NombreNivel":
        return cls(singular, plural(singular))

    def __str__(self) -> str:
        return self.singular

    def contar(self, n: int) -> str:
        """«1 producto», «3 productos»: the count with the right number, in lower case."""
        return f"{n} {(self.singular if n == 1 else self.plural).lower()}"


def nombres_de_niveles(plan: Plan, profundidad_maxima: int | None) -> tuple[NombreNivel, NombreNivel]:
    """The names of the plan's top level and of its indicators.

    Indicators hang below the deepest level the plan actually uses, so they take the plan's
    name for the next depth when `nombres_niveles` has one (Bogotá: «Objetivo, Producto» with
    objectives only → «Producto»); otherwise, or without levels, they are «Indicador» (Cali
    names its three levels «Eje, Componente, Programa» and uses all three).
    """
    nombres = plan.niveles_nombres
    objetivo = nombres[0] if nombres else "Nivel"
    siguiente = None if profundidad_maxima is None else profundidad_maxima + 1
    indicador = nombres[siguiente] if siguiente is not None and siguiente < len(nombres) else "Indicador"
    return NombreNivel.de(objetivo), NombreNivel.de(indicador)


def etiquetas_categorias(nombre: str, codigos: list[str], *, ancho_grupo: float, px_por_letra: float = 7.2) -> list[str]:
    """Chart axis labels «Objetivo 1»; when one does not fit its group, all use the short form
    («Obj. 1»), so a chart never mixes the two."""
    completas = [f"{nombre} {c}" for c in codigos]
    if all(len(e) * px_por_letra <= ancho_grupo * 0.95 for e in completas):
        return completas
    return [f"{abreviatura(nombre)} {c}" for c in codigos]


@dataclass
class FilaNivel:
    n: ResultadoNivel
    avance_propio: Decimal | None  # avance as a share of the level's own weight
    trayectoria_propia: Decimal | None
    indicadores: int
    causantes: list[ResultadoIndicador] = field(default_factory=list)  # indicators off their trajectory
    # Off-trajectory indicators the user may not read (other dependencias, unpublished plan):
    # counted, never named.
    causantes_ocultos: int = 0


@dataclass
class FilaGrupo:
    nombre: str
    conteo: list[tuple[Semaforo, int]]
    total: int


@dataclass
class Tablero:
    """Everything the plan dashboard and the Bogotá report show at one cut."""

    plan: Plan
    corte: CorteRef
    cortes: list[CorteRef]
    resultado: ResultadoPlan
    total_avance: Decimal | None
    total_trayectoria: Decimal | None
    total_brecha: Decimal | None
    conteo: list[tuple[Semaforo, int, Decimal | None]]
    total_indicadores: int
    objetivos: list[FilaNivel]
    nombre_objetivo: str
    nombre_indicador: str
    nombre_objetivos: str
    nombre_indicadores: str
    nivel_objetivo: NombreNivel
    nivel_indicador: NombreNivel
    por_grupo: list[FilaGrupo]
    grafico_objetivos: SafeString
    grafico_bandas: SafeString
    grafico_grupos: SafeString
    filas: list[Fila] = field(default_factory=list)
    filas_html: SafeString = field(default_factory=lambda: mark_safe(""))
    filtros: FiltrosAnexo = field(default_factory=FiltrosAnexo)
    opciones: dict = field(default_factory=dict)
    hay_ilustrativos: bool = False
    restringido: bool = False  # a planner who only sees their dependencias' rows
    umbrales: calculos.Umbrales = field(default_factory=calculos.Umbrales)  # the installation's semáforo
    sin_reportes: bool = False  # indicators, but none with information at the cut

    @property
    def sin_indicadores(self) -> bool:
        """A policy followed only through qualitative semester reports (Sopó)."""
        return self.total_indicadores == 0


def _corto(texto: str, largo: int) -> str:
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"


def tablero_plan(*, plan: Plan, corte: CorteRef, cortes: list[CorteRef], user, filtros: FiltrosAnexo) -> Tablero:
    """The plan dashboard at a cut: totals, history, objectives, bands, groups and Anexo 1.

    Queries: the engine's results at the cut (levels, indicators), dependencias, enfoques; none
    depends on the plan's size. The history chart is its own request (`grafico_historia`): it
    rolls the plan up at every past cut, which would otherwise add to the page's time.
    """
    resultado = resultados(plan, corte)

    dependencias = dict(Dependencia.objects.filter(entidad_id=plan.entidad_id).values_list("id", "nombre"))
    ilustrativos = {r.indicador_id for r in resultado.indicadores if r.ilustrativo}
    enfoques_por_indicador: dict[int, set[int]] = defaultdict(set)
    enfoques: dict[int, str] = {}
    for indicador_id, enfoque_id, nombre in Indicador.enfoques.through.objects.filter(
        indicador__plan=plan
    ).values_list("indicador_id", "enfoque_id", "enfoque__nombre"):
        enfoques_por_indicador[indicador_id].add(enfoque_id)
        enfoques[enfoque_id] = nombre

    # Plan and level figures are aggregates; indicator rows, names and codes only where readable.
    restringido = not visibilidad.ve_todo_el_plan(plan, user)
    visibles = visibilidad.resultados_visibles(resultado, user, plan)
    ids_visibles = {r.indicador_id for r in visibles}

    niveles = resultado.niveles
    nivel_objetivo, nivel_indicador = nombres_de_niveles(plan, max((n.profundidad for n in niveles), default=None))
    nombre_objetivo = nivel_objetivo.singular
    bajo = descendientes((n.nivel_id, n.padre_id) for n in niveles)
    por_nivel: dict[int, list[ResultadoIndicador]] = defaultdict(list)
    for r in resultado.indicadores:
        por_nivel[r.nivel_id].append(r)
    objetivos = []
    for n in sorted((n for n in niveles if n.profundidad == 0), key=lambda n: clave_codigo(n.codigo)):
        debajo = [r for i in bajo.get(n.nivel_id, {n.nivel_id}) for r in por_nivel[i]]
        objetivos.append(
            FilaNivel(
                n=n,
                avance_propio=_pct_de(n.avance, n.peso),
                trayectoria_propia=_pct_de(n.trayectoria, n.peso),
                indicadores=len(debajo),
                causantes=sorted(
                    (r for r in debajo if r.indicador_id in ids_visibles and r.brecha.quantize(Decimal("0.01"))),
                    key=lambda r: clave_codigo(r.codigo),
                ),
                causantes_ocultos=sum(
                    1 for r in debajo if r.indicador_id not in ids_visibles and r.brecha.quantize(Decimal("0.01"))
                ),
            )
        )

    conteo_dict = resultado.conteo_semaforo()
    total_ind = len(resultado.indicadores)
    conteo = [(b, conteo_dict[b], _pct_de(Decimal(conteo_dict[b]), Decimal(total_ind))) for b in ORDEN_BANDAS]

    grupos: dict[int, dict[Semaforo, int]] = defaultdict(lambda: {b: 0 for b in ORDEN_BANDAS})
    for r in resultado.indicadores:
        grupos[r.dependencia_id][r.semaforo] += 1
    por_grupo = sorted(
        (
            FilaGrupo(nombre=dependencias.get(dep, "—"), conteo=[(b, c[b]) for b in ORDEN_BANDAS], total=sum(c.values()))
            for dep, c in grupos.items()
        ),
        key=lambda g: (-g.total, g.nombre),
    )

    total = resultado.total
    grafico_objetivos = graficos.barras(
        titulo=f"Avance acumulado y trayectoria ideal por {nombre_objetivo.lower()} (puntos del plan) al corte {corte}",
        categorias=etiquetas_categorias(
            nombre_objetivo, [o.n.codigo for o in objetivos], ancho_grupo=graficos.ancho_grupo_barras(len(objetivos))
        ),
        series=[
            Serie("Avance acumulado", [o.n.avance for o in objetivos], COLOR_AVANCE),
            Serie("Trayectoria ideal", [o.n.trayectoria for o in objetivos], COLOR_TRAYECTORIA),
        ],
        unidad="pp",
    )
    grafico_bandas = graficos.distribucion_semaforo(
        titulo=f"{nivel_indicador.plural} por banda del semáforo (avance hasta la vigencia) al corte {corte}",
        conteo=conteo_dict,
    )
    grafico_grupos = graficos.semaforo_por_grupo(
        titulo=f"{nivel_indicador.plural} por responsable y banda del semáforo al corte {corte}",
        filas=[(g.nombre, dict(g.conteo)) for g in por_grupo],
    )

    filtrados = ordenar(
        filtrar(visibles, filtros, enfoques_por_indicador=enfoques_por_indicador, niveles_bajo=bajo), filtros
    )
    filas = _filas(filtrados, prefijo_url=prefijo_indicador(plan), dependencias=dependencias, ilustrativos=ilustrativos)
    usadas = {r.dependencia_id for r in visibles}
    opciones = {
        "bandas": [(b.value, b.etiqueta) for b in ORDEN_BANDAS],
        "dependencias": sorted(((i, n) for i, n in dependencias.items() if i in usadas), key=lambda x: x[1]),
        # Only levels that group several indicators: filtering on a one-indicator product is
        # noise, and a 1,000-product policy would otherwise list 1,000 options.
        "niveles": [
            (n.nivel_id, _corto(f"{'· ' * n.profundidad}{n.nivel} {n.codigo}: {n.nombre}", 60))
            for n in sorted(niveles, key=lambda n: clave_codigo(n.codigo))
            if sum(len(por_nivel[i]) for i in bajo.get(n.nivel_id, {n.nivel_id})) > 1
        ],
        "tipos": [(t, NOMBRES_TIPO[t]) for t in NOMBRES_TIPO if any(r.tipo == t for r in visibles)],
        "enfoques": sorted(enfoques.items(), key=lambda x: x[1]),
        "columnas": [
            {"clave": c, "orden": filtros.orden_para(c), "aria": filtros.aria_sort(c)} for c in COLUMNAS
        ],
    }
    from reportes import selectors  # the engine's module, imported late as in `resultados`

    return Tablero(
        plan=plan,
        corte=corte,
        cortes=cortes,
        resultado=resultado,
        total_avance=total.avance if total else None,
        total_trayectoria=total.trayectoria if total else None,
        total_brecha=total.brecha if total else None,
        conteo=conteo,
        total_indicadores=total_ind,
        objetivos=objetivos,
        nombre_objetivo=nivel_objetivo.singular,
        nombre_indicador=nivel_indicador.singular,
        nombre_objetivos=nivel_objetivo.plural,
        nombre_indicadores=nivel_indicador.plural,
        nivel_objetivo=nivel_objetivo,
        nivel_indicador=nivel_indicador,
        por_grupo=por_grupo,
        grafico_objetivos=grafico_objetivos,
        grafico_bandas=grafico_bandas,
        grafico_grupos=grafico_grupos,
        filas=filas,
        filas_html=filas_html(filas, corte=corte),
        filtros=filtros,
        opciones=opciones,
        hay_ilustrativos=bool(ilustrativos),
        restringido=restringido,
        umbrales=selectors.umbrales(),
        sin_reportes=sin_informacion_alguna(resultado.indicadores),
    )


def grafico_historia(*, plan: Plan, corte: CorteRef, cortes: list[CorteRef]) -> SafeString:
    """The plan's avance against its ideal trajectory at every cut up to `corte` (bounded)."""
    hist = historia(plan, [c for c in cortes if c < corte] + [corte])
    return graficos.lineas(
        titulo=f"Avance acumulado y trayectoria ideal de {plan.nombre}, por corte",
        etiquetas=[h.corte.clave for h in hist],
        series=[
            Serie("Avance acumulado", [h.total.avance if h.total else None for h in hist], COLOR_AVANCE),
            Serie("Trayectoria ideal", [h.total.trayectoria if h.total else None for h in hist], COLOR_TRAYECTORIA, discontinua=True),
        ],
        unidad="%",
    )


def url_exportar(plan: Plan) -> str:
    """The Excel export of the Excel helper, when it is installed; '' otherwise."""
    try:
        return reverse("exportar_plan", args=[plan.codigo])
    except NoReverseMatch:
        return ""


# Home ------------------------------------------------------------------------------------------


@dataclass
class TarjetaPlan:
    plan: Plan
    corte: CorteRef | None
    avance: Decimal | None
    trayectoria: Decimal | None
    brecha: Decimal | None
    conteo: list[tuple[Semaforo, int]]
    total: int
    informe: CorteRef | None = None  # the latest semester report, for plans followed qualitatively
    sin_reportes: bool = False  # indicators, but none with information at the cut

    @property
    def sin_indicadores(self) -> bool:
        return self.total == 0


def tarjetas_inicio(user) -> list[TarjetaPlan]:
    """The plans a user may see, each with its headline figures at its latest cut.

    Queries: plans, their cuts and semester reports (one query, see `_periodos_registrados`),
    then the engine's batch selector once per distinct latest cut (levels + indicators of every
    plan at that cut): the count never grows with plans' sizes.
    """
    planes = list(permisos.planes_visibles(user).select_related("entidad").order_by("entidad__nombre", "nombre"))
    periodos: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for plan_id, anio, semestre, tipo in _periodos_registrados([p.id for p in planes]):
        periodos[plan_id].append((anio, semestre, tipo))
    hoy = corte_de_fecha(datetime.date.today())
    cortes = {plan.id: _ultimo_corte(periodos[plan.id], plan, hoy) for plan in planes}
    informes = {
        plan.id: max((CorteRef(a, s) for a, s, t in periodos[plan.id] if t == "informe"), default=None)
        for plan in planes
    }
    por_corte: dict[CorteRef, list[Plan]] = defaultdict(list)
    for plan in planes:
        por_corte[cortes[plan.id]].append(plan)
    from reportes import selectors

    resultados_por_plan: dict[int, ResultadoPlan] = {}
    for corte, grupo in por_corte.items():
        for resultado in selectors.planes_resultados(corte=corte, planes=grupo, con_indicadores=True):
            resultados_por_plan[resultado.plan_id] = resultado
    tarjetas = []
    for plan in planes:
        resultado = resultados_por_plan[plan.id]
        conteo = resultado.conteo_semaforo()
        total = resultado.total
        tarjetas.append(
            TarjetaPlan(
                plan=plan,
                corte=resultado.corte,
                avance=total.avance if total else None,
                trayectoria=total.trayectoria if total else None,
                brecha=total.brecha if total else None,
                conteo=[(b, conteo[b]) for b in ORDEN_BANDAS],
                total=len(resultado.indicadores),
                informe=informes[plan.id],
                sin_reportes=sin_informacion_alguna(resultado.indicadores),
            )
        )
    return tarjetas


def sin_informacion_alguna(indicadores: list[ResultadoIndicador]) -> bool:
    """True when the plan has indicators but none has information at the cut: its 0 % avance
    would say «nothing done» where the truth is «nothing reported»."""
    return bool(indicadores) and all(r.semaforo == Semaforo.SIN_INFORMACION for r in indicadores)


# Indicator page --------------------------------------------------------------------------------


@dataclass
class FilaAnio:
    anio: int
    meta: Decimal | None
    avance: Decimal | None
    porcentaje: Decimal | None  # avance of the year against its target, as PAV would compute it


@dataclass
class PaginaIndicador:
    plan: Plan
    indicador: Indicador
    corte: CorteRef
    cortes: list[CorteRef]
    ruta: list[Nivel]
    resultado: ResultadoIndicador | None
    anios: list[FilaAnio]
    reportes: list[Reporte]
    enfoques: list[Enfoque]
    grafico: SafeString
    ve_borradores: bool
    pav: SafeString | None = None
    pahv: SafeString | None = None
    paa: SafeString | None = None
    publicacion: object | None = None  # reportes.congelar.Publicacion of a closed cut


def avances_por_anio(
    indicador: Indicador, metas: dict[int, Decimal], reportes: list[Reporte], corte: CorteRef
) -> list[FilaAnio]:
    """The Cali year table: meta and ejecución of every year up to the cut's year.

    A[y] follows SPEC §2 (sum of the year's reports for `suma`, the last one otherwise); the
    cut's own year only counts the periods begun by the cut.
    """
    tripletas = [(r.anio, r.periodo, r.valor) for r in reportes]
    anios = sorted({*metas, *(r.anio for r in reportes)} | set(range(indicador.plan.anio_inicio, corte.anio + 1)))
    filas = []
    for anio in anios:
        if anio > corte.anio and anio not in metas:
            continue
        semestre = corte.semestre if anio == corte.anio else 2
        if anio > corte.anio:
            avance = None
        else:
            resumen = calculos.resumen_reportes(
                tripletas, periodicidad=indicador.periodicidad, corte_anio=anio, corte_semestre=semestre
            )
            avance = calculos.avance_anio(indicador.tipo_anualizacion, resumen)
        meta = metas.get(anio)
        porcentaje = calculos.porcentaje_vigencia(indicador.tipo_anualizacion, indicador.linea_base, meta, avance)
        filas.append(FilaAnio(anio=anio, meta=meta, avance=avance, porcentaje=porcentaje))
    return filas


def pagina_indicador(*, plan: Plan, indicador: Indicador, corte: CorteRef, cortes: list[CorteRef], user) -> PaginaIndicador:
    """Queries: levels of the plan, targets, reports with their evidence, enfoques, results at the cut."""
    niveles = {n.id: n for n in Nivel.objects.filter(plan=plan)}
    ruta = arbol.ruta(niveles, indicador.nivel_id)
    for n in ruta:
        n.plan = plan  # nombre_tipo reads the plan: avoid one query per level
    metas = dict(Meta.objects.filter(indicador=indicador).values_list("anio", "valor"))
    ve_borradores = permisos.puede_editar_indicador(user, indicador) or permisos.es_revisor(user)
    reportes_qs = Reporte.objects.filter(indicador=indicador).prefetch_related("evidencias").order_by("anio", "periodo")
    if not ve_borradores:
        reportes_qs = reportes_qs.oficiales()
    reportes = [r for r in reportes_qs if _cuenta(indicador, r, corte)]
    for reporte in reportes:
        reporte.indicador = indicador  # its period's name reads the periodicidad: no query per row
    oficiales = [r.como_publicado() for r in reportes if r.es_oficial]
    if not ve_borradores:
        # The public reads the approved copy of a report whose correction is under review.
        reportes = oficiales
    anios = avances_por_anio(indicador, metas, oficiales, corte)
    enfoques = list(indicador.enfoques.all())
    del_plan = resultados(plan, corte)
    resultado = next((r for r in del_plan.indicadores if r.indicador_id == indicador.id), None)
    grafico = graficos.barras(
        titulo=f"Meta y ejecución por vigencia del indicador {indicador.codigo}",
        categorias=[str(f.anio) for f in anios],
        series=[
            Serie("Meta", [f.meta for f in anios], COLOR_META, discontinua=True),
            Serie("Ejecución", [f.avance for f in anios], COLOR_AVANCE),
        ],
        unidad="",
    )
    pagina = PaginaIndicador(
        plan=plan, indicador=indicador, corte=corte, cortes=cortes, ruta=ruta, resultado=resultado, anios=anios,
        reportes=reportes, enfoques=enfoques, grafico=grafico, ve_borradores=ve_borradores,
        publicacion=del_plan.publicacion,
    )
    if resultado:
        pagina.pav = html_porcentaje(resultado.pav, resultado.semaforo_pav, resultado.motivo_pav or resultado.motivo_sin_informacion)
        pagina.pahv = html_porcentaje(resultado.pahv, resultado.semaforo_pahv, resultado.motivo_sin_informacion)
        pagina.paa = html_porcentaje(resultado.paa, resultado.semaforo_paa, resultado.motivo_paa or resultado.motivo_sin_informacion)
    return pagina


def _cuenta(indicador: Indicador, reporte: Reporte, corte: CorteRef) -> bool:
    return calculos.reporte_cuenta(
        periodicidad=indicador.periodicidad, anio=reporte.anio, periodo=reporte.periodo,
        corte_anio=corte.anio, corte_semestre=corte.semestre,
    )


# Printable reports -----------------------------------------------------------------------------


def narrativas(plan: Plan, ids: list[int], corte: CorteRef) -> dict[int, Reporte]:
    """The latest approved report up to the cut of each indicator in `ids`: its observaciones and
    plan de choque are the narrative the follow-up report quotes. One query."""
    ultimo: dict[int, Reporte] = {}
    qs = (
        Reporte.objects.oficiales().filter(indicador_id__in=ids, anio__lte=corte.anio)
        .select_related("indicador")
        .order_by("indicador_id", "anio", "periodo")
    )
    for reporte in qs:
        if _cuenta(reporte.indicador, reporte, corte):
            ultimo[reporte.indicador_id] = reporte.como_publicado()
    return ultimo


@dataclass
class IndicadorCali:
    indicador: Indicador
    anios: list[FilaAnio]
    reportes: list[Reporte]


@dataclass
class GrupoCali:
    ruta: list[Nivel]  # the levels opened by this group (only those not already open)
    indicadores: list[IndicadorCali]


def informe_indicadores(
    *, plan: Plan, corte: CorteRef, dependencia_id: int | None, codigos: list[str], user
) -> list[GrupoCali]:
    """The Cali per-indicator report: indicators grouped under their levels, each with LB, the year
    table and the narratives of the cut's year. Queries: levels, indicators, targets, reports."""
    niveles = {n.id: n for n in Nivel.objects.filter(plan=plan)}
    for n in niveles.values():
        n.plan = plan
    qs = permisos.indicadores_legibles(user, Indicador.objects.filter(plan=plan))
    if dependencia_id:
        qs = qs.filter(dependencia_id=dependencia_id)
    if codigos:
        qs = qs.filter(codigo__in=codigos)
    indicadores = list(
        qs.select_related("plan", "dependencia").prefetch_related(
            Prefetch("metas", queryset=Meta.objects.order_by("anio")),
            Prefetch("reportes", queryset=Reporte.objects.oficiales().order_by("anio", "periodo")),
        )
    )

    def ruta_de(nivel_id: int) -> list[Nivel]:
        return arbol.ruta(niveles, nivel_id)

    indicadores.sort(key=lambda i: ([clave_codigo(n.codigo) for n in ruta_de(i.nivel_id)], clave_codigo(i.codigo)))
    grupos: list[GrupoCali] = []
    abiertos: list[int] = []
    for ind in indicadores:
        ruta = ruta_de(ind.nivel_id)
        ids = [n.id for n in ruta]
        if ids != abiertos or not grupos:
            comun = 0
            while comun < min(len(ids), len(abiertos)) and ids[comun] == abiertos[comun]:
                comun += 1
            grupos.append(GrupoCali(ruta=ruta[comun:], indicadores=[]))
            abiertos = ids
        metas = {m.anio: m.valor for m in ind.metas.all()}
        reportes = [r.como_publicado() for r in ind.reportes.all() if _cuenta(ind, r, corte)]
        grupos[-1].indicadores.append(
            IndicadorCali(
                indicador=ind,
                anios=avances_por_anio(ind, metas, reportes, corte),
                reportes=[r for r in reportes if r.anio == corte.anio and (r.observaciones or r.plan_de_choque)],
            )
        )
    return grupos
