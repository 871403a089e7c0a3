"""The «Acerca de» sheet of the follow-up workbook: what was exported and how to read it.

Kept apart from the sheets of data: it is prose for the reader (the cut, the filters, who
exported and when, what the percentages and the semáforo mean, which sheets re-import), and the
thresholds it quotes are the settings the engine uses.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

import seguimiento
from reportes.excel.columnas import HOJA_ACERCA
from seguimiento.metodologia.resultados import CorteRef, ResultadoPlan, Semaforo
from seguimiento.numeros import fecha_larga, formato_porcentaje
from seguimiento.xlsx import Columna, Hoja, Num, Texto


@dataclass
class Exportacion:
    """What was exported, for the "Acerca de" sheet, the command's output and the tests."""

    plan_codigo: str
    corte: CorteRef
    filtros: str
    usuario: str
    fecha: datetime.datetime
    filas: dict[str, int] = field(default_factory=dict)


_SEMESTRES = {1: "primer", 2: "segundo"}


def _texto_corte(corte: CorteRef) -> str:
    """«2024-1: primer semestre de 2024, con corte al 30/06/2024»."""
    return f"{corte.clave}: {_SEMESTRES[corte.semestre]} semestre de {corte.anio}, con corte al {corte.fecha:%d/%m/%Y}"


def _texto_cifras(resultado: ResultadoPlan) -> str:
    """Whether the figures are a closed cut's official ones (as published) or computed today."""
    publicacion = resultado.publicacion
    if publicacion is None:
        return "Corte abierto: las cifras se calculan con los valores oficiales de la fecha de exportación."
    texto = (
        f"Cifras oficiales del corte, cerrado el {fecha_larga(publicacion.cerrado_en)}: no cambian aunque lleguen "
        "reportes o correcciones después del cierre. La hoja «Reportes» muestra los reportes como están hoy: un "
        "periodo que seguía en curso al cierre (un indicador anual en el corte de junio) puede tener ya un valor "
        "posterior, que cuenta en los cortes siguientes."
    )
    if publicacion.corregido_en:
        texto += (
            f" Corregidas por la administración el {fecha_larga(publicacion.corregido_en)}: "
            f"«{publicacion.motivo_correccion}»."
        )
    return texto


def hoja_acerca(info: Exportacion, *, plan, resultado: ResultadoPlan, exportados: int) -> Hoja:
    """What was exported (`exportados` indicators of `plan`), by whom and when, and how to read the
    figures, in plain Spanish."""
    total = resultado.total

    def umbral(valor) -> str:
        return formato_porcentaje(valor, 2)

    filas = [
        ["Plan", f"{plan.nombre} ({plan.codigo})"],
        ["Corte", _texto_corte(info.corte)],
        ["Filtros", info.filtros],
        ["Exportado por", info.usuario],
        ["Fecha de exportación", info.fecha],
        ["Versión de Seguimiento", seguimiento.__version__],
        ["Indicadores exportados", exportados],
        ["Indicadores del plan", len(resultado.indicadores)],
        ["Avance del plan (puntos porcentuales)", Num(total.avance) if total else None],
        ["Trayectoria ideal del plan (puntos porcentuales)", Num(total.trayectoria) if total else None],
        ["Brecha del plan (puntos porcentuales)", Num(total.brecha) if total else None],
        ["Cifras", Texto(_texto_cifras(resultado))],
        [
            "Reportes incluidos",
            Texto("Las cifras se calculan solo con los valores oficiales: los reportes aprobados y, mientras se "
                  "revisa la corrección de un reporte aprobado, su valor aprobado (columna «Avance oficial»). "
                  "La hoja «Reportes» lista todos los reportes que cuentan al corte, con su estado (borrador, "
                  "enviado, aprobado o devuelto) y su periodo por nombre («2023», «2023 · semestre 1»)."),
        ],
        [
            "Porcentajes",
            Texto("PAV: avance en la vigencia frente a la meta del año. PAHV: avance hasta la vigencia frente a la "
                  "meta acumulada a la fecha. PAA: avance acumulado frente a la meta final del indicador."),
        ],
        [
            "Semáforo",
            Texto(f"Se aplica a cada porcentaje; el estado de un indicador es el de su PAHV. "
                  f"{Semaforo.SOBRE_EJECUCION.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_SOBRE)}. "
                  f"{Semaforo.ALTO.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_ALTO)}. "
                  f"{Semaforo.MEDIO.etiqueta}: más de {umbral(settings.SEMAFORO_UMBRAL_MEDIO)}. "
                  f"{Semaforo.BAJO.etiqueta}: {umbral(settings.SEMAFORO_UMBRAL_MEDIO)} o menos. "
                  f"{Semaforo.SIN_INFORMACION.etiqueta}: no hay valor que medir (el indicador no ha empezado, no "
                  "tiene meta o no tiene reporte); nunca se muestra como 0 %."),
        ],
        [
            "Hoja «Niveles»",
            Texto("El avance, la trayectoria ideal y la brecha de cada nivel están en puntos porcentuales del plan "
                  "completo: la suma de los niveles más generales da las cifras del plan."),
        ],
        [
            "Importar de nuevo",
            Texto("Las hojas «Plan», «Niveles», «Indicadores» y «Reportes» se pueden volver a importar "
                  "(Administración → Importar desde Excel, o el comando «python manage.py importar»); "
                  "las columnas calculadas se ignoran."),
        ],
    ]
    return Hoja(HOJA_ACERCA, [Columna("Campo", 34), Columna("Valor", 100)], filas, filtro=False, posicion=5)
