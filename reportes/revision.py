"""What the planning office needs to decide on a report, read-only (the admin's review page and
queue). Nothing here writes: approving and returning are `indicadores.services`.

For one report (`revision_reporte`): the year's target; when it corrects an approved report, the
approved value, narratives and evidence before → after; the indicator's PAV, PAHV and band that
approving gives beside the official ones; whether a plan de choque is required and present. For
the queue (`bandas_al_aprobar`): the band each report gives once approved, for any number of
reports in four queries.

Figures are those of `reportes.selectors.plan_resultados` for one indicator, computed with the
same methodology (`seguimiento.metodologia.calculos`) from the values that count: official = the published value
of every report (an approved one, or the approved copy kept while its correction is reviewed);
approving = the same with this report's proposed value. A closed cut's official figures are the
ones it published (`reportes.congelar`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from indicadores import reglas
from indicadores.models import Corte, Evidencia, Indicador, Meta, Reporte
from reportes import congelar
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import CorteRef, Semaforo
from seguimiento.numeros import formato_numero
from seguimiento.semaforo import umbrales


@dataclass(frozen=True)
class Cifras:
    """The indicator's headline figures at a cut: PAV, PAHV and the band (of PAHV, SPEC §4)."""

    pav: Decimal | None
    pahv: Decimal | None
    banda: Semaforo
    motivo: str = ""  # why PAHV has no value («Sin reporte», «Sin meta»...)


@dataclass(frozen=True)
class Cambio:
    """One thing a correction changes, as the reviewer reads it."""

    etiqueta: str
    antes: str
    despues: str

    @property
    def cambia(self) -> bool:
        return self.antes != self.despues


@dataclass
class Revision:
    reporte: Reporte
    corte: CorteRef  # the cut whose figures approving changes (`corte_del_reporte`)
    corte_cerrado: bool  # the report is frozen by it: its official figures are the published ones
    meta_anio: Decimal | None
    oficial: Cifras
    al_aprobar: Cifras
    requiere_plan_de_choque: bool
    que_plan_de_choque: str  # «un plan de choque» or «la justificación de la sobre ejecución»
    tiene_plan_de_choque: bool
    cambios: list[Cambio] = field(default_factory=list)  # only for a correction of an approved report

    @property
    def es_correccion(self) -> bool:
        return self.reporte.en_correccion

    @property
    def falta_plan_de_choque(self) -> bool:
        return self.requiere_plan_de_choque and not self.tiene_plan_de_choque


# --- Cuts and figures ---------------------------------------------------------------------


def corte_del_reporte(
    *, periodicidad: str, anio: int, periodo: int, cerrados: set[tuple[int, int]]
) -> tuple[CorteRef, bool]:
    """The cut whose figures approving this report changes, and whether it is closed
    (`reglas.corte_del_reporte`)."""
    corte_anio, semestre, cerrado = reglas.corte_del_reporte(
        periodicidad=periodicidad, anio=anio, periodo=periodo, cerrados=cerrados
    )
    return CorteRef(corte_anio, semestre), cerrado


def valor_que_cuenta(estado: str, valor: Decimal, valor_oficial: Decimal | None) -> Decimal | None:
    """What the official figures count of a report: its value once approved, the approved copy
    while a correction is reviewed, nothing otherwise (as `Reporte.valor_publicado`)."""
    if valor_oficial is not None:
        return valor_oficial
    return valor if estado == Reporte.Estado.APROBADO else None


def cifras_indicador(
    *, tipo: str, linea_base: Decimal | None, periodicidad: str, metas: dict[int, Decimal],
    reportes: Iterable[tuple[int, int, Decimal]], corte: CorteRef,
) -> Cifras:
    """One indicator's PAV, PAHV and band at a cut from its targets and the (year, period, value)
    of the reports that count: the arithmetic of `selectors.plan_resultados` for one row."""
    calculo = calculos.calcular_indicador(
        tipo=tipo,
        linea_base=linea_base,
        metas=calculos.resumen_metas(metas, corte.anio),
        reportes=calculos.resumen_reportes(
            reportes, periodicidad=periodicidad, corte_anio=corte.anio, corte_semestre=corte.semestre
        ),
        f=calculos.fraccion_anio(periodicidad, corte.semestre),
    )
    return Cifras(
        pav=calculo.pav, pahv=calculo.pahv, banda=calculos.semaforo(calculo.pahv, umbrales()),
        motivo=calculos.Motivo.etiqueta(calculo.motivo_pahv),
    )


def _filas(reportes: Iterable[tuple], *, reemplazo: tuple[int, Decimal] | None = None) -> list[tuple]:
    """(year, period, value) of the reports that count; `reemplazo` = (report id, value) counts
    that report with its proposed value, as approving it would."""
    filas = []
    for pk, anio, periodo, valor, estado, valor_oficial in reportes:
        cuenta = reemplazo[1] if reemplazo and pk == reemplazo[0] else valor_que_cuenta(estado, valor, valor_oficial)
        if cuenta is not None:
            filas.append((anio, periodo, cuenta))
    return filas


_COLUMNAS_REPORTE = ("pk", "anio", "periodo", "valor", "estado", "valor_oficial")


def _cifras_publicadas(indicador: Indicador, corte: CorteRef) -> Cifras | None:
    """The indicator's figures as its closed cut published them (one query)."""
    cifras = congelar.vigentes(plan_ids=[indicador.plan_id], cortes=[corte]).get((indicador.plan_id, corte))
    if cifras is None:
        return None
    for fila in congelar.desde_json(cifras, plan_id=indicador.plan_id, plan_codigo="", corte=corte).indicadores:
        if fila.indicador_id == indicador.pk:
            return Cifras(fila.pav, fila.pahv, fila.semaforo_pahv, fila.motivo_sin_informacion)
    return None


# --- One report: the review page -----------------------------------------------------------


def revision_reporte(reporte: Reporte) -> Revision:
    """Everything the review page shows for `reporte` (its indicator loaded), in a fixed number
    of queries: targets, the indicator's reports, the plan's closed cuts, and for a correction
    the approval date and evidence (plus the published figures when the cut is closed)."""
    indicador = reporte.indicador
    metas = dict(Meta.objects.filter(indicador_id=indicador.pk).values_list("anio", "valor"))
    filas = list(Reporte.objects.filter(indicador_id=indicador.pk).values_list(*_COLUMNAS_REPORTE))
    cerrados = set(
        Corte.objects.filter(plan_id=indicador.plan_id, estado=Corte.Estado.CERRADO, anio__gte=reporte.anio)
        .values_list("anio", "semestre")
    )
    corte, corte_cerrado = corte_del_reporte(
        periodicidad=indicador.periodicidad, anio=reporte.anio, periodo=reporte.periodo, cerrados=cerrados
    )
    datos = {"tipo": indicador.tipo_anualizacion, "linea_base": indicador.linea_base,
             "periodicidad": indicador.periodicidad, "metas": metas, "corte": corte}
    oficial = (_cifras_publicadas(indicador, corte) if corte_cerrado else None) or cifras_indicador(
        reportes=_filas(filas), **datos
    )
    al_aprobar = cifras_indicador(reportes=_filas(filas, reemplazo=(reporte.pk, reporte.valor)), **datos)
    requiere = al_aprobar.banda in (Semaforo.BAJO, Semaforo.SOBRE_EJECUCION)
    return Revision(
        reporte=reporte,
        corte=corte,
        corte_cerrado=corte_cerrado,
        meta_anio=metas.get(reporte.anio),
        oficial=oficial,
        al_aprobar=al_aprobar,
        requiere_plan_de_choque=requiere,
        que_plan_de_choque=(
            "la justificación de la sobre ejecución" if al_aprobar.banda == Semaforo.SOBRE_EJECUCION
            else "un plan de choque"
        ),
        tiene_plan_de_choque=bool(reglas.normalizar_texto(reporte.plan_de_choque)),
        cambios=_cambios(reporte) if reporte.en_correccion else [],
    )


def _texto(texto: str) -> str:
    return reglas.normalizar_texto(texto) or "—"


def _cambios(reporte: Reporte) -> list[Cambio]:
    """The approved report → the proposed correction: value, narratives and evidence."""
    antes, despues = _evidencias_antes_y_ahora(reporte)
    return [
        Cambio("avance", formato_numero(reporte.valor_oficial, 6), formato_numero(reporte.valor, 6)),
        Cambio("observaciones", _texto(reporte.observaciones_oficiales), _texto(reporte.observaciones)),
        Cambio("plan de choque", _texto(reporte.plan_de_choque_oficial), _texto(reporte.plan_de_choque)),
        Cambio("evidencias", "\n".join(antes) or "—", "\n".join(despues) or "—"),
    ]


def _nombre_evidencia(descripcion: str, enlace: str, archivo: str) -> str:
    return descripcion or enlace or (archivo or "").rsplit("/", 1)[-1]


def _evidencias_antes_y_ahora(reporte: Reporte) -> tuple[list[str], list[str]]:
    """The evidence the report had when it was last approved, and what it has now (three queries).

    Evidence is not copied on approval: what it had then is today's evidence added by that date
    plus the evidence deleted since (read from the audit trail).
    """
    aprobado = (
        reporte.history.filter(estado=Reporte.Estado.APROBADO).order_by("-history_date", "-history_id")
        .values_list("history_date", flat=True).first()
    )
    actuales = list(
        Evidencia.objects.filter(reporte_id=reporte.pk).order_by("creado_en", "pk")
        .values_list("descripcion", "enlace", "archivo", "creado_en")
    )
    borradas = []
    if aprobado is not None:
        borradas = list(
            Evidencia.history.filter(reporte_id=reporte.pk, history_type="-", history_date__gt=aprobado,
                                     creado_en__lte=aprobado)
            .order_by("creado_en").values_list("descripcion", "enlace", "archivo", "creado_en")
        )
    antes = sorted(
        (e for e in [*actuales, *borradas] if aprobado is None or e[3] <= aprobado), key=lambda e: e[3]
    )
    return [_nombre_evidencia(*e[:3]) for e in antes], [
        _nombre_evidencia(*e[:3]) + ("" if aprobado is None or e[3] <= aprobado else " (nueva)") for e in actuales
    ]


# --- Many reports: the review queue ---------------------------------------------------------


def bandas_al_aprobar(reportes: QuerySet) -> dict[int, Semaforo]:
    """The band (PAHV semáforo) each report of `reportes` gives its indicator once approved, at
    the cut it changes (`corte_del_reporte`), keyed by report id. Four queries whatever the number
    of reports: the reports, their indicators' targets, every report of those indicators, and the
    closed cuts of their plans; the arithmetic runs in Python, one indicator at a time."""
    elegidos = list(
        reportes.order_by().values_list(
            "pk", "indicador_id", "anio", "periodo", "valor", "indicador__tipo_anualizacion",
            "indicador__linea_base", "indicador__periodicidad", "indicador__plan_id",
        )
    )
    if not elegidos:
        return {}
    indicadores = reportes.order_by().values("indicador_id")
    metas: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicador_id, anio, valor in Meta.objects.filter(indicador_id__in=indicadores).values_list(
        "indicador_id", "anio", "valor"
    ):
        metas[indicador_id][anio] = valor
    todos: dict[int, list[tuple]] = defaultdict(list)
    for indicador_id, *fila in Reporte.objects.filter(indicador_id__in=indicadores).values_list(
        "indicador_id", *_COLUMNAS_REPORTE
    ):
        todos[indicador_id].append(tuple(fila))
    cerrados: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for plan_id, anio, semestre in Corte.objects.filter(
        estado=Corte.Estado.CERRADO, plan_id__in=reportes.order_by().values("indicador__plan_id")
    ).values_list("plan_id", "anio", "semestre"):
        cerrados[plan_id].add((anio, semestre))
    bandas = {}
    for pk, indicador_id, anio, periodo, valor, tipo, linea_base, periodicidad, plan_id in elegidos:
        corte, _ = corte_del_reporte(periodicidad=periodicidad, anio=anio, periodo=periodo, cerrados=cerrados[plan_id])
        bandas[pk] = cifras_indicador(
            tipo=tipo, linea_base=linea_base, periodicidad=periodicidad, metas=metas[indicador_id],
            reportes=_filas(todos[indicador_id], reemplazo=(pk, valor)), corte=corte,
        ).banda
    return bandas
