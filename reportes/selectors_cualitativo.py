"""Reads for the qualitative semester report (SPEC §7, the Sopó format).

The shares come from `politicas.cualitativo.porcentaje`; this module only fetches a plan's
reports with their activities in two queries and attaches the figures the format prints.
"""

from dataclasses import dataclass
from decimal import Decimal

from politicas.cualitativo import porcentaje
from politicas.models import ActividadCualitativa, InformeCualitativo, Plan


@dataclass
class LineaComponente:
    actividad: ActividadCualitativa
    cumplimiento: Decimal | None  # realizadas / programadas of the component
    participacion: Decimal | None  # the component's share of all activities carried out


@dataclass
class InformeSemestral:
    informe: InformeCualitativo
    programadas: int
    realizadas: int
    cumplimiento_cuantitativo: Decimal | None  # 83 % in the seed
    impacto_cualitativo: Decimal | None  # 46 % in the seed, the reviewer's score
    componentes: list[LineaComponente]

    @property
    def ilustrativo(self) -> bool:
        """Some activity counts are inferred (the source gives none): so are the totals and 83 %."""
        return any(c.actividad.ilustrativo for c in self.componentes)

    @property
    def clave(self) -> str:
        return f"{self.informe.anio}-{self.informe.semestre}"


def informes_del_plan(*, plan: Plan) -> list[InformeSemestral]:
    """Every semester report of the plan, newest first, with its figures. Two queries."""
    informes = list(
        InformeCualitativo.objects.filter(plan=plan)
        .select_related("dependencia")
        .prefetch_related("actividades_detalle")
        .order_by("-anio", "-semestre")
    )
    resultado = []
    for informe in informes:
        actividades = list(informe.actividades_detalle.all())
        programadas = sum(a.programadas for a in actividades)
        realizadas = sum(a.realizadas for a in actividades)
        resultado.append(
            InformeSemestral(
                informe=informe,
                programadas=programadas,
                realizadas=realizadas,
                cumplimiento_cuantitativo=porcentaje(realizadas, programadas),
                impacto_cualitativo=informe.impacto_cualitativo,
                componentes=[
                    LineaComponente(
                        actividad=a,
                        cumplimiento=porcentaje(a.realizadas, a.programadas),
                        participacion=porcentaje(a.realizadas, realizadas),
                    )
                    for a in actividades
                ],
            )
        )
    return resultado


def elegir(informes: list[InformeSemestral], periodo: str | None) -> InformeSemestral | None:
    """The report of the semester asked for («2021-2»), or the latest one."""
    for informe in informes:
        if informe.clave == (periodo or "").strip():
            return informe
    return informes[0] if informes else None
