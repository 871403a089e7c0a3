"""The shapes of follow-up results: what the engine hands to dashboards, exports, the API and the
`semaforo` command. One code path computes them (`reportes.selectors.plan_resultados`).

Percentages are `Decimal` in percent units (41.25 means 41,25 %), or None when there is no
information (never 0 %). Level figures are in percentage points of the whole plan (SPEC §5).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Semaforo(StrEnum):
    SOBRE_EJECUCION = "sobre_ejecucion"
    ALTO = "alto"
    MEDIO = "medio"
    BAJO = "bajo"
    SIN_INFORMACION = "sin_informacion"

    @property
    def etiqueta(self) -> str:
        return _ETIQUETAS[self]

    @property
    def color(self) -> str:
        return _COLORES[self]

    @property
    def etiqueta_corta(self) -> str:
        """For narrow table cells; the full name stays in the accessible label."""
        return _ETIQUETAS_CORTAS[self]


_ETIQUETAS = {
    Semaforo.SOBRE_EJECUCION: "Sobre ejecución",
    Semaforo.ALTO: "Cumplimiento alto",
    Semaforo.MEDIO: "Cumplimiento medio",
    Semaforo.BAJO: "Cumplimiento bajo",
    Semaforo.SIN_INFORMACION: "Sin información",
}
_ETIQUETAS_CORTAS = {
    Semaforo.SOBRE_EJECUCION: "Sobre ejec.",
    Semaforo.ALTO: "Alto",
    Semaforo.MEDIO: "Medio",
    Semaforo.BAJO: "Bajo",
    Semaforo.SIN_INFORMACION: "Sin inf.",
}
_COLORES = {
    Semaforo.SOBRE_EJECUCION: "naranja",
    Semaforo.ALTO: "verde",
    Semaforo.MEDIO: "amarillo",
    Semaforo.BAJO: "rojo",
    Semaforo.SIN_INFORMACION: "gris",
}

_CORTE = re.compile(r"^([0-9]{4})-([12])$")


def _citar(texto: str | None, largo: int = 40) -> str:
    """What was sent, shortened: a 5.000-character cut is not echoed back whole."""
    texto = texto or ""
    return texto if len(texto) <= largo else texto[: largo - 1] + "…"
# Plans run within these years; anything else is a typo (and year 0 has no date at all).
ANIO_MINIMO, ANIO_MAXIMO = 1900, 2200
# The review states whose reports count in the figures: dashboards, API, exports, `semaforo`.
ESTADOS_OFICIALES: tuple[str, ...] = ("aprobado",)


@dataclass(frozen=True, order=True)
class CorteRef:
    """A cut written `YYYY-S`: 2024-1 is 30 June 2024, 2024-2 is 31 December 2024."""

    anio: int
    semestre: int

    @classmethod
    def parse(cls, texto: str) -> "CorteRef":
        coincide = _CORTE.match((texto or "").strip())
        if not coincide or not ANIO_MINIMO <= int(coincide.group(1)) <= ANIO_MAXIMO:
            raise ValueError(
                f"Corte «{_citar(texto)}» no válido: escríbalo como AAAA-S, con un año entre {ANIO_MINIMO} y "
                f"{ANIO_MAXIMO}, por ejemplo 2024-1 (primer semestre, 30 de junio) o 2024-2 "
                "(segundo semestre, 31 de diciembre)."
            )
        return cls(int(coincide.group(1)), int(coincide.group(2)))

    @property
    def clave(self) -> str:
        return f"{self.anio}-{self.semestre}"

    @property
    def fecha(self) -> datetime.date:
        return datetime.date(self.anio, 6, 30) if self.semestre == 1 else datetime.date(self.anio, 12, 31)

    def __str__(self) -> str:
        return self.clave


@dataclass
class ResultadoIndicador:
    indicador_id: int
    codigo: str
    nombre: str
    nivel_id: int
    dependencia_id: int
    tipo: str
    periodicidad: str
    peso: Decimal | None  # effective weight in points of the plan (equal shares where none given)
    linea_base: Decimal | None
    meta_anio: Decimal | None  # m[Y]
    avance_anio: Decimal | None  # A[Y]
    avance_acumulado: Decimal | None  # AV
    meta_acumulada: Decimal | None  # MA
    meta_final: Decimal | None  # MF
    pav: Decimal | None
    pahv: Decimal | None
    paa: Decimal | None
    trayectoria: Decimal | None  # TID, percent units
    semaforo_pav: Semaforo
    semaforo_pahv: Semaforo
    semaforo_paa: Semaforo
    motivo_sin_informacion: str = ""  # "sin reporte", "sin meta"... shown instead of a percentage
    # Added by the engine (issue 3); defaults keep older constructors working.
    motivo_pav: str = ""  # why PAV has no value: "Sin reporte", "Sin meta", "Meta en cero"...
    motivo_paa: str = ""  # why PAA has no value
    ilustrativo: bool = False  # values inferred, not stated by the source document: label them
    aporte_avance: Decimal = Decimal(0)  # w · min(PAA, 100 %), points of the plan (SPEC §5)
    aporte_trayectoria: Decimal = Decimal(0)  # w · TID, points of the plan

    @property
    def brecha(self) -> Decimal:
        """The indicator's own gap in points of the plan (its share of its level's gap)."""
        return self.aporte_avance - self.aporte_trayectoria

    @property
    def semaforo(self) -> Semaforo:
        """The headline status uses PAHV (SPEC §4)."""
        return self.semaforo_pahv


@dataclass
class ResultadoNivel:
    nivel_id: int
    padre_id: int | None
    codigo: str
    nombre: str
    nivel: str  # the plan's name for this depth: "Objetivo", "Eje"
    profundidad: int
    peso: Decimal
    avance: Decimal  # points of the plan
    trayectoria: Decimal
    brecha: Decimal


@dataclass
class Totales:
    avance: Decimal
    trayectoria: Decimal
    brecha: Decimal


@dataclass
class ResultadoPlan:
    plan_id: int
    plan_codigo: str
    corte: CorteRef
    indicadores: list[ResultadoIndicador] = field(default_factory=list)
    niveles: list[ResultadoNivel] = field(default_factory=list)
    total: Totales | None = None
    # Set when these are the stored official figures of a closed cut (reportes.congelar).
    publicacion: object | None = None  # reportes.congelar.Publicacion

    @property
    def oficial_congelado(self) -> bool:
        return self.publicacion is not None

    def conteo_semaforo(self) -> dict[Semaforo, int]:
        """How many indicators fall in each band of their headline status, every band present."""
        conteo = {banda: 0 for banda in Semaforo}
        for resultado in self.indicadores:
            conteo[resultado.semaforo] += 1
        return conteo
