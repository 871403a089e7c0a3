"""Compliance at an open cut, for the planning office: per dependencia, the indicators that still
owe their report (none, a draft, or returned)."""

from collections import defaultdict

from indicadores.models import Corte, Indicador, Reporte
from indicadores.services import periodo_del_corte
from politicas.models import Dependencia

SIN_REPORTE = "sin reporte"
PENDIENTES = {SIN_REPORTE, Reporte.Estado.BORRADOR.label.lower(), Reporte.Estado.DEVUELTO.label.lower()}


def cumplimiento_corte(*, corte: Corte) -> list[dict]:
    """One row per dependencia with its indicators' state at the cut, pending ones listed.

    The report owed at a cut is the one of the period containing the cut date. Three queries:
    indicators, the year's reports, the planners' emails.
    """
    indicadores = list(
        Indicador.objects.filter(plan_id=corte.plan_id)
        .select_related("dependencia")
        .order_by("dependencia__nombre", "orden", "codigo")
    )
    estados = {
        (indicador_id, periodo): estado
        for indicador_id, periodo, estado in Reporte.objects.filter(
            indicador__plan_id=corte.plan_id, anio=corte.anio
        ).values_list("indicador_id", "periodo", "estado")
    }
    correos: dict[int, list[str]] = defaultdict(list)
    relacion = Dependencia.usuarios.through.objects.filter(
        dependencia_id__in={i.dependencia_id for i in indicadores}, user__is_active=True
    ).values_list("dependencia_id", "user__email")
    for dependencia_id, correo in relacion:
        if correo:
            correos[dependencia_id].append(correo)

    filas: dict[int, dict] = {}
    for indicador in indicadores:
        fila = filas.setdefault(
            indicador.dependencia_id,
            {
                "dependencia": indicador.dependencia,
                "total": 0,
                "conteo": defaultdict(int),
                "pendientes": [],
                "correos": sorted(correos[indicador.dependencia_id]),
            },
        )
        periodo = periodo_del_corte(periodicidad=indicador.periodicidad, semestre=corte.semestre)
        estado = estados.get((indicador.pk, periodo))
        etiqueta = Reporte.Estado(estado).label.lower() if estado else SIN_REPORTE
        fila["total"] += 1
        fila["conteo"][etiqueta] += 1
        if etiqueta in PENDIENTES:
            fila["pendientes"].append(
                {"id": indicador.pk, "codigo": indicador.codigo, "nombre": indicador.nombre, "estado": etiqueta, "periodo": periodo}
            )
    for fila in filas.values():
        fila["conteo"] = dict(fila["conteo"])
    return list(filas.values())


def recordatorios_resumen(filas: list[dict]) -> dict:
    """What «Enviar recordatorios» would do with `cumplimiento_corte`'s rows, without sending:
    how many emails (one per planner's address of a dependencia that owes reports, as
    `services.recordatorios_enviar` sends them) and which owing dependencias have no address."""
    con_pendientes = [fila for fila in filas if fila["pendientes"]]
    return {
        "correos": sum(len(fila["correos"]) for fila in con_pendientes),
        "sin_correo": [fila["dependencia"] for fila in con_pendientes if not fila["correos"]],
    }
