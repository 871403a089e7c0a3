"""Compliance at a cut, for the planning office: per dependencia, the indicators that still owe
their report (none, a draft, or returned), and before closing it also those sent but not yet
approved (closing freezes them out of the official figures)."""

from collections import defaultdict

from indicadores import reglas
from indicadores.models import Corte, Indicador, Reporte
from indicadores.services import periodo_del_corte
from politicas.models import Dependencia

SIN_REPORTE = "sin reporte"
BORRADOR, ENVIADO, DEVUELTO, APROBADO = (
    estado.label.lower()
    for estado in (Reporte.Estado.BORRADOR, Reporte.Estado.ENVIADO, Reporte.Estado.DEVUELTO, Reporte.Estado.APROBADO)
)
# What the compliance page chases: reports the planners still owe. A sent report is the
# reviewer's to decide, so it is not the planner's debt.
PENDIENTES = frozenset({SIN_REPORTE, BORRADOR, DEVUELTO})
# Before closing, a sent report is pending too: unapproved, it stays out of the official figures.
PENDIENTES_AL_CERRAR = PENDIENTES | {ENVIADO}
# The order in which the closing page counts the pending states.
ESTADOS_AL_CERRAR = (SIN_REPORTE, BORRADOR, ENVIADO, DEVUELTO)


def cumplimiento_corte(*, corte: Corte, pendientes: frozenset[str] = PENDIENTES) -> list[dict]:
    """One row per dependencia with its indicators' state at the cut, pending ones listed.

    The report owed at a cut is the one of the period containing the cut date. `pendientes` are
    the states listed as pending (`PENDIENTES_AL_CERRAR` for the closing page). A pending entry
    says whether it is the correction of an approved value (whose approved copy still counts).
    Three queries: indicators, the year's reports, the planners' emails.
    """
    indicadores = list(
        Indicador.objects.filter(plan_id=corte.plan_id)
        .select_related("dependencia")
        .order_by("dependencia__nombre", "orden", "codigo")
    )
    estados = {
        (indicador_id, periodo): (estado, valor_oficial is not None)
        for indicador_id, periodo, estado, valor_oficial in Reporte.objects.filter(
            indicador__plan_id=corte.plan_id, anio=corte.anio
        ).values_list("indicador_id", "periodo", "estado", "valor_oficial")
    }
    correos: dict[int, list[str]] = defaultdict(list)
    sin_correo: dict[int, list[str]] = defaultdict(list)  # planners no reminder can reach
    relacion = Dependencia.usuarios.through.objects.filter(
        dependencia_id__in={i.dependencia_id for i in indicadores}, user__is_active=True
    ).values_list("dependencia_id", "user__email", "user__username")
    for dependencia_id, correo, usuario in relacion:
        (correos[dependencia_id] if correo else sin_correo[dependencia_id]).append(correo or usuario)

    filas: dict[int, dict] = {}
    for indicador in indicadores:
        fila = filas.setdefault(
            indicador.dependencia_id,
            {
                "dependencia": indicador.dependencia,
                "total": 0,
                "conteo": defaultdict(int),
                "pendientes": [],
                "correcciones": 0,
                "correos": sorted(correos[indicador.dependencia_id]),
                "sin_correo": sorted(sin_correo[indicador.dependencia_id]),
            },
        )
        periodo = periodo_del_corte(periodicidad=indicador.periodicidad, semestre=corte.semestre)
        estado, en_correccion = estados.get((indicador.pk, periodo), (None, False))
        etiqueta = Reporte.Estado(estado).label.lower() if estado else SIN_REPORTE
        fila["total"] += 1
        fila["conteo"][etiqueta] += 1
        if etiqueta in pendientes:
            fila["correcciones"] += en_correccion
            fila["pendientes"].append(
                {
                    "id": indicador.pk, "codigo": indicador.codigo, "nombre": indicador.nombre, "estado": etiqueta,
                    "periodo": periodo, "en_correccion": en_correccion,
                    "nombre_periodo": reglas.nombre_periodo(
                        periodicidad=indicador.periodicidad, anio=corte.anio, periodo=periodo
                    ),
                }
            )
    for fila in filas.values():
        fila["conteo"] = dict(fila["conteo"])
    return list(filas.values())


def pendientes_al_cerrar(*, corte: Corte) -> dict:
    """What closing `corte` would leave out of its official figures: per dependencia (the rows of
    `cumplimiento_corte` with every unapproved state pending), the count of each pending state in
    `ESTADOS_AL_CERRAR` order and of approved reports, and the same totals for the whole plan.
    Three queries, whatever the plan's size."""
    filas = cumplimiento_corte(corte=corte, pendientes=PENDIENTES_AL_CERRAR)
    for fila in filas:
        fila["por_estado"] = [(estado, fila["conteo"].get(estado, 0)) for estado in ESTADOS_AL_CERRAR]
        fila["aprobados"] = fila["conteo"].get(APROBADO, 0)
    return {
        "filas": filas,
        "indicadores": sum(fila["total"] for fila in filas),
        "pendientes": sum(len(fila["pendientes"]) for fila in filas),
        "correcciones": sum(fila["correcciones"] for fila in filas),
        "aprobados": sum(fila["aprobados"] for fila in filas),
        "por_estado": [
            (estado, sum(fila["conteo"].get(estado, 0) for fila in filas)) for estado in ESTADOS_AL_CERRAR
        ],
    }


def recordatorios_resumen(filas: list[dict]) -> dict:
    """What «Enviar recordatorios» would do with `cumplimiento_corte`'s rows, without sending:
    how many emails (one per planner's address of a dependencia that owes reports, as
    `services.recordatorios_enviar` sends them) and which owing dependencias have no address."""
    con_pendientes = [fila for fila in filas if fila["pendientes"]]
    return {
        "correos": sum(len(fila["correos"]) for fila in con_pendientes),
        "sin_correo": [fila["dependencia"] for fila in con_pendientes if not fila["correos"]],
    }
