"""The qualitative semester report (SPEC §7, the Sopó format): pure arithmetic over activities.

The quantitative score is the share of programmed activities carried out (83 % in the seed),
overall and per component (turismo ≈ 20 %); the qualitative impact (46 %) is the reviewer's score
and is only carried along. No database access here: `reportes.selectors_cualitativo` fetches and
calls these.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def porcentaje(realizadas: int | None, programadas: int | None) -> Decimal | None:
    """Share of programmed activities carried out, in percent units; None when nothing was programmed."""
    if not programadas:
        return None
    return (Decimal(realizadas or 0) * 100 / Decimal(programadas)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Componente:
    nombre: str
    programadas: int
    realizadas: int
    ilustrativo: bool = False  # counts inferred because the source document does not give them

    @property
    def cumplimiento(self) -> Decimal | None:
        """Activities of this component carried out against programmed (turismo ≈ 20 % in the seed)."""
        return porcentaje(self.realizadas, self.programadas)


@dataclass(frozen=True)
class Resumen:
    componentes: list[Componente] = field(default_factory=list)
    impacto_cualitativo: Decimal | None = None  # the reviewer's score, 0–100

    @property
    def programadas(self) -> int:
        return sum(c.programadas for c in self.componentes)

    @property
    def realizadas(self) -> int:
        return sum(c.realizadas for c in self.componentes)

    @property
    def cumplimiento_cuantitativo(self) -> Decimal | None:
        """The overall quantitative score (83 % in the seed)."""
        return porcentaje(self.realizadas, self.programadas)

    @property
    def ilustrativo(self) -> bool:
        """True when any component's counts are inferred: the totals are then illustrative too."""
        return any(c.ilustrativo for c in self.componentes)


def resumir(
    actividades: Iterable[tuple[str, int, int] | tuple[str, int, int, bool]], impacto_cualitativo: Decimal | None = None
) -> Resumen:
    """Group activity lines (componente, programadas, realizadas[, ilustrativo]) by component, in
    first-seen order; a component is illustrative when any of its lines is."""
    por_componente: dict[str, list] = {}
    for componente, programadas, realizadas, *resto in actividades:
        totales = por_componente.setdefault(componente.strip(), [0, 0, False])
        totales[0] += programadas or 0
        totales[1] += realizadas or 0
        totales[2] = totales[2] or bool(resto and resto[0])
    return Resumen(
        componentes=[Componente(nombre, p, r, i) for nombre, (p, r, i) in por_componente.items()],
        impacto_cualitativo=impacto_cualitativo,
    )


def resumen_informe(informe) -> Resumen:
    """The summary of a saved `InformeCualitativo` (prefetch `actividades_detalle` for many)."""
    return resumir(
        ((a.componente, a.programadas, a.realizadas, a.ilustrativo) for a in informe.actividades_detalle.all()),
        informe.impacto_cualitativo,
    )
