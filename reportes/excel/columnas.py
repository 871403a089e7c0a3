"""The columns of the import format, declared once (as pretix's `ImportColumn`).

Each `ColumnaImportacion` says its title, its type, whether it is required, its choices and its
width. The import reads a cell by its declaration (`Lector.valor`), the export writes the column
with the same title and, for choices, the label the import reads back (`etiqueta`), and the
templates offer the choices as drop-downs. So exporting a plan and importing the workbook
reproduces it, and a title changed here changes the three at once.

Columns marked `referencia` are written for the reader (an indicator's name beside its code in
«Reportes», a level's depth name) and ignored by the import. The export's computed columns (PAV,
bands, the period by name…) are not import columns: they live in `reportes.excel.exportar`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from django.db import models

from indicadores.models import Indicador, Periodicidad, Reporte, TipoAnualizacion, Unidad
from politicas.models import Dependencia, Entidad, Nivel, Plan
from seguimiento import xlsx

HOJA_PLAN, HOJA_NIVELES, HOJA_INDICADORES, HOJA_REPORTES, HOJA_ACERCA = (
    "Plan", "Niveles", "Indicadores", "Reportes", "Acerca de",
)
SI_NO = ("Sí", "No")


class TipoCelda(StrEnum):
    """How a cell is read (`reportes.excel.lector.Lector`)."""

    TEXTO = "texto"
    NUMERO = "numero"  # Colombian numbers: 7.480, 0,33, $73.700.000, 100%
    ENTERO = "entero"  # years, periods
    OPCION = "opcion"  # a TextChoices value, by its label or its stored code
    SI_NO = "si_no"  # empty is «No»
    SI_NO_O_VACIO = "si_no_o_vacio"  # empty is «keep what is stored» (None)


@dataclass(frozen=True)
class ColumnaImportacion:
    """One column (or one «Plan» row) of the import format: how to read it, draw it and offer it."""

    campo: str  # the model field, or the key the importer uses («nivel», «enfoques»)
    titulo: str  # the header cell, matched ignoring case and accents
    tipo: TipoCelda = TipoCelda.TEXTO
    requerido: bool = False  # the column must be there and each row's cell must hold a value
    opciones: type[models.TextChoices] | None = None  # for TipoCelda.OPCION
    defecto: Any = None  # the value of an empty cell (or a missing row of «Plan»)
    maximo: int | None = None  # characters, for texts: the model field's (`largo`); None is limites.MAX_TEXTO
    ancho: float = 14
    referencia: bool = False  # written for the reader, ignored by the import
    desplegable: bool = True  # whether a template offers its choices as a drop-down
    _etiquetas: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.opciones is not None:
            object.__setattr__(self, "_etiquetas", dict(self.opciones.choices))

    @property
    def columna(self) -> xlsx.Columna:
        """The column as the writer draws it."""
        return xlsx.Columna(self.titulo, self.ancho)

    def etiqueta(self, codigo: str) -> str:
        """The label the workbook shows for a stored code («constante» → «Constante»); an unknown
        code is shown as it is rather than hidden."""
        return self._etiquetas.get(codigo, codigo)

    def valores_lista(self) -> list[str]:
        """The choices a drop-down offers: the labels users know (the import takes codes too)."""
        if self.tipo == TipoCelda.OPCION:
            return list(self.opciones.labels)
        if self.tipo in (TipoCelda.SI_NO, TipoCelda.SI_NO_O_VACIO):
            return list(SI_NO)
        return []

    def con_ancho(self, ancho: float) -> ColumnaImportacion:
        return replace(self, ancho=ancho)


C = ColumnaImportacion  # the declarations below read as a table


def largo(modelo: type[models.Model], campo: str) -> int:
    """The most characters a column's field holds (`seguimiento.limites`, through the model), so
    the import refuses a longer cell with its sheet, row and column before anything is written."""
    return modelo._meta.get_field(campo).max_length


# -- «Plan»: rows of Campo / Valor, one per field -----------------------------------------------
CAMPOS_PLAN = [
    C("codigo", "Código", requerido=True, maximo=largo(Plan, "codigo")),
    C("nombre", "Nombre", requerido=True, maximo=largo(Plan, "nombre")),
    C("tipo", "Tipo", TipoCelda.OPCION, requerido=True, opciones=Plan.Tipo, defecto=Plan.Tipo.PLAN_DESARROLLO),
    C("documento", "Documento", maximo=largo(Plan, "documento"), defecto=""),
    C("entidad", "Entidad", requerido=True, maximo=largo(Entidad, "nombre")),
    C("anio_inicio", "Año de inicio", TipoCelda.ENTERO, requerido=True),
    C("anio_fin", "Año de fin", TipoCelda.ENTERO, requerido=True),
    C("nombres_niveles", "Nombres de los niveles", maximo=largo(Plan, "nombres_niveles"),
      defecto="Eje, Componente, Programa"),
    C("dependencia_lider", "Dependencia líder", maximo=largo(Dependencia, "nombre"), defecto=""),
    C("objetivo", "Objetivo", maximo=largo(Plan, "objetivo"), defecto=""),
    # No «Publicado» row or an empty cell: the plan stays as published as it is.
    C("publicado", "Publicado", TipoCelda.SI_NO_O_VACIO),
]
CAMPO_PLAN = {c.campo: c for c in CAMPOS_PLAN}
COLUMNAS_CAMPO_VALOR = [xlsx.Columna("Campo", 26), xlsx.Columna("Valor", 60)]

# -- «Niveles» ----------------------------------------------------------------------------------
COLUMNAS_NIVELES = [
    C("codigo", "Código", requerido=True, maximo=largo(Nivel, "codigo"), ancho=12),
    C("padre", "Código del padre", maximo=largo(Nivel, "codigo"), ancho=12),
    C("nivel", "Nivel", referencia=True),  # the depth's name («Eje»), from the plan's «Nombres de los niveles»
    C("nombre", "Nombre", requerido=True, maximo=largo(Nivel, "nombre"), ancho=60),
    C("peso", "Ponderación", TipoCelda.NUMERO, ancho=13),
]
COLUMNA_NIVEL = {c.campo: c for c in COLUMNAS_NIVELES}

# -- «Indicadores» (then one «Meta AAAA» column per year) ---------------------------------------
COLUMNAS_INDICADOR = [
    C("codigo", "Código", requerido=True, maximo=largo(Indicador, "codigo")),
    C("nombre", "Indicador", requerido=True, maximo=largo(Indicador, "nombre"), ancho=60),
    C("nivel", "Nivel", requerido=True, maximo=largo(Nivel, "codigo"), ancho=10),  # the level's code
    C("producto", "Producto", maximo=largo(Indicador, "producto"), ancho=40),
    C("unidad", "Unidad", TipoCelda.OPCION, opciones=Unidad, defecto=Unidad.NUMERO, ancho=12),
    C("tipo_anualizacion", "Tipo", TipoCelda.OPCION, requerido=True, opciones=TipoAnualizacion, ancho=12),
    C("periodicidad", "Periodicidad", TipoCelda.OPCION, requerido=True, opciones=Periodicidad, ancho=13),
    C("dependencia", "Dependencia", requerido=True, maximo=largo(Dependencia, "nombre"), ancho=30),
    C("peso", "Ponderación", TipoCelda.NUMERO, ancho=13),
    C("linea_base", "Línea base", TipoCelda.NUMERO, ancho=13),
    C("anio_linea_base", "Año de línea base", TipoCelda.ENTERO, ancho=10),
    C("meta_final", "Meta final", TipoCelda.NUMERO, ancho=13),
    C("enfoques", "Enfoques", ancho=20),  # names or codes, separated by commas
    C("ilustrativo", "Ilustrativo", TipoCelda.SI_NO, ancho=10),
    C("fuente", "Fuente", maximo=largo(Indicador, "fuente"), ancho=20),
]
COLUMNA_INDICADOR = {c.campo: c for c in COLUMNAS_INDICADOR}
# The Indicador model's own fields among them (level, dependencia and enfoques are relations).
CAMPOS_INDICADOR = [c for c in COLUMNAS_INDICADOR if c.campo not in ("nivel", "dependencia", "enfoques")]

# -- «Reportes» -----------------------------------------------------------------------------------
COLUMNAS_REPORTES = [
    C("codigo", "Código del indicador", requerido=True, maximo=largo(Indicador, "codigo")),
    C("indicador", "Indicador", referencia=True, ancho=50),
    C("anio", "Año", TipoCelda.ENTERO, requerido=True, ancho=8),
    C("periodo", "Periodo", TipoCelda.ENTERO, requerido=True, ancho=8),
    C("valor", "Avance", TipoCelda.NUMERO, requerido=True, ancho=13),
    C("estado", "Estado", TipoCelda.OPCION, opciones=Reporte.Estado, defecto="", ancho=11),
    C("observaciones", "Observaciones", maximo=largo(Reporte, "observaciones"), ancho=60),
    C("plan_de_choque", "Plan de choque", maximo=largo(Reporte, "plan_de_choque"), ancho=60),
    # Only an already published figure is loaded as illustrative: the template offers no list.
    C("ilustrativo", "Ilustrativo", TipoCelda.SI_NO_O_VACIO, ancho=10, desplegable=False),
]
COLUMNA_REPORTE = {c.campo: c for c in COLUMNAS_REPORTES}


def columnas_avance(anio: int) -> list[ColumnaImportacion]:
    """The «Reportes» sheet of a semester's progress template: the report columns the import reads,
    between what the planner needs to see (the indicator, who reports it, the year's target)."""
    r = COLUMNA_REPORTE
    return [
        r["codigo"], r["indicador"].con_ancho(60),
        C("dependencia", "Dependencia", referencia=True, ancho=28),
        C("periodicidad", "Periodicidad", referencia=True, ancho=12),
        r["anio"], r["periodo"],
        C("meta", f"Meta {anio} (referencia)", TipoCelda.NUMERO, referencia=True, ancho=14),
        r["valor"], r["observaciones"], r["plan_de_choque"],
    ]


def requeridas(columnas: list[ColumnaImportacion]) -> list[ColumnaImportacion]:
    """The columns a sheet must have."""
    return [c for c in columnas if c.requerido]


def dibujo(columnas: list[ColumnaImportacion]) -> list[xlsx.Columna]:
    """The columns as the writer draws them, in order."""
    return [c.columna for c in columnas]


def titulo_meta(anio: int) -> str:
    return f"Meta {anio}"


def titulo_avance(anio: int) -> str:
    return f"Avance {anio}"
