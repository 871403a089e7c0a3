"""What the follow-up workbook reads of a plan, in a fixed number of queries.

`datos_plan` reads the levels (tree order), the indicators a user may read, their targets and
enfoques: four queries whatever the plan's size. Reports are not read here: the «Reportes» sheet
streams them once and `AvancesPorAnio` reduces them to each year's A[y] as they pass, with the
engine's own functions (`seguimiento.metodologia.calculos`), so no report is kept in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from indicadores import permisos
from indicadores.models import Indicador, Meta
from politicas import arbol
from politicas.models import Nivel
from seguimiento.metodologia.calculos import avance_anio, resumen_reportes
from seguimiento.metodologia.resultados import CorteRef


@dataclass
class DatosPlan:
    """Everything the workbook shows of one plan, read in a fixed number of queries."""

    plan: Any
    niveles: list[dict]  # tree order: parents before children
    indicadores: list[dict]  # visible ones, the plan's order
    metas: dict[int, dict[int, Decimal]]
    avances: dict[int, dict[int, Decimal]]  # A[y] per indicator and year, filled by `hoja_reportes`
    visibles: Any  # queryset of the indicators' ids, for the streamed Reportes sheet
    enfoques: dict[int, list[str]]  # names, as the workbook shows them
    enfoque_ids: dict[int, set[int]]


def datos_plan(*, plan, corte: CorteRef, usuario) -> DatosPlan:
    """The plan's levels, the indicators `usuario` may read, their targets, enfoques and reports.

    Four queries whatever the plan's size: levels, indicators, targets, enfoques. Reports are
    streamed once, by the Reportes sheet, which also reduces them to A[y] (`avances`).
    """
    niveles = arbol.en_orden(
        Nivel.objects.filter(plan=plan).values("id", "padre_id", "codigo", "nombre", "peso", "profundidad", "orden")
    )
    visibles = permisos.indicadores_legibles(usuario, Indicador.objects.filter(plan=plan))
    indicadores = list(
        visibles.order_by("orden", "codigo").values(
            "id", "codigo", "nombre", "nivel_id", "producto", "unidad", "tipo_anualizacion", "periodicidad",
            "dependencia_id", "dependencia__nombre", "peso", "linea_base", "anio_linea_base", "meta_final",
            "ilustrativo", "fuente",
        )
    )
    ids = visibles.values("id")
    metas: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicador_id, anio, valor in Meta.objects.filter(indicador__in=ids).values_list("indicador_id", "anio", "valor"):
        metas[indicador_id][anio] = valor
    enfoques: dict[int, list[str]] = defaultdict(list)
    enfoque_ids: dict[int, set[int]] = defaultdict(set)
    for indicador_id, enfoque_id, codigo, nombre in (
        Indicador.enfoques.through.objects.filter(indicador__in=ids)
        .order_by("enfoque__codigo")
        .values_list("indicador_id", "enfoque_id", "enfoque__codigo", "enfoque__nombre")
    ):
        # The name reads better; the import accepts names and codes, and the list is split on
        # commas, so a name with a comma in it goes out as its code.
        enfoques[indicador_id].append(codigo if "," in nombre else nombre)
        enfoque_ids[indicador_id].add(enfoque_id)
    return DatosPlan(
        plan=plan, niveles=niveles, indicadores=indicadores, metas=metas, avances=defaultdict(dict), visibles=ids,
        enfoques=enfoques, enfoque_ids=enfoque_ids,
    )


class AvancesPorAnio:
    """Reduces a stream of reports, ordered by indicator and year, to A[y] (SPEC §2).

    Each (indicator, year) group is reduced with the engine's own functions as soon as it ends,
    so no report is kept in memory. Only approved reports that count at the cut are added.
    """

    def __init__(self, *, tipos: Mapping[int, tuple[str, str]], corte: CorteRef, destino: dict[int, dict[int, Decimal]]):
        self.tipos = tipos
        self.corte = corte
        self.destino = destino
        self.clave: tuple[int, int] | None = None
        self.lista: list[tuple[int, int, Decimal]] = []

    def agregar(self, indicador_id: int, anio: int, periodo: int, valor: Decimal) -> None:
        if (indicador_id, anio) != self.clave:
            self.cerrar()
            self.clave = (indicador_id, anio)
        self.lista.append((anio, periodo, valor))

    def cerrar(self) -> None:
        if self.clave is not None and self.lista:
            indicador_id, anio = self.clave
            tipo, periodicidad = self.tipos[indicador_id]
            semestre = self.corte.semestre if anio == self.corte.anio else 2
            resumen = resumen_reportes(self.lista, periodicidad=periodicidad, corte_anio=anio, corte_semestre=semestre)
            valor = avance_anio(tipo, resumen)
            if valor is not None:
                self.destino[indicador_id][anio] = valor
        self.lista = []
