"""The audit trail: who changed which plan, level, indicator, target, report or cut, when, what it
was before and after, and the reason where one was required.

It reads django-simple-history's records (the models declare `HistoricalRecords`). One query per
audited model whatever the number of changes; before/after pairs are matched in memory. The Excel
export streams rows into a write-only workbook.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicadores import reglas
from indicadores.models import Corte, Indicador, Meta, Reporte
from politicas.models import Nivel, Plan
from seguimiento.numeros import formato_numero

TIPOS = {"+": "creación", "~": "modificación", "-": "eliminación"}
# Bookkeeping fields that change on every save and say nothing to an auditor.
IGNORADOS = {"actualizado_en"}
ENCABEZADOS = ["Fecha", "Usuario", "Acción", "Objeto", "Plan", "Identificación", "Cambios (antes → después)", "Motivo"]
_SIN_VALOR = object()  # "before" of a creation: only the value set is shown


@dataclass
class Registro:
    fecha: datetime.datetime
    usuario: str
    accion: str  # creación, modificación, eliminación
    objeto: str  # plan, nivel, indicador, meta, reporte, corte
    plan: str
    identificacion: str
    cambios: list[str]  # «cerrado por: — → Rosa Revisora», readable (see `_Lector`)
    motivo: str

    def fila(self) -> list:
        return [
            timezone.localtime(self.fecha).replace(tzinfo=None),
            self.usuario,
            self.accion,
            self.objeto,
            self.plan,
            self.identificacion,
            "\n".join(self.cambios),
            self.motivo,
        ]


def nombre_usuario(usuario) -> str:
    """A person's name as the trail shows it: full name, or the username when it has none."""
    return usuario.get_full_name() or usuario.get_username()


def _campos(modelo_historico) -> list[models.Field]:
    return [
        campo
        for campo in modelo_historico._meta.fields
        if not campo.name.startswith("history_") and campo.name not in IGNORADOS and campo.name != "id"
    ]


def _cambios(campos: list[models.Field], anterior, actual) -> list[tuple[models.Field, object, object]]:
    """Raw (field, before, after) of a change; a creation lists the fields it set."""
    if anterior is None:
        return [
            (campo, _SIN_VALOR, getattr(actual, campo.attname))
            for campo in campos
            if getattr(actual, campo.attname) not in (None, "")
        ]
    return [
        (campo, getattr(anterior, campo.attname), getattr(actual, campo.attname))
        for campo in campos
        if getattr(anterior, campo.attname) != getattr(actual, campo.attname)
    ]


class _Lector:
    """Turns raw changes into text an auditor reads: field verbose names, choice labels, Sí/No,
    local dates as 21/11/2026 18:03, normalised decimals, and related objects by name or code.

    Related objects are looked up in bulk: one query per related model, whatever the number of
    changes (`resolver` runs after every change has been collected).
    """

    def __init__(self) -> None:
        self.pendientes: dict[type[models.Model], set] = defaultdict(set)
        self.etiquetas: dict[tuple[type[models.Model], object], str] = {}

    def anotar(self, cambios: list[tuple[models.Field, object, object]]) -> None:
        for campo, antes, despues in cambios:
            if campo.many_to_one:
                for valor in (antes, despues):
                    if valor not in (None, "", _SIN_VALOR):
                        self.pendientes[campo.related_model].add(valor)

    def resolver(self) -> None:
        Usuario = get_user_model()
        for modelo, ids in self.pendientes.items():
            consulta = modelo._default_manager.filter(pk__in=ids)
            nombres = {campo.name for campo in modelo._meta.fields}
            if modelo is Usuario:
                filas = ((u.pk, nombre_usuario(u)) for u in consulta.only("username", "first_name", "last_name"))
            elif "codigo" in nombres:
                filas = consulta.values_list("pk", "codigo")
            elif "nombre" in nombres:
                filas = consulta.values_list("pk", "nombre")
            else:
                filas = ((objeto.pk, str(objeto)) for objeto in consulta)
            for pk, etiqueta in filas:
                self.etiquetas[(modelo, pk)] = etiqueta

    def valor(self, campo: models.Field, valor) -> str:
        if valor is None or valor == "":
            return "—"
        if campo.many_to_one:
            return self.etiquetas.get((campo.related_model, valor), f"n.º {valor} (ya no existe)")
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

    def textos(self, cambios: list[tuple[models.Field, object, object]]) -> list[str]:
        return [
            f"{campo.verbose_name}: {self.valor(campo, despues)}"
            if antes is _SIN_VALOR
            else f"{campo.verbose_name}: {self.valor(campo, antes)} → {self.valor(campo, despues)}"
            for campo, antes, despues in cambios
        ]


@dataclass(frozen=True)
class _IndicadorAuditado:
    """What names a target or a report in the trail: its indicator's code, plan and periodicity."""

    codigo: str
    plan_id: int | None
    periodicidad: str

    def meta(self, anio: int) -> tuple[int | None, str]:
        return self.plan_id, f"{self.codigo} · vigencia {anio}"

    def reporte(self, anio: int, periodo: int) -> tuple[int | None, str]:
        """«1.1.1 · 2023», «1.1.5 · 2023 · semestre 1»: the period by its name, never «2023-1»."""
        if self.periodicidad in reglas.PERIODOS:
            nombre = reglas.nombre_periodo(periodicidad=self.periodicidad, anio=anio, periodo=periodo)
        else:  # an indicator the trail no longer knows: the period's number is all there is
            nombre = f"{anio} · periodo {periodo}"
        return self.plan_id, f"{self.codigo} · {nombre}"


_INDICADOR_DESCONOCIDO = _IndicadorAuditado("?", None, "")


def _de_indicador(codigos: dict[int, _IndicadorAuditado], indicador_id: int) -> _IndicadorAuditado:
    return codigos.get(indicador_id, _INDICADOR_DESCONOCIDO)


def registros(
    *,
    plan: Plan | None = None,
    indicador: Indicador | None = None,
    usuario_id: int | None = None,
    desde: datetime.date | None = None,
    hasta: datetime.date | None = None,
) -> list[Registro]:
    """Every audited change matching the filters, newest first.

    A fixed number of queries whatever the number of changes: plans' codes, indicators' codes,
    one per audited model, and one per kind of related object named in the changes (users,
    plans, levels…). `desde` and `hasta` are inclusive dates in the installation's time zone.
    """
    planes = dict(Plan.objects.values_list("id", "codigo"))
    # Codes (and periodicities) of indicators, deleted ones included, to name targets and reports;
    # the latest version wins.
    ind_historicos = Indicador.history.values_list("id", "codigo", "plan_id", "periodicidad").order_by("history_date")
    if plan is not None:
        ind_historicos = ind_historicos.filter(plan_id=plan.pk)
    codigos: dict[int, _IndicadorAuditado] = {
        i: _IndicadorAuditado(codigo, p, periodicidad) for i, codigo, p, periodicidad in ind_historicos
    }

    fuentes = []
    if indicador is None:
        fuentes += [
            ("plan", Plan.history.filter(**({"id": plan.pk} if plan else {})), lambda r: (r.id, r.codigo)),
            ("nivel", Nivel.history.filter(**({"plan_id": plan.pk} if plan else {})), lambda r: (r.plan_id, r.codigo)),
            ("corte", Corte.history.filter(**({"plan_id": plan.pk} if plan else {})), lambda r: (r.plan_id, f"{r.anio}-{r.semestre}")),
        ]
    filtro_ind = {"id": indicador.pk} if indicador else ({"plan_id": plan.pk} if plan else {})
    filtro_hijos = {"indicador_id": indicador.pk} if indicador else ({"indicador_id__in": list(codigos)} if plan else {})
    fuentes += [
        ("indicador", Indicador.history.filter(**filtro_ind), lambda r: (r.plan_id, r.codigo)),
        ("meta", Meta.history.filter(**filtro_hijos), lambda r: _de_indicador(codigos, r.indicador_id).meta(r.anio)),
        ("reporte", Reporte.history.filter(**filtro_hijos), lambda r: _de_indicador(codigos, r.indicador_id).reporte(r.anio, r.periodo)),
    ]
    inicio = timezone.make_aware(datetime.datetime.combine(desde, datetime.time.min)) if desde else None
    fin = timezone.make_aware(datetime.datetime.combine(hasta, datetime.time.max)) if hasta else None

    resultado: list[Registro] = []
    crudos: list[list[tuple[models.Field, object, object]]] = []
    lector = _Lector()
    for objeto, consulta, identificar in fuentes:
        if fin is not None:
            consulta = consulta.filter(history_date__lte=fin)
        campos = _campos(consulta.model)
        anterior_por_objeto: dict[int, object] = {}
        for registro in consulta.select_related("history_user").order_by("id", "history_date", "history_id"):
            anterior = anterior_por_objeto.get(registro.id)
            anterior_por_objeto[registro.id] = registro
            if inicio is not None and registro.history_date < inicio:
                continue
            if usuario_id is not None and registro.history_user_id != usuario_id:
                continue
            cambios = _cambios(campos, None if registro.history_type == "+" else anterior, registro)
            if registro.history_type == "~" and not cambios and not registro.history_change_reason:
                continue  # a form saved without changes: nothing to audit
            plan_id, identificacion = identificar(registro)
            lector.anotar(cambios)
            crudos.append(cambios)
            resultado.append(
                Registro(
                    fecha=registro.history_date,
                    usuario=nombre_usuario(registro.history_user) if registro.history_user_id else "(sistema)",
                    accion=TIPOS.get(registro.history_type, registro.history_type),
                    objeto=objeto,
                    plan=planes.get(plan_id, ""),
                    identificacion=identificacion,
                    cambios=[],
                    motivo=registro.history_change_reason or "",
                )
            )
    lector.resolver()
    for fila, cambios in zip(resultado, crudos):
        fila.cambios = lector.textos(cambios)
    resultado.sort(key=lambda r: r.fecha, reverse=True)
    return resultado


def usuarios_con_cambios() -> list:
    """Users who appear in the trail, for the filter's choices (one query)."""
    return list(get_user_model().objects.order_by("username"))


def exportar_xlsx(salida, filas: Iterable[Registro]) -> None:
    """Write the trail to `salida` (a file or an HttpResponse) as a write-only workbook."""
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("Auditoría")
    hoja.column_dimensions["A"].width = 20
    hoja.column_dimensions["G"].width = 80
    hoja.column_dimensions["H"].width = 40
    negrita = Font(bold=True)
    encabezado = []
    for titulo in ENCABEZADOS:
        celda = WriteOnlyCell(hoja, value=titulo)
        celda.font = negrita
        encabezado.append(celda)
    hoja.append(encabezado)
    for registro in filas:
        fila = registro.fila()
        fecha = WriteOnlyCell(hoja, value=fila[0])
        fecha.number_format = "dd/mm/yyyy hh:mm"
        hoja.append([fecha, *fila[1:]])
    libro.save(salida)
