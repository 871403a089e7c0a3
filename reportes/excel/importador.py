"""What every import shares: the result and its changes, the values in words, the importer base.

`importar_libro` (`reportes.excel.importar`) picks `ImportadorPlan` or `ImportadorAvance`; both
are `Importador`s: they check every cell first (`validar`), record what they read of the
database (`anotar`, compared at confirmation with what the preview read), then write through
`indicadores.services` (`aplicar`). Reports are written here for both: a new one or a change of
an existing one, a refusal of the services becoming an error of its row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from indicadores import reglas, services
from indicadores.models import Indicador, Reporte
from reportes.excel.columnas import CAMPOS_PLAN, COLUMNA_REPORTE, HOJA_PLAN
from reportes.excel.lector import ARCHIVO, Error, FilaLeida, HojaLeida, Lector, normalizar
from seguimiento.numeros import formato_numero

_LARGO_TEXTO_VISTA = 120


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


def huella(valor) -> str:
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


def mismo_texto(a, b) -> bool:
    return reglas.normalizar_texto(a) == reglas.normalizar_texto(b)


def autor(registro) -> str:
    """«por planeadora» from a history record, when it says who."""
    if registro is None or not registro.history_user_id:
        return ""
    return f" (por {registro.history_user.get_username()})"


def ultimo(historial):
    return historial.order_by("-history_date", "-history_id").select_related("history_user").first()


# Where a report service's refusal about a field is shown.
_COLUMNAS_REPORTE = {
    campo: COLUMNA_REPORTE[campo].titulo
    for campo in ("valor", "anio", "periodo", "observaciones", "plan_de_choque", "estado")
}


def error_de_servicio(lector, fila, exc: Exception, *, columna: str = "Periodo") -> None:
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


class Abortar(Exception):
    """Raised inside the transaction to roll everything back."""


@dataclass
class ReporteArchivo:
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


class Importador:
    """The steps of an import, run by `importar_libro`: `validar`, then `aplicar` in a transaction."""

    tipo = ""

    def __init__(self, hojas: dict[str, HojaLeida], usuario, resultado: ResultadoImportacion, progreso=None, motivo=""):
        self.hojas = hojas
        self.usuario = usuario
        self.resultado = resultado
        self.errores = resultado.errores
        self.progreso = progreso
        self.leido = resultado.leido
        self._lugares: dict[str, tuple[str, int | None, str | None, Callable[[Any, Any], str]]] = {}
        resultado.tipo = self.tipo
        self.motivo = self._motivo(motivo)

    def _motivo(self, motivo: str) -> str:
        """The import's reason, as the services check it (`services.motivo_verificar`): only an
        administrator gives one, of at most `limites.MAX_MOTIVO` characters. A refused reason is
        one error of the file (nothing is written) and the rows are checked without it. The
        services record it only on the writes that need it (frozen targets and reports)."""
        try:
            return services.motivo_verificar(usuario=self.usuario, motivo=motivo)
        except ValidationError as exc:
            self.errores.extend(Error(ARCHIVO, None, None, mensaje) for mensaje in exc.messages)
            return ""

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

    def anotar_reporte(self, r: ReporteArchivo, lugar: tuple) -> None:
        """A report is read as its version (or «none yet»): any save, review step or creation moves it."""

        def describir(antes, ahora) -> str:
            actual = r.actual
            if actual is None:
                return f"el reporte {r.nombre} fue eliminado"
            if antes == "":
                creado = actual.history.order_by("history_date", "history_id").select_related("history_user").first()
                return (f"otra persona registró el reporte {r.nombre} (avance {mostrar(actual.valor)}, "
                        f"{actual.get_estado_display().lower()}){autor(creado)}")
            cambios = services.reporte_cambios_desde(actual, antes)
            detalle = "; ".join(cambios) if cambios else "sin cambios visibles en sus campos"
            return f"el reporte {r.nombre} pasó de la versión {antes} a la {ahora}: {detalle}"

        self.anotar(f"reporte {r.codigo} {r.anio} {r.periodo}", r.actual.version if r.actual else "", lugar, describir)

    # -- reports, through the services -----------------------------------------------------------
    def escribir_reporte(self, lector: Lector, indicador: Indicador, r: ReporteArchivo) -> None:
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
            error_de_servicio(lector, r.fila, exc)
            return
        self.anotar_cambio_reporte(r, reporte)

    def crear_reporte(self, indicador: Indicador, r: ReporteArchivo) -> Reporte:
        """A new period's report: a draft of the indicator's planner."""
        return services.reporte_registrar(
            indicador=indicador, anio=r.anio, periodo=r.periodo, valor=r.valor, usuario=self.usuario,
            observaciones=r.observaciones, plan_de_choque=r.plan_de_choque, motivo=self.motivo,
        )

    def anotar_cambio_reporte(self, r: ReporteArchivo, reporte: Reporte) -> None:
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
            if (antes != despues if etiqueta == "avance" else not mismo_texto(antes, despues))
        ]
        if reporte.estado != actual.estado:
            campos.append(("estado", actual.get_estado_display(), reporte.get_estado_display()))
        self.cambio("modificar", "reporte", r.nombre, ", ".join(c for c, _, _ in campos), campos)
        aviso = aviso_correccion(r.nombre, actual, reporte)
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
        por_titulo = {normalizar(c.titulo): c.campo for c in CAMPOS_PLAN}
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


def aviso_correccion(nombre: str, antes: Reporte, despues: Reporte) -> str:
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


def diferencias(antes, ahora, etiqueta: Callable[[str], str]) -> tuple[list[str], str | None]:
    """«campo: «a» → «b»» for each key whose value differs between two read dicts, and the first
    such key (to place the message)."""
    antes = antes if isinstance(antes, dict) else {}
    ahora = ahora if isinstance(ahora, dict) else {}
    claves = [c for c in dict.fromkeys([*antes, *ahora]) if antes.get(c) != ahora.get(c)]
    lineas = [f"{etiqueta(c)}: «{antes.get(c) or '(vacío)'}» → «{ahora.get(c) or '(vacío)'}»" for c in claves]
    return lineas, (claves[0] if claves else None)


def usuario_guardado(usuario):
    """Who the history records as the author: nobody for an anonymous command run."""
    return usuario if getattr(usuario, "pk", None) else None

