"""The follow-up methodology of SPEC §2–5 as pure functions over plain values (no database).

Read it against the spec:
- §2 `reporte_cuenta`, `fraccion_anio`, `resumen_reportes`, `resumen_metas` and `meta_acumulada`
  turn targets and period reports into the yearly values A[Y], AV, MA and MF;
- §3 `calcular_indicador` gives PAV, PAHV, PAA and the trajectory (TID) of one indicator;
- §4 `semaforo` puts a percentage in its band;
- §5 `pesos_efectivos` and `contribucion` roll indicators up the hierarchy.

Everything is `Decimal`; percentages come out in percent units (41.25 means 41,25 %) and are never
rounded here (rounding is for display). "No information" is `None` plus a reason, never 0 %.
The selectors aggregate reports and targets in the database into the summaries below
(`ResumenMetas`, `ResumenReportes`); `resumen_metas` and `resumen_reportes` are the same
summaries computed from raw rows, which is what the tests hold the SQL to.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from seguimiento.metodologia.resultados import Semaforo

CIEN = Decimal(100)
CERO = Decimal(0)
UNO = Decimal(1)

SUMA = "suma"
CRECIENTE = "creciente"
CONSTANTE = "constante"
DECRECIENTE = "decreciente"
TIPOS = (SUMA, CRECIENTE, CONSTANTE, DECRECIENTE)
# Types whose percentages are measured from the baseline: (X − LB) / (meta − LB).
TIPOS_DESDE_LINEA_BASE = frozenset({CRECIENTE, DECRECIENTE})

PERIODOS_POR_ANIO = {"anual": 1, "semestral": 2, "trimestral": 4, "mensual": 12}


class Motivo:
    """Why a percentage has no value: shown instead of the number, never as 0 %."""

    SIN_META = "sin_meta"  # the year (or the plan) has no programmed target
    SIN_REPORTE = "sin_reporte"  # the year has no report up to the cut
    NO_INICIADO = "no_iniciado"  # no report at all up to the cut
    META_CERO = "meta_cero"  # zero denominator: target 0, or target equal to the baseline
    SIN_LINEA_BASE = "sin_linea_base"  # a decreciente indicator without baseline cannot be measured

    ETIQUETAS = {
        SIN_META: "Sin meta",
        SIN_REPORTE: "Sin reporte",
        NO_INICIADO: "No ha iniciado",
        META_CERO: "Meta en cero",
        SIN_LINEA_BASE: "Sin línea base",
    }

    @classmethod
    def etiqueta(cls, motivo: str) -> str:
        return cls.ETIQUETAS.get(motivo, "")


# §2 -----------------------------------------------------------------------------------------


def periodos_por_anio(periodicidad: str) -> int:
    try:
        return PERIODOS_POR_ANIO[periodicidad]
    except KeyError:
        raise ValueError(f"Periodicidad «{periodicidad}» desconocida.") from None


def empieza_en_el_primer_semestre(periodicidad: str, periodo: int) -> bool:
    """Whether period p of n begins in January–June: it begins in month 12·(p−1)/n + 1, which is ≤ 6
    exactly when 2·(p−1) < n. The one statement of the rule; `sql_empieza_en_el_primer_semestre`
    writes the same inequality for the database."""
    return 2 * (periodo - 1) < periodos_por_anio(periodicidad)


def sql_empieza_en_el_primer_semestre(periodo: str, periodos_por_anio_sql: str) -> str:
    """`empieza_en_el_primer_semestre` as a SQL condition over two SQL expressions."""
    return f"2 * ({periodo} - 1) < {periodos_por_anio_sql}"


def semestre_en_que_empieza(periodicidad: str, periodo: int) -> int:
    """The semester in which a period begins: its report first counts at that semester's cut."""
    return 1 if empieza_en_el_primer_semestre(periodicidad, periodo) else 2


def semestre_en_que_termina(periodicidad: str, periodo: int) -> int:
    """The first semester whose cut date (30 June, 31 December) is on or after the period's last
    day: an annual period ends in semester 2, a semestral period 1 in semester 1."""
    return 1 if periodo * 12 <= periodos_por_anio(periodicidad) * 6 else 2


def reporte_cuenta(*, periodicidad: str, anio: int, periodo: int, corte_anio: int, corte_semestre: int) -> bool:
    """A report counts at a cut when its period has begun by the cut date (a running period counts)."""
    if anio != corte_anio:
        return anio < corte_anio
    return corte_semestre == 2 or empieza_en_el_primer_semestre(periodicidad, periodo)


def periodo_cuenta_maximo(periodicidad: str, corte_semestre: int) -> int:
    """The last period of the cut's year that counts at the cut (same rule as `reporte_cuenta`)."""
    n = periodos_por_anio(periodicidad)
    return n if corte_semestre == 2 else (n + 1) // 2


def fraccion_anio(periodicidad: str, corte_semestre: int) -> Decimal:
    """f: the share of the year's measurement periods closed by the cut.

    An annual indicator at the June cut has f = 0 (its year target is not yet due); semestral 1/2,
    trimestral 2/4, mensual 6/12; every periodicity has f = 1 at the December cut.
    """
    n = periodos_por_anio(periodicidad)
    if corte_semestre == 2:
        return UNO
    return Decimal(n // 2) / Decimal(n)


@dataclass(frozen=True, slots=True)
class ResumenMetas:
    """What the methodology needs from an indicator's yearly targets at a cut year Y."""

    meta_anio: Decimal | None  # m[Y] as programmed (None: the year has no target)
    meta_anterior: Decimal | None  # the last target programmed before Y (None: none before Y)
    suma_anterior: Decimal  # Σ m[y] for y < Y
    suma_total: Decimal  # Σ m[y] over every year
    meta_ultima: Decimal | None  # the last year's target (None: no target at all)


def resumen_metas(metas: Mapping[int, Decimal], anio: int) -> ResumenMetas:
    """Summarise the targets {year: value} for a cut in year `anio`."""
    anteriores = [a for a in metas if a < anio]
    return ResumenMetas(
        meta_anio=metas.get(anio),
        meta_anterior=metas[max(anteriores)] if anteriores else None,
        suma_anterior=sum((metas[a] for a in anteriores), CERO),
        suma_total=sum(metas.values(), CERO),
        meta_ultima=metas[max(metas)] if metas else None,
    )


@dataclass(frozen=True, slots=True)
class ResumenReportes:
    """What the methodology needs from the reports that count at a cut (see `reporte_cuenta`)."""

    suma_anio: Decimal | None  # Σ of the year Y reports (None: no report in Y)
    suma_total: Decimal | None  # Σ of every report up to the cut (None: no report at all)
    ultimo_anio: Decimal | None  # the last report of year Y
    ultimo: Decimal | None  # the last report up to the cut


def resumen_reportes(
    reportes: Iterable[tuple[int, int, Decimal]], *, periodicidad: str, corte_anio: int, corte_semestre: int
) -> ResumenReportes:
    """Summarise reports given as (year, period, value), keeping those that count at the cut."""
    contados = sorted(
        (anio, periodo, valor)
        for anio, periodo, valor in reportes
        if reporte_cuenta(
            periodicidad=periodicidad, anio=anio, periodo=periodo, corte_anio=corte_anio, corte_semestre=corte_semestre
        )
    )
    del_anio = [valor for anio, _, valor in contados if anio == corte_anio]
    return ResumenReportes(
        suma_anio=sum(del_anio, CERO) if del_anio else None,
        suma_total=sum((valor for _, _, valor in contados), CERO) if contados else None,
        ultimo_anio=del_anio[-1] if del_anio else None,
        ultimo=contados[-1][2] if contados else None,
    )


def avance_anio(tipo: str, reportes: ResumenReportes) -> Decimal | None:
    """A[Y]: the sum of the year's reports for `suma`; the last report (a level) for the others."""
    return reportes.suma_anio if tipo == SUMA else reportes.ultimo_anio


def avance_acumulado(tipo: str, reportes: ResumenReportes) -> Decimal | None:
    """AV: Σ A[y] for `suma`; the latest reported level for the others. None: not started."""
    return reportes.suma_total if tipo == SUMA else reportes.ultimo


def meta_final(tipo: str, metas: ResumenMetas) -> Decimal | None:
    """MF: Σ m[y] for `suma`; the last year's target for the others (None: no target at all)."""
    if metas.meta_ultima is None:
        return None
    return metas.suma_total if tipo == SUMA else metas.meta_ultima


def meta_acumulada(tipo: str, metas: ResumenMetas, *, linea_base: Decimal, f: Decimal) -> Decimal | None:
    """MA at the cut: Σ m[y<Y] + f·m[Y] for `suma`; m[Y−1] + f·(m[Y] − m[Y−1]) for the others.

    A year without target adds 0 to `suma` and keeps the previous target for the others; before
    the first target, m[Y−1] is the baseline.
    """
    if metas.meta_ultima is None:
        return None
    if tipo == SUMA:
        return metas.suma_anterior + f * (metas.meta_anio or CERO)
    anterior = linea_base if metas.meta_anterior is None else metas.meta_anterior
    actual = anterior if metas.meta_anio is None else metas.meta_anio
    return anterior + f * (actual - anterior)


# §3 -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Calculo:
    """One indicator at one cut: the §2 values and the §3 percentages (percent units)."""

    linea_base: Decimal | None
    meta_anio: Decimal | None
    avance_anio: Decimal | None
    avance_acumulado: Decimal | None
    meta_acumulada: Decimal | None
    meta_final: Decimal | None
    pav: Decimal | None
    pahv: Decimal | None
    paa: Decimal | None
    trayectoria: Decimal | None
    motivo_pav: str = ""
    motivo_pahv: str = ""
    motivo_paa: str = ""


def _porcentaje(valor: Decimal, meta: Decimal, base: Decimal) -> Decimal | None:
    """(valor − base) / (meta − base) in percent; None when the denominator is zero."""
    denominador = meta - base
    if not denominador:
        return None
    return (valor - base) / denominador * CIEN


def calcular_indicador(
    *,
    tipo: str,
    linea_base: Decimal | None,
    metas: ResumenMetas,
    reportes: ResumenReportes,
    f: Decimal,
) -> Calculo:
    """PAV, PAHV, PAA and TID of one indicator (SPEC §3 table), with the reason for each missing one.

    `suma` and `constante` are measured from zero, `creciente` and `decreciente` from the
    baseline; LB is 0 when the plan gives none, except for `decreciente`, which cannot be measured
    without it.
    """
    desde_base = tipo in TIPOS_DESDE_LINEA_BASE
    if tipo not in TIPOS:
        raise ValueError(f"Tipo de anualización «{tipo}» desconocido.")
    a_anio = avance_anio(tipo, reportes)
    av = avance_acumulado(tipo, reportes)
    if tipo == DECRECIENTE and linea_base is None:
        motivo = Motivo.SIN_LINEA_BASE
        return Calculo(None, metas.meta_anio, a_anio, av, None, meta_final(tipo, metas),
                       None, None, None, None, motivo, motivo, motivo)
    lb = (linea_base or CERO) if desde_base else CERO
    ma = meta_acumulada(tipo, metas, linea_base=linea_base or CERO, f=f)
    mf = meta_final(tipo, metas)

    # PAV: year Y needs a report and a programmed, non-zero target.
    pav = None
    if metas.meta_anio is None:
        motivo_pav = Motivo.SIN_META
    elif a_anio is None:
        motivo_pav = Motivo.SIN_REPORTE
    else:
        pav = _porcentaje(a_anio, metas.meta_anio, lb)
        motivo_pav = "" if pav is not None else Motivo.META_CERO

    # PAHV, PAA and the trajectory share the rules: no target, not started, zero denominator.
    pahv = paa = trayectoria = None
    if mf is None:
        motivo_pahv = motivo_paa = Motivo.SIN_META
    else:
        trayectoria = _porcentaje(ma, mf, lb)
        if av is None:
            motivo_pahv = motivo_paa = Motivo.NO_INICIADO
        else:
            pahv = _porcentaje(av, ma, lb)
            paa = _porcentaje(av, mf, lb)
            motivo_pahv = "" if pahv is not None else Motivo.META_CERO
            motivo_paa = "" if paa is not None else Motivo.META_CERO
    return Calculo(
        linea_base, metas.meta_anio, a_anio, av, ma, mf, pav, pahv, paa, trayectoria,
        motivo_pav, motivo_pahv, motivo_paa,
    )


def porcentaje_vigencia(
    tipo: str, linea_base: Decimal | None, meta: Decimal | None, avance: Decimal | None
) -> Decimal | None:
    """A year's avance against that year's target, exactly as PAV measures it (the Cali year
    table shows it for every year): None without target or avance, with a zero denominator, or
    for a `decreciente` indicator without baseline ("Sin línea base", never a made-up figure)."""
    if meta is None or avance is None or (tipo == DECRECIENTE and linea_base is None):
        return None
    lb = (linea_base or CERO) if tipo in TIPOS_DESDE_LINEA_BASE else CERO
    return _porcentaje(avance, meta, lb)


def paa_y_trayectoria(
    *, tipo: str, linea_base: Decimal | None, metas: ResumenMetas, reportes: ResumenReportes, f: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """(PAA, TID) only, what the roll-up needs: the same building blocks as `calcular_indicador`,
    without PAV and PAHV (a national roll-up of 300.000 indicators does not show them)."""
    if tipo == DECRECIENTE and linea_base is None:
        return None, None
    mf = meta_final(tipo, metas)
    if mf is None:
        return None, None
    lb = (linea_base or CERO) if tipo in TIPOS_DESDE_LINEA_BASE else CERO
    trayectoria = _porcentaje(meta_acumulada(tipo, metas, linea_base=linea_base or CERO, f=f), mf, lb)
    av = avance_acumulado(tipo, reportes)
    return (None if av is None else _porcentaje(av, mf, lb)), trayectoria


# §4 -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Umbrales:
    """The semáforo thresholds in percent (settings SEMAFORO_UMBRAL_*; SPEC §4 defaults)."""

    sobre: Decimal = Decimal(125)
    alto: Decimal = Decimal(75)
    medio: Decimal = Decimal(50)


UMBRALES_SPEC = Umbrales()


def semaforo(valor: Decimal | None, umbrales: Umbrales = UMBRALES_SPEC) -> Semaforo:
    """The band of an unrounded percentage: > sobre, > alto, > medio, else bajo; None is gris."""
    if valor is None:
        return Semaforo.SIN_INFORMACION
    if valor > umbrales.sobre:
        return Semaforo.SOBRE_EJECUCION
    if valor > umbrales.alto:
        return Semaforo.ALTO
    if valor > umbrales.medio:
        return Semaforo.MEDIO
    return Semaforo.BAJO


# §5 -----------------------------------------------------------------------------------------


def contribucion(peso: Decimal, paa: Decimal | None, trayectoria: Decimal | None) -> tuple[Decimal, Decimal]:
    """(avance, trayectoria) an indicator adds to its levels, in points of the plan.

    avance = w · min(PAA, 100 %) – only PAA is capped, and only here; trayectoria = w · TID.
    Without a report while its trajectory is above zero it adds 0 progress against its
    trajectory (a delay); with no target it adds nothing.
    """
    avance = peso * min(paa, CIEN) / CIEN if paa is not None else CERO
    tray = peso * trayectoria / CIEN if trayectoria is not None else CERO
    return avance, tray


class Nodo(NamedTuple):
    """A weighable node of the hierarchy: a level or an indicator, with its parent level.

    A tuple, so callers with hundreds of thousands of indicators may pass plain tuples."""

    clave: object
    padre: object | None  # the parent level's clave; None at the top
    peso: Decimal | None  # as the plan gives it (points of the plan); None: share equally


def pesos_efectivos(nodos: Iterable[Nodo], total: Decimal = CIEN) -> dict[object, Decimal]:
    """Every node's weight in points of the plan.

    A given weight is kept. A level without weight whose children all have one (given or so
    derived) weighs their sum (SPEC §5: an objective weighs the sum of its products). The others
    share equally what their parent's weight leaves after the given siblings (top levels share
    `total`), never below zero.
    """
    hijos: dict[object, list[Nodo]] = {}
    for nodo in nodos:
        nodo = Nodo._make(nodo)
        hijos.setdefault(nodo.padre, []).append(nodo)

    derivado: dict[object, Decimal | None] = {}

    def explicito(nodo: Nodo) -> Decimal | None:
        if nodo.clave in derivado:
            return derivado[nodo.clave]
        valor = nodo.peso
        if valor is None and hijos.get(nodo.clave):
            pesos_hijos = [explicito(hijo) for hijo in hijos[nodo.clave]]
            if all(p is not None for p in pesos_hijos):
                valor = sum(pesos_hijos, CERO)
        derivado[nodo.clave] = valor
        return valor

    efectivo: dict[object, Decimal] = {}
    pendientes: list[tuple[object, Decimal]] = [(None, total)]
    while pendientes:
        padre, peso_padre = pendientes.pop()
        grupo = hijos.get(padre, [])
        dados = {nodo.clave: explicito(nodo) for nodo in grupo}
        sin_peso = [nodo for nodo in grupo if dados[nodo.clave] is None]
        resto = max(peso_padre - sum((p for p in dados.values() if p is not None), CERO), CERO)
        parte = resto / len(sin_peso) if sin_peso else CERO
        for nodo in grupo:
            efectivo[nodo.clave] = dados[nodo.clave] if dados[nodo.clave] is not None else parte
            if nodo.clave in hijos:
                pendientes.append((nodo.clave, efectivo[nodo.clave]))
    return efectivo
