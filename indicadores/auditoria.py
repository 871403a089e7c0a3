"""The audit trail: who changed which plan, level, indicator, target, report or cut, when, what it
was before and after, and the reason where one was required.

It reads django-simple-history's records (the models declare `HistoricalRecords`). The database
does the filtering, the ordering and the paging (`Historial`, SQL in `indicadores.auditoria_sql`):
Python reads and compares only the rows it shows, each with its previous version, so memory and
the number of queries do not grow with the history. A page costs a count, a listing and one query
per audited model; the Excel export streams the listing and reads the rows a block at a time.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from indicadores import auditoria_sql, reglas
from indicadores.models import Corte, Indicador, Meta, Reporte
from politicas.models import Nivel, Plan
from seguimiento import xlsx
from seguimiento.numeros import formato_numero

TIPOS = {"+": "creación", "~": "modificación", "-": "eliminación"}
COLUMNAS = [
    xlsx.Columna("Fecha", 20),
    xlsx.Columna("Usuario"),
    xlsx.Columna("Acción"),
    xlsx.Columna("Objeto"),
    xlsx.Columna("Plan"),
    xlsx.Columna("Identificación"),
    xlsx.Columna("Cambios (antes → después)", 80),
    xlsx.Columna("Motivo", 40),
]
ENCABEZADOS = [columna.titulo for columna in COLUMNAS]
AUDITADOS = (Plan, Nivel, Corte, Indicador, Meta, Reporte)
# History rows the export reads at a time: its memory is a block's, whatever the history.
FILAS_POR_LECTURA = 400


@dataclass
class Registro:
    fecha: datetime.datetime
    usuario: str
    accion: str  # creación, modificación, eliminación
    objeto: str  # plan, nivel, indicador, meta, reporte, corte
    plan: str
    identificacion: str
    cambios: list[str]  # «cerrado por: — → Rosa Revisora», readable (see `_valor`)
    motivo: str
    id_historico: int = 0  # the history row's history_id in its model's table

    def fila(self) -> list:
        """The row of the Excel export, every text written as text."""
        return [
            timezone.localtime(self.fecha).replace(tzinfo=None),
            self.usuario,
            self.accion,
            self.objeto,
            self.plan,
            self.identificacion,
            xlsx.Texto("\n".join(self.cambios)),
            xlsx.Texto(self.motivo),
        ]


def nombre_usuario(usuario) -> str:
    """A person's name as the trail shows it: full name, or the username when it has none."""
    return usuario.get_full_name() or usuario.get_username()


# --- Readable values ----------------------------------------------------------------------


def _etiqueta(objeto: models.Model) -> str:
    """A related object as the trail names it: a person by name, anything else by code or name."""
    if isinstance(objeto, get_user_model()):
        return nombre_usuario(objeto)
    nombres = {campo.name for campo in objeto._meta.fields}
    if "codigo" in nombres:
        return objeto.codigo
    if "nombre" in nombres:
        return objeto.nombre
    return str(objeto)


def _valor(version: models.Model, campo: models.Field) -> str:
    """A field of a history row as an auditor reads it: choice labels, Sí/No, local dates as
    21/11/2026 18:03, normalised decimals, and related objects by name or code."""
    valor = getattr(version, campo.attname)
    if valor is None or valor == "":
        return "—"
    if campo.many_to_one:
        relacionado = getattr(version, campo.name)  # joined by the query that read the row
        return _etiqueta(relacionado) if relacionado is not None else f"n.º {valor} (ya no existe)"
    if campo.flatchoices:
        return str(dict(campo.flatchoices).get(valor, valor))
    if isinstance(campo, models.BooleanField):
        return "Sí" if valor else "No"
    if isinstance(campo, models.DateTimeField):
        return timezone.localtime(valor).strftime("%d/%m/%Y %H:%M")
    if isinstance(campo, models.DateField):
        return valor.strftime("%d/%m/%Y")
    if isinstance(campo, models.DecimalField) or isinstance(valor, Decimal):
        return formato_numero(valor, getattr(campo, "decimal_places", None) or 6)
    return str(valor)


def _cambios(campos: list[models.Field], anterior, actual) -> list[str]:
    """«campo: antes → después» for each field that changed; a creation lists the fields it set.

    `auditoria_sql.visibles` keeps a modification only when this list would not be empty (or it
    carries a reason): the two must agree on what a change is."""
    if anterior is None:
        return [
            f"{campo.verbose_name}: {_valor(actual, campo)}"
            for campo in campos
            if getattr(actual, campo.attname) not in (None, "")
        ]
    return [
        f"{campo.verbose_name}: {_valor(anterior, campo)} → {_valor(actual, campo)}"
        for campo in campos
        if getattr(anterior, campo.attname) != getattr(actual, campo.attname)
    ]


# --- What each audited model shows ----------------------------------------------------------


@dataclass(frozen=True)
class _Indicador:
    """What names a target or a report: its indicator's code and periodicity (its latest version)."""

    codigo: str
    periodicidad: str

    def meta(self, anio: int) -> str:
        return f"{self.codigo} · vigencia {anio}"

    def reporte(self, anio: int, periodo: int) -> str:
        """«1.1.1 · 2023», «1.1.5 · 2023 · semestre 1»: the period by its name, never «2023-1»."""
        if self.periodicidad in reglas.PERIODOS:
            nombre = reglas.nombre_periodo(periodicidad=self.periodicidad, anio=anio, periodo=periodo)
        else:  # an indicator the trail no longer knows: the period's number is all there is
            nombre = f"{anio} · periodo {periodo}"
        return f"{self.codigo} · {nombre}"


def _indicador(version) -> _Indicador:
    return _Indicador(version.codigo_indicador or "?", version.periodicidad_indicador or "")


@dataclass
class _Fuente:
    """One audited model as the trail reads it.

    `condicion` (SQL on its history table, with `parametros`) keeps the rows the plan or the
    indicator asked for; `anotaciones` add what names a row's plan (`plan_del_registro`) and,
    for targets and reports, their indicator; `identificar` gives the text of «Identificación».
    """

    objeto: str
    modelo: type[models.Model]
    condicion: str
    parametros: tuple
    anotaciones: dict
    identificar: Callable[[models.Model], str]
    # Looked up once: `modelo.history` builds a new manager on every access.
    historico: type[models.Model] = field(init=False)
    campos: list[models.Field] = field(init=False)

    def __post_init__(self) -> None:
        self.historico = self.modelo.history.model
        self.campos = auditoria_sql.campos(self.historico)

    def versiones(self, ids: set[int]) -> dict[int, models.Model]:
        """The history rows `ids` with what they show joined in: one query.

        It runs even when `ids` is empty, so a page costs the same queries whatever kinds of
        change it holds."""
        relaciones = [campo.name for campo in self.campos if campo.many_to_one]
        consulta = self.historico.objects.select_related("history_user", *relaciones).annotate(**self.anotaciones)
        consulta = consulta.filter(history_id__in=ids) if ids else consulta.filter(history_id__isnull=True)
        return {version.history_id: version for version in consulta}


def _del_indicador(plan: Plan | None) -> dict:
    """What a target or a report shows of its indicator: the latest version (deleted indicators
    too), within the plan when one is asked for, as the plan's condition selects them."""
    ultima = Indicador.history.filter(id=OuterRef("indicador_id"), **({"plan_id": plan.pk} if plan else {}))
    ultima = ultima.order_by("-history_date", "-history_id")
    return {
        "codigo_indicador": Subquery(ultima.values("codigo")[:1]),
        "periodicidad_indicador": Subquery(ultima.values("periodicidad")[:1]),
        "plan_del_registro": Subquery(ultima.values("plan__codigo")[:1]),
    }


def _fuentes(*, plan: Plan | None, indicador: Indicador | None) -> list[_Fuente]:
    """The audited models in the order the trail lists changes made at the same instant, each
    with the condition that keeps the plan's or the indicator's rows."""
    todas = ("", ())
    if indicador is not None:
        del_plan, de_sus_indicadores = ("id = %s", (indicador.pk,)), ("indicador_id = %s", (indicador.pk,))
    elif plan is not None:
        del_plan = ("plan_id = %s", (plan.pk,))
        de_sus_indicadores = auditoria_sql.de_indicadores_del_plan(Indicador.history.model, plan.pk)
    else:
        del_plan = de_sus_indicadores = todas
    de_su_plan = {"plan_del_registro": F("plan__codigo")}
    de_su_indicador = _del_indicador(plan)
    fuentes = []
    if indicador is None:
        el_plan = ("id = %s", (plan.pk,)) if plan else todas
        el_plan_vivo = {"plan_del_registro": Subquery(Plan.objects.filter(pk=OuterRef("id")).values("codigo"))}
        fuentes += [
            _Fuente("plan", Plan, *el_plan, el_plan_vivo, lambda v: v.codigo),
            _Fuente("nivel", Nivel, *del_plan, de_su_plan, lambda v: v.codigo),
            _Fuente("corte", Corte, *del_plan, de_su_plan, lambda v: f"{v.anio}-{v.semestre}"),
        ]
    return fuentes + [
        _Fuente("indicador", Indicador, *del_plan, de_su_plan, lambda v: v.codigo),
        _Fuente("meta", Meta, *de_sus_indicadores, de_su_indicador, lambda v: _indicador(v).meta(v.anio)),
        _Fuente("reporte", Reporte, *de_sus_indicadores, de_su_indicador, lambda v: _indicador(v).reporte(v.anio, v.periodo)),
    ]


# --- The trail --------------------------------------------------------------------------------


class Historial:
    """The audited changes matching the filters, newest first, read lazily.

    `count()` and slices (`historial[50:100]`, what Django's Paginator asks) run in SQL and read
    only the rows asked for; iterating streams the whole trail a block at a time. `desde` and
    `hasta` are inclusive dates in the installation's time zone.
    """

    def __init__(
        self,
        *,
        plan: Plan | None = None,
        indicador: Indicador | None = None,
        usuario_id: int | None = None,
        desde: datetime.date | None = None,
        hasta: datetime.date | None = None,
    ) -> None:
        self.fuentes = _fuentes(plan=plan, indicador=indicador)
        self.filtros = auditoria_sql.Filtros(
            usuario_id=usuario_id,
            inicio=timezone.make_aware(datetime.datetime.combine(desde, datetime.time.min)) if desde else None,
            fin=timezone.make_aware(datetime.datetime.combine(hasta, datetime.time.max)) if hasta else None,
        )

    def _sql(self) -> tuple[str, list]:
        return auditoria_sql.visibles(self.fuentes, self.filtros)

    def count(self) -> int:
        """How many changes match: one query."""
        sql, parametros = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS t", parametros)
            return cursor.fetchone()[0]

    def __getitem__(self, rebanada: slice) -> list[Registro]:
        """The changes of a page: a listing query, then one query per audited model."""
        if not isinstance(rebanada, slice) or rebanada.step is not None or min(rebanada.start or 0, rebanada.stop or 0) < 0:
            raise TypeError("La auditoría se lee por tramos hacia adelante: historial[desde:hasta].")
        inicio = rebanada.start or 0
        cuantos = None if rebanada.stop is None else max(rebanada.stop - inicio, 0)
        sql, parametros = auditoria_sql.ordenados(self._sql(), desde=inicio, cuantos=cuantos)
        with connection.cursor() as cursor:
            cursor.execute(sql, parametros)
            return self._registros(cursor.fetchall())

    def __iter__(self) -> Iterator[Registro]:
        """Every change, streamed: one listing query (a server-side cursor where the database has
        them) and one query per audited model for each block of FILAS_POR_LECTURA rows."""
        sql, parametros = auditoria_sql.ordenados(self._sql())
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, parametros)
            while bloque := cursor.fetchmany(FILAS_POR_LECTURA):
                yield from self._registros(bloque)

    def _registros(self, filas: list[tuple[int, int, int | None]]) -> list[Registro]:
        """The listed rows (source, history_id, previous history_id) read and compared."""
        ids: dict[int, set[int]] = defaultdict(set)
        for fuente, history_id, anterior_id in filas:
            ids[fuente].add(history_id)
            if anterior_id is not None:
                ids[fuente].add(anterior_id)
        versiones = [fuente.versiones(ids[i]) for i, fuente in enumerate(self.fuentes)]
        return [
            _registro(self.fuentes[fuente], versiones[fuente][history_id], versiones[fuente].get(anterior_id))
            for fuente, history_id, anterior_id in filas
            if history_id in versiones[fuente]  # a row pruned from the history since it was listed
        ]


def _registro(fuente: _Fuente, actual, anterior) -> Registro:
    return Registro(
        fecha=actual.history_date,
        usuario=nombre_usuario(actual.history_user) if actual.history_user_id else "(sistema)",
        accion=TIPOS.get(actual.history_type, actual.history_type),
        objeto=fuente.objeto,
        plan=actual.plan_del_registro or "",
        identificacion=fuente.identificar(actual),
        cambios=_cambios(fuente.campos, None if actual.history_type == "+" else anterior, actual),
        motivo=actual.history_change_reason or "",
        id_historico=actual.history_id,
    )


def registros(
    *,
    plan: Plan | None = None,
    indicador: Indicador | None = None,
    usuario_id: int | None = None,
    desde: datetime.date | None = None,
    hasta: datetime.date | None = None,
) -> list[Registro]:
    """Every audited change matching the filters, newest first (see `Historial`)."""
    return list(Historial(plan=plan, indicador=indicador, usuario_id=usuario_id, desde=desde, hasta=hasta))


def usuarios_con_cambios() -> models.QuerySet:
    """Users who appear in some history row of the trail, by name, for the filter's choices:
    one query when read."""
    en_el_historial = Q()
    for modelo in AUDITADOS:
        en_el_historial |= Q(Exists(modelo.history.filter(history_user_id=OuterRef("pk"))))
    return get_user_model().objects.filter(en_el_historial).order_by("first_name", "last_name", "username")


def exportar_xlsx(salida, filas: Iterable[Registro]) -> None:
    """Write the trail to `salida` (a file or an HttpResponse), streaming `filas` as they come."""
    xlsx.escribir_libro(salida, [xlsx.Hoja("Auditoría", COLUMNAS, (registro.fila() for registro in filas))])
