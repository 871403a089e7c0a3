"""A plan's dashboard at one cut: totals, objectives, bands, groups, Anexo 1 with its filter
options, and the history chart the dashboard loads as its own request.

The follow-up report (`paginas.informes`) prints the same `Tablero`. Queries: the engine's results
at the cut (levels, indicators), dependencias, enfoques and the reader's visibility; none depends
on the plan's size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as _esc  # stdlib: no lazy-string wrapper, for per-row cells

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from indicadores.models import Indicador
from politicas.arbol import clave_codigo, descendientes
from politicas.models import Dependencia, Plan
from reportes import graficos, selectors, visibilidad
from reportes.filtros import COLUMNAS, FiltrosAnexo, filtrar, ordenar
from reportes.graficos import COLOR_AVANCE, COLOR_TRAYECTORIA, ORDEN_BANDAS, Serie
from reportes.paginas.html import (
    NOMBRES_PERIODICIDAD,
    NOMBRES_TIPO,
    corto,
    pct_de,
    porcentajes_html,
    sin_informacion_alguna,
)
from reportes.paginas.nombres import NombreNivel, etiquetas_categorias, nombres_de_niveles
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import (
    ESTADOS_OFICIALES,
    CorteRef,
    ResultadoIndicador,
    ResultadoNivel,
    ResultadoPlan,
    Semaforo,
)
from seguimiento.numeros import formato_numero
from seguimiento.semaforo import umbrales

# The history chart reads every cut in a fixed number of queries; the cap bounds its memory and
# rows read (cuts × indicators), and still shows every semester of a ten-year plan.
MAX_CORTES_HISTORIA = 20


# Rows of Anexo 1 -------------------------------------------------------------------------------


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
        pav, pahv, paa = porcentajes_html(r)
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
                pav=pav,
                pahv=pahv,
                paa=paa,
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


# The dashboard ---------------------------------------------------------------------------------


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


def _enfoques(plan: Plan) -> tuple[dict[int, set[int]], dict[int, str]]:
    """The enfoques of each indicator of the plan and the name of each enfoque. One query."""
    enfoques_por_indicador: dict[int, set[int]] = defaultdict(set)
    enfoques: dict[int, str] = {}
    for indicador_id, enfoque_id, nombre in Indicador.enfoques.through.objects.filter(
        indicador__plan=plan
    ).values_list("indicador_id", "enfoque_id", "enfoque__nombre"):
        enfoques_por_indicador[indicador_id].add(enfoque_id)
        enfoques[enfoque_id] = nombre
    return enfoques_por_indicador, enfoques


def _objetivos(
    niveles: list[ResultadoNivel],
    *,
    por_nivel: dict[int, list[ResultadoIndicador]],
    bajo: dict[int, set[int]],
    ids_visibles: set[int],
) -> list[FilaNivel]:
    """The top levels in code order, each with the off-trajectory indicators below it: named when
    the user may read them, only counted otherwise."""
    objetivos = []
    for n in sorted((n for n in niveles if n.profundidad == 0), key=lambda n: clave_codigo(n.codigo)):
        debajo = [r for i in bajo.get(n.nivel_id, {n.nivel_id}) for r in por_nivel[i]]
        objetivos.append(
            FilaNivel(
                n=n,
                avance_propio=pct_de(n.avance, n.peso),
                trayectoria_propia=pct_de(n.trayectoria, n.peso),
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
    return objetivos


def _por_grupo(indicadores: list[ResultadoIndicador], dependencias: dict[int, str]) -> list[FilaGrupo]:
    """Band counts per responsible dependencia, the largest groups first."""
    grupos: dict[int, dict[Semaforo, int]] = defaultdict(lambda: {b: 0 for b in ORDEN_BANDAS})
    for r in indicadores:
        grupos[r.dependencia_id][r.semaforo] += 1
    return sorted(
        (
            FilaGrupo(nombre=dependencias.get(dep, "—"), conteo=[(b, c[b]) for b in ORDEN_BANDAS], total=sum(c.values()))
            for dep, c in grupos.items()
        ),
        key=lambda g: (-g.total, g.nombre),
    )


def _opciones(
    *,
    filtros: FiltrosAnexo,
    visibles: list[ResultadoIndicador],
    dependencias: dict[int, str],
    niveles: list[ResultadoNivel],
    bajo: dict[int, set[int]],
    por_nivel: dict[int, list[ResultadoIndicador]],
    enfoques: dict[int, str],
) -> dict:
    """The choices of Anexo 1's filters and its sortable column headers: only values the rows
    the user reads actually have."""
    usadas = {r.dependencia_id for r in visibles}
    return {
        "bandas": [(b.value, b.etiqueta) for b in ORDEN_BANDAS],
        "dependencias": sorted(((i, n) for i, n in dependencias.items() if i in usadas), key=lambda x: x[1]),
        # Only levels that group several indicators: filtering on a one-indicator product is
        # noise, and a 1,000-product policy would otherwise list 1,000 options.
        "niveles": [
            (n.nivel_id, corto(f"{'· ' * n.profundidad}{n.nivel} {n.codigo}: {n.nombre}", 60))
            for n in sorted(niveles, key=lambda n: clave_codigo(n.codigo))
            if sum(len(por_nivel[i]) for i in bajo.get(n.nivel_id, {n.nivel_id})) > 1
        ],
        "tipos": [(t, NOMBRES_TIPO[t]) for t in NOMBRES_TIPO if any(r.tipo == t for r in visibles)],
        "enfoques": sorted(enfoques.items(), key=lambda x: x[1]),
        "columnas": [
            {"clave": c, "orden": filtros.orden_para(c), "aria": filtros.aria_sort(c)} for c in COLUMNAS
        ],
    }


def tablero_plan(*, plan: Plan, corte: CorteRef, cortes: list[CorteRef], user, filtros: FiltrosAnexo) -> Tablero:
    """The plan dashboard at a cut: totals, history, objectives, bands, groups and Anexo 1.

    Queries: the engine's results at the cut (levels, indicators), dependencias, enfoques; none
    depends on the plan's size. The history chart is its own request (`grafico_historia`): it
    rolls the plan up at every past cut, which would otherwise add to the page's time.
    """
    resultado = selectors.plan_resultados(plan=plan, corte=corte, estados=ESTADOS_OFICIALES)

    dependencias = dict(Dependencia.objects.filter(entidad_id=plan.entidad_id).values_list("id", "nombre"))
    ilustrativos = {r.indicador_id for r in resultado.indicadores if r.ilustrativo}
    enfoques_por_indicador, enfoques = _enfoques(plan)

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
    objetivos = _objetivos(niveles, por_nivel=por_nivel, bajo=bajo, ids_visibles=ids_visibles)

    conteo_dict = resultado.conteo_semaforo()
    total_ind = len(resultado.indicadores)
    conteo = [(b, conteo_dict[b], pct_de(Decimal(conteo_dict[b]), Decimal(total_ind))) for b in ORDEN_BANDAS]
    por_grupo = _por_grupo(resultado.indicadores, dependencias)

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
    opciones = _opciones(
        filtros=filtros, visibles=visibles, dependencias=dependencias, niveles=niveles, bajo=bajo,
        por_nivel=por_nivel, enfoques=enfoques,
    )
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
        umbrales=umbrales(),
        sin_reportes=sin_informacion_alguna(resultado.indicadores),
    )


def url_exportar(plan: Plan) -> str:
    """The Excel export of the Excel helper, when it is installed; '' otherwise."""
    try:
        return reverse("exportar_plan", args=[plan.codigo])
    except NoReverseMatch:
        return ""


# The history chart -----------------------------------------------------------------------------


def historia(plan: Plan, cortes: list[CorteRef], estados=ESTADOS_OFICIALES) -> list[ResultadoPlan]:
    """The plan's totals at its last cuts (at most MAX_CORTES_HISTORIA), oldest first.

    The engine reads the stored summaries of every cut at once (`plan_historial`): the number of
    queries depends neither on the number of cuts nor on the plan's size. Totals and levels only.
    """
    elegidos = sorted(cortes)[-MAX_CORTES_HISTORIA:]
    historial = selectors.plan_historial(plan=plan, cortes=elegidos, estados=estados, con_indicadores=False)
    return [resultado for _, resultado in historial]


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
