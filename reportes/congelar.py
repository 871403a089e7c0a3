"""The official figures of closed cuts: a `ResultadoPlan` stored as JSON and read back as it was.

`reportes.services.cifras_congelar` writes them when a cut closes (or an administrator corrects
it); the selectors read them here before computing anything, so every page, export, API response
and command shows a closed cut exactly as it was published.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from reportes.models import CifrasCorte
from seguimiento.metodologia.resultados import (
    CorteRef,
    ResultadoIndicador,
    ResultadoNivel,
    ResultadoPlan,
    Semaforo,
    Totales,
)

_DECIMALES_INDICADOR = {
    "peso", "linea_base", "meta_anio", "avance_anio", "avance_acumulado", "meta_acumulada", "meta_final",
    "pav", "pahv", "paa", "trayectoria", "aporte_avance", "aporte_trayectoria",
}
_SEMAFOROS = {"semaforo_pav", "semaforo_pahv", "semaforo_paa"}
_DECIMALES_NIVEL = {"peso", "avance", "trayectoria", "brecha"}


@dataclasses.dataclass(frozen=True)
class Publicacion:
    """When a closed cut's figures were published, and the last correction with its reason."""

    cerrado_en: datetime.datetime | None
    corregido_en: datetime.datetime | None = None
    motivo_correccion: str = ""


def _a_json(objeto) -> dict:
    datos = {}
    for campo in dataclasses.fields(objeto):
        valor = getattr(objeto, campo.name)
        if isinstance(valor, Decimal):
            valor = str(valor)
        elif isinstance(valor, Semaforo):
            valor = valor.value
        datos[campo.name] = valor
    return datos


def _decimal(valor) -> Decimal | None:
    return None if valor is None else Decimal(valor)


def _indicador(datos: dict) -> ResultadoIndicador:
    campos = dict(datos)
    for nombre in _DECIMALES_INDICADOR:
        campos[nombre] = _decimal(campos.get(nombre))
    for nombre in _SEMAFOROS:
        campos[nombre] = Semaforo(campos[nombre])
    return ResultadoIndicador(**campos)


def _nivel(datos: dict) -> ResultadoNivel:
    campos = dict(datos)
    for nombre in _DECIMALES_NIVEL:
        campos[nombre] = _decimal(campos.get(nombre))
    return ResultadoNivel(**campos)


def a_json(resultado: ResultadoPlan) -> dict:
    """The three JSON parts of a `CifrasCorte` row."""
    return {
        "totales": _a_json(resultado.total) if resultado.total else None,
        "niveles": [_a_json(n) for n in resultado.niveles],
        "indicadores": [_a_json(i) for i in resultado.indicadores],
    }


def desde_json(cifras: CifrasCorte, *, plan_id: int, plan_codigo: str, corte: CorteRef,
               con_indicadores: bool = True) -> ResultadoPlan:
    totales = cifras.totales
    return ResultadoPlan(
        plan_id=plan_id,
        plan_codigo=plan_codigo,
        corte=corte,
        indicadores=[_indicador(i) for i in cifras.indicadores] if con_indicadores else [],
        niveles=[_nivel(n) for n in cifras.niveles],
        total=Totales(*(Decimal(totales[k]) for k in ("avance", "trayectoria", "brecha"))) if totales else None,
        publicacion=Publicacion(
            cerrado_en=cifras.corte.cerrado_en,
            corregido_en=cifras.corte.corregido_en,
            motivo_correccion=cifras.corte.motivo_correccion,
        ),
    )


def vigentes(*, plan_ids: Iterable[int] | None, cortes: Iterable[CorteRef],
             con_indicadores: bool = True) -> dict[tuple[int, CorteRef], CifrasCorte]:
    """The published figures of the closed cuts among `cortes` for these plans (all when None),
    keyed by (plan id, cut). One query; without `con_indicadores` the large part is not read."""
    elegidos = list(cortes)
    if not elegidos:
        return {}
    consulta = CifrasCorte.objects.filter(vigente=True, corte__estado="cerrado").select_related("corte")
    if plan_ids is not None:
        consulta = consulta.filter(corte__plan_id__in=list(plan_ids))
    anios = {c.anio for c in elegidos}
    consulta = consulta.filter(corte__anio__in=anios)
    if not con_indicadores:
        consulta = consulta.defer("indicadores")
    buscados = set(elegidos)
    encontradas = {}
    for cifras in consulta:
        clave = CorteRef(cifras.corte.anio, cifras.corte.semestre)
        if clave in buscados:
            encontradas[(cifras.corte.plan_id, clave)] = cifras
    return encontradas
