"""Follow-up results of plans at a cut (SPEC §2–5), in a fixed number of queries whatever the size.

The part that touches many rows happens in the database: a query reduces each indicator's yearly
targets and period reports to one row of nine summaries (`calculos.ResumenMetas`,
`calculos.ResumenReportes`) with window functions and conditional aggregation. Python then
applies the methodology of `seguimiento.metodologia.calculos` to that one row per indicator,
in `Decimal`, and rolls the contributions up the hierarchy.

One plan at one cut (`plan_resultados`) is computed live: 2 queries, ≈ 40 ms per 1.000
indicators. Many plans (`planes_resultados`, the national roll-up) and one plan at many cuts
(`plan_historial`, the history chart) read stored summaries (`reportes.models.ResumenCorte`,
approved reports only) that stay valid while the indicator's version, bumped by database triggers
on every change of its targets, reports or periodicidad, is unchanged; only missing or stale ones
are recomputed first; a closed cut returns its published figures (`reportes.congelar`). Measured
in `benchmarks/RESULTADOS.md`.

Why one module of ~700 lines: the SQL that reduces targets and reports and the Python that
assembles its rows are read together against `calculos` (the random-plan test holds them equal),
and the summaries' upsert (`resumenes_actualizar`, a cache fill of derived rows, not a write of
anyone's data) shares that SQL. Issue 15 (the roll-up in the database) will reshape it.
"""

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache

from django.db import connection, transaction

from indicadores.models import Indicador, Meta, Reporte
from politicas import arbol
from politicas.models import Nivel, Plan
from reportes import congelar
from reportes.models import ResumenCorte, VersionIndicador
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import (
    ESTADOS_OFICIALES,
    CorteRef,
    ResultadoIndicador,
    ResultadoNivel,
    ResultadoPlan,
    Totales,
)
from seguimiento.semaforo import umbrales

CERO = Decimal(0)
_TAMANO_LOTE = 2000  # rows fetched at a time from the streamed cursor, and upserted at a time
# Above this many stale summaries the refresh streams the live computation of the whole selection.
_UMBRAL_LLENADO = 10_000
# The nine summaries, in the order of the indicator queries' columns 12–20 and of ResumenCorte.
RESUMENES = (
    "meta_anio", "meta_anterior", "suma_anterior", "metas_total", "meta_ultima",
    "suma_anio", "reportes_total", "ultimo_anio", "ultimo",
)


# SQL ----------------------------------------------------------------------------------------


def _numero(expresion: str) -> str:
    """SQLite has no decimal type: have it print numbers as text (15 significant digits, what
    Django's DecimalField round-trips) so Python reads them as exact `Decimal`s, not floats."""
    return f"CAST({expresion} AS TEXT)" if connection.vendor == "sqlite" else expresion


def _sql_indicadores(filtro_plan: str, n_estados: int) -> str:
    """One row per indicator with its target and report summaries at the cut.

    Parameters, in order: Y (eight times), S, the report states, then the plan filter's.
    `sig` is the next row's year (LEAD): the last target before Y is the row before Y whose next
    is Y or later; the last report counted is the row without a next one.
    """
    ind, meta = Indicador._meta.db_table, Meta._meta.db_table
    estados = ", ".join(["%s"] * n_estados)
    empezado = calculos.sql_empieza_en_el_primer_semestre("re.periodo", _sql_periodos("i.periodicidad"))
    return f"""
    WITH m AS (
        SELECT me.indicador_id, me.anio, me.valor,
               LEAD(me.anio) OVER (PARTITION BY me.indicador_id ORDER BY me.anio) AS sig
        FROM {meta} me JOIN {ind} i ON i.id = me.indicador_id
        WHERE {filtro_plan}
    ), ma AS (
        SELECT indicador_id,
               MAX(CASE WHEN anio = %s THEN valor END) AS meta_anio,
               MAX(CASE WHEN anio < %s AND (sig IS NULL OR sig >= %s) THEN valor END) AS meta_anterior,
               SUM(CASE WHEN anio < %s THEN valor ELSE 0 END) AS suma_anterior,
               SUM(valor) AS suma_total,
               MAX(CASE WHEN sig IS NULL THEN valor END) AS meta_ultima
        FROM m GROUP BY indicador_id
    ), r AS (
        SELECT re.indicador_id, re.anio, re.valor,
               LEAD(re.anio) OVER (PARTITION BY re.indicador_id ORDER BY re.anio, re.periodo) AS sig
        FROM {_sql_reportes_que_cuentan(estados)} re JOIN {ind} i ON i.id = re.indicador_id
        WHERE (re.anio < %s OR (re.anio = %s AND (%s = 2 OR {empezado})))
          AND re.valor IS NOT NULL AND {filtro_plan}
    ), ra AS (
        SELECT indicador_id,
               SUM(CASE WHEN anio = %s THEN valor END) AS suma_anio,
               SUM(valor) AS suma_total,
               MAX(CASE WHEN sig IS NULL AND anio = %s THEN valor END) AS ultimo_anio,
               MAX(CASE WHEN sig IS NULL THEN valor END) AS ultimo
        FROM r GROUP BY indicador_id
    )
    SELECT i.plan_id, i.id, i.codigo, i.nombre, i.nivel_id, i.dependencia_id, i.tipo_anualizacion,
           i.periodicidad, {_numero("i.peso")} AS peso, {_numero("i.linea_base")} AS linea_base, i.ilustrativo,
           i.orden, {_numero("ma.meta_anio")} AS meta_anio, {_numero("ma.meta_anterior")} AS meta_anterior,
           {_numero("ma.suma_anterior")} AS suma_anterior, {_numero("ma.suma_total")} AS metas_total,
           {_numero("ma.meta_ultima")} AS meta_ultima, {_numero("ra.suma_anio")} AS suma_anio,
           {_numero("ra.suma_total")} AS reportes_total, {_numero("ra.ultimo_anio")} AS ultimo_anio,
           {_numero("ra.ultimo")} AS ultimo, COALESCE(v.version, 0) AS version
    FROM {ind} i
    LEFT JOIN ma ON ma.indicador_id = i.id
    LEFT JOIN ra ON ra.indicador_id = i.id
    LEFT JOIN {VersionIndicador._meta.db_table} v ON v.indicador_id = i.id
    WHERE {filtro_plan}
    ORDER BY i.plan_id
    """


def _sql_reportes_que_cuentan(estados: str) -> str:
    """The report table with the value that counts: the planner's own while its state is among
    `estados`, else the approved copy kept while a correction is reviewed (`Reporte.valor_oficial`),
    else NULL (the report does not count). Parameters: the states."""
    rep = Reporte._meta.db_table
    return (
        f"(SELECT r0.indicador_id, r0.anio, r0.periodo, CASE WHEN r0.estado IN ({estados}) THEN r0.valor "
        f"ELSE r0.valor_oficial END AS valor FROM {rep} r0)"
    )


def _sql_periodos(columna: str) -> str:
    casos = " ".join(f"WHEN '{nombre}' THEN {n}" for nombre, n in calculos.PERIODOS_POR_ANIO.items())
    return f"(CASE {columna} {casos} ELSE 1 END)"


def _sql_guardados(filtro_plan: str, *, textos: bool = True) -> str:
    """The same row layout as `_sql_indicadores`, from the stored summaries of the cut; the last
    column says whether they are current (1) or missing or stale (0). Parameters: Y, S, filter.
    Without `textos`, code and name come empty (a roll-up does not show them; 20 % less to read)."""
    ind, guardado, version = Indicador._meta.db_table, ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    columnas = ", ".join(f"{_numero('g.' + c)} AS {c}" for c in RESUMENES)
    codigo_nombre = "i.codigo, i.nombre" if textos else "'' AS codigo, '' AS nombre"
    return f"""
    SELECT i.plan_id, i.id, {codigo_nombre}, i.nivel_id, i.dependencia_id, i.tipo_anualizacion,
           i.periodicidad, {_numero("i.peso")} AS peso, {_numero("i.linea_base")} AS linea_base, i.ilustrativo,
           i.orden, {columnas},
           CASE WHEN g.version = COALESCE(v.version, 0) THEN 1 ELSE 0 END AS vigente
    FROM {ind} i
    LEFT JOIN {guardado} g ON g.indicador_id = i.id AND g.anio = %s AND g.semestre = %s
    LEFT JOIN {version} v ON v.indicador_id = i.id
    WHERE {filtro_plan}
    ORDER BY i.plan_id
    """


def _sin_resumen_vigente() -> str:
    """SQL condition on `i`: its stored summary at the cut is missing or stale. Params: Y, S."""
    guardado, version = ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    return (
        f"NOT EXISTS (SELECT 1 FROM {guardado} g WHERE g.indicador_id = i.id AND g.anio = %s AND g.semestre = %s "
        f"AND g.version = COALESCE((SELECT v.version FROM {version} v WHERE v.indicador_id = i.id), 0))"
    )


def _guardar(filas: list[tuple], corte: CorteRef) -> None:
    """Upsert the summaries of live rows (ordered by indicator, so concurrent fills do not deadlock)."""
    if not filas:
        return
    tabla = ResumenCorte._meta.db_table
    columnas = ["indicador_id", "anio", "semestre", "version", *RESUMENES]
    actualizar = ", ".join(f"{c} = excluded.{c}" for c in ["version", *RESUMENES])
    fila_sql = "(" + ", ".join(["%s"] * len(columnas)) + ")"
    ordenadas = sorted(filas, key=lambda f: f[1])
    with connection.cursor() as cursor:
        for inicio in range(0, len(ordenadas), _TAMANO_LOTE):
            lote = ordenadas[inicio:inicio + _TAMANO_LOTE]
            valores = []
            for f in lote:
                valores += [f[1], corte.anio, corte.semestre, f[21], *f[12:21]]
            # A slower concurrent fill must not replace a newer version's summaries.
            cursor.execute(
                f"INSERT INTO {tabla} ({', '.join(columnas)}) VALUES {', '.join([fila_sql] * len(lote))} "
                f"ON CONFLICT (anio, semestre, indicador_id) DO UPDATE SET {actualizar} "
                f"WHERE excluded.version >= {tabla}.version",
                valores,
            )


def _oficial(estados: Sequence[str]) -> bool:
    return set(estados) == set(ESTADOS_OFICIALES)


def _parametros(corte: CorteRef, estados: Sequence[str], filtro: list) -> list:
    y = corte.anio
    # filtro appears three times in the SQL: in m, in r and in the final select.
    return [*filtro, y, y, y, y, *estados, y, y, corte.semestre, *filtro, y, y, *filtro]


def _dec(valor) -> Decimal | None:
    if valor is None or isinstance(valor, Decimal):
        return valor
    return Decimal(str(valor))


def _identidad(valor):
    return valor


def _conversor():
    """PostgreSQL hands NUMERIC over as Decimal already; SQLite as text (see `_numero`)."""
    return _identidad if connection.vendor == "postgresql" else _dec


# Hierarchy ----------------------------------------------------------------------------------


def _niveles_por_plan(plan_ids: Iterable[int] | None) -> dict[int, list[dict]]:
    consulta = Nivel.objects.all()
    if plan_ids is not None:
        consulta = consulta.filter(plan_id__in=list(plan_ids))
    por_plan: dict[int, list[dict]] = {}
    for nivel in consulta.values("id", "plan_id", "padre_id", "profundidad", "codigo", "nombre", "peso", "orden"):
        por_plan.setdefault(nivel["plan_id"], []).append(nivel)
    return por_plan


# Assembly -----------------------------------------------------------------------------------


def _resultado_plan(
    plan: Plan, corte: CorteRef, niveles: list[dict], filas: list[tuple], umbral: calculos.Umbrales,
    con_indicadores: bool = True, comun: dict | None = None,
) -> ResultadoPlan:
    """Apply the methodology to one plan's indicator rows and roll them up.

    `comun` (a dict, empty at first) keeps the levels' order, names and effective weights between
    calls on the same indicators at other cuts (history): they do not depend on the cut.
    """
    if _conversor() is not _identidad:  # SQLite: numbers arrive as text
        # Across cuts the same texts come back (weights, targets): convert each once.
        dec = _dec if comun is None else comun.setdefault("dec", lru_cache(maxsize=None)(_dec))
        filas = [(*f[:8], *map(dec, f[8:10]), *f[10:12], *map(dec, f[12:21]), *f[21:]) for f in filas]
    if con_indicadores:
        # Display order, as the model orders indicators (the query only groups them by plan).
        filas = sorted(filas, key=lambda f: (f[11], f[2], f[1]))
    if comun and "pesos" in comun:
        ordenados, pesos, nombres_nivel = comun["ordenados"], comun["pesos"], comun["nombres_nivel"]
    else:
        ordenados = arbol.en_orden(niveles)
        pesos = calculos.pesos_efectivos(
            [(("n", n["id"]), ("n", n["padre_id"]) if n["padre_id"] else None, n["peso"]) for n in niveles]
            + [(("i", fila[1]), ("n", fila[4]), fila[8]) for fila in filas]
        )
        nombres_nivel = {p: plan.nombre_nivel(p) for p in {n["profundidad"] for n in niveles}}
        if comun is not None:
            comun.update(ordenados=ordenados, pesos=pesos, nombres_nivel=nombres_nivel)
    # Contributions are added to each indicator's own level, then carried up the tree once.
    avance = {n["id"]: CERO for n in niveles}
    trayectoria = {n["id"]: CERO for n in niveles}
    fracciones = {
        nombre: calculos.fraccion_anio(nombre, corte.semestre) for nombre in calculos.PERIODOS_POR_ANIO
    }
    semaforo = calculos.semaforo
    contribucion = calculos.contribucion
    indicadores: list[ResultadoIndicador] = []
    for (_, ind_id, codigo, nombre, nivel_id, dependencia_id, tipo, periodicidad, _peso, lb,
         ilustrativo, _orden, meta_anio, meta_anterior, suma_anterior, metas_total, meta_ultima,
         suma_anio, reportes_total, ultimo_anio, ultimo, _version) in filas:
        metas = calculos.ResumenMetas(meta_anio, meta_anterior, suma_anterior or CERO, metas_total or CERO, meta_ultima)
        reportes = calculos.ResumenReportes(suma_anio, reportes_total, ultimo_anio, ultimo)
        peso = pesos[("i", ind_id)]
        if not con_indicadores:
            paa, tid = calculos.paa_y_trayectoria(
                tipo=tipo, linea_base=lb, metas=metas, reportes=reportes, f=fracciones[periodicidad]
            )
            aporte_avance, aporte_tray = contribucion(peso, paa, tid)
            if nivel_id in avance:
                avance[nivel_id] += aporte_avance
                trayectoria[nivel_id] += aporte_tray
            continue
        calculo = calculos.calcular_indicador(
            tipo=tipo, linea_base=lb, metas=metas, reportes=reportes, f=fracciones[periodicidad]
        )
        aporte_avance, aporte_tray = contribucion(peso, calculo.paa, calculo.trayectoria)
        if nivel_id in avance:
            avance[nivel_id] += aporte_avance
            trayectoria[nivel_id] += aporte_tray
        indicadores.append(ResultadoIndicador(
            indicador_id=ind_id, codigo=codigo, nombre=nombre, nivel_id=nivel_id,
            dependencia_id=dependencia_id, tipo=tipo, periodicidad=periodicidad, peso=peso,
            linea_base=calculo.linea_base, meta_anio=calculo.meta_anio, avance_anio=calculo.avance_anio,
            avance_acumulado=calculo.avance_acumulado, meta_acumulada=calculo.meta_acumulada,
            meta_final=calculo.meta_final, pav=calculo.pav, pahv=calculo.pahv, paa=calculo.paa,
            trayectoria=calculo.trayectoria,
            semaforo_pav=semaforo(calculo.pav, umbral), semaforo_pahv=semaforo(calculo.pahv, umbral),
            semaforo_paa=semaforo(calculo.paa, umbral),
            motivo_sin_informacion=calculos.Motivo.etiqueta(calculo.motivo_pahv),
            motivo_pav=calculos.Motivo.etiqueta(calculo.motivo_pav),
            motivo_paa=calculos.Motivo.etiqueta(calculo.motivo_paa),
            ilustrativo=bool(ilustrativo), aporte_avance=aporte_avance, aporte_trayectoria=aporte_tray,
        ))
    # Children before parents (reversed pre-order): each level adds its subtotal to its parent.
    for n in reversed(ordenados):
        if n["padre_id"] is not None:
            avance[n["padre_id"]] += avance[n["id"]]
            trayectoria[n["padre_id"]] += trayectoria[n["id"]]
    resultado_niveles = [
        ResultadoNivel(
            nivel_id=n["id"], padre_id=n["padre_id"], codigo=n["codigo"], nombre=n["nombre"],
            nivel=nombres_nivel[n["profundidad"]], profundidad=n["profundidad"], peso=pesos[("n", n["id"])],
            avance=avance[n["id"]], trayectoria=trayectoria[n["id"]],
            brecha=avance[n["id"]] - trayectoria[n["id"]],
        )
        for n in ordenados
    ]
    # Totals add every indicator once, through the top levels (an orphan level cannot exist).
    raices = [r for r in resultado_niveles if r.padre_id is None]
    total_avance = sum((r.avance for r in raices), CERO)
    total_tray = sum((r.trayectoria for r in raices), CERO)
    return ResultadoPlan(
        plan_id=plan.pk, plan_codigo=plan.codigo, corte=corte, indicadores=indicadores,
        niveles=resultado_niveles, total=Totales(total_avance, total_tray, total_avance - total_tray),
    )


def _filas(sql: str, parametros: list, *, streamed: bool) -> Iterator[tuple]:
    # A server-side cursor (PostgreSQL) keeps memory flat however many indicators there are.
    cursor = connection.chunked_cursor() if streamed else connection.cursor()
    with cursor:
        cursor.execute(sql, parametros)
        while lote := cursor.fetchmany(_TAMANO_LOTE):
            yield from lote


# Public selectors ---------------------------------------------------------------------------


def _filas_plan(plan_id: int, corte: CorteRef, estados: Sequence[str]) -> list[tuple]:
    """One plan's indicator rows, computed live (≈ 40 ms per 1.000 indicators): pages keep their
    two queries whatever the state of the stored summaries, which serve the many-plan roll-up."""
    sql = _sql_indicadores("i.plan_id = %s", len(estados))
    return list(_filas(sql, _parametros(corte, estados, [plan_id]), streamed=False))


def plan_resultados(*, plan: Plan, corte: CorteRef, estados: Sequence[str] = ESTADOS_OFICIALES) -> ResultadoPlan:
    """Every indicator's PAV, PAHV, PAA, trajectory and semáforo, and every level's avance,
    trajectory and gap, for one plan at a cut.

    A closed cut gives its published figures (one query, `reportes.congelar`), whatever changed
    since. Otherwise three queries whatever the plan's size: the published figures (none), levels,
    and indicators with their summaries computed live. `estados` are the report states that
    count: officials and the public see approved reports only; planners may also count their
    drafts.
    """
    congeladas = congelar.vigentes(plan_ids=[plan.pk], cortes=[corte])
    if (plan.pk, corte) in congeladas:
        return congelar.desde_json(congeladas[(plan.pk, corte)], plan_id=plan.pk, plan_codigo=plan.codigo, corte=corte)
    return plan_resultados_vivos(plan=plan, corte=corte, estados=estados)


def plan_resultados_vivos(*, plan: Plan, corte: CorteRef, estados: Sequence[str] = ESTADOS_OFICIALES) -> ResultadoPlan:
    """`plan_resultados` computed from today's targets and reports, even for a closed cut: what
    closing a cut stores, and what a reviewer compares the published figures with."""
    niveles = _niveles_por_plan([plan.pk]).get(plan.pk, [])
    return _resultado_plan(plan, corte, niveles, _filas_plan(plan.pk, corte, estados), umbrales())


def _sql_vencidos(filtro_plan: str) -> str:
    """Ids of the indicators whose stored summary at the cut is missing or stale. Params: Y, S, filter."""
    ind, guardado, version = Indicador._meta.db_table, ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    return f"""
    SELECT i.id FROM {ind} i
    LEFT JOIN {guardado} g ON g.indicador_id = i.id AND g.anio = %s AND g.semestre = %s
    LEFT JOIN {version} v ON v.indicador_id = i.id
    WHERE {filtro_plan} AND (g.id IS NULL OR g.version <> COALESCE(v.version, 0))
    """


def resumenes_actualizar(*, corte: CorteRef, planes: Iterable[Plan] | None = None) -> int:
    """Compute and store the missing or stale summaries of the plans (all by default) at a cut.

    One query finds them (nothing else runs when all are current); then, in one transaction, the
    live computation of those indicators and one upsert per 2.000. Returns how many.
    """
    filtro, parametros = _filtro_planes(planes)
    vencidos = [fila[0] for fila in _filas(_sql_vencidos(filtro), [corte.anio, corte.semestre, *parametros],
                                            streamed=False)]
    if not vencidos:
        return 0
    with transaction.atomic():
        if len(vencidos) <= _UMBRAL_LLENADO:
            # A few changed since the last read: recompute exactly those.
            for inicio in range(0, len(vencidos), _TAMANO_LOTE):
                lote = vencidos[inicio:inicio + _TAMANO_LOTE]
                sql = _sql_indicadores(f"i.id IN ({', '.join(['%s'] * len(lote))})", len(ESTADOS_OFICIALES))
                _guardar(list(_filas(sql, _parametros(corte, ESTADOS_OFICIALES, lote), streamed=False)), corte)
        else:
            # A whole cut read for the first time: stream the plans' live computation, keeping one
            # batch in memory (the server-side cursor stays open while the upserts write).
            sql = _sql_indicadores(f"{filtro} AND {_sin_resumen_vigente()}", len(ESTADOS_OFICIALES))
            lote: list[tuple] = []
            parametros_vivos = _parametros(corte, ESTADOS_OFICIALES, [*parametros, corte.anio, corte.semestre])
            for fila in _filas(sql, parametros_vivos, streamed=True):
                lote.append(fila)
                if len(lote) == _TAMANO_LOTE:
                    _guardar(lote, corte)
                    lote = []
            _guardar(lote, corte)
    if len(vencidos) > _UMBRAL_LLENADO and connection.vendor == "postgresql":
        # Fresh statistics after a big fill: planned as if still empty, the stored-summary join
        # becomes a nested loop over the whole table (minutes instead of a second at 300.000).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ResumenCorte._meta.db_table}")
    return len(vencidos)


def _filtro_planes(planes: Iterable[Plan] | None) -> tuple[str, list]:
    if planes is None:
        return "1 = 1", []
    ids = [p.pk for p in planes]
    if not ids:
        return "1 = 0", []
    return f"i.plan_id IN ({', '.join(['%s'] * len(ids))})", ids


def planes_resultados(
    *,
    corte: CorteRef,
    planes: Iterable[Plan] | None = None,
    estados: Sequence[str] = ESTADOS_OFICIALES,
    con_indicadores: bool = False,
) -> Iterator[ResultadoPlan]:
    """The results of many plans (all of them by default), one plan at a time.

    A fixed number of queries whatever the number of plans (plans, levels, the refresh of missing
    summaries when some are missing or stale, one streamed indicator query ordered by plan), and
    memory flat in the number of
    plans: each plan's result is yielded and can be dropped before the next is built. Without
    `con_indicadores` only levels and totals are kept (a national roll-up does not need every
    indicator's row).
    """
    por_id = {p.pk: p for p in (Plan.objects.all() if planes is None else planes)}
    if not por_id:
        return
    seleccion = None if planes is None else list(por_id.values())
    niveles = _niveles_por_plan(None if planes is None else por_id)
    umbral = umbrales()
    publicadas = congelar.vigentes(
        plan_ids=None if planes is None else list(por_id), cortes=[corte], con_indicadores=con_indicadores
    )

    def oficial(resultado: ResultadoPlan) -> ResultadoPlan:
        """A closed cut's published figures replace the computed ones."""
        cifras = publicadas.get((resultado.plan_id, corte))
        if cifras is None:
            return resultado
        return congelar.desde_json(
            cifras, plan_id=resultado.plan_id, plan_codigo=resultado.plan_codigo, corte=corte,
            con_indicadores=con_indicadores,
        )

    filtro, parametros_filtro = _filtro_planes(seleccion)
    if _oficial(estados):
        resumenes_actualizar(corte=corte, planes=seleccion)
        # A summary that went stale after the refresh (a report written meanwhile) is used as it
        # was a moment ago; the next call recomputes it.
        filas = _filas(_sql_guardados(filtro, textos=con_indicadores), [corte.anio, corte.semestre, *parametros_filtro],
                       streamed=True)
    else:
        sql = _sql_indicadores(filtro, len(estados))
        filas = _filas(sql, _parametros(corte, estados, parametros_filtro), streamed=True)
    actual: int | None = None
    grupo: list[tuple] = []
    vistos: set[int] = set()
    for fila in filas:
        if fila[0] != actual:
            if actual is not None:
                vistos.add(actual)
                yield oficial(_resultado_plan(por_id[actual], corte, niveles.get(actual, []), grupo, umbral, con_indicadores))
            actual, grupo = fila[0], []
        grupo.append(fila)
    if actual is not None:
        vistos.add(actual)
        yield oficial(_resultado_plan(por_id[actual], corte, niveles.get(actual, []), grupo, umbral, con_indicadores))
    # Plans without indicators still have their (empty) result.
    for plan_id, plan in por_id.items():
        if plan_id not in vistos:
            yield oficial(_resultado_plan(plan, corte, niveles.get(plan_id, []), [], umbral, con_indicadores))


# History: many cuts of one plan --------------------------------------------------------------


def _sql_cortes(n_cortes: int) -> str:
    """The cuts as a table `c(anio, semestre)`; parameters: each cut's year and semester."""
    return "c(anio, semestre) AS (VALUES " + ", ".join(["(%s, %s)"] * n_cortes) + ")"


def _sql_vivo_por_corte(pares: str, n_estados: int) -> str:
    """CTEs computing live the nine summaries of each (indicator, cut) pair listed by `pares`.

    `pares` is the body of CTE `p(indicador_id, anio, semestre, periodicidad)`; the results are
    CTEs `ma` and `ra`, keyed by (indicador_id, corte_anio, corte_semestre). The same arithmetic as
    `_sql_indicadores`, the cut being a column instead of a parameter, so that any number of cuts
    costs one query. Parameters after those of `pares`: the report states.
    """
    meta = Meta._meta.db_table
    estados = ", ".join(["%s"] * n_estados)
    empezado = calculos.sql_empieza_en_el_primer_semestre("re.periodo", _sql_periodos("p.periodicidad"))
    return f"""
    p AS ({pares}), m AS (
        SELECT me.indicador_id, me.anio, me.valor,
               LEAD(me.anio) OVER (PARTITION BY me.indicador_id ORDER BY me.anio) AS sig
        FROM {meta} me WHERE me.indicador_id IN (SELECT indicador_id FROM p)
    ), ma AS (
        SELECT p.indicador_id, p.anio AS corte_anio, p.semestre AS corte_semestre,
               MAX(CASE WHEN m.anio = p.anio THEN m.valor END) AS meta_anio,
               MAX(CASE WHEN m.anio < p.anio AND (m.sig IS NULL OR m.sig >= p.anio) THEN m.valor END) AS meta_anterior,
               SUM(CASE WHEN m.anio < p.anio THEN m.valor ELSE 0 END) AS suma_anterior,
               SUM(m.valor) AS suma_total,
               MAX(CASE WHEN m.sig IS NULL THEN m.valor END) AS meta_ultima
        FROM p JOIN m ON m.indicador_id = p.indicador_id
        GROUP BY p.indicador_id, p.anio, p.semestre
    ), r AS (
        SELECT p.indicador_id, p.anio AS corte_anio, p.semestre AS corte_semestre, re.anio, re.valor,
               LEAD(re.anio) OVER (PARTITION BY p.indicador_id, p.anio, p.semestre ORDER BY re.anio, re.periodo) AS sig
        FROM p JOIN {_sql_reportes_que_cuentan(estados)} re ON re.indicador_id = p.indicador_id
        WHERE (re.anio < p.anio OR (re.anio = p.anio AND (p.semestre = 2 OR {empezado})))
          AND re.valor IS NOT NULL
    ), ra AS (
        SELECT indicador_id, corte_anio, corte_semestre,
               SUM(CASE WHEN anio = corte_anio THEN valor END) AS suma_anio,
               SUM(valor) AS suma_total,
               MAX(CASE WHEN sig IS NULL AND anio = corte_anio THEN valor END) AS ultimo_anio,
               MAX(CASE WHEN sig IS NULL THEN valor END) AS ultimo
        FROM r GROUP BY indicador_id, corte_anio, corte_semestre
    )"""


_UNIR_RESUMENES = """
    LEFT JOIN ma ON ma.indicador_id = p.indicador_id AND ma.corte_anio = p.anio AND ma.corte_semestre = p.semestre
    LEFT JOIN ra ON ra.indicador_id = p.indicador_id AND ra.corte_anio = p.anio AND ra.corte_semestre = p.semestre"""
_COLUMNAS_VIVAS = (
    "ma.meta_anio", "ma.meta_anterior", "ma.suma_anterior", "ma.suma_total", "ma.meta_ultima",
    "ra.suma_anio", "ra.suma_total", "ra.ultimo_anio", "ra.ultimo",
)


def _sql_pares_vencidos(*, solo_vencidos: bool) -> str:
    """(indicator, cut) pairs of the plan whose stored summary is missing or stale (or all of
    them). Parameters: the plan."""
    ind, guardado, version = Indicador._meta.db_table, ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    if not solo_vencidos:
        return f"SELECT i.id AS indicador_id, c.anio, c.semestre, i.periodicidad FROM {ind} i CROSS JOIN c WHERE i.plan_id = %s"
    return f"""
        SELECT i.id AS indicador_id, c.anio, c.semestre, i.periodicidad FROM {ind} i CROSS JOIN c
        LEFT JOIN {guardado} g ON g.indicador_id = i.id AND g.anio = c.anio AND g.semestre = c.semestre
        LEFT JOIN {version} v ON v.indicador_id = i.id
        WHERE i.plan_id = %s AND (g.id IS NULL OR g.version <> COALESCE(v.version, 0))"""


def _hay_vencidos(plan_id: int, cortes: list[CorteRef]) -> bool:
    """Whether any of the plan's stored summaries at the cuts is missing or stale (one query)."""
    sql = f"WITH {_sql_cortes(len(cortes))} {_sql_pares_vencidos(solo_vencidos=True)} LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_parametros_cortes(cortes), plan_id])
        return cursor.fetchone() is not None


def _parametros_cortes(cortes: list[CorteRef]) -> list[int]:
    return [valor for corte in cortes for valor in (corte.anio, corte.semestre)]


def _actualizar_cortes(plan_id: int, cortes: list[CorteRef]) -> None:
    """Recompute and store, in one statement, the plan's missing or stale summaries at the cuts.

    The database computes and upserts them itself (INSERT … SELECT): one query whatever the
    number of cuts or indicators, and only the pairs that changed are computed. The version stored
    is read in the same statement as the targets and reports, so a concurrent change makes the
    summary stale rather than wrong; a slower concurrent fill never replaces a newer version, and
    rows are written in key order so two concurrent fills do not deadlock.
    """
    tabla, version = ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    columnas = ["indicador_id", "anio", "semestre", "version", *RESUMENES]
    actualizar = ", ".join(f"{c} = excluded.{c}" for c in ["version", *RESUMENES])
    vivo = _sql_vivo_por_corte(_sql_pares_vencidos(solo_vencidos=True), len(ESTADOS_OFICIALES))
    # WHERE 1 = 1: SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (else it reads a join's ON).
    sql = f"""
    WITH {_sql_cortes(len(cortes))}, {vivo}
    INSERT INTO {tabla} ({', '.join(columnas)})
    SELECT p.indicador_id, p.anio, p.semestre, COALESCE(v.version, 0), {', '.join(_COLUMNAS_VIVAS)}
    FROM p {_UNIR_RESUMENES}
    LEFT JOIN {version} v ON v.indicador_id = p.indicador_id
    WHERE 1 = 1
    ORDER BY p.indicador_id, p.anio, p.semestre
    ON CONFLICT (anio, semestre, indicador_id) DO UPDATE SET {actualizar}
    WHERE excluded.version >= {tabla}.version
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_parametros_cortes(cortes), plan_id, *ESTADOS_OFICIALES])


def _sql_columnas_indicador(textos: bool) -> str:
    codigo_nombre = "i.codigo, i.nombre" if textos else "'' AS codigo, '' AS nombre"
    return (
        f"i.id, {codigo_nombre}, i.nivel_id, i.dependencia_id, i.tipo_anualizacion, i.periodicidad, "
        f"{_numero('i.peso')} AS peso, {_numero('i.linea_base')} AS linea_base, i.ilustrativo, i.orden"
    )


def _filas_historial(plan_id: int, cortes: list[CorteRef], estados: Sequence[str], textos: bool) -> Iterator[tuple]:
    """The plan's indicator rows at every cut, in one query ordered by cut, in the layout of
    `_sql_indicadores` except column 0, which holds the cut (anio · 10 + semestre), not the plan.

    Official states read the stored summaries (refreshed just before); other states (a planner's
    drafts) compute them live for every cut at once.
    """
    ind, guardado, version = Indicador._meta.db_table, ResumenCorte._meta.db_table, VersionIndicador._meta.db_table
    columnas = _sql_columnas_indicador(textos)
    if _oficial(estados):
        resumenes = ", ".join(f"{_numero('g.' + c)} AS {c}" for c in RESUMENES)
        sql = f"""
        WITH {_sql_cortes(len(cortes))}
        SELECT c.anio * 10 + c.semestre AS corte, {columnas}, {resumenes}, COALESCE(g.version, 0) AS version
        FROM {ind} i CROSS JOIN c
        LEFT JOIN {guardado} g ON g.indicador_id = i.id AND g.anio = c.anio AND g.semestre = c.semestre
        WHERE i.plan_id = %s
        ORDER BY c.anio, c.semestre
        """
        parametros = [*_parametros_cortes(cortes), plan_id]
    else:
        vivo = _sql_vivo_por_corte(_sql_pares_vencidos(solo_vencidos=False), len(estados))
        resumenes = ", ".join(f"{_numero(c)} AS {c.replace('.', '_')}" for c in _COLUMNAS_VIVAS)
        sql = f"""
        WITH {_sql_cortes(len(cortes))}, {vivo}
        SELECT p.anio * 10 + p.semestre AS corte, {columnas}, {resumenes}, COALESCE(v.version, 0) AS version
        FROM p JOIN {ind} i ON i.id = p.indicador_id {_UNIR_RESUMENES}
        LEFT JOIN {version} v ON v.indicador_id = p.indicador_id
        ORDER BY p.anio, p.semestre
        """
        parametros = [*_parametros_cortes(cortes), plan_id, *estados]
    return _filas(sql, parametros, streamed=True)


def plan_historial(
    *,
    plan: Plan,
    cortes: Iterable[CorteRef],
    estados: Sequence[str] = ESTADOS_OFICIALES,
    con_indicadores: bool = True,
) -> list[tuple[CorteRef, ResultadoPlan]]:
    """The plan's results at each cut, oldest first, for history charts: what `plan_resultados`
    gives at each cut, in a fixed number of queries whatever the number of cuts or indicators.

    Approved reports (the default): levels, one query for missing or stale stored summaries at
    any of the cuts, one statement that recomputes and stores only those (skipped when all are
    current), one query reading the plan's summaries at every cut; then the roll-up of each cut
    in Python. Other states: levels and one live query for all the cuts. Rows are streamed one
    cut at a time; without `con_indicadores` each cut keeps only levels and totals (a chart needs
    no more), so memory grows with the cuts only by that much.
    """
    elegidos = sorted(set(cortes))
    if not elegidos:
        return []
    niveles = _niveles_por_plan([plan.pk]).get(plan.pk, [])
    umbral = umbrales()
    if _oficial(estados) and _hay_vencidos(plan.pk, elegidos):
        _actualizar_cortes(plan.pk, elegidos)
    por_clave = {c.anio * 10 + c.semestre: c for c in elegidos}
    # One statement reads every cut, so each cut has the same indicators: order and weights once.
    comun: dict = {}
    calculados: dict[int, ResultadoPlan] = {}
    actual: int | None = None
    grupo: list[tuple] = []
    for fila in _filas_historial(plan.pk, elegidos, estados, textos=con_indicadores):
        if fila[0] != actual:
            if actual is not None:
                calculados[actual] = _resultado_plan(
                    plan, por_clave[actual], niveles, grupo, umbral, con_indicadores, comun
                )
            actual, grupo = fila[0], []
        grupo.append(fila)
    if actual is not None:
        calculados[actual] = _resultado_plan(plan, por_clave[actual], niveles, grupo, umbral, con_indicadores, comun)
    # A plan without indicators still has its (empty) result at every cut.
    resultados = [
        (corte, calculados.get(clave) or _resultado_plan(plan, corte, niveles, [], umbral, con_indicadores))
        for clave, corte in por_clave.items()
    ]
    # Closed cuts show their published figures.
    publicadas = congelar.vigentes(plan_ids=[plan.pk], cortes=elegidos, con_indicadores=con_indicadores)
    return [
        (corte, congelar.desde_json(publicadas[(plan.pk, corte)], plan_id=plan.pk, plan_codigo=plan.codigo,
                                    corte=corte, con_indicadores=con_indicadores)
         if (plan.pk, corte) in publicadas else resultado)
        for corte, resultado in resultados
    ]
