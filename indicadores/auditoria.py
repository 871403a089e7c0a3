"""The audit trail: who changed which plan, level, indicator, target, report or cut, when, what it
was before and after, and the reason where one was required.

It reads django-simple-history's records (the models declare `HistoricalRecords`). One query per
audited model whatever the number of changes; before/after pairs are matched in memory. The Excel
export streams rows into a write-only workbook.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicadores.models import Corte, Indicador, Meta, Reporte
from politicas.models import Nivel, Plan
from seguimiento.numeros import formato_numero

TIPOS = {"+": "creación", "~": "modificación", "-": "eliminación"}
# Bookkeeping fields that change on every save and say nothing to an auditor.
IGNORADOS = {"actualizado_en"}
ENCABEZADOS = ["Fecha", "Usuario", "Acción", "Objeto", "Plan", "Identificación", "Cambios (antes → después)", "Motivo"]


@dataclass
class Registro:
    fecha: datetime.datetime
    usuario: str
    accion: str  # creación, modificación, eliminación
    objeto: str  # plan, nivel, indicador, meta, reporte, corte
    plan: str
    identificacion: str
    cambios: list[str]
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


def _texto(valor) -> str:
    if valor is None or valor == "":
        return "—"
    if isinstance(valor, Decimal):
        return formato_numero(valor, 6)
    return str(valor)


def _campos(modelo_historico) -> list[str]:
    return [
        campo.attname
        for campo in modelo_historico._meta.fields
        if not campo.name.startswith("history_") and campo.attname not in IGNORADOS and campo.name != "id"
    ]


def _cambios(campos: list[str], anterior, actual) -> list[str]:
    if anterior is None:
        return [f"{campo}: {_texto(getattr(actual, campo))}" for campo in campos if getattr(actual, campo) not in (None, "")]
    return [
        f"{campo}: {_texto(getattr(anterior, campo))} → {_texto(getattr(actual, campo))}"
        for campo in campos
        if getattr(anterior, campo) != getattr(actual, campo)
    ]


def registros(
    *,
    plan: Plan | None = None,
    indicador: Indicador | None = None,
    usuario_id: int | None = None,
    desde: datetime.date | None = None,
    hasta: datetime.date | None = None,
) -> list[Registro]:
    """Every audited change matching the filters, newest first.

    Seven queries whatever the number of changes: plans' codes, indicators' codes, and one per
    audited model. `desde` and `hasta` are inclusive dates in the installation's time zone.
    """
    planes = dict(Plan.objects.values_list("id", "codigo"))
    # Codes of indicators, deleted ones included, to name targets and reports.
    ind_historicos = Indicador.history.values_list("id", "codigo", "plan_id").order_by("history_date")
    if plan is not None:
        ind_historicos = ind_historicos.filter(plan_id=plan.pk)
    codigos: dict[int, tuple[str, int]] = {i: (codigo, p) for i, codigo, p in ind_historicos}

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
        ("meta", Meta.history.filter(**filtro_hijos), lambda r: (codigos.get(r.indicador_id, ("?", None))[1], f"{codigos.get(r.indicador_id, ('?',))[0]} · vigencia {r.anio}")),
        ("reporte", Reporte.history.filter(**filtro_hijos), lambda r: (codigos.get(r.indicador_id, ("?", None))[1], f"{codigos.get(r.indicador_id, ('?',))[0]} · {r.anio}-{r.periodo}")),
    ]
    inicio = timezone.make_aware(datetime.datetime.combine(desde, datetime.time.min)) if desde else None
    fin = timezone.make_aware(datetime.datetime.combine(hasta, datetime.time.max)) if hasta else None

    resultado: list[Registro] = []
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
            resultado.append(
                Registro(
                    fecha=registro.history_date,
                    usuario=registro.history_user.get_username() if registro.history_user_id else "(sistema)",
                    accion=TIPOS.get(registro.history_type, registro.history_type),
                    objeto=objeto,
                    plan=planes.get(plan_id, ""),
                    identificacion=identificacion,
                    cambios=cambios,
                    motivo=registro.history_change_reason or "",
                )
            )
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
