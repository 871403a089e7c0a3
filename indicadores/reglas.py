"""Validation rules of a plan (SPEC §3 "Validation of a plan"), as plain functions.

Each returns errors in Spanish keyed by field, so the admin, the API, imports and the demo loader
all explain a rejection with the same words. None of them touches the database.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from politicas.reglas import TOLERANCIA_PESOS, errores_pesos  # noqa: F401 - one home, used as reglas.*
from seguimiento.limites import mensaje_largo
from seguimiento.metodologia import calculos
from seguimiento.numeros import MESES, formato_numero

Errores = dict[str, list[str]]

# Measurement periods per year by periodicidad (SPEC §1), as the methodology defines them.
PERIODOS = calculos.PERIODOS_POR_ANIO
UNIDADES_NO_NEGATIVAS = {"numero", "pesos"}


def errores_indicador(*, tipo: str, linea_base: Decimal | None, unidad: str) -> Errores:
    if tipo == "decreciente" and linea_base is None:
        return {"linea_base": ["Un indicador decreciente necesita línea base: sin ella no se puede medir cuánto bajó."]}
    if unidad in UNIDADES_NO_NEGATIVAS and linea_base is not None and linea_base < 0:
        return {"linea_base": ["La línea base de un conteo no puede ser negativa."]}
    return {}


def errores_metas(
    *, tipo: str, linea_base: Decimal | None, meta_final: Decimal | None, metas: Mapping[int, Decimal]
) -> Errores:
    """Targets against each other: a suma adds up to its final target; LB bounds the others."""
    errores: list[str] = []
    if tipo == "suma" and meta_final is not None and metas:
        suma = sum(metas.values(), Decimal(0))
        if suma != meta_final:
            errores.append(
                f"La meta final ({formato_numero(meta_final)}) no es la suma de las metas anuales "
                f"({formato_numero(suma)}); en un indicador de tipo suma deben coincidir."
            )
    if linea_base is not None:
        for anio, valor in sorted(metas.items()):
            if tipo == "creciente" and valor < linea_base:
                errores.append(
                    f"La meta de {anio} ({formato_numero(valor)}) es menor que la línea base "
                    f"({formato_numero(linea_base)}); un indicador creciente no puede bajar de ella."
                )
            if tipo == "decreciente" and valor > linea_base:
                errores.append(
                    f"La meta de {anio} ({formato_numero(valor)}) es mayor que la línea base "
                    f"({formato_numero(linea_base)}); un indicador decreciente no puede subir de ella."
                )
    return {"metas": errores} if errores else {}


def errores_valor_en_plan(*, plan, unidad: str, anio: int, valor: Decimal | None, que: str) -> Errores:
    """A target or report must fall in the plan's years, and a count cannot be negative."""
    errores: Errores = {}
    if not plan.vigente_en(anio):
        errores["anio"] = [
            f"{que} es del año {anio}, fuera de la vigencia del plan ({plan.anio_inicio}–{plan.anio_fin})."
        ]
    if valor is not None and unidad in UNIDADES_NO_NEGATIVAS and valor < 0:
        errores["valor"] = [f"{que} no puede ser negativo: el indicador cuenta {unidad_texto(unidad)}."]
    return errores


def errores_periodo(*, periodicidad: str, periodo: int | None) -> Errores:
    maximo = PERIODOS[periodicidad]
    if periodo is None or not 1 <= periodo <= maximo:
        return {"periodo": [f"Un indicador {periodicidad} tiene periodos de 1 a {maximo}; se recibió {periodo}."]}
    return {}


def unidad_texto(unidad: str) -> str:
    return {"numero": "cantidades", "pesos": "pesos"}.get(unidad, unidad)


# --- Texts and periods ----------------------------------------------------------------------


def normalizar_texto(texto: str | None) -> str:
    """A narrative as it is stored: LF line breaks, no surrounding blanks.

    Browsers send a textarea's line breaks as CRLF and spreadsheets as CR or LF; stored as typed,
    an unchanged save would look like a change (a new version, a report back to draft, a history
    row with the same text before and after). Every writer normalises here before comparing.
    """
    return (texto or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def errores_largos(obj, valores: Mapping[str, object] | None = None) -> Errores:
    """Each text longer than its field's `max_length` (`seguimiento.limites`), keyed by field,
    with both figures: «Observaciones: tiene 31.457.280 caracteres; el máximo es 10.000.»

    `obj` is a model instance, whose texts are all checked, or a model class (or instance) with
    the `valores` about to be written, by field name, so a service refuses before it works. Reads
    only the models' declarations, never the database."""
    meta = obj._meta
    if valores is None:
        valores = {campo.name: getattr(obj, campo.attname, None) for campo in meta.concrete_fields}
    errores: Errores = {}
    for nombre, valor in valores.items():
        maximo = getattr(meta.get_field(nombre), "max_length", None)
        if maximo and isinstance(valor, str) and len(valor) > maximo:
            errores[nombre] = [mensaje_largo(len(valor), maximo, str(meta.get_field(nombre).verbose_name))]
    return errores


_NOMBRE_PERIODO = {"semestral": "semestre", "trimestral": "trimestre"}


def nombre_periodo(*, periodicidad: str, anio: int, periodo: int) -> str:
    """How people name a report's period: «2023», «2023 · semestre 1», «2023 · trimestre 2»,
    «2023 · junio». An annual report is never «2023-1» (that is how cuts are written)."""
    if periodicidad == "anual" or periodicidad not in PERIODOS:
        return f"{anio}"
    if periodicidad == "mensual":
        return f"{anio} · {MESES[periodo - 1]}" if 1 <= periodo <= 12 else f"{anio} · mes {periodo}"
    return f"{anio} · {_NOMBRE_PERIODO[periodicidad]} {periodo}"



def corte_del_reporte(
    *, periodicidad: str, anio: int, periodo: int, cerrados: Iterable[tuple[int, int]]
) -> tuple[int, int, bool]:
    """The cut (year, semester) whose figures a report changes, and whether that cut is closed.

    A report frozen by a closed cut (its period had ended by that cut's date) belongs to that
    cut's published figures. Otherwise it is the first cut at which it counts, or the December cut
    when June's is closed and the period was still running at it (an annual report: June keeps
    what it published, the value serves December). `cerrados` are the plan's closed cuts.
    """
    cerrados = set(cerrados)
    termina = calculos.semestre_en_que_termina(periodicidad, periodo)
    congelan = sorted(c for c in cerrados if c[0] > anio or (c[0] == anio and c[1] >= termina))
    if congelan:
        return (*congelan[0], True)
    semestre = calculos.semestre_en_que_empieza(periodicidad, periodo)
    if (anio, semestre) in cerrados:
        semestre = termina
    return anio, semestre, False
