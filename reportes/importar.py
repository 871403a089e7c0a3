"""Imports from Excel (issue 5): a whole plan, or a semester's progress, all or nothing.

Two kinds of workbook, told apart by their sheets:
- a plan (sheets Plan, Niveles, Indicadores, optionally Reportes): what `plantilla_plan` gives and
  what the follow-up export writes; levels, indicators, yearly targets («Meta 2024» columns) and
  reports are created or updated by code, never deleted (an empty «Meta AAAA» cell removes that
  year's target);
- a semester's progress (sheets Plan and Reportes): what `plantilla_avance` gives.

Every cell is read and checked first with the model's rules (`indicadores.reglas`, Colombian
numbers through `seguimiento.numeros.parse_numero`); each problem becomes an `Error` with its
sheet, row, column and a Spanish message. Only when there is none is anything written, inside one
transaction; a preview runs the same writes and rolls them back, so it shows exactly what the
confirmation will do.

Reports, targets and review steps are written only through `indicadores.services` (issue 10), so
an import obeys what the admin and the API obey: who may write an indicator, closed cuts (a period
is frozen once it ended by a closed cut's date), the version the writer read (no lost updates), and
a correction of an approved value stays under review while the approved value remains official.
The import never changes a report's review state. A row equal to what is stored (texts compared
as `reglas.normalizar_texto` stores them) is «Sin cambios»: nothing is written. The preview keeps
what it read (`ResultadoImportacion.leido`); the confirmation compares it with the database and
refuses, saying what changed and by whom, when anything moved in between.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from indicadores import permisos, reglas, services
from indicadores.models import Enfoque, Indicador, Meta, Periodicidad, Reporte, TipoAnualizacion, Unidad
from politicas.models import Dependencia, Entidad, Nivel, Plan
from politicas.selectors import PESO_TOTAL
from reportes.exportar import (
    CAMPOS_PLAN,
    HOJA_INDICADORES,
    HOJA_NIVELES,
    HOJA_PLAN,
    HOJA_REPORTES,
)
from seguimiento.numeros import NumeroInvalido, formato_numero, parse_numero

MAX_FILAS = 50_000  # per sheet; a larger file is refused before anything is checked
MAX_BYTES = 20 * 1024 * 1024
_SEIS_DECIMALES = Decimal("0.000001")
_MAXIMO_VALOR = Decimal(10) ** 14  # VALOR fields hold 20 digits, 6 of them decimals
_META = re.compile(r"^meta (\d{4})$")
ARCHIVO = "(archivo)"
_LARGO_MOTIVO_HISTORIAL = 100  # simple_history keeps a change reason in 100 characters
_LARGO_TEXTO_VISTA = 120
ESTADOS = dict(Reporte.Estado.choices)


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Error:
    """A problem found in the workbook, where it is and what to do, in Spanish."""

    hoja: str
    fila: int | None
    columna: str | None
    mensaje: str

    def __str__(self) -> str:
        lugar = [f"Hoja «{self.hoja}»"] if self.hoja != ARCHIVO else ["Archivo"]
        if self.fila:
            lugar.append(f"fila {self.fila}")
        if self.columna:
            lugar.append(f"columna «{self.columna}»")
        return f"{', '.join(lugar)}: {self.mensaje}"


ACCIONES = {"crear": "Crear", "modificar": "Modificar", "eliminar": "Eliminar"}
OBJETOS = {
    "plan": "Plan", "nivel": "Nivel", "indicador": "Indicador", "meta": "Meta", "reporte": "Reporte",
    "entidad": "Entidad", "dependencia": "Dependencia",
}


@dataclass(frozen=True)
class Cambio:
    accion: str  # "crear", "modificar", "eliminar"
    objeto: str  # "plan", "nivel", "indicador", "meta", "reporte", "entidad", "dependencia"
    clave: str
    detalle: str = ""
    # Every changed value of a «modificar»: (field in words, before, after), as the preview shows it.
    campos: tuple[tuple[str, str, str], ...] = ()

    @property
    def accion_etiqueta(self) -> str:
        return ACCIONES.get(self.accion, self.accion)

    @property
    def objeto_etiqueta(self) -> str:
        return OBJETOS.get(self.objeto, self.objeto)

    @property
    def antes_despues(self) -> list[str]:
        """«avance: 14.523 → 17.480», one per changed value."""
        return [f"{campo}: {antes} → {despues}" for campo, antes, despues in self.campos]


@dataclass
class ResultadoImportacion:
    tipo: str = ""  # "plan" or "avance"
    plan_codigo: str = ""
    cambios: list[Cambio] = field(default_factory=list)
    errores: list[Error] = field(default_factory=list)
    # What the user must know before confirming: an approved value that becomes a correction…
    avisos: list[str] = field(default_factory=list)
    # What the check read of each thing the file touches (JSON-serialisable): the confirmation
    # compares it with the database (`importar_libro(leido=...)`).
    leido: dict[str, Any] = field(default_factory=dict)
    aplicado: bool = False

    @property
    def ok(self) -> bool:
        return not self.errores

    @property
    def sin_cambios(self) -> bool:
        """The workbook says what is already stored: nothing to write."""
        return self.ok and not self.cambios

    def resumen(self) -> list[tuple[str, str, int]]:
        """(objeto, acción, cuántos), in a stable order, for the preview and the command."""
        conteo = Counter((c.objeto, c.accion) for c in self.cambios)
        return [(objeto, accion, n) for (objeto, accion), n in sorted(conteo.items())]

    def resumen_etiquetado(self) -> list[tuple[str, str, int]]:
        """`resumen` in words for the preview page: («Indicador», «Crear», 3)."""
        return [(OBJETOS.get(o, o), ACCIONES.get(a, a), n) for o, a, n in self.resumen()]


def mostrar(valor) -> str:
    """A value as the preview shows it: 7.480 and 0,33, Sí / No, texts in «» (cut when long)."""
    if valor is None or (isinstance(valor, str) and not valor.strip()):
        return "(vacío)"
    if isinstance(valor, bool):
        return "Sí" if valor else "No"
    if isinstance(valor, Decimal):
        return formato_numero(valor, 6)
    if isinstance(valor, int):
        return str(valor)
    texto = " ".join(reglas.normalizar_texto(str(valor)).split())
    if len(texto) > _LARGO_TEXTO_VISTA:
        texto = texto[: _LARGO_TEXTO_VISTA - 1] + "…"
    return f"«{texto}»"


def _huella(valor) -> str:
    """A stored value as the preview records it, to compare at confirmation (JSON text)."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "Sí" if valor else "No"
    if isinstance(valor, Decimal):
        return formato_numero(valor, 6)
    if isinstance(valor, models.Model):
        return str(getattr(valor, "codigo", None) or getattr(valor, "nombre", None) or valor.pk)
    return reglas.normalizar_texto(str(valor))


def _mismo_texto(a, b) -> bool:
    return reglas.normalizar_texto(a) == reglas.normalizar_texto(b)


def _motivo_historial(motivo: str) -> str:
    motivo = (motivo or "").strip()
    if len(motivo) > _LARGO_MOTIVO_HISTORIAL:
        motivo = motivo[: _LARGO_MOTIVO_HISTORIAL - 1] + "…"
    return motivo


def _autor(registro) -> str:
    """«por planeadora» from a history record, when it says who."""
    if registro is None or not registro.history_user_id:
        return ""
    return f" (por {registro.history_user.get_username()})"


def _ultimo(historial):
    return historial.order_by("-history_date", "-history_id").select_related("history_user").first()


# Where a report service's refusal about a field is shown.
_COLUMNAS_REPORTE = {
    "valor": "Avance", "anio": "Año", "periodo": "Periodo", "observaciones": "Observaciones",
    "plan_de_choque": "Plan de choque", "estado": "Estado",
}


def _error_de_servicio(lector, fila, exc: Exception, *, columna: str = "Periodo") -> None:
    """A refusal of the report services as errors of the row: permission on the indicator's code,
    someone else's save on «Avance», a field's rule on that field's column, anything else (a
    closed cut) on `columna`."""
    if isinstance(exc, PermissionDenied):
        lector.error(fila, "Código del indicador", str(exc))
        return
    if isinstance(exc, (services.ConflictoEdicion, services.ReporteExistente)):
        for mensaje in exc.messages:
            lector.error(fila, "Avance", f"{mensaje} No se guardó nada del libro.")
        return
    if hasattr(exc, "error_dict"):
        for campo, mensajes in exc.message_dict.items():
            for mensaje in mensajes:
                lector.error(fila, _COLUMNAS_REPORTE.get(campo, columna), mensaje)
        return
    for mensaje in exc.messages:
        lector.error(fila, columna, mensaje)


class _Abortar(Exception):
    """Raised inside the transaction to roll everything back."""


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def normalizar(texto: str) -> str:
    """Header and choice matching ignores case, accents and extra spaces: «Código» = «codigo»."""
    sin_tildes = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return " ".join(sin_tildes.lower().split())


@dataclass(frozen=True, slots=True)
class Celda:
    valor: Any
    ref: str


@dataclass
class FilaLeida:
    numero: int
    celdas: dict[str, Celda]


@dataclass
class HojaLeida:
    nombre: str
    titulos: dict[str, str]  # normalized → as written
    filas: list[FilaLeida]


def leer_libro(archivo: str | IO[bytes], *, max_filas: int = MAX_FILAS) -> tuple[dict[str, HojaLeida], list[Error]]:
    """Every sheet's header and non-empty rows, keyed by the normalized sheet name.

    Formula cells are errors (the value a formula shows is not stored reliably, and a template must
    hold values); a sheet with more than `max_filas` rows stops the reading with a message.
    """
    import openpyxl
    from openpyxl.cell.read_only import EmptyCell

    errores: list[Error] = []
    try:
        libro = openpyxl.load_workbook(archivo, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, missing parts): all mean the same
        return {}, [
            Error(ARCHIVO, None, None, f"El archivo no es un libro de Excel (.xlsx) válido ({type(exc).__name__}). "
                  "Guárdelo desde Excel o LibreOffice como «Libro de Excel (.xlsx)» y vuelva a subirlo.")
        ]
    hojas: dict[str, HojaLeida] = {}
    try:
        for ws in libro.worksheets:
            clave = normalizar(ws.title)
            if clave not in _HOJAS_LEIDAS:
                continue  # instructions, "Acerca de", the user's own notes
            filas: list[FilaLeida] = []
            titulos: list[str] = []
            demasiadas = False
            for numero, fila in enumerate(ws.iter_rows(), start=1):
                if numero == 1:
                    titulos = ["" if c.value is None else str(c.value).strip() for c in fila]
                    continue
                if numero - 1 > max_filas:
                    demasiadas = True
                    break
                celdas: dict[str, Celda] = {}
                for celda, titulo in zip(fila, titulos):
                    if not titulo or isinstance(celda, EmptyCell):
                        continue
                    if celda.data_type == "f":
                        errores.append(
                            Error(ws.title, numero, titulo, f"La celda {celda.coordinate} tiene una fórmula; escriba el valor.")
                        )
                        continue
                    valor = celda.value
                    if valor is None or (isinstance(valor, str) and not valor.strip()):
                        continue
                    celdas[normalizar(titulo)] = Celda(valor, celda.coordinate)
                if celdas:
                    filas.append(FilaLeida(numero, celdas))
            if demasiadas:
                errores.append(
                    Error(ws.title, None, None, f"La hoja tiene más de {formato_numero(max_filas)} filas de datos; "
                          "divídala en varios archivos.")
                )
            hojas[clave] = HojaLeida(ws.title, {normalizar(t): t for t in titulos if t}, filas)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        errores.append(Error(ARCHIVO, None, None, f"No se pudo leer el libro ({type(exc).__name__}): ¿está dañado?"))
    finally:
        libro.close()
    return hojas, errores


_HOJAS_LEIDAS = {normalizar(h) for h in (HOJA_PLAN, HOJA_NIVELES, HOJA_INDICADORES, HOJA_REPORTES)}


class Lector:
    """Reads typed values from one sheet's rows, collecting every problem as an `Error`."""

    def __init__(self, hoja: HojaLeida, errores: list[Error]):
        self.hoja = hoja
        self.errores = errores

    def error(self, fila: FilaLeida | None, columna: str | None, mensaje: str) -> None:
        self.errores.append(Error(self.hoja.nombre, fila.numero if fila else None, columna, mensaje))

    def _celda(self, fila: FilaLeida, columna: str) -> Celda | None:
        return fila.celdas.get(normalizar(columna))

    def tiene(self, columna: str) -> bool:
        return normalizar(columna) in self.hoja.titulos

    def texto(self, fila: FilaLeida, columna: str, *, requerido: bool = False, maximo: int | None = None) -> str:
        celda = self._celda(fila, columna)
        if celda is None:
            if requerido:
                self.error(fila, columna, "Falta el valor: esta columna es obligatoria.")
            return ""
        valor = celda.valor
        if isinstance(valor, float) and valor.is_integer():
            valor = int(valor)  # a code like 44010030007 typed as a number
        # As the database keeps texts (LF line breaks, no surrounding blanks): a cell saved with
        # CRLF or a trailing space is the same text, not a change.
        texto = reglas.normalizar_texto(str(valor))
        if maximo and len(texto) > maximo:
            self.error(fila, columna, f"El texto tiene {len(texto)} caracteres; el máximo es {maximo}.")
        return texto

    def numero(self, fila: FilaLeida, columna: str, *, requerido: bool = False) -> Decimal | None:
        celda = self._celda(fila, columna)
        if celda is None:
            if requerido:
                self.error(fila, columna, "Falta el valor: escriba un número (por ejemplo 7.480 o 0,33).")
            return None
        if isinstance(celda.valor, (datetime.date, datetime.time, datetime.timedelta)):
            self.error(fila, columna, f"La celda {celda.ref} tiene una fecha, no un número; cambie su formato a número.")
            return None
        try:
            valor = parse_numero(celda.valor)
        except NumeroInvalido as exc:
            self.error(fila, columna, f"{exc} (celda {celda.ref})")
            return None
        if not valor.is_finite() or abs(valor) >= _MAXIMO_VALOR:
            self.error(fila, columna, f"El número de la celda {celda.ref} es demasiado grande.")
            return None
        return valor.quantize(_SEIS_DECIMALES, rounding=ROUND_HALF_UP).normalize() + 0

    def entero(self, fila: FilaLeida, columna: str, *, requerido: bool = False) -> int | None:
        valor = self.numero(fila, columna, requerido=requerido)
        if valor is None:
            return None
        if valor != valor.to_integral_value() or not 0 <= valor <= 32767:
            self.error(fila, columna, f"«{formato_numero(valor, 6)}» no es un número entero válido.")
            return None
        return int(valor)

    def opcion(self, fila: FilaLeida, columna: str, opciones, *, requerido: bool = False, defecto: str = "") -> str:
        """A value of a TextChoices, written as its label (what the export writes: «Constante») or its
        stored code («constante»), ignoring case and accents («numero» = «Número»)."""
        texto = self.texto(fila, columna, requerido=requerido)
        if not texto:
            return defecto
        por_nombre = {normalizar(v): v for v in opciones.values} | {normalizar(label): v for v, label in opciones.choices}
        elegido = por_nombre.get(normalizar(texto))
        if elegido is None:
            validos = ", ".join(opciones.labels)
            self.error(fila, columna, f"«{texto}» no es un valor válido; use uno de: {validos}.")
            return defecto
        return elegido

    def booleano(self, fila: FilaLeida, columna: str) -> bool:
        texto = normalizar(self.texto(fila, columna))
        if texto in ("", "no", "n", "0", "false", "falso"):
            return False
        if texto in ("si", "s", "1", "true", "verdadero", "x"):
            return True
        self.error(fila, columna, f"Escriba «Sí» o «No» (se recibió «{self.texto(fila, columna)}»).")
        return False

    def booleano_o_nada(self, fila: FilaLeida, columna: str) -> bool | None:
        """`booleano`, or None when the cell is empty: «keep what is stored»."""
        if self._celda(fila, columna) is None:
            return None
        return self.booleano(fila, columna)

    def columnas_obligatorias(self, columnas: list[str]) -> bool:
        faltan = [c for c in columnas if not self.tiene(c)]
        for columna in faltan:
            self.errores.append(Error(self.hoja.nombre, 1, columna, f"Falta la columna «{columna}» en la fila de títulos."))
        return not faltan


def _duplicados(lector: Lector, filas_claves: list[tuple[FilaLeida, object, str]], columna: str, que: str) -> None:
    vistos: dict[object, int] = {}
    for fila, clave, texto in filas_claves:
        if clave in vistos:
            lector.error(fila, columna, f"{que} «{texto}» está repetido (ya aparece en la fila {vistos[clave]}).")
        else:
            vistos[clave] = fila.numero


def _mensajes(errores: Mapping[str, list[str]]) -> list[str]:
    return [m for lista in errores.values() for m in lista]


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def importar_libro(
    archivo: str | IO[bytes],
    *,
    usuario,
    confirmar: bool = False,
    motivo: str = "",
    max_filas: int = MAX_FILAS,
    progreso: Callable[[str, int], None] | None = None,
    leido: Mapping[str, Any] | None = None,
) -> ResultadoImportacion:
    """Check a workbook and, when `confirmar` and there is no error, write it all in one transaction.

    Without `confirmar` (preview, `--dry-run`) the writes run and are rolled back, so the changes
    listed are exactly what a confirmation would make. With any error nothing is written.
    `motivo` lets an administrator correct frozen data (past years' targets, reports of closed
    cuts), as in the admin; it is recorded in the history. `leido` is the preview's
    `resultado.leido`: when given, anything changed since that preview (a report saved, a
    target or a plan field changed by someone else) is an error that says what and by whom.
    """
    resultado = ResultadoImportacion()
    hojas, errores = leer_libro(archivo, max_filas=max_filas)
    resultado.errores = errores
    if errores:
        return resultado
    if normalizar(HOJA_INDICADORES) in hojas:
        importador: _Importador = ImportadorPlan(hojas, usuario, resultado, progreso, motivo)
    elif normalizar(HOJA_REPORTES) in hojas:
        importador = ImportadorAvance(hojas, usuario, resultado, progreso, motivo)
    else:
        resultado.errores.append(
            Error(ARCHIVO, None, None, "El libro no tiene las hojas de una plantilla de Seguimiento: se esperaba "
                  f"«{HOJA_PLAN}», «{HOJA_NIVELES}» e «{HOJA_INDICADORES}» (un plan) o «{HOJA_PLAN}» y "
                  f"«{HOJA_REPORTES}» (el avance de un semestre). Descargue la plantilla y copie en ella sus datos.")
        )
        return resultado
    importador.validar()
    if resultado.errores:
        return resultado
    if leido is not None:
        importador.comparar_con_vista_previa(leido)
        if resultado.errores:
            return resultado
    try:
        with transaction.atomic():
            importador.aplicar()
            if resultado.errores or not confirmar:
                raise _Abortar
    except _Abortar:
        return resultado
    resultado.aplicado = True
    return resultado


@dataclass
class _ReporteArchivo:
    """One report row of either workbook, with the report it would change (None: a new one)."""

    fila: FilaLeida
    codigo: str
    anio: int
    periodo: int
    valor: Decimal
    observaciones: str
    plan_de_choque: str
    estado: str = ""  # the «Estado» cell; empty: the workbook does not say
    ilustrativo: bool | None = None  # the «Ilustrativo» cell; None: the workbook does not say
    actual: Reporte | None = None
    nombre: str = ""  # «3.1.1 2024», «1.2 2023 · semestre 1»

    @property
    def textos(self) -> tuple:
        return (self.valor, reglas.normalizar_texto(self.observaciones), reglas.normalizar_texto(self.plan_de_choque))

    @property
    def es_copia_oficial(self) -> bool:
        """The approved copy of a report whose correction is under review, as a workbook of the
        official figures shows it: the approved text, marked «Aprobado»."""
        actual = self.actual
        return bool(
            actual is not None and actual.en_correccion and self.estado == Reporte.Estado.APROBADO
            and (actual.valor_oficial, actual.observaciones_oficiales, actual.plan_de_choque_oficial) == self.textos
        )

    @property
    def sin_cambios(self) -> bool:
        actual = self.actual
        if actual is None:
            return False
        iguales = (actual.valor, reglas.normalizar_texto(actual.observaciones),
                   reglas.normalizar_texto(actual.plan_de_choque)) == self.textos
        return iguales or self.es_copia_oficial


class _Importador:
    tipo = ""

    def __init__(self, hojas: dict[str, HojaLeida], usuario, resultado: ResultadoImportacion, progreso=None, motivo=""):
        self.hojas = hojas
        self.motivo = (motivo or "").strip()
        self.usuario = usuario
        self.resultado = resultado
        self.errores = resultado.errores
        self.progreso = progreso
        self.leido = resultado.leido
        self._lugares: dict[str, tuple[str, int | None, str | None, Callable[[Any, Any], str]]] = {}
        resultado.tipo = self.tipo

    def hoja(self, nombre: str, *, obligatoria: bool = True) -> HojaLeida | None:
        hoja = self.hojas.get(normalizar(nombre))
        if hoja is None and obligatoria:
            self.errores.append(Error(nombre, None, None, f"Falta la hoja «{nombre}»."))
        return hoja

    def cambio(self, accion: str, objeto: str, clave: str, detalle: str = "", campos=()) -> None:
        self.resultado.cambios.append(Cambio(accion, objeto, clave, detalle, tuple(campos)))

    def avisar(self, que: str, n: int, total: int) -> None:
        if self.progreso and (n % 1000 == 0 or n == total):
            self.progreso(que, n)

    # -- what the preview read, compared at confirmation ---------------------------------------
    def anotar(self, clave: str, valor, lugar: tuple[str, int | None, str | None], describir) -> None:
        """Record what was read of one thing the file touches, where the file touches it, and
        `describir(antes, ahora)`: what changed since, in words (it may look up who), or
        (words, row, column) to place the message on the cell of what changed."""
        self.leido[clave] = valor
        self._lugares[clave] = (*lugar, describir)

    def comparar_con_vista_previa(self, leido: Mapping[str, Any]) -> None:
        """One error per thing that changed since the preview: confirming would overwrite it."""
        for clave, ahora in self.leido.items():
            if clave not in leido or leido[clave] == ahora:
                continue
            hoja, fila, columna, describir = self._lugares[clave]
            texto = describir(leido[clave], ahora)
            if isinstance(texto, tuple):
                texto, fila_cambio, columna_cambio = texto
                fila, columna = fila_cambio or fila, columna_cambio or columna
            self.errores.append(
                Error(hoja, fila, columna, f"Cambió después de la vista previa: {texto}. "
                      "No se guardó nada: vuelva a subir el archivo y revise la nueva vista previa.")
            )

    def anotar_reporte(self, r: _ReporteArchivo, lugar: tuple) -> None:
        """A report is read as its version (or «none yet»): any save, review step or creation moves it."""

        def describir(antes, ahora) -> str:
            actual = r.actual
            if actual is None:
                return f"el reporte {r.nombre} fue eliminado"
            if antes == "":
                creado = actual.history.order_by("history_date", "history_id").select_related("history_user").first()
                return (f"otra persona registró el reporte {r.nombre} (avance {mostrar(actual.valor)}, "
                        f"{actual.get_estado_display().lower()}){_autor(creado)}")
            cambios = services.reporte_cambios_desde(actual, antes)
            detalle = "; ".join(cambios) if cambios else "sin cambios visibles en sus campos"
            return f"el reporte {r.nombre} pasó de la versión {antes} a la {ahora}: {detalle}"

        self.anotar(f"reporte {r.codigo} {r.anio} {r.periodo}", r.actual.version if r.actual else "", lugar, describir)

    # -- reports, through the services -----------------------------------------------------------
    def escribir_reporte(self, lector: Lector, indicador: Indicador, r: _ReporteArchivo) -> None:
        """Write one report row through `indicadores.services` and note the change; a refusal
        becomes an error of the row."""
        try:
            if r.actual is None:
                reporte = self.crear_reporte(indicador, r)
            else:
                # The version read by the check (the preview's, at confirmation): if anyone saved
                # since, the service refuses and says what they changed.
                reporte = services.reporte_registrar(
                    indicador=indicador, anio=r.anio, periodo=r.periodo, valor=r.valor, usuario=self.usuario,
                    observaciones=r.observaciones, plan_de_choque=r.plan_de_choque,
                    version_esperada=r.actual.version, motivo=self.motivo,
                )
        except (PermissionDenied, ValidationError) as exc:
            _error_de_servicio(lector, r.fila, exc)
            return
        self.anotar_cambio_reporte(r, reporte)

    def crear_reporte(self, indicador: Indicador, r: _ReporteArchivo) -> Reporte:
        """A new period's report: a draft of the indicator's planner."""
        return services.reporte_registrar(
            indicador=indicador, anio=r.anio, periodo=r.periodo, valor=r.valor, usuario=self.usuario,
            observaciones=r.observaciones, plan_de_choque=r.plan_de_choque, motivo=self.motivo,
        )

    def anotar_cambio_reporte(self, r: _ReporteArchivo, reporte: Reporte) -> None:
        actual = r.actual
        if actual is None:
            self.cambio("crear", "reporte", r.nombre, f"{mostrar(reporte.valor)} · {reporte.get_estado_display().lower()}")
            return
        campos = [
            (etiqueta, mostrar(antes), mostrar(despues))
            for etiqueta, antes, despues in (
                ("avance", actual.valor, reporte.valor),
                ("observaciones", actual.observaciones, reporte.observaciones),
                ("plan de choque", actual.plan_de_choque, reporte.plan_de_choque),
            )
            if (antes != despues if etiqueta == "avance" else not _mismo_texto(antes, despues))
        ]
        if reporte.estado != actual.estado:
            campos.append(("estado", actual.get_estado_display(), reporte.get_estado_display()))
        self.cambio("modificar", "reporte", r.nombre, ", ".join(c for c, _, _ in campos), campos)
        aviso = _aviso_correccion(r.nombre, actual, reporte)
        if aviso:
            self.resultado.avisos.append(aviso)

    def leer_campos_plan(self) -> dict[str, tuple[FilaLeida, Lector]]:
        """The «Plan» sheet: rows of Campo / Valor, keyed by field name."""
        hoja = self.hoja(HOJA_PLAN)
        if hoja is None:
            return {}
        lector = Lector(hoja, self.errores)
        if not lector.columnas_obligatorias(["Campo", "Valor"]):
            return {}
        por_titulo = {normalizar(titulo): campo for campo, titulo in CAMPOS_PLAN}
        campos: dict[str, tuple[FilaLeida, Lector]] = {}
        for fila in hoja.filas:
            nombre = normalizar(lector.texto(fila, "Campo"))
            if nombre in por_titulo:
                campos[por_titulo[nombre]] = (fila, lector)
        return campos

    def validar(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def aplicar(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _aviso_correccion(nombre: str, antes: Reporte, despues: Reporte) -> str:
    """What a changed report means for the official figures, in words (empty when nothing to say)."""
    if antes.estado == Reporte.Estado.APROBADO and not antes.en_correccion:
        return (
            f"{nombre}: el valor aprobado {mostrar(antes.valor)} se corrige a {mostrar(despues.valor)}. La corrección "
            "queda en borrador para revisión: envíela y, hasta que la oficina de planeación la apruebe, el valor "
            f"aprobado {mostrar(antes.valor)} sigue siendo el oficial en tableros, informes y exportaciones."
        )
    if antes.en_correccion and not despues.en_correccion:
        return f"{nombre}: vuelve al valor aprobado {mostrar(despues.valor)}; se retira la corrección que estaba en revisión."
    if antes.en_correccion:
        return (
            f"{nombre}: tiene una corrección en revisión; el valor aprobado {mostrar(antes.valor_oficial)} sigue siendo "
            "el oficial hasta que se apruebe la corrección."
        )
    if antes.estado == Reporte.Estado.ENVIADO:
        return f"{nombre}: estaba enviado a revisión; con el cambio vuelve a borrador y debe enviarse de nuevo."
    if antes.estado == Reporte.Estado.DEVUELTO:
        return f"{nombre}: estaba devuelto; con la corrección queda en borrador, lista para enviarse de nuevo a revisión."
    return ""


# ---------------------------------------------------------------------------------------------
# A whole plan
# ---------------------------------------------------------------------------------------------


def puede_importar_plan(usuario) -> bool:
    """Whole plans are loaded by the planning office (Revisor) or an administrator."""
    return permisos.es_revisor(usuario)


def puede_publicar_planes(usuario, *, nuevo: bool) -> bool:
    """Whether the admin lets this user publish (or unpublish) a plan: whoever may add or change
    plans there. The planning office's role (Revisor) may not, unless it is given that permission."""
    return usuario.has_perm("politicas.add_plan" if nuevo else "politicas.change_plan")


def puede_mover_indicadores(usuario) -> bool:
    """Who reports an indicator (its dependencia) is part of the plan's structure: in the admin
    only an administrator changes it (`IndicadorAdmin.CAMPOS_ESTRUCTURA`)."""
    return bool(usuario.is_superuser)


@dataclass
class _NivelArchivo:
    fila: FilaLeida
    codigo: str
    padre: str
    nombre: str
    peso: Decimal | None


@dataclass
class _IndicadorArchivo:
    fila: FilaLeida
    campos: dict[str, Any]
    nivel: str
    dependencia: str
    enfoques: list[str]
    metas: dict[int, Decimal]
    metas_vacias: set[int]


# The «Indicadores» column of each field, for messages about a field.
COLUMNA_DEL_CAMPO = {
    "codigo": "Código", "nombre": "Indicador", "producto": "Producto", "unidad": "Unidad", "tipo_anualizacion": "Tipo",
    "periodicidad": "Periodicidad", "peso": "Ponderación", "linea_base": "Línea base",
    "anio_linea_base": "Año de línea base", "meta_final": "Meta final", "ilustrativo": "Ilustrativo",
    "fuente": "Fuente", "nivel": "Nivel", "dependencia": "Dependencia", "enfoques": "Enfoques",
}


def _diferencias(antes, ahora, etiqueta: Callable[[str], str]) -> tuple[list[str], str | None]:
    """«campo: «a» → «b»» for each key whose value differs between two read dicts, and the first
    such key (to place the message)."""
    antes = antes if isinstance(antes, dict) else {}
    ahora = ahora if isinstance(ahora, dict) else {}
    claves = [c for c in dict.fromkeys([*antes, *ahora]) if antes.get(c) != ahora.get(c)]
    lineas = [f"{etiqueta(c)}: «{antes.get(c) or '(vacío)'}» → «{ahora.get(c) or '(vacío)'}»" for c in claves]
    return lineas, (claves[0] if claves else None)


class ImportadorPlan(_Importador):
    tipo = "plan"

    # -- checking ---------------------------------------------------------------------------
    def validar(self) -> None:
        if not puede_importar_plan(self.usuario):
            self.errores.append(
                Error(HOJA_PLAN, None, None, "Solo la oficina de planeación (rol Revisor) o un administrador puede "
                      "importar un plan completo. Para cargar avances use la plantilla de avance del semestre.")
            )
            return
        hojas = [self.hoja(HOJA_PLAN), self.hoja(HOJA_NIVELES), self.hoja(HOJA_INDICADORES)]
        if None in hojas:
            return
        self._validar_plan()
        if self.plan_datos is None:
            return
        self._cargar_existentes()
        self._validar_publicacion()
        self._anotar_plan()
        self._validar_niveles()
        self._validar_indicadores()
        self._validar_reportes()
        if not self.errores:
            self._validar_pesos()

    def _validar_plan(self) -> None:
        campos = self.leer_campos_plan()
        self.campos_plan = campos
        self.plan_datos = None
        datos: dict[str, Any] = {}

        def leer(campo: str, funcion: str, **kw):
            titulo = dict(CAMPOS_PLAN)[campo]
            if campo not in campos:
                if kw.get("requerido"):
                    self.errores.append(Error(HOJA_PLAN, None, "Campo", f"Falta la fila «{titulo}»."))
                return None
            fila, lector = campos[campo]
            valor = getattr(lector, funcion)(fila, "Valor", **kw)
            return valor

        n = len(self.errores)
        datos["codigo"] = leer("codigo", "texto", requerido=True)
        datos["nombre"] = leer("nombre", "texto", requerido=True, maximo=300)
        datos["tipo"] = leer("tipo", "opcion", opciones=Plan.Tipo, requerido=True) or Plan.Tipo.PLAN_DESARROLLO
        datos["documento"] = leer("documento", "texto", maximo=200) or ""
        datos["entidad"] = leer("entidad", "texto", requerido=True, maximo=200)
        datos["anio_inicio"] = leer("anio_inicio", "entero", requerido=True)
        datos["anio_fin"] = leer("anio_fin", "entero", requerido=True)
        datos["nombres_niveles"] = leer("nombres_niveles", "texto", maximo=200) or "Eje, Componente, Programa"
        datos["dependencia_lider"] = leer("dependencia_lider", "texto", maximo=200) or ""
        datos["objetivo"] = leer("objetivo", "texto") or ""
        # No «Publicado» row or an empty cell: the plan stays as published as it is.
        datos["publicado"] = leer("publicado", "booleano_o_nada")
        codigo = datos["codigo"]
        if codigo and (slugify(codigo) != codigo or len(codigo) > 60):
            fila, _ = campos["codigo"]
            self.errores.append(Error(HOJA_PLAN, fila.numero, "Valor", f"El código «{codigo}» solo puede tener "
                                      "minúsculas sin tildes, números y guiones (por ejemplo «cali-2016»)."))
        inicio, fin = datos["anio_inicio"], datos["anio_fin"]
        if inicio is not None and fin is not None:
            if not (1990 <= inicio <= 2100 and 1990 <= fin <= 2100):
                self.errores.append(Error(HOJA_PLAN, self._fila_plan("anio_inicio"), "Valor",
                                          "Los años del plan deben estar entre 1990 y 2100."))
            elif fin < inicio:
                self.errores.append(Error(HOJA_PLAN, self._fila_plan("anio_fin"), "Valor",
                                          "El año de fin no puede ser anterior al año de inicio."))
        if len(self.errores) == n:
            self.plan_datos = datos
            # An unsaved plan answers `vigente_en` for the rules before anything is written.
            self.plan_reglas = Plan(anio_inicio=inicio, anio_fin=fin)

    def _fila_plan(self, campo: str) -> int | None:
        return self.campos_plan[campo][0].numero if campo in self.campos_plan else None

    def _cargar_existentes(self) -> None:
        """The plan as it is in the database (nothing when it is new): a few queries."""
        self.plan = (
            Plan.objects.filter(codigo=self.plan_datos["codigo"]).select_related("entidad", "dependencia_lider").first()
        )
        self.niveles_bd: dict[str, Nivel] = {}
        self.indicadores_bd: dict[str, Indicador] = {}
        self.metas_bd: dict[str, dict[int, Decimal]] = defaultdict(dict)
        self.enfoques_bd: dict[int, set[str]] = defaultdict(set)
        if self.plan:
            self.niveles_bd = {n.codigo: n for n in Nivel.objects.filter(plan=self.plan).select_related("padre")}
            self.indicadores_bd = {
                i.codigo: i for i in Indicador.objects.filter(plan=self.plan).select_related("nivel", "dependencia")
            }
            for codigo, anio, valor in Meta.objects.filter(indicador__plan=self.plan).values_list(
                "indicador__codigo", "anio", "valor"
            ):
                self.metas_bd[codigo][anio] = valor
            for indicador_id, codigo in Indicador.enfoques.through.objects.filter(
                indicador__plan=self.plan
            ).values_list("indicador_id", "enfoque__codigo"):
                self.enfoques_bd[indicador_id].add(codigo)
        self.enfoques = {}
        for enfoque in Enfoque.objects.all():
            self.enfoques[normalizar(enfoque.codigo)] = enfoque
            self.enfoques[normalizar(enfoque.nombre)] = enfoque

    def _validar_publicacion(self) -> None:
        """Publishing a plan (or withdrawing it) is what the admin lets change plans do; the
        planning office loads and corrects plans but, by default, does not publish them."""
        quiere = self.plan_datos["publicado"]
        actual = bool(self.plan and self.plan.publicado)
        if quiere is None or quiere == actual or puede_publicar_planes(self.usuario, nuevo=self.plan is None):
            return
        accion = "publicar" if quiere else "retirar la publicación de"
        self.errores.append(
            Error(HOJA_PLAN, self._fila_plan("publicado"), "Valor",
                  f"Su usuario no puede {accion} el plan «{self.plan_datos['codigo']}»: en la administración solo "
                  f"lo hace quien puede modificar planes (un administrador). Escriba «{mostrar(actual)}» en esta "
                  "celda (o déjela vacía) y pida la publicación a un administrador.")
        )

    def _valores_plan(self, plan: Plan | None) -> dict[str, str] | str:
        if plan is None:
            return ""
        return {
            campo: _huella(getattr(plan, campo)) for campo in self.plan_datos if campo != "codigo"
        }

    def _anotar_plan(self) -> None:
        plan = self.plan
        titulos = dict(CAMPOS_PLAN)

        def describir(antes, ahora):
            if antes == "" or ahora == "":
                quien = _autor(_ultimo(Plan.history.filter(codigo=self.plan_datos["codigo"])))
                que = "creó" if antes == "" else "eliminó"
                return f"otra persona {que} el plan «{self.plan_datos['codigo']}»{quien}"
            lineas, primero = _diferencias(antes, ahora, lambda c: titulos.get(c, c).lower())
            # On the row of the first field that changed.
            return f"el plan «{plan.codigo}»: {'; '.join(lineas)}{_autor(_ultimo(plan.history))}", self._fila_plan(primero), None

        self.anotar("plan", self._valores_plan(plan), (HOJA_PLAN, self._fila_plan("codigo"), "Valor"), describir)

    def _validar_niveles(self) -> None:
        hoja = self.hoja(HOJA_NIVELES)
        lector = Lector(hoja, self.errores)
        self.niveles: list[_NivelArchivo] = []
        if not lector.columnas_obligatorias(["Código", "Nombre"]):
            return
        for fila in hoja.filas:
            peso = lector.numero(fila, "Ponderación")
            if peso is not None and peso < 0:
                lector.error(fila, "Ponderación", "La ponderación no puede ser negativa.")
            nivel = _NivelArchivo(
                fila, lector.texto(fila, "Código", requerido=True, maximo=40),
                lector.texto(fila, "Código del padre", maximo=40), lector.texto(fila, "Nombre", requerido=True), peso,
            )
            self.niveles.append(nivel)
            self._anotar_nivel(nivel)
        _duplicados(lector, [(n.fila, n.codigo, n.codigo) for n in self.niveles if n.codigo], "Código", "El código de nivel")
        codigos = {n.codigo for n in self.niveles} | set(self.niveles_bd)
        padres = {codigo: nivel.padre.codigo if nivel.padre_id else "" for codigo, nivel in self.niveles_bd.items()}
        padres.update({n.codigo: n.padre for n in self.niveles})
        for nivel in self.niveles:
            if nivel.padre and nivel.padre not in codigos:
                lector.error(nivel.fila, "Código del padre", f"El nivel padre «{nivel.padre}» no existe en la hoja ni en el plan.")
                continue
            vistos, actual = {nivel.codigo}, nivel.padre
            while actual:
                if actual in vistos:
                    lector.error(nivel.fila, "Código del padre", f"El nivel «{nivel.codigo}» quedaría como su propio ancestro.")
                    break
                vistos.add(actual)
                actual = padres.get(actual, "")
        self.padres = padres

    def _anotar_nivel(self, nivel: _NivelArchivo) -> None:
        existente = self.niveles_bd.get(nivel.codigo)
        valores = "" if existente is None else {
            "Código del padre": existente.padre.codigo if existente.padre_id else "",
            "Nombre": _huella(existente.nombre), "Ponderación": _huella(existente.peso),
        }

        def describir(antes, ahora) -> str:
            if antes == "":
                return f"otra persona creó el nivel {nivel.codigo}"
            lineas, _ = _diferencias(antes, ahora, str.lower)
            return f"el nivel {nivel.codigo}: {'; '.join(lineas)}{_autor(_ultimo(existente.history))}"

        self.anotar(f"nivel {nivel.codigo}", valores, (HOJA_NIVELES, nivel.fila.numero, "Nombre"), describir)

    def _validar_indicadores(self) -> None:
        hoja = self.hoja(HOJA_INDICADORES)
        lector = Lector(hoja, self.errores)
        self.indicadores: list[_IndicadorArchivo] = []
        if not lector.columnas_obligatorias(["Código", "Indicador", "Nivel", "Tipo", "Periodicidad", "Dependencia"]):
            return
        anios_meta = {}
        for clave, titulo in hoja.titulos.items():
            coincide = _META.match(clave)
            if coincide:
                anios_meta[int(coincide.group(1))] = titulo
        self.anios_meta = anios_meta
        niveles = {n.codigo for n in self.niveles} | set(self.niveles_bd)
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Indicadores revisados", n, len(hoja.filas))
            campos = {
                "codigo": lector.texto(fila, "Código", requerido=True, maximo=40),
                "nombre": lector.texto(fila, "Indicador", requerido=True),
                "producto": lector.texto(fila, "Producto"),
                "unidad": lector.opcion(fila, "Unidad", Unidad, defecto=Unidad.NUMERO),
                "tipo_anualizacion": lector.opcion(fila, "Tipo", TipoAnualizacion, requerido=True),
                "periodicidad": lector.opcion(fila, "Periodicidad", Periodicidad, requerido=True),
                "peso": lector.numero(fila, "Ponderación"),
                "linea_base": lector.numero(fila, "Línea base"),
                "anio_linea_base": lector.entero(fila, "Año de línea base"),
                "meta_final": lector.numero(fila, "Meta final"),
                "ilustrativo": lector.booleano(fila, "Ilustrativo"),
                "fuente": lector.texto(fila, "Fuente", maximo=200),
            }
            nivel = lector.texto(fila, "Nivel", requerido=True)
            if nivel and nivel not in niveles:
                lector.error(fila, "Nivel", f"El nivel «{nivel}» no existe en la hoja Niveles ni en el plan.")
            dependencia = lector.texto(fila, "Dependencia", requerido=True, maximo=200)
            self._validar_dependencia(lector, fila, campos["codigo"], dependencia)
            enfoques = []
            for nombre in filter(None, (t.strip() for t in lector.texto(fila, "Enfoques").split(","))):
                enfoque = self.enfoques.get(normalizar(nombre))
                if enfoque is None:
                    opciones = ", ".join(sorted({e.codigo for e in self.enfoques.values()}))
                    lector.error(fila, "Enfoques", f"El enfoque «{nombre}» no existe; use: {opciones}.")
                else:
                    enfoques.append(enfoque.codigo)
            metas, vacias = {}, set()
            for anio, titulo in sorted(anios_meta.items()):
                valor = lector.numero(fila, titulo)
                if valor is None:
                    if normalizar(titulo) not in fila.celdas:
                        vacias.add(anio)
                    continue
                metas[anio] = valor
                for mensaje in _mensajes(
                    reglas.errores_valor_en_plan(plan=self.plan_reglas, unidad=campos["unidad"], anio=anio, valor=valor, que="La meta")
                ):
                    lector.error(fila, titulo, mensaje)
            if campos["peso"] is not None and campos["peso"] < 0:
                lector.error(fila, "Ponderación", "La ponderación no puede ser negativa.")
            for campo, mensajes in reglas.errores_indicador(
                tipo=campos["tipo_anualizacion"], linea_base=campos["linea_base"], unidad=campos["unidad"]
            ).items():
                for mensaje in mensajes:
                    lector.error(fila, "Línea base" if campo == "linea_base" else "Tipo", mensaje)
            # The targets the indicator will have: the file's years, the database's for the others.
            finales = {a: v for a, v in self.metas_bd.get(campos["codigo"], {}).items() if a not in anios_meta}
            finales.update(metas)
            for mensaje in _mensajes(
                reglas.errores_metas(
                    tipo=campos["tipo_anualizacion"], linea_base=campos["linea_base"], meta_final=campos["meta_final"],
                    metas=finales,
                )
            ):
                lector.error(fila, "Meta final", mensaje)
            self._validar_metas_pasadas(lector, fila, campos["codigo"], metas, vacias, anios_meta)
            leido = _IndicadorArchivo(fila, campos, nivel, dependencia, enfoques, metas, vacias)
            self.indicadores.append(leido)
            if campos["codigo"]:
                self._anotar_indicador(leido)
        _duplicados(
            lector, [(i.fila, i.campos["codigo"], i.campos["codigo"]) for i in self.indicadores if i.campos["codigo"]],
            "Código", "El código de indicador",
        )

    def _validar_dependencia(self, lector: Lector, fila: FilaLeida, codigo: str, dependencia: str) -> None:
        """Moving an indicator to another dependencia (who reports it) is an administrator's
        change in the admin; the import allows it to the same people."""
        existente = self.indicadores_bd.get(codigo)
        if existente is None or not dependencia or _mismo_texto(existente.dependencia.nombre, dependencia):
            return
        if puede_mover_indicadores(self.usuario):
            return
        lector.error(
            fila, "Dependencia",
            f"El indicador {codigo} lo reporta «{existente.dependencia.nombre}»: pasarlo a «{dependencia}» cambia "
            "quién lo reporta y, como en la administración, solo lo hace un administrador. Escriba "
            f"«{existente.dependencia.nombre}» en esta celda.",
        )

    def _anotar_indicador(self, leido: _IndicadorArchivo) -> None:
        """An indicator is read as its fields, its dependencia, level and enfoques, and its targets."""
        codigo = leido.campos["codigo"]
        existente = self.indicadores_bd.get(codigo)
        valores: dict[str, str] | str = ""
        if existente is not None:
            valores = {campo: _huella(getattr(existente, campo)) for campo in leido.campos if campo != "codigo"}
            valores["nivel"] = existente.nivel.codigo
            valores["dependencia"] = _huella(existente.dependencia.nombre)
            valores["enfoques"] = ", ".join(sorted(self.enfoques_bd.get(existente.pk, ())))

        def describir(antes, ahora):
            if antes == "" or ahora == "":
                return f"otra persona {'creó' if antes == '' else 'eliminó'} el indicador {codigo}"
            lineas, primero = _diferencias(antes, ahora, lambda c: COLUMNA_DEL_CAMPO.get(c, c).lower())
            texto = f"el indicador {codigo}: {'; '.join(lineas)}{_autor(_ultimo(existente.history))}"
            return texto, None, COLUMNA_DEL_CAMPO.get(primero)

        self.anotar(f"indicador {codigo}", valores, (HOJA_INDICADORES, leido.fila.numero, "Código"), describir)
        metas = {str(anio): _huella(valor) for anio, valor in sorted(self.metas_bd.get(codigo, {}).items())}

        def describir_metas(antes, ahora):
            lineas, primero = _diferencias(antes, ahora, lambda anio: f"meta {anio}")
            anios = [int(a) for a in {*antes, *ahora} if antes.get(a) != ahora.get(a)]
            registro = _ultimo(Meta.history.filter(indicador_id=existente.pk if existente else None, anio__in=anios))
            texto = f"las metas del indicador {codigo}: {'; '.join(lineas)}{_autor(registro)}"
            return texto, None, self.anios_meta.get(int(primero)) if primero else None

        self.anotar(f"metas {codigo}", metas, (HOJA_INDICADORES, leido.fila.numero, "Meta final"), describir_metas)

    def _validar_metas_pasadas(self, lector, fila, codigo, metas, vacias, anios_meta) -> None:
        """Targets of past years of an existing indicator are frozen (as in the admin): changed,
        added or removed only by an administrator with a reason. A new indicator's targets are
        its plan being loaded, whatever their years."""
        if codigo not in self.indicadores_bd:
            return
        existentes = self.metas_bd.get(codigo, {})
        for anio in sorted(set(existentes) | set(metas)):
            cambia = (anio in metas and metas[anio] != existentes.get(anio)) or (anio in vacias and anio in existentes)
            if cambia:
                try:
                    services.meta_verificar_vigencia(anio=anio, usuario=self.usuario, motivo=self.motivo)
                except ValidationError as exc:
                    for mensaje in exc.messages:
                        lector.error(fila, anios_meta[anio], mensaje)

    def _validar_reportes(self) -> None:
        self.reportes: list[_ReporteArchivo] = []
        hoja = self.hoja(HOJA_REPORTES, obligatoria=False)
        if hoja is None:
            return
        lector = Lector(hoja, self.errores)
        if not lector.columnas_obligatorias(["Código del indicador", "Año", "Periodo", "Avance"]):
            return
        indicadores = {i.campos["codigo"]: i.campos for i in self.indicadores}
        for codigo, ind in self.indicadores_bd.items():
            indicadores.setdefault(codigo, {"unidad": ind.unidad, "periodicidad": ind.periodicidad})
        self.reportes_bd = {
            (r.indicador_id, r.anio, r.periodo): r
            for r in Reporte.objects.filter(indicador__plan=self.plan).select_related("indicador")
        } if self.plan else {}
        claves = []
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Reportes revisados", n, len(hoja.filas))
            codigo = lector.texto(fila, "Código del indicador", requerido=True)
            anio = lector.entero(fila, "Año", requerido=True)
            periodo = lector.entero(fila, "Periodo", requerido=True)
            valor = lector.numero(fila, "Avance", requerido=True)
            estado = lector.opcion(fila, "Estado", Reporte.Estado, defecto="")
            indicador = indicadores.get(codigo)
            if codigo and indicador is None:
                lector.error(fila, "Código del indicador", f"El indicador «{codigo}» no está en la hoja Indicadores ni en el plan.")
            if indicador and anio is not None:
                for campo, mensajes in reglas.errores_valor_en_plan(
                    plan=self.plan_reglas, unidad=indicador["unidad"], anio=anio, valor=valor, que="El reporte"
                ).items():
                    for mensaje in mensajes:
                        lector.error(fila, "Año" if campo == "anio" else "Avance", mensaje)
            if indicador and periodo is not None and indicador.get("periodicidad"):
                for mensaje in _mensajes(reglas.errores_periodo(periodicidad=indicador["periodicidad"], periodo=periodo)):
                    lector.error(fila, "Periodo", mensaje)
            if None in (anio, periodo, valor) or not codigo or indicador is None:
                continue
            existente = self.indicadores_bd.get(codigo)
            r = _ReporteArchivo(
                fila, codigo, anio, periodo, valor, lector.texto(fila, "Observaciones"), lector.texto(fila, "Plan de choque"),
                estado=estado, ilustrativo=lector.booleano_o_nada(fila, "Ilustrativo"),
                actual=self.reportes_bd.get((existente.pk, anio, periodo)) if existente is not None else None,
                nombre=f"{codigo} {reglas.nombre_periodo(periodicidad=indicador['periodicidad'], anio=anio, periodo=periodo)}",
            )
            claves.append((fila, (codigo, anio, periodo), r.nombre))
            self.anotar_reporte(r, (hoja.nombre, fila.numero, "Avance"))
            self._validar_estado(lector, r)
            self.reportes.append(r)
        _duplicados(lector, claves, "Periodo", "El reporte")

    def _validar_estado(self, lector: Lector, r: _ReporteArchivo) -> None:
        """The import never changes a report's review state: a report is sent, approved or returned
        in the review (with its plan-de-choque and version checks), not by a spreadsheet cell."""
        actual = r.actual
        if actual is None:
            if r.estado == Reporte.Estado.DEVUELTO:
                lector.error(r.fila, "Estado", f"El reporte {r.nombre} es nuevo: no puede entrar devuelto (la "
                             "devolución la hace la oficina de planeación al revisarlo, con su comentario). Escriba "
                             "«Borrador», «Enviado» o, si es una cifra ya publicada, «Aprobado».")
            if r.ilustrativo and r.estado != Reporte.Estado.APROBADO:
                lector.error(r.fila, "Ilustrativo", f"El reporte {r.nombre} es nuevo: solo una cifra ya publicada "
                             "(estado «Aprobado») se carga como valor ilustrativo.")
            return
        if r.es_copia_oficial:
            return
        if r.estado and r.estado != actual.estado:
            lector.error(
                r.fila, "Estado",
                f"El reporte {r.nombre} está «{actual.get_estado_display()}» y el archivo dice «{ESTADOS[r.estado]}»: "
                "la importación no cambia el estado de revisión. Los reportes se envían, aprueban o devuelven en la "
                "revisión, que controla el plan de choque y la versión. Escriba "
                f"«{actual.get_estado_display()}» en esta celda o déjela vacía.",
            )
        if r.ilustrativo is not None and r.ilustrativo != actual.ilustrativo:
            lector.error(
                r.fila, "Ilustrativo",
                f"El reporte {r.nombre} tiene «Ilustrativo» en «{mostrar(actual.ilustrativo)}»: esa marca no se cambia "
                f"al importar. Escriba «{mostrar(actual.ilustrativo)}» en esta celda o déjela vacía.",
            )

    def _validar_pesos(self) -> None:
        """Siblings' weights add up to their parent's (100 for the top level), file and database merged."""
        pesos_niveles = {codigo: nivel.peso for codigo, nivel in self.niveles_bd.items()}
        nombres = {codigo: nivel.codigo for codigo, nivel in self.niveles_bd.items()}
        filas_niveles = {}
        for nivel in self.niveles:
            pesos_niveles[nivel.codigo] = nivel.peso
            filas_niveles[nivel.codigo] = nivel.fila.numero
            nombres[nivel.codigo] = nivel.codigo
        hijos: dict[str, list[tuple[str, Decimal | None]]] = defaultdict(list)
        for codigo in pesos_niveles:
            hijos[self.padres.get(codigo, "")].append((codigo, pesos_niveles[codigo]))
        en_archivo = {i.campos["codigo"] for i in self.indicadores}
        codigo_nivel = {nivel.pk: codigo for codigo, nivel in self.niveles_bd.items()}
        for codigo, ind in self.indicadores_bd.items():
            if codigo not in en_archivo:
                hijos[codigo_nivel.get(ind.nivel_id, "")].append((codigo, ind.peso))
        hoja_hijos = {}
        for ind in self.indicadores:
            hijos[ind.nivel].append((ind.campos["codigo"], ind.campos["peso"]))
            hoja_hijos[ind.nivel] = HOJA_INDICADORES
        for mensaje in reglas.errores_pesos(padre=f"el plan «{self.plan_datos['codigo']}»", peso_padre=PESO_TOTAL, hijos=hijos[""]):
            self.errores.append(Error(HOJA_NIVELES, None, "Ponderación", mensaje))
        for codigo, peso in pesos_niveles.items():
            for mensaje in reglas.errores_pesos(padre=f"el nivel {codigo}", peso_padre=peso, hijos=hijos.get(codigo, [])):
                self.errores.append(Error(hoja_hijos.get(codigo, HOJA_NIVELES), filas_niveles.get(codigo), "Ponderación", mensaje))

    # -- writing --------------------------------------------------------------------------------
    def aplicar(self) -> None:
        datos = self.plan_datos
        entidad = Entidad.objects.filter(nombre=datos["entidad"]).first()
        if entidad is None:
            entidad = Entidad.objects.create(nombre=datos["entidad"])
            self.cambio("crear", "entidad", entidad.nombre)
        dependencias = {d.nombre: d for d in Dependencia.objects.filter(entidad=entidad)}

        def dependencia(nombre: str) -> Dependencia:
            if nombre not in dependencias:
                dependencias[nombre] = Dependencia.objects.create(entidad=entidad, nombre=nombre)
                self.cambio("crear", "dependencia", nombre)
            return dependencias[nombre]

        plan = self.plan or Plan(codigo=datos["codigo"])
        valores = {k: v for k, v in datos.items() if k not in ("codigo", "entidad", "dependencia_lider", "publicado")}
        if datos["publicado"] is not None:
            valores["publicado"] = datos["publicado"]
        valores["entidad"] = entidad
        valores["dependencia_lider"] = dependencia(datos["dependencia_lider"]) if datos["dependencia_lider"] else None
        self._guardar(plan, valores, "plan", plan.codigo)
        self._aplicar_niveles(plan)
        indicadores = self._aplicar_indicadores(plan, dependencia)
        self._aplicar_reportes(indicadores)
        self.resultado.plan_codigo = plan.codigo

    def _guardar(self, objeto, valores: dict[str, Any], que: str, clave: str) -> bool:
        """Create or update `objeto` with `valores`, noting each change before → after; False when
        nothing changed (texts compared as stored, so CRLF or a trailing blank is no change)."""
        nuevo = objeto.pk is None
        cambiados = [] if nuevo else [c for c, v in valores.items() if not _mismo_valor(objeto, c, v)]
        if not nuevo and not cambiados:
            return False
        antes = {c: _mostrar_campo(objeto, c, getattr(objeto, c)) for c in cambiados}
        for campo, valor in valores.items():
            setattr(objeto, campo, valor)
        self._con_historial(objeto).save()
        # The preview names the changed fields as the admin does («tipo de anualización»).
        campos = [(_nombre_campo(objeto, c), antes[c], _mostrar_campo(objeto, c, valores[c])) for c in cambiados]
        self.cambio("crear" if nuevo else "modificar", que, clave, ", ".join(n for n, _, _ in campos), campos)
        return True

    def _con_historial(self, objeto):
        """Attribute the history record of the next save or delete to the importing user, with the
        reason (`--motivo`) when there is one (django-simple-history reads these attributes)."""
        objeto._history_user = _usuario_guardado(self.usuario)
        if self.motivo:
            objeto._change_reason = _motivo_historial(self.motivo)
        return objeto

    def _aplicar_niveles(self, plan: Plan) -> None:
        por_codigo = dict(self.niveles_bd)
        pendientes = {n.codigo: n for n in self.niveles}
        orden = {n.codigo: i for i, n in enumerate(self.niveles, start=1)}

        def guardar(codigo: str) -> Nivel:
            fila = pendientes.pop(codigo)
            padre = None
            if fila.padre:
                padre = guardar(fila.padre) if fila.padre in pendientes else por_codigo[fila.padre]
            nivel = por_codigo.get(codigo) or Nivel(plan=plan, codigo=codigo, orden=orden[codigo])
            self._guardar(nivel, {"padre": padre, "nombre": fila.nombre, "peso": fila.peso}, "nivel", codigo)
            por_codigo[codigo] = nivel
            return nivel

        while pendientes:  # parents first, whatever the rows' order
            guardar(next(iter(pendientes)))
        self.niveles_guardados = por_codigo

    def _aplicar_indicadores(self, plan: Plan, dependencia) -> dict[str, Indicador]:
        por_codigo = dict(self.indicadores_bd)
        enfoques = {e.codigo: e for e in self.enfoques.values()}
        lector = Lector(self.hoja(HOJA_INDICADORES), self.errores)
        total = len(self.indicadores)
        for n, fila in enumerate(self.indicadores, start=1):
            self.avisar("Indicadores escritos", n, total)
            codigo = fila.campos["codigo"]
            # New rows keep the sheet's order; existing ones keep theirs (a re-import is no reorder).
            indicador = por_codigo.get(codigo) or Indicador(plan=plan, codigo=codigo, orden=n)
            valores = dict(fila.campos)
            del valores["codigo"]
            valores["nivel"] = self.niveles_guardados[fila.nivel]
            valores["dependencia"] = dependencia(fila.dependencia)
            cambio = self._guardar(indicador, valores, "indicador", codigo)
            por_codigo[codigo] = indicador
            antes = self.enfoques_bd.get(indicador.pk, set())
            if set(fila.enfoques) != antes:
                indicador.enfoques.set([enfoques[c] for c in fila.enfoques])
                if not cambio:
                    self.cambio("modificar", "indicador", codigo, "enfoques", [
                        ("enfoques", mostrar(", ".join(sorted(antes))), mostrar(", ".join(sorted(fila.enfoques))))
                    ])
            self._aplicar_metas(lector, indicador, fila)
        return por_codigo

    def _aplicar_metas(self, lector: Lector, indicador: Indicador, fila: _IndicadorArchivo) -> None:
        """Targets go through the target services (one saved at a time, each with its history
        record, the importing user and the reason); past years' locks were checked by `validar`."""
        existentes = self.metas_bd.get(indicador.codigo, {})
        for anio, valor in sorted(fila.metas.items()):
            if existentes.get(anio) == valor:
                continue
            try:
                self._meta_escribir(indicador, anio, valor, cargada=fila.campos["codigo"] not in self.indicadores_bd)
            except (PermissionDenied, ValidationError) as exc:
                mensajes = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                for mensaje in mensajes:
                    lector.error(fila.fila, self.anios_meta[anio], mensaje)
                continue
            clave = f"{indicador.codigo} {anio}"
            if anio not in existentes:
                self.cambio("crear", "meta", clave, mostrar(valor))
            else:
                self.cambio("modificar", "meta", clave, f"{mostrar(existentes[anio])} → {mostrar(valor)}",
                            [("meta", mostrar(existentes[anio]), mostrar(valor))])
        borrar = sorted(fila.metas_vacias & set(existentes))
        if borrar:
            for meta in Meta.objects.filter(indicador=indicador, anio__in=borrar).order_by("anio"):
                services.meta_eliminar(meta=meta, usuario=self.usuario, motivo=self.motivo)
                self.cambio("eliminar", "meta", f"{indicador.codigo} {meta.anio}", mostrar(existentes[meta.anio]),
                            [("meta", mostrar(existentes[meta.anio]), mostrar(None))])

    def _meta_escribir(self, indicador: Indicador, anio: int, valor: Decimal, *, cargada: bool) -> None:
        """`services.meta_registrar` for who may program the indicator's targets; the planning
        office writes any indicator's targets of the plan (`services.meta_cargar`). A new
        indicator's targets (`cargada`) are its plan being loaded: past years too."""
        if not cargada and permisos.puede_editar_indicador(self.usuario, indicador):
            services.meta_registrar(indicador=indicador, anio=anio, valor=valor, usuario=self.usuario, motivo=self.motivo)
            return
        services.meta_cargar(
            indicador=indicador, anio=anio, valor=valor, usuario=self.usuario, motivo=self.motivo, indicador_nuevo=cargada
        )

    def _aplicar_reportes(self, indicadores: dict[str, Indicador]) -> None:
        if not self.reportes:
            return
        lector = Lector(self.hoja(HOJA_REPORTES), self.errores)
        total = len(self.reportes)
        for n, r in enumerate(self.reportes, start=1):
            self.avisar("Reportes escritos", n, total)
            if not r.sin_cambios:
                self.escribir_reporte(lector, indicadores[r.codigo], r)

    def crear_reporte(self, indicador: Indicador, r: _ReporteArchivo) -> Reporte:
        """A new period's report, in the state the workbook gives, through the services:
        - «Aprobado»: a figure already reviewed and published (`reporte_publicado_cargar`, as the demo
          loader), loaded by the planning office; closed cuts hold. It was reviewed where it was
          published, so the plan-de-choque rule of sending does not apply (a historical 0 % is
          loaded as published);
        - «Enviado»: written as a draft and sent (`reporte_enviar`: the plan-de-choque check);
        - «Borrador» or nothing: a draft (`reporte_registrar`).
        Drafts and sent reports are the dependencia's planners' (or an administrator's) work."""
        if r.estado == Reporte.Estado.APROBADO:
            return self._cargar_publicado(indicador, r)
        reporte = super().crear_reporte(indicador, r)
        if r.estado == Reporte.Estado.ENVIADO:
            try:
                reporte = services.reporte_enviar(reporte=reporte, usuario=self.usuario, motivo=self.motivo)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    raise
                raise ValidationError({"estado": exc.messages}) from exc
        return reporte

    def _cargar_publicado(self, indicador: Indicador, r: _ReporteArchivo) -> Reporte:
        if not permisos.es_revisor(self.usuario):
            raise PermissionDenied(f"Solo la oficina de planeación carga cifras ya aprobadas ({r.nombre}).")
        services.corte_verificar_abierto(
            indicador=indicador, anio=r.anio, periodo=r.periodo, usuario=self.usuario, motivo=self.motivo
        )
        # Only new periods: someone's report created after the check is refused, never overwritten.
        return services.reporte_publicado_cargar(
            indicador=indicador, anio=r.anio, periodo=r.periodo, valor=r.valor, observaciones=r.observaciones,
            plan_de_choque=r.plan_de_choque, ilustrativo=bool(r.ilustrativo), usuario=_usuario_guardado(self.usuario),
            motivo=self.motivo, solo_crear=True,
        )


def _mismo_valor(objeto, campo: str, valor) -> bool:
    """Whether `objeto.campo` already holds `valor`: relations by id (no query), texts as stored."""
    modelo_campo = objeto._meta.get_field(campo)
    if modelo_campo.is_relation:
        return getattr(objeto, modelo_campo.attname) == (valor.pk if valor is not None else None)
    actual = getattr(objeto, campo, None)
    if isinstance(actual, str) or isinstance(valor, str):
        return _mismo_texto(actual, valor)
    return actual == valor


def _mostrar_campo(objeto, campo: str, valor) -> str:
    """A field's value in words: a choice's label, a level by its code, a dependencia by name."""
    modelo_campo = objeto._meta.get_field(campo)
    if modelo_campo.is_relation:
        return "(vacío)" if valor is None else f"«{getattr(valor, 'codigo', None) or valor}»"
    if modelo_campo.choices:
        return str(dict(modelo_campo.flatchoices).get(valor, valor))
    return mostrar(valor)


def _nombre_campo(objeto, campo: str) -> str:
    try:
        return str(objeto._meta.get_field(campo).verbose_name)
    except Exception:  # FieldDoesNotExist: not a model field, show it as written
        return campo


def _usuario_guardado(usuario):
    return usuario if getattr(usuario, "pk", None) else None


# ---------------------------------------------------------------------------------------------
# A semester's progress
# ---------------------------------------------------------------------------------------------


class ImportadorAvance(_Importador):
    """Each report goes through `indicadores.services.reporte_registrar`, so a planner writes only
    the indicators of their dependencias, closed cuts hold and a correction of an approved value
    stays under review."""

    tipo = "avance"

    def validar(self) -> None:
        campos = self.leer_campos_plan()
        hoja = self.hoja(HOJA_REPORTES)
        if hoja is None or self.errores:
            return
        if "codigo" not in campos:
            self.errores.append(Error(HOJA_PLAN, None, "Campo", "Falta la fila «Código» con el código del plan."))
            return
        fila_plan, lector_plan = campos["codigo"]
        codigo = lector_plan.texto(fila_plan, "Valor", requerido=True)
        self.plan = permisos.planes_visibles(self.usuario).filter(codigo=codigo).first() if codigo else None
        if codigo and self.plan is None:
            lector_plan.error(fila_plan, "Valor", f"No existe el plan «{codigo}» o su usuario no puede verlo.")
        lector = Lector(hoja, self.errores)
        if not lector.columnas_obligatorias(["Código del indicador", "Año", "Periodo", "Avance"]) or self.plan is None:
            return
        self.resultado.plan_codigo = self.plan.codigo
        self.indicadores = {i.codigo: i for i in Indicador.objects.filter(plan=self.plan).select_related("plan")}
        por_id = {i.pk: i for i in self.indicadores.values()}
        existentes = {}
        for reporte in Reporte.objects.filter(indicador__plan=self.plan):
            reporte.indicador = por_id[reporte.indicador_id]
            existentes[(reporte.indicador_id, reporte.anio, reporte.periodo)] = reporte
        self.filas: list[_ReporteArchivo] = []
        claves = []
        for n, fila in enumerate(hoja.filas, start=1):
            self.avisar("Filas revisadas", n, len(hoja.filas))
            r = self._leer_fila(lector, fila, existentes)
            if r is None:
                continue
            claves.append((fila, (r.codigo, r.anio, r.periodo), r.nombre))
            self.anotar_reporte(r, (hoja.nombre, fila.numero, "Avance"))
            try:  # who may write it and whether its period is frozen: the same rule as the admin and the API
                services.reporte_verificar(
                    indicador=self.indicadores[r.codigo], anio=r.anio, periodo=r.periodo, usuario=self.usuario,
                    motivo=self.motivo,
                )
            except PermissionDenied as exc:  # even for an unchanged row: another dependencia's report is not theirs
                _error_de_servicio(lector, fila, exc)
                continue
            except ValidationError as exc:
                if not r.sin_cambios:  # an unchanged row of a frozen period writes nothing: no error
                    _error_de_servicio(lector, fila, exc, columna="Periodo")
                continue
            if not r.sin_cambios:  # the template's own copy of an existing report: nothing to write
                self.filas.append(r)
        _duplicados(lector, claves, "Periodo", "El reporte")

    def _leer_fila(self, lector: Lector, fila: FilaLeida, existentes: dict) -> _ReporteArchivo | None:
        observaciones = lector.texto(fila, "Observaciones")
        plan_de_choque = lector.texto(fila, "Plan de choque")
        if "avance" not in fila.celdas and not observaciones and not plan_de_choque:
            return None  # a template row the planner left blank: nothing to report
        codigo_ind = lector.texto(fila, "Código del indicador", requerido=True)
        anio = lector.entero(fila, "Año", requerido=True)
        periodo = lector.entero(fila, "Periodo", requerido=True)
        valor = lector.numero(fila, "Avance", requerido=True)
        indicador = self.indicadores.get(codigo_ind)
        if codigo_ind and indicador is None:
            lector.error(fila, "Código del indicador", f"El indicador «{codigo_ind}» no existe en el plan «{self.plan.codigo}».")
            return None
        if indicador is None or None in (anio, periodo, valor):
            return None
        errores = reglas.errores_valor_en_plan(plan=self.plan, unidad=indicador.unidad, anio=anio, valor=valor, que="El reporte")
        errores.update(reglas.errores_periodo(periodicidad=indicador.periodicidad, periodo=periodo))
        for campo, mensajes in errores.items():
            for mensaje in mensajes:
                lector.error(fila, {"anio": "Año", "periodo": "Periodo"}.get(campo, "Avance"), mensaje)
        if errores:
            return None
        return _ReporteArchivo(
            fila, indicador.codigo, anio, periodo, valor, observaciones, plan_de_choque,
            actual=existentes.get((indicador.pk, anio, periodo)),
            nombre=f"{indicador.codigo} {reglas.nombre_periodo(periodicidad=indicador.periodicidad, anio=anio, periodo=periodo)}",
        )

    def aplicar(self) -> None:
        lector = Lector(self.hoja(HOJA_REPORTES), self.errores)
        total = len(self.filas)
        for n, r in enumerate(self.filas, start=1):
            self.avisar("Reportes escritos", n, total)
            self.escribir_reporte(lector, self.indicadores[r.codigo], r)


# ---------------------------------------------------------------------------------------------
# Templates to download
# ---------------------------------------------------------------------------------------------

INSTRUCCIONES_PLAN = [
    "Plantilla para cargar un plan completo en Seguimiento.",
    "",
    "1. Hoja «Plan»: escriba el valor de cada campo en la columna Valor. El código solo lleva minúsculas, "
    "números y guiones (cali-2016). Tipo: «Plan de desarrollo» o «Política pública».",
    "2. Hoja «Niveles»: una fila por eje, componente, programa, objetivo… El «Código del padre» de los niveles "
    "más generales va vacío. Ponderación: puntos porcentuales del plan (los del nivel más general suman 100); "
    "déjela vacía en todos para que los hermanos pesen igual.",
    "3. Hoja «Indicadores»: una fila por indicador. «Nivel» es el código del nivel al que pertenece. Unidad, "
    "tipo y periodicidad se eligen de la lista (Constante, Anual…). Las columnas «Meta AAAA» llevan la meta de cada vigencia: agregue o "
    "quite columnas para los años del plan. En un indicador de tipo suma la meta final es la suma de las metas.",
    "4. Hoja «Reportes» (opcional): avances ya reportados, uno por fila y periodo. Un reporte nuevo entra con el "
    "estado de la columna Estado: Borrador, Enviado o, si es una cifra ya publicada, Aprobado. La importación no "
    "cambia el estado de un reporte que ya existe (se revisa en la administración); corregir un valor aprobado lo "
    "deja en revisión y el valor aprobado sigue siendo el oficial hasta que se apruebe la corrección.",
    "",
    "Números a la manera colombiana: 7.480 (miles con punto), 0,33 (decimales con coma), $73.700.000 o 100%. "
    "No use fórmulas: escriba los valores.",
    "Se revisan todas las celdas antes de escribir: si hay un solo error no se guarda nada y se indica la hoja, "
    "la fila y la columna. Importar de nuevo el mismo libro actualiza por código; no borra nada, y si nada "
    "cambió no escribe nada («Sin cambios»).",
]
INSTRUCCIONES_AVANCE = [
    "Plantilla para reportar el avance de un semestre.",
    "",
    "Escriba en la hoja «Reportes» el avance de cada indicador y periodo (columna Avance), con sus observaciones "
    "y, si va atrasado o sobre ejecuta, el plan de choque. Las filas que deje sin avance no se tocan.",
    "Solo puede reportar los indicadores de sus dependencias; los reportes quedan en borrador para que usted los "
    "envíe a revisión. Los periodos que ya terminaron en un corte cerrado no se pueden modificar. Corregir un "
    "valor aprobado crea una corrección en revisión: el valor aprobado sigue siendo el oficial hasta que se apruebe.",
    "Números a la manera colombiana: 7.480 (miles con punto), 0,33 (decimales con coma). No use fórmulas.",
    "Si hay un solo error no se guarda nada y se indica la hoja, la fila y la columna.",
]


def _libro_plantilla(instrucciones: list[str]):
    import openpyxl
    from openpyxl.styles import Alignment, Font

    libro = openpyxl.Workbook()
    hoja = libro.active
    hoja.title = "Instrucciones"
    hoja.column_dimensions["A"].width = 120
    for texto in instrucciones:
        hoja.append([texto])
    hoja["A1"].font = Font(bold=True, size=13)
    for fila in hoja.iter_rows(min_row=2):
        fila[0].alignment = Alignment(wrap_text=True, vertical="top")
    return libro


def _encabezados(hoja, columnas) -> None:
    from openpyxl.styles import Font, PatternFill

    hoja.append([c.titulo for c in columnas])
    for i, columna in enumerate(columnas, start=1):
        celda = hoja.cell(row=1, column=i)
        celda.font = Font(bold=True)
        celda.fill = PatternFill("solid", fgColor="FFE7E6E6")
        hoja.column_dimensions[celda.column_letter].width = columna.ancho
    hoja.freeze_panes = "A2"


def _anexar(hoja, valores: list) -> None:
    """Append a row; text from the database that starts like a formula stays text."""
    hoja.append(valores)
    for celda in hoja[hoja.max_row]:
        if isinstance(celda.value, str) and celda.value[:1] in "=+-@":
            celda.data_type = "s"
            celda.quotePrefix = True


def _lista(hoja, valores, rango: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validacion = DataValidation(
        type="list", formula1='"' + ",".join(valores) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="Valor no válido", error="Elija un valor de la lista.",
    )
    hoja.add_data_validation(validacion)
    validacion.add(rango)


def plantilla_plan(destino, *, anio_inicio: int, anio_fin: int) -> None:
    """An empty plan workbook: instructions, the Plan fields, levels, indicators with drop-downs."""
    from reportes.exportar import COLUMNAS_INDICADOR, COLUMNAS_NIVELES, COLUMNAS_REPORTES, Columna, titulo_meta

    libro = _libro_plantilla(INSTRUCCIONES_PLAN)
    plan = libro.create_sheet(HOJA_PLAN)
    _encabezados(plan, [Columna("Campo", 26), Columna("Valor", 60)])
    for campo, titulo in CAMPOS_PLAN:
        plan.append([titulo, {"anio_inicio": anio_inicio, "anio_fin": anio_fin, "publicado": "No"}.get(campo)])
    fila_tipo = 2 + [c for c, _ in CAMPOS_PLAN].index("tipo")
    _lista(plan, [label for _, label in Plan.Tipo.choices], f"B{fila_tipo}")
    fila_publicado = 2 + [c for c, _ in CAMPOS_PLAN].index("publicado")
    _lista(plan, ["Sí", "No"], f"B{fila_publicado}")

    niveles = libro.create_sheet(HOJA_NIVELES)
    _encabezados(niveles, COLUMNAS_NIVELES)
    indicadores = libro.create_sheet(HOJA_INDICADORES)
    columnas = COLUMNAS_INDICADOR + [Columna(titulo_meta(a), 12) for a in range(anio_inicio, anio_fin + 1)]
    _encabezados(indicadores, columnas)
    letra = {c.titulo: indicadores.cell(row=1, column=i).column_letter for i, c in enumerate(columnas, start=1)}
    # The drop-downs offer the labels the export writes; the import also takes the stored codes.
    _lista(indicadores, TipoAnualizacion.labels, f"{letra['Tipo']}2:{letra['Tipo']}5000")
    _lista(indicadores, Periodicidad.labels, f"{letra['Periodicidad']}2:{letra['Periodicidad']}5000")
    _lista(indicadores, Unidad.labels, f"{letra['Unidad']}2:{letra['Unidad']}5000")
    _lista(indicadores, ["Sí", "No"], f"{letra['Ilustrativo']}2:{letra['Ilustrativo']}5000")
    reportes = libro.create_sheet(HOJA_REPORTES)
    _encabezados(reportes, COLUMNAS_REPORTES)
    _lista(reportes, Reporte.Estado.labels, "F2:F50000")
    libro.save(destino)


def periodos_del_semestre(periodicidad: str, semestre: int) -> list[int]:
    """The periods a planner reports at a cut: those that begin in the semester (an annual
    indicator's single period is reported at both cuts: partial in June, final in December)."""
    n = reglas.PERIODOS[periodicidad]
    if n == 1:
        return [1]
    return [p for p in range(1, n + 1) if (2 * (p - 1) < n) == (semestre == 1)]


def plantilla_avance(destino, *, plan: Plan, corte, usuario) -> int:
    """The progress workbook of a cut: one row per indicator the user may report and period of the
    semester, with the year's target and any value already reported. Returns the number of rows."""
    from reportes.exportar import Columna

    libro = _libro_plantilla(INSTRUCCIONES_AVANCE)
    hoja_plan = libro.create_sheet(HOJA_PLAN)
    _encabezados(hoja_plan, [Columna("Campo", 26), Columna("Valor", 60)])
    hoja_plan.append(["Código", plan.codigo])
    hoja_plan.append(["Nombre", plan.nombre])
    hoja_plan.append(["Corte", corte.clave])
    columnas = [
        Columna("Código del indicador", 14), Columna("Indicador", 60), Columna("Dependencia", 28),
        Columna("Periodicidad", 12), Columna("Año", 8), Columna("Periodo", 8), Columna(f"Meta {corte.anio} (referencia)", 14),
        Columna("Avance", 13), Columna("Observaciones", 60), Columna("Plan de choque", 60),
    ]
    hoja = libro.create_sheet(HOJA_REPORTES)
    _encabezados(hoja, columnas)
    hoja.freeze_panes = "C2"
    indicadores = list(
        permisos.indicadores_editables(usuario, Indicador.objects.filter(plan=plan))
        .select_related("dependencia")
        .order_by("orden", "codigo")
    )
    metas = dict(Meta.objects.filter(indicador__in=indicadores, anio=corte.anio).values_list("indicador_id", "valor"))
    reportes = {
        (r.indicador_id, r.periodo): r for r in Reporte.objects.filter(indicador__in=indicadores, anio=corte.anio)
    }
    filas = 0
    for indicador in indicadores:
        for periodo in periodos_del_semestre(indicador.periodicidad, corte.semestre):
            actual = reportes.get((indicador.pk, periodo))
            _anexar(hoja, [
                indicador.codigo, indicador.nombre, indicador.dependencia.nombre, indicador.get_periodicidad_display(),
                corte.anio,
                periodo, metas.get(indicador.pk), actual.valor if actual else None,
                actual.observaciones if actual else None, actual.plan_de_choque if actual else None,
            ])
            filas += 1
    libro.save(destino)
    return filas
