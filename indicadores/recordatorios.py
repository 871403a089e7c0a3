"""The reporting calendar (issue 14): who is reminded of what on a given day.

Each open cut's deadline drives reminders `settings.RECORDATORIOS_DIAS` days before it (5, 3 and
1 by default) and on the day after it («venció ayer»). On such a day every planner (active, group
Planeador) whose dependencias owe reports at one of those cuts gets ONE digest listing every
pending report of all their dependencias across all the cuts due that day, grouped by plan and
cut; never one e-mail per indicator. Every day, each reviewer (group Revisor) gets one digest of
the reports waiting for review, when there is at least one.

A digest is recorded in `RecordatorioEnviado` (recipient, kind, cut or none, day) in the
transaction that sends it, before sending: running `manage.py recordatorios` twice the same day,
or twice at once, sends nothing twice; a sending that fails rolls its record back, so a later run
retries. Reading what to send takes a fixed number of queries whatever the number of indicators
(one cut query, three per cut due, planners, reviewers, reports waiting, records of the day), and
each digest sent one insert.
"""

import datetime
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from indicadores.cumplimiento import cumplimiento_corte
from indicadores.models import Corte, RecordatorioEnviado, Reporte
from politicas.models import Dependencia
from seguimiento.numeros import fecha_larga, formato_numero
from seguimiento.roles import PLANEADOR, REVISOR

DIA_DESPUES = -1  # `dias` of the reminder sent the day after the deadline
LARGO_NOMBRE = 90  # an indicator's name in a digest line, shortened
MAX_POR_PLAN = 100  # reports listed per plan in a reviewer's digest; the rest are counted


@dataclass
class Resumen:
    """One digest e-mail to one user, with the records that mark it sent."""

    usuario_id: int
    nombre: str
    correo: str
    tipo: str
    asunto: str
    cuerpo: str
    dias_por_corte: dict[int | None, int | None] = field(default_factory=dict)

    def registros(self, hoy: datetime.date) -> list[RecordatorioEnviado]:
        return [
            RecordatorioEnviado(usuario_id=self.usuario_id, tipo=self.tipo, corte_id=corte_id, fecha=hoy, dias_antes=dias)
            for corte_id, dias in self.dias_por_corte.items()
        ]


@dataclass
class Resultado:
    """What a run did (or, simulated, would do)."""

    hoy: datetime.date
    cortes: list[tuple[Corte, int]]
    simulado: bool = False
    enviados: list[Resumen] = field(default_factory=list)
    ya_enviados: list[Resumen] = field(default_factory=list)
    fallidos: list[tuple[Resumen, str]] = field(default_factory=list)
    # Planners who owe reports at a cut due today but have no e-mail address: «ana (Salud)».
    sin_correo: list[str] = field(default_factory=list)


def cuando(dias: int) -> str:
    """«vence en 5 días», «vence mañana», «vence hoy», «venció ayer»."""
    if dias == DIA_DESPUES:
        return "venció ayer"
    if dias == 0:
        return "vence hoy"
    if dias == 1:
        return "vence mañana"
    return f"vence en {dias} días"


def cortes_del_dia(*, hoy: datetime.date) -> list[tuple[Corte, int]]:
    """The open cuts with a reminder on `hoy`, each with its days to the deadline (-1: the day
    after it), by plan name and cut. One query."""
    fechas = {hoy + datetime.timedelta(days=dias) for dias in settings.RECORDATORIOS_DIAS}
    fechas.add(hoy - datetime.timedelta(days=1))
    cortes = (
        Corte.objects.filter(estado=Corte.Estado.ABIERTO, fecha_limite__in=fechas)
        .select_related("plan")
        .order_by("plan__nombre", "plan_id", "anio", "semestre")
    )
    return [(corte, (corte.fecha_limite - hoy).days) for corte in cortes]


def _una_linea(texto: str, largo: int | None = None) -> str:
    """Text on one line (a name with line breaks cannot forge lines of the e-mail or a header)."""
    texto = " ".join(str(texto).split())
    return texto if largo is None or len(texto) <= largo else texto[: largo - 1] + "…"


def _nombre(nombre_usuario: str, nombres: str, apellidos: str) -> str:
    completo = _una_linea(f"{nombres} {apellidos}")
    return completo or nombre_usuario


def _url(ruta: str) -> str:
    return f"{settings.RECORDATORIOS_URL_BASE}{ruta}"


def _planeadores(dependencia_ids: set[int]) -> dict[int, dict]:
    """Active planners of those dependencias: {user id: {nombre, correo, dependencias}}. One query."""
    planeadores: dict[int, dict] = {}
    relacion = (
        Dependencia.usuarios.through.objects.filter(
            dependencia_id__in=dependencia_ids, user__is_active=True, user__groups__name=PLANEADOR
        )
        .values_list("user_id", "user__username", "user__first_name", "user__last_name", "user__email", "dependencia_id")
        .distinct()
        .order_by("user__username", "dependencia_id")
    )
    for usuario_id, nombre_usuario, nombres, apellidos, correo, dependencia_id in relacion:
        datos = planeadores.setdefault(
            usuario_id,
            {"usuario": nombre_usuario, "nombre": _nombre(nombre_usuario, nombres, apellidos), "correo": correo.strip(),
             "dependencias": set()},
        )
        datos["dependencias"].add(dependencia_id)
    return planeadores


def _resumenes_planeadores(cortes: list[tuple[Corte, int]], sin_correo: list[str]) -> list[Resumen]:
    """One digest per planner owing reports at the cuts due today; those without an address are
    added to `sin_correo`."""
    # Per cut, the dependencias that owe reports and what they owe (three queries per cut).
    deudas: list[tuple[Corte, int, dict[int, dict]]] = []
    for corte, dias in cortes:
        filas = {fila["dependencia"].pk: fila for fila in cumplimiento_corte(corte=corte) if fila["pendientes"]}
        if filas:
            deudas.append((corte, dias, filas))
    planeadores = _planeadores({dep_id for _, _, filas in deudas for dep_id in filas})
    resumenes = []
    for usuario_id, planeador in planeadores.items():
        grupos, dias_por_corte, total, deudoras = [], {}, 0, {}
        for corte, dias, filas in deudas:
            propias = [filas[dep_id] for dep_id in filas if dep_id in planeador["dependencias"]]
            if not propias:
                continue
            dependencias = []
            for fila in sorted(propias, key=lambda f: f["dependencia"].nombre):
                deudoras[fila["dependencia"].pk] = fila["dependencia"].nombre
                pendientes = [
                    {"codigo": _una_linea(p["codigo"]), "nombre": _una_linea(p["nombre"], LARGO_NOMBRE),
                     "periodo": p["nombre_periodo"], "estado": p["estado"]}
                    for p in fila["pendientes"]
                ]
                total += len(pendientes)
                dependencias.append({
                    "nombre": _una_linea(fila["dependencia"].nombre), "pendientes": pendientes,
                    "cantidad": formato_numero(len(pendientes), 0), "varios": len(pendientes) != 1,
                })
            grupos.append({
                "plan": _una_linea(corte.plan.nombre), "clave": corte.clave,
                "fecha_corte": fecha_larga(corte.fecha_corte), "fecha_limite": fecha_larga(corte.fecha_limite),
                "cuando": cuando(dias), "dependencias": dependencias,
                "enlace": _url(f"{reverse('admin:indicadores_indicador_changelist')}?plan__id__exact={corte.plan_id}"),
            })
            dias_por_corte[corte.pk] = dias
        if not grupos:
            continue
        if not planeador["correo"]:
            sin_correo.append(f"{planeador['usuario']} ({', '.join(sorted(deudoras.values()))})")
            continue
        if len(grupos) == 1:
            asunto = (
                f"Recordatorio: {formato_numero(total, 0)} reporte{'s' if total != 1 else ''} pendiente"
                f"{'s' if total != 1 else ''} del corte {grupos[0]['clave']} de «{_una_linea(grupos[0]['plan'], 60)}»,"
                f" que {grupos[0]['cuando']}"
            )
        else:
            asunto = (
                f"Recordatorio: {formato_numero(total, 0)} reportes pendientes en {len(grupos)} cortes "
                "con fecha límite próxima"
            )
        cuerpo = render_to_string(
            "indicadores/correo_planeador.txt",
            {"nombre": planeador["nombre"], "grupos": grupos, "total": formato_numero(total, 0), "varios": total != 1},
        )
        resumenes.append(Resumen(
            usuario_id=usuario_id, nombre=planeador["usuario"], correo=planeador["correo"],
            tipo=RecordatorioEnviado.Tipo.PLANEADOR, asunto=asunto, cuerpo=cuerpo, dias_por_corte=dias_por_corte,
        ))
    return resumenes


def _resumenes_revisores() -> list[Resumen]:
    """One digest per reviewer with an address of every report waiting for review, when there is
    any. Two queries."""
    revisores = list(
        get_user_model().objects.filter(is_active=True, groups__name=REVISOR).exclude(email="")
        .values_list("pk", "username", "first_name", "last_name", "email").distinct().order_by("username")
    )
    if not revisores:
        return []
    enviados = (
        Reporte.objects.filter(estado=Reporte.Estado.ENVIADO)
        .select_related("indicador__plan", "indicador__dependencia")
        .order_by("indicador__plan__nombre", "indicador__plan_id", "anio", "periodo", "indicador__codigo")
    )
    por_plan: dict[int, dict] = {}
    for reporte in enviados:
        plan = reporte.indicador.plan
        grupo = por_plan.setdefault(plan.pk, {"plan": _una_linea(plan.nombre), "reportes": [], "n": 0})
        grupo["n"] += 1
        if len(grupo["reportes"]) < MAX_POR_PLAN:
            grupo["reportes"].append({
                "codigo": _una_linea(reporte.indicador.codigo),
                "nombre": _una_linea(reporte.indicador.nombre, LARGO_NOMBRE),
                "periodo": reporte.nombre_periodo, "dependencia": _una_linea(reporte.indicador.dependencia.nombre),
            })
    if not por_plan:
        return []
    total = sum(grupo["n"] for grupo in por_plan.values())
    grupos = [
        {**grupo, "cantidad": formato_numero(grupo["n"], 0), "mas": formato_numero(grupo["n"] - len(grupo["reportes"]), 0)
         if grupo["n"] > len(grupo["reportes"]) else ""}
        for grupo in por_plan.values()
    ]
    enlace = _url(f"{reverse('admin:indicadores_reporte_changelist')}?estado__exact={Reporte.Estado.ENVIADO}")
    asunto = f"Por revisar: {formato_numero(total, 0)} reporte{'s' if total != 1 else ''} enviado{'s' if total != 1 else ''}"
    resumenes = []
    for usuario_id, nombre_usuario, nombres, apellidos, correo in revisores:
        cuerpo = render_to_string(
            "indicadores/correo_revisor.txt",
            {"nombre": _nombre(nombre_usuario, nombres, apellidos), "grupos": grupos,
             "total": formato_numero(total, 0), "varios": total != 1, "enlace": enlace},
        )
        resumenes.append(Resumen(
            usuario_id=usuario_id, nombre=nombre_usuario, correo=correo.strip(), tipo=RecordatorioEnviado.Tipo.REVISOR,
            asunto=asunto, cuerpo=cuerpo, dias_por_corte={None: None},
        ))
    return resumenes


def _ya_registrados(hoy: datetime.date) -> set[tuple[int, str, int | None]]:
    """(user, kind, cut) of the digests already sent on `hoy`. One query."""
    return set(RecordatorioEnviado.objects.filter(fecha=hoy).values_list("usuario_id", "tipo", "corte_id"))


def recordatorios_del_dia(*, hoy: datetime.date) -> tuple[list[Resumen], list[Resumen], Resultado]:
    """The digests of `hoy` not yet sent, those already sent, and the run's result to fill."""
    resultado = Resultado(hoy=hoy, cortes=cortes_del_dia(hoy=hoy))
    resumenes = _resumenes_planeadores(resultado.cortes, resultado.sin_correo) + _resumenes_revisores()
    registrados = _ya_registrados(hoy)
    pendientes, ya = [], []
    for resumen in resumenes:
        nuevos = {
            corte_id: dias for corte_id, dias in resumen.dias_por_corte.items()
            if (resumen.usuario_id, resumen.tipo, corte_id) not in registrados
        }
        if not nuevos:
            ya.append(resumen)
        elif len(nuevos) < len(resumen.dias_por_corte):
            # A cut became due after this planner's digest went out today: a digest of that cut only.
            resumenes_nuevos = _resumenes_planeadores(
                [(c, d) for c, d in resultado.cortes if c.pk in nuevos], []
            )
            pendientes.extend(r for r in resumenes_nuevos if r.usuario_id == resumen.usuario_id)
        else:
            pendientes.append(resumen)
    return pendientes, ya, resultado


def recordatorios_enviar(*, hoy: datetime.date, simular: bool = False) -> Resultado:
    """Send the reminders of `hoy` not sent yet (see the module's docstring). `simular` builds
    them and says who would get what, without sending or recording anything.

    Each digest is recorded and sent in one transaction: a concurrent run that recorded it first
    makes the insert fail, and the digest counts as already sent; a sending error rolls the record
    back and is listed in `fallidos`, for a later run to retry."""
    pendientes, ya, resultado = recordatorios_del_dia(hoy=hoy)
    resultado.ya_enviados.extend(ya)
    resultado.simulado = simular
    if simular:
        resultado.enviados.extend(pendientes)
        return resultado
    if not pendientes:
        return resultado
    with get_connection() as conexion:
        for resumen in pendientes:
            mensaje = EmailMessage(
                resumen.asunto, resumen.cuerpo, settings.DEFAULT_FROM_EMAIL, [resumen.correo], connection=conexion
            )
            try:
                with transaction.atomic():
                    RecordatorioEnviado.objects.bulk_create(resumen.registros(hoy))
                    mensaje.send(fail_silently=False)
            except IntegrityError:
                resultado.ya_enviados.append(resumen)
            except (SMTPException, OSError) as error:
                resultado.fallidos.append((resumen, _una_linea(error, 200)))
            else:
                resultado.enviados.append(resumen)
    return resultado
