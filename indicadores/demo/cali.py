"""`cali-2016`: Plan de Desarrollo de Santiago de Cali 2016–2019, from seed 002 (the answer of the
Secretaría de Desarrollo Económico to council proposition No. 129, mid-2017).

The seed text is parsed at load time: Eje → Componente → Programa headings, then per indicator
its 11-digit code and name, «Línea Base 2015», a table «Año / Meta / Ejecución / Avance» for 2016
and 2017, «Observaciones» and «Plan de choque». The PDF extraction lost some alignment (trailing
tabs missing, sentences cut by page breaks), so every field is matched by its label, not its
position, and a block that lacks a field fails loudly instead of loading half an indicator.

Tipo de anualización is not in the seed; it is decided per indicator from the numbers (see
`TIPOS`). The seed's targets are kept exactly; where the 2017 «avance» is clearly that year's
increment while the indicator's targets are cumulative levels, the level is stored (2016 level +
2017 increment), the report is marked illustrative and `fuente` says so. Targets for 2018–2019 are
not in the seed and are not invented: the plan runs 2016–2019 and those years show «sin meta».
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicadores.models import Indicador
from indicadores.demo import Cuentas, cargar_cortes, guardar, guardar_metas, guardar_reporte, leer_seed, parrafos
from politicas.models import Dependencia, Entidad, Nivel, Plan
from seguimiento.numeros import formato_numero, parse_numero

CODIGO = "cali-2016"
ARCHIVO = "002_50b121bb70ab1cd2.txt"
SECRETARIA = "Secretaría de Desarrollo Económico"

# Tipo de anualización per indicator, decided from the seed's numbers (LB 2015; meta/ejecución 2016; 2017).
# Cumulative levels (creciente): targets rise above the LB year after year, e.g. 44010010002
#   (LB 7.480; 15.367; 17.877) or 43040030005 (LB 475; 575; 875); 44020010003 (5; 15) is confirmed
#   by its text: «la vigencia 2017 ... meta proyectada de 10» = 15 − 5.
# Yearly amounts (suma): flat targets that repeat (44010030003: 1; 1), events held each year
#   (44030020007: 1; 2, the two 2017 events are listed) and 44010010004, whose text reprograms
#   «150 ... así: 2017 (75) y 2018 (75)», amounts per year.
# 0 in 2016 then a 2017 target: the numbers cannot tell; counts that accumulate over the plan are
#   taken as creciente like the plan's other counts (values are the same either way so far).
CRECIENTE, SUMA = "creciente", "suma"
TIPOS = {
    "41020040002": CRECIENTE, "43020030003": CRECIENTE, "43040030002": CRECIENTE,
    "43040030005": CRECIENTE, "44010010002": CRECIENTE, "44010010003": CRECIENTE,
    "44010010004": SUMA, "44010020003": CRECIENTE, "44010030001": CRECIENTE,
    "44010030003": SUMA, "44010030006": CRECIENTE, "44010030007": CRECIENTE,
    "44020010001": CRECIENTE, "44020010003": CRECIENTE, "44020010005": CRECIENTE,
    "44020010007": CRECIENTE, "44030020006": CRECIENTE, "44030020007": SUMA,
    "44040010001": CRECIENTE, "44040010003": CRECIENTE,
}
# The 2017 «avance» is that year's increment, not a level (it is below the LB, or the text counts
# it as the year's new beneficiaries: 2.556 = the seven 2017 agreements; 1.825 = the five 2017
# agreements): the stored 2017 level is the 2016 level plus it. 44010030007 is NOT here: its 160
# is a level (116 + «44 nuevos Bankomunales»).
INCREMENTO_2017 = {
    "43040030005", "44010010002", "44010010003", "44020010001", "44020010003",
    "44020010007", "44040010001", "44040010003",
}
# Percentage indicators («100%» target).
PORCENTAJE = {"44030020006"}

_ENCABEZADO = re.compile(r"^(Eje|Componente|Programa) (\d+(?:\.\d+)*): (.+?)\.?$")
_INDICADOR = re.compile(r"^Indicador (\d{11}) (.+)$")
_LINEA_BASE = re.compile(r"^Línea Base (\d{4}):\s*(\S+)")
_FILA = re.compile(r"^(\d{4})\t+(\S+)\t+(\S+)$")
_INDICE = re.compile(r"\t\d+$")  # table of contents: «Programa 4.1.1: ...\t4»


@dataclass
class IndicadorCali:
    codigo: str
    nombre: str
    eje: str
    componente: str
    programa: str
    anio_linea_base: int | None = None
    linea_base: Decimal | None = None
    metas: dict[int, Decimal] = field(default_factory=dict)
    ejecucion: dict[int, Decimal] = field(default_factory=dict)
    observaciones: list[str] = field(default_factory=list)
    plan_de_choque: list[str] = field(default_factory=list)


@dataclass
class SeedCali:
    niveles: dict[str, tuple[str, str | None]]  # code -> (name, parent code), in document order
    indicadores: list[IndicadorCali]


class SeedInvalida(ValueError):
    """The seed text does not have what an indicator block needs."""


def leer_seed_cali(texto: str | None = None) -> SeedCali:
    """Parse seed 002 into its hierarchy and its indicators."""
    texto = leer_seed(ARCHIVO) if texto is None else texto
    niveles: dict[str, tuple[str, str | None]] = {}
    actual = {"Eje": "", "Componente": "", "Programa": ""}
    padre_de = {"Eje": None, "Componente": "Eje", "Programa": "Componente"}
    indicadores: list[IndicadorCali] = []
    seccion = None  # "observaciones" | "plan_de_choque" | None
    lineas: dict[str, list[str]] = {}
    for linea in texto.splitlines():
        limpia = linea.strip()
        if _INDICE.search(linea.rstrip("\n")) and limpia.startswith(("Eje ", "Componente ", "Programa ")):
            continue
        if m := _ENCABEZADO.match(limpia):
            tipo, codigo, nombre = m.groups()
            padre = actual[padre_de[tipo]] if padre_de[tipo] else None
            niveles[codigo] = (nombre.strip(), padre)
            actual[tipo] = codigo
            seccion = None
            continue
        if m := _INDICADOR.match(limpia):
            indicadores.append(
                IndicadorCali(
                    codigo=m.group(1), nombre=m.group(2).strip().rstrip("."),
                    eje=actual["Eje"], componente=actual["Componente"], programa=actual["Programa"],
                )
            )
            seccion = None
            continue
        if not indicadores:
            continue
        ind = indicadores[-1]
        if m := _LINEA_BASE.match(limpia):
            ind.anio_linea_base, ind.linea_base = int(m.group(1)), parse_numero(m.group(2))
        elif m := _FILA.match(linea.strip(" ")):
            anio = int(m.group(1))
            ind.metas[anio], ind.ejecucion[anio] = parse_numero(m.group(2)), parse_numero(m.group(3))
        elif limpia.startswith("Observaciones:"):
            seccion = "observaciones"
            lineas.setdefault(f"{ind.codigo}:{seccion}", []).append(limpia.removeprefix("Observaciones:"))
        elif limpia.startswith("Plan de choque:"):
            seccion = "plan_de_choque"
            lineas.setdefault(f"{ind.codigo}:{seccion}", []).append(limpia.removeprefix("Plan de choque:"))
        elif seccion:
            lineas[f"{ind.codigo}:{seccion}"].append(linea)
    for ind in indicadores:
        ind.observaciones = parrafos("\n".join(lineas.get(f"{ind.codigo}:observaciones", [])))
        ind.plan_de_choque = parrafos("\n".join(lineas.get(f"{ind.codigo}:plan_de_choque", [])))
        _validar(ind)
    return SeedCali(niveles=niveles, indicadores=indicadores)


def _validar(ind: IndicadorCali) -> None:
    faltan = []
    if ind.linea_base is None:
        faltan.append("la línea base")
    if sorted(ind.metas) != [2016, 2017]:
        faltan.append("las filas 2016 y 2017")
    if not ind.observaciones:
        faltan.append("las observaciones")
    if not (ind.eje and ind.componente and ind.programa):
        faltan.append("su eje, componente y programa")
    if ind.codigo not in TIPOS:
        faltan.append("un tipo de anualización decidido")
    if faltan:
        raise SeedInvalida(f"Al indicador {ind.codigo} de la semilla de Cali le falta {', '.join(faltan)}.")


@dataclass
class ValoresCali:
    """What is stored for one indicator once its tipo is applied."""

    metas: dict[int, Decimal]
    reportes: dict[int, Decimal]
    reportes_ilustrativos: set[int]
    notas: list[str]


def valores(ind: IndicadorCali) -> ValoresCali:
    metas = dict(ind.metas)
    reportes = dict(ind.ejecucion)
    ilustrativos: set[int] = set()
    notas: list[str] = []
    tipo = TIPOS[ind.codigo]
    lb = ind.linea_base or Decimal(0)
    if tipo == CRECIENTE and metas.get(2016) == 0 and lb > 0:
        # 44020010007 (LB 4): «0» in 2016 means nothing was programmed, not a fall to zero.
        del metas[2016], reportes[2016]
        notas.append("sin meta 2016 (el «0» de la respuesta)")
    if ind.codigo in INCREMENTO_2017:
        nivel_2016 = reportes.get(2016, lb)
        reportes[2017] = nivel_2016 + ind.ejecucion[2017]
        ilustrativos.add(2017)
        notas.append(
            f"ejecución 2017 como nivel: {formato_numero(nivel_2016)} + {formato_numero(ind.ejecucion[2017])} del año"
        )
    return ValoresCali(metas=metas, reportes=reportes, reportes_ilustrativos=ilustrativos, notas=notas)


# 2016 is closed; the answer's 2017 figures are partial (September 2017), so the open cut is the
# one they belong to, 2017-2, where each 2017 value is read against the 2017 target as the seed does.
CORTES = ((2016, 2, True), (2017, 2, False))


def cargar(cuentas: Cuentas) -> dict[str, int]:
    seed = leer_seed_cali()
    entidad = guardar(Entidad, buscar={"nombre": "Alcaldía de Santiago de Cali"})
    # The whole answer is the Secretaría de Desarrollo Económico's: it names itself in 44020010001,
    # 44020010003 and 44030020006 (whose target it shares, 64 %, with Seguridad y Justicia).
    secretaria = guardar(Dependencia, buscar={"entidad": entidad, "nombre": SECRETARIA}, valores={"sigla": "SDE"})
    plan = guardar(
        Plan,
        buscar={"codigo": CODIGO},
        valores={
            "nombre": "Plan de Desarrollo de Santiago de Cali 2016–2019",
            "tipo": Plan.Tipo.PLAN_DESARROLLO,
            "documento": "Respuesta a la Proposición No. 129 de 2017 (Concejo de Santiago de Cali)",
            "entidad": entidad,
            "anio_inicio": 2016,
            "anio_fin": 2019,
            "dependencia_lider": None,
            "nombres_niveles": "Eje, Componente, Programa",
            "publicado": True,
        },
    )
    niveles: dict[str, Nivel] = {}
    for orden, (codigo, (nombre, padre)) in enumerate(seed.niveles.items(), start=1):
        niveles[codigo] = guardar(
            Nivel,
            buscar={"plan": plan, "codigo": codigo},
            valores={"padre": niveles[padre] if padre else None, "nombre": nombre, "peso": None, "orden": orden},
        )
    reportes = conservados = 0
    for orden, ind in enumerate(seed.indicadores, start=1):
        v = valores(ind)
        fuente = "Respuesta Proposición 129 (2017). Tipo de anualización inferido de las metas"
        if v.notas:
            fuente += "; " + "; ".join(v.notas)
        indicador = guardar(
            Indicador,
            buscar={"plan": plan, "codigo": ind.codigo},
            valores={
                "nivel": niveles[ind.programa],
                "nombre": ind.nombre,
                "producto": "",
                "unidad": "porcentaje" if ind.codigo in PORCENTAJE else "numero",
                "tipo_anualizacion": TIPOS[ind.codigo],
                "periodicidad": "anual",
                "linea_base": ind.linea_base,
                "anio_linea_base": ind.anio_linea_base,
                "meta_final": None,  # the answer does not state the 2019 target
                "peso": None,  # Cali gives no weights: siblings weigh equally
                "dependencia": secretaria,
                "orden": orden,
                "ilustrativo": bool(v.notas),
                "fuente": fuente + ".",
            },
        )
        guardar_metas(indicador, v.metas, cuentas=cuentas)
        for anio, valor in v.reportes.items():
            # The answer is from mid-2017: its narrative belongs to the 2017 report.
            cargado = guardar_reporte(
                indicador,
                anio=anio,
                valor=valor,
                observaciones="\n\n".join(ind.observaciones) if anio == 2017 else "",
                plan_de_choque="\n\n".join(ind.plan_de_choque) if anio == 2017 else "",
                ilustrativo=anio in v.reportes_ilustrativos,
                cuentas=cuentas,
            )
            reportes += 1
            conservados += not cargado
    # After the reports and targets: closing 2016-2 stores the figures they give.
    cargar_cortes(plan, CORTES, cuentas=cuentas)
    por_tipo = [sum(1 for codigo in niveles if codigo.count(".") == n) for n in range(3)]
    return {
        "ejes": por_tipo[0], "componentes": por_tipo[1], "programas": por_tipo[2],
        "indicadores": len(seed.indicadores), "reportes": reportes, "conservados": conservados,
    }
