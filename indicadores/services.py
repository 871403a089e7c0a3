"""Writes of indicators' data. The admin, the API, imports, commands and the demo loader all call
these, so the rules (validation, permissions, closed cuts, review workflow, no lost updates) hold
whichever door a change comes through.

Why one module of ~750 lines: it is the one write path, sectioned by what it writes (cuts and
periods, reports, targets, cuts' lifecycle, evidence, compliance), and the sections share the
locking, version and reason helpers; tests pin the concurrency of its private steps by name.

Review workflow of a period report (issue 7):

    borrador ──enviar──▶ enviado ──aprobar──▶ aprobado
        ▲                   │                    │
        └──(corrección)── devuelto ◀──devolver───┘

The planner of the indicator's dependencia writes and sends; the planning office (Revisor)
approves or returns with a comment. Correcting an approved report is a proposal (issue 10): the
approved copy stays official (`Reporte.valor_oficial`...) until the correction is approved;
returning it leaves the approved value in place. A report whose period ended by the date of a
closed cut is frozen, as are past years' targets, except for an administrator who writes the
reason (kept in the history). Every write reads the row under a lock and compares the version the
writer saw, so the second of two concurrent writers is told what the first changed.

Reasons and texts (issue 11). A reason (`motivo`) is an administrator's: anyone else who sends
one is refused (`motivo_verificar`), and so is a reason longer than `limites.MAX_MOTIVO`. It is
recorded in the history, whole, only on the writes that need one (a report frozen by a closed
cut, a past year's target, a closed cut reopened or re-published); an administrator's reason
sent with a write that needs none is not recorded, since it would read as the justification of
a change that required none (the admin's page offers one box for all the rows it saves). Every
text is checked against its field's maximum before anything is written (`reglas.errores_largos`,
in each service and again in `_guardar`), with both figures in the message.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from indicadores import permisos, reglas, selectors
from indicadores.models import PERIODOS_POR_ANIO, Corte, Evidencia, Indicador, Meta, Reporte
from politicas.models import Plan
from seguimiento.limites import MAX_MOTIVO, mensaje_largo
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import Semaforo
from seguimiento.numeros import formato_numero, formato_porcentaje

# Fields a concurrent edit is reported on, with the label the planner sees.
CAMPOS_EDITABLES = {
    "valor": "avance",
    "observaciones": "observaciones",
    "plan_de_choque": "plan de choque",
    "estado": "estado",
    "comentario_revision": "comentario de revisión",
}


class ConflictoEdicion(ValidationError):
    """Someone saved the report after this user loaded it: the save is refused, not merged.

    `cambios` lists what the other person changed, so the message can show it.
    """

    def __init__(self, *, reporte: Reporte, version_esperada: int, cambios: list[str]):
        self.reporte = reporte
        self.version_esperada = version_esperada
        self.cambios = cambios
        detalle = "; ".join(cambios) if cambios else "sin cambios visibles en los campos del reporte"
        super().__init__(
            f"Otra persona guardó este reporte mientras usted lo editaba (usted abrió la versión "
            f"{version_esperada}, la actual es la {reporte.version}). Cambios: {detalle}. "
            "Revise los valores actuales y vuelva a escribir su corrección.",
            code="conflicto",
        )


# Sent inside the transaction that closes a cut (or re-publishes its figures: `motivo` says why)
# and the one that reopens it, so the layer that computes figures (`reportes`, which connects to
# them in its AppConfig) stores or withdraws the official figures in the same transaction.
corte_cerrado = Signal()  # corte, usuario, motivo
corte_reabierto = Signal()  # corte


# --- Cuts and periods ---------------------------------------------------------------------


def periodo_del_corte(*, periodicidad: str, semestre: int) -> int:
    """The period that contains the cut date: the report a planner owes at that cut (the last
    period of the year that counts at the cut)."""
    return calculos.periodo_cuenta_maximo(periodicidad, semestre)


def corte_que_congela(*, indicador: Indicador, anio: int, periodo: int) -> Corte | None:
    """The earliest closed cut of the plan by whose date the period had ended, if any.

    Its report is part of that cut's published figures. A period still running at a closed cut
    (an annual indicator at the June cut) is not frozen: its later value serves later cuts, and
    the closed cut keeps the figures it published (`reportes.congelar`).
    """
    semestre = calculos.semestre_en_que_termina(indicador.periodicidad, periodo)
    return (
        Corte.objects.filter(plan_id=indicador.plan_id, estado=Corte.Estado.CERRADO)
        .filter(Q(anio=anio, semestre__gte=semestre) | Q(anio__gt=anio))
        .order_by("anio", "semestre")
        .first()
    )


MENSAJE_MOTIVO_SOLO_ADMINISTRADOR = (
    "Solo un administrador da un motivo, al corregir un corte cerrado o una meta de una vigencia pasada: "
    "envíe el cambio sin motivo."
)


def motivo_verificar(*, usuario, motivo: str | None) -> str:
    """The reason as the history keeps it (line breaks normalised, no surrounding blanks), or a
    ValidationError on «motivo»: only an administrator gives one, of at most `MAX_MOTIVO`
    characters. An empty reason is always fine (whether a write needs one is for its service)."""
    motivo = reglas.normalizar_texto(motivo if isinstance(motivo, str) else "")
    if not motivo:
        return ""
    if not getattr(usuario, "is_superuser", False):
        raise ValidationError({"motivo": [MENSAJE_MOTIVO_SOLO_ADMINISTRADOR]}, code="motivo_no_permitido")
    if len(motivo) > MAX_MOTIVO:
        raise ValidationError({"motivo": [mensaje_largo(len(motivo), MAX_MOTIVO, "motivo")]}, code="max_length")
    return motivo


def _exigir_motivo_de_administrador(usuario, motivo: str, que: str) -> str:
    """A frozen thing changes only by an administrator who says why; the reason to record."""
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    if motivo:
        return motivo
    if getattr(usuario, "is_superuser", False):
        raise ValidationError(f"{que} Como administrador puede corregirlo si escribe el motivo del cambio.")
    raise ValidationError(f"{que} Solo un administrador puede corregirlo, indicando el motivo.")


def _verificar_largos(obj, valores: dict | None = None) -> None:
    """Refuse a text longer than its field allows, before anything is written (`reglas.errores_largos`)."""
    errores = reglas.errores_largos(obj, valores)
    if errores:
        raise ValidationError(errores, code="max_length")


def corte_verificar_abierto(*, indicador: Indicador, anio: int, periodo: int, usuario, motivo: str = "") -> str:
    """Refuse a change to a report frozen by a closed cut, unless an administrator gives the reason.

    Returns the reason to record: the administrator's when the period is frozen, "" when the write
    needs none. A reason from anyone else, or too long, is refused either way (`motivo_verificar`)."""
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    if periodo is None or indicador.periodicidad not in PERIODOS_POR_ANIO:
        return ""
    corte = corte_que_congela(indicador=indicador, anio=anio, periodo=periodo)
    if corte is None:
        return ""
    nombre = reglas.nombre_periodo(periodicidad=indicador.periodicidad, anio=anio, periodo=periodo)
    return _exigir_motivo_de_administrador(
        usuario, motivo,
        f"El corte {corte.clave} del plan está cerrado y el periodo {nombre} ya había terminado: su reporte "
        "es parte de las cifras oficiales publicadas y ya no se puede modificar.",
    )


# --- Reports ------------------------------------------------------------------------------


def reporte_verificar(*, indicador: Indicador, anio: int, periodo: int, usuario, motivo: str = "") -> str:
    """Raise PermissionDenied or ValidationError if `usuario` may not write this period's report;
    return the reason the write records ("" unless a closed cut froze the period).

    `reporte_registrar` calls it; forms and the API call it first, so a refusal shows as a form
    error or a 4xx before anything is written.
    """
    if not permisos.puede_editar_indicador(usuario, indicador):
        raise PermissionDenied(f"No puede reportar el indicador {indicador.codigo}: no es de sus dependencias.")
    return corte_verificar_abierto(indicador=indicador, anio=anio, periodo=periodo, usuario=usuario, motivo=motivo)


def reporte_cambios_desde(reporte: Reporte, version: int) -> list[str]:
    """What changed in `reporte` since `version`, read from its audit trail, in Spanish."""
    anterior = reporte.history.filter(version=version).order_by("-history_date", "-history_id").first()
    actual = reporte.history.order_by("-history_date", "-history_id").first()
    if anterior is None or actual is None:
        return []
    autor = actual.history_user.get_username() if actual.history_user_id else "otra persona"
    cambios = []
    for campo, etiqueta in CAMPOS_EDITABLES.items():
        antes, despues = getattr(anterior, campo), getattr(actual, campo)
        if antes != despues:
            if isinstance(antes, Decimal) or isinstance(despues, Decimal):
                antes, despues = formato_numero(antes, 6), formato_numero(despues, 6)
            elif campo == "estado":
                antes, despues = Reporte.Estado(antes).label, Reporte.Estado(despues).label
            cambios.append(f"{etiqueta}: «{antes}» → «{despues}»")
    if cambios:
        cambios[-1] += f" (por {autor})"
    return cambios


class ReporteExistente(ValidationError):
    """A create for a period that already has a report: it is corrected with its version instead,
    so a second writer never overwrites the first one's value."""

    def __init__(self, reporte: Reporte):
        self.reporte = reporte
        super().__init__(
            f"Ya existe el reporte {reporte} ({reporte.get_estado_display().lower()}, versión {reporte.version}, "
            f"avance {formato_numero(reporte.valor, 6)}): otra persona lo registró. Ábralo y corríjalo si hace falta.",
            code="existente",
        )


def _bloquear(reporte: Reporte, version_esperada: int | None = None) -> Reporte:
    """The report's current row, locked until the transaction ends, so a state or version check
    and the write that follows see the same row. `ConflictoEdicion` if it moved past the version
    the writer saw."""
    actual = Reporte.objects.select_for_update(of=("self",)).select_related("indicador__plan").get(pk=reporte.pk)
    if version_esperada is not None and actual.version != version_esperada:
        raise ConflictoEdicion(
            reporte=actual, version_esperada=version_esperada, cambios=reporte_cambios_desde(actual, version_esperada)
        )
    return actual


@transaction.atomic
def reporte_registrar(
    *,
    indicador: Indicador,
    anio: int,
    periodo: int,
    valor: Decimal,
    usuario,
    observaciones: str = "",
    plan_de_choque: str = "",
    version_esperada: int | None = None,
    motivo: str = "",
) -> Reporte:
    """Create the report of one period as a draft, or correct it.

    `version_esperada` is the version the writer read; it is required to change an existing
    report: without it the write is a create and `ReporteExistente` is raised, and if someone
    saved since, `ConflictoEdicion` lists their changes (no lost updates). Texts are normalised
    first, so an unchanged save changes nothing (no version, no history, the state stays).
    Correcting an approved report keeps its approved copy official until the correction is
    approved. `motivo` lets an administrator correct a report frozen by a closed cut; it is
    recorded in the audit trail only then (see the module docstring). Texts longer than their
    field's maximum are refused first, with both figures.
    """
    nuevo = (Decimal(valor), reglas.normalizar_texto(observaciones), reglas.normalizar_texto(plan_de_choque))
    _verificar_largos(Reporte, {"observaciones": nuevo[1], "plan_de_choque": nuevo[2]})
    motivo = reporte_verificar(indicador=indicador, anio=anio, periodo=periodo, usuario=usuario, motivo=motivo)
    existente = (
        Reporte.objects.select_for_update(of=("self",))
        .select_related("indicador__plan")
        .filter(indicador=indicador, anio=anio, periodo=periodo)
        .first()
    )
    if existente is None:
        return _reporte_crear(indicador=indicador, anio=anio, periodo=periodo, nuevo=nuevo, usuario=usuario, motivo=motivo)
    if version_esperada is None:
        raise ReporteExistente(existente)
    if existente.version != version_esperada:
        raise ConflictoEdicion(
            reporte=existente, version_esperada=version_esperada,
            cambios=reporte_cambios_desde(existente, version_esperada),
        )
    return _reporte_corregir(existente, nuevo=nuevo, usuario=usuario, motivo=motivo)


def _reporte_crear(*, indicador: Indicador, anio: int, periodo: int, nuevo: tuple, usuario, motivo: str) -> Reporte:
    valor, observaciones, plan_de_choque = nuevo
    reporte = Reporte(
        indicador=indicador, anio=anio, periodo=periodo, valor=valor, observaciones=observaciones,
        plan_de_choque=plan_de_choque, creado_por=usuario,
    )
    reporte.full_clean(validate_unique=False, validate_constraints=False)
    return _guardar_sin_pisar(reporte, usuario, motivo)


def _guardar_sin_pisar(reporte: Reporte, usuario, motivo: str) -> Reporte:
    """Save a report; if someone created the same period a moment ago (the unique constraint
    decides who), refuse with theirs instead of overwriting it."""
    try:
        with transaction.atomic():
            _guardar(reporte, usuario, motivo)
    except IntegrityError:
        existente = Reporte.objects.get(indicador_id=reporte.indicador_id, anio=reporte.anio, periodo=reporte.periodo)
        raise ReporteExistente(existente) from None
    return reporte


def _textos(reporte: Reporte) -> tuple:
    return (reporte.valor, reglas.normalizar_texto(reporte.observaciones), reglas.normalizar_texto(reporte.plan_de_choque))


def _textos_oficiales(reporte: Reporte) -> tuple:
    return (reporte.valor_oficial, reporte.observaciones_oficiales, reporte.plan_de_choque_oficial)


def _guardar_copia_oficial(reporte: Reporte) -> None:
    """Before an approved report changes, its approved copy is kept: it stays the official value."""
    if reporte.estado == Reporte.Estado.APROBADO and not reporte.en_correccion:
        reporte.valor_oficial, reporte.observaciones_oficiales, reporte.plan_de_choque_oficial = _textos(reporte)


def _retirar_copia_oficial(reporte: Reporte) -> None:
    reporte.valor_oficial, reporte.observaciones_oficiales, reporte.plan_de_choque_oficial = None, "", ""


def _reporte_corregir(reporte: Reporte, *, nuevo: tuple, usuario, motivo: str) -> Reporte:
    if _textos(reporte) == nuevo:
        return reporte  # nothing changed: no new version, the review state stays
    _guardar_copia_oficial(reporte)
    reporte.valor, reporte.observaciones, reporte.plan_de_choque = nuevo
    if reporte.en_correccion and _textos_oficiales(reporte) == nuevo:
        # Back to the approved text: the correction is withdrawn and the report is approved again.
        _retirar_copia_oficial(reporte)
        reporte.estado = Reporte.Estado.APROBADO
    else:
        # A changed value is reviewed again.
        reporte.estado = Reporte.Estado.BORRADOR
    reporte.full_clean(validate_unique=False, validate_constraints=False)
    reporte.version += 1
    _guardar(reporte, usuario, motivo)
    return reporte


def _transicion(reporte: Reporte, usuario, motivo: str, *, pedido: Reporte | None = None) -> Reporte:
    """Save a review step; it bumps the version so a concurrent editor learns about it. The
    instance the caller passed (`pedido`) is brought up to date too."""
    reporte.version += 1
    _guardar(reporte, usuario, motivo)
    if pedido is not None and pedido is not reporte:
        for campo in Reporte._meta.concrete_fields:
            setattr(pedido, campo.attname, getattr(reporte, campo.attname))
    return reporte


def _guardar(obj, usuario, motivo: str = "") -> None:
    """Save with its author and, when the write needed one, the reason the service checked
    (the history keeps it whole: `politicas.models.historial`). Its texts are checked once more,
    so no path writes one longer than its field allows."""
    _verificar_largos(obj)
    obj._history_user = usuario
    if motivo:
        obj._change_reason = motivo
    obj.save()


def reporte_verificar_plan_de_choque(reporte: Reporte) -> None:
    """A report whose indicator is in bajo or sobre ejecución at its cut needs a plan de choque
    (or the justification of the over-execution) before it is sent (SPEC §4). Works on an unsaved
    report too, so a form can check before writing."""
    banda, pahv, corte = selectors.reporte_semaforo_al_corte(reporte)
    if banda in (Semaforo.BAJO, Semaforo.SOBRE_EJECUCION) and not (reporte.plan_de_choque or "").strip():
        que = "un plan de choque" if banda == Semaforo.BAJO else "la justificación de la sobre ejecución"
        raise ValidationError(
            {
                "plan_de_choque": [
                    f"El indicador {reporte.indicador.codigo} queda en {banda.etiqueta.lower()} "
                    f"({formato_porcentaje(pahv)} hasta la vigencia) al corte {corte}: escriba {que} "
                    "en «plan de choque» antes de enviarlo."
                ]
            }
        )


def _exigir_transicion(reporte: Reporte, desde: Iterable[str], accion: str) -> None:
    if reporte.estado not in set(desde):
        raise ValidationError(
            f"El reporte {reporte} está {reporte.get_estado_display().lower()}: no se puede {accion}."
        )


def reporte_verificar_envio(reporte: Reporte, *, se_corrige: bool = False) -> None:
    """What sending needs: a draft or a returned report (or one this same save corrects, which
    makes it a draft: `se_corrige`), and a plan de choque when the indicator is in bajo or sobre
    ejecución. Works on an unsaved report, so a page that saves and sends at once asks first."""
    if not se_corrige:
        _exigir_transicion(reporte, (Reporte.Estado.BORRADOR, Reporte.Estado.DEVUELTO), "enviar")
    reporte_verificar_plan_de_choque(reporte)


@transaction.atomic
def reporte_enviar(*, reporte: Reporte, usuario, motivo: str = "", version_esperada: int | None = None) -> Reporte:
    """The planner sends a draft (or a returned report) to the planning office for review.

    An indicator in bajo or sobre ejecución at that cut needs a plan de choque (or, when it
    over-executes, a justification) before it can be sent (SPEC §4).
    """
    pedido, reporte = reporte, _bloquear(reporte, version_esperada)
    if not permisos.puede_editar_indicador(usuario, reporte.indicador):
        raise PermissionDenied(f"Solo los planeadores de {reporte.indicador.dependencia} pueden enviar este reporte.")
    motivo = corte_verificar_abierto(
        indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=usuario, motivo=motivo
    )
    reporte_verificar_envio(reporte)
    reporte.estado = Reporte.Estado.ENVIADO
    return _transicion(reporte, usuario, motivo, pedido=pedido)


def _exigir_revisor(usuario) -> None:
    if not permisos.es_revisor(usuario):
        raise PermissionDenied("Solo la oficina de planeación (rol Revisor) revisa los reportes.")


@transaction.atomic
def reporte_aprobar(*, reporte: Reporte, usuario, motivo: str = "", version_esperada: int | None = None) -> Reporte:
    """The planning office approves a sent report (or a sent correction of an approved one): from
    now on every figure counts this value."""
    _exigir_revisor(usuario)
    pedido, reporte = reporte, _bloquear(reporte, version_esperada)
    motivo = corte_verificar_abierto(
        indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=usuario, motivo=motivo
    )
    _exigir_transicion(reporte, (Reporte.Estado.ENVIADO,), "aprobar")
    reporte.estado = Reporte.Estado.APROBADO
    _retirar_copia_oficial(reporte)
    reporte.comentario_revision = ""
    return _transicion(reporte, usuario, motivo, pedido=pedido)


@transaction.atomic
def reporte_devolver(
    *, reporte: Reporte, usuario, comentario: str, motivo: str = "", version_esperada: int | None = None
) -> Reporte:
    """The planning office returns a sent (or approved) report to the planner, saying why. An
    approved value stays official until a correction of it is approved."""
    _exigir_revisor(usuario)
    comentario = reglas.normalizar_texto(comentario)
    if not comentario:
        raise ValidationError({"comentario_revision": ["Escriba por qué devuelve el reporte: el planeador lo leerá."]})
    _verificar_largos(Reporte, {"comentario_revision": comentario})
    pedido, reporte = reporte, _bloquear(reporte, version_esperada)
    motivo = corte_verificar_abierto(
        indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=usuario, motivo=motivo
    )
    _exigir_transicion(reporte, (Reporte.Estado.ENVIADO, Reporte.Estado.APROBADO), "devolver")
    _guardar_copia_oficial(reporte)
    reporte.estado = Reporte.Estado.DEVUELTO
    reporte.comentario_revision = comentario
    return _transicion(reporte, usuario, motivo, pedido=pedido)


@transaction.atomic
def reporte_publicado_cargar(
    *, indicador: Indicador, anio: int, periodo: int, valor: Decimal, observaciones: str = "",
    plan_de_choque: str = "", ilustrativo: bool = False, usuario=None, motivo: str = "", solo_crear: bool = False,
) -> Reporte:
    """A figure already reviewed and published in a source document (the demo loader's seeds, a
    plan import's «Aprobado» rows), written approved. Idempotent: nothing is written when it is
    already there as it is. It obeys closed cuts like every other write: a frozen period is not
    rewritten. With `solo_crear`, an existing report is refused (`ReporteExistente`): the import
    brings only new periods this way, and a new period of a closed cut keeps the administrator's
    reason (the import checks it first with `reporte_verificar`); no other load records one."""
    nuevo = {
        "valor": Decimal(valor), "observaciones": reglas.normalizar_texto(observaciones),
        "plan_de_choque": reglas.normalizar_texto(plan_de_choque), "estado": Reporte.Estado.APROBADO,
        "ilustrativo": ilustrativo,
    }
    _verificar_largos(Reporte, {"observaciones": nuevo["observaciones"], "plan_de_choque": nuevo["plan_de_choque"]})
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    reporte = (
        Reporte.objects.select_for_update(of=("self",)).filter(indicador=indicador, anio=anio, periodo=periodo).first()
        or Reporte(indicador=indicador, anio=anio, periodo=periodo, creado_por=usuario)
    )
    if reporte.pk and solo_crear:
        raise ReporteExistente(reporte)
    if reporte.pk and all(getattr(reporte, campo) == v for campo, v in nuevo.items()) and not reporte.en_correccion:
        return reporte
    corte = corte_que_congela(indicador=indicador, anio=anio, periodo=periodo)
    if reporte.pk:
        if corte is not None:
            raise ValidationError(
                f"El reporte {reporte} está congelado por el corte cerrado {corte.clave}: no se vuelve a cargar.",
                code="congelado",
            )
        reporte.version += 1
    if corte is None:
        motivo = ""  # an open period needs no reason: none is recorded
    for campo, v in nuevo.items():
        setattr(reporte, campo, v)
    _retirar_copia_oficial(reporte)
    reporte.indicador = indicador
    reporte.full_clean(validate_unique=False, validate_constraints=False, exclude=["indicador"])
    return _guardar_sin_pisar(reporte, usuario, motivo)


def reportes_en_lote(accion, reportes: Iterable[Reporte], **kwargs) -> tuple[list[Reporte], list[str]]:
    """Apply a transition to many reports; each succeeds or fails on its own, with its reason."""
    hechos, errores = [], []
    for reporte in reportes:
        try:
            hechos.append(accion(reporte=reporte, **kwargs))
        except (ValidationError, PermissionDenied) as exc:
            mensajes = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            errores.append(f"{reporte}: {' '.join(mensajes)}")
    return hechos, errores


# --- Targets ------------------------------------------------------------------------------


def meta_bloqueada(anio: int, hoy: datetime.date | None = None) -> bool:
    """Targets of past years are frozen: the plan's history must not be rewritten silently."""
    return anio < (hoy or timezone.localdate()).year


def meta_verificar_vigencia(*, anio: int, usuario, motivo: str = "") -> str:
    """Refuse a change to a past year's target, unless an administrator gives the reason; return
    the reason to record ("" for this or a later year: it needs none).

    The whole-plan import (planning office) calls it alone: it may write any indicator's targets.
    """
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    if not meta_bloqueada(anio):
        return ""
    return _exigir_motivo_de_administrador(
        usuario, motivo, f"La meta de {anio} es de una vigencia pasada y ya no se puede modificar."
    )


def meta_verificar(*, indicador: Indicador, anio: int, usuario, motivo: str = "") -> str:
    if not permisos.puede_editar_indicador(usuario, indicador):
        raise PermissionDenied(f"No puede programar metas del indicador {indicador.codigo}: no es de sus dependencias.")
    return meta_verificar_vigencia(anio=anio, usuario=usuario, motivo=motivo)


@transaction.atomic
def meta_registrar(*, indicador: Indicador, anio: int, valor: Decimal, usuario, motivo: str = "") -> Meta:
    """Program (or correct) the target of one year."""
    motivo = meta_verificar(indicador=indicador, anio=anio, usuario=usuario, motivo=motivo)
    # By primary key: the model's ordering would join the indicator for nothing.
    meta = (
        Meta.objects.filter(indicador=indicador, anio=anio).order_by("pk").first()
        or Meta(indicador=indicador, anio=anio)
    )
    meta.valor = valor
    meta.full_clean()
    _guardar(meta, usuario, motivo)
    return meta


@transaction.atomic
def meta_cargar(
    *, indicador: Indicador, anio: int, valor: Decimal, usuario, motivo: str = "", indicador_nuevo: bool = False
) -> Meta:
    """A target written by the planning office for a whole plan (the plan import) or taken from a
    source document (the demo loader, `usuario` None). Past years stay locked, except for an
    indicator being loaded now (`indicador_nuevo`: its plan's history arrives with it) or an
    administrator who gives the reason. Nothing is written when the value is already there."""
    if usuario is not None and not (permisos.es_revisor(usuario) or permisos.puede_editar_indicador(usuario, indicador)):
        raise PermissionDenied(f"No puede programar metas del indicador {indicador.codigo}.")
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    # By primary key: the model's ordering would join the indicator for nothing.
    meta = (
        Meta.objects.filter(indicador=indicador, anio=anio).order_by("pk").first()
        or Meta(indicador=indicador, anio=anio)
    )
    if meta.pk and meta.valor == Decimal(valor):
        return meta
    if usuario is not None and not indicador_nuevo:
        motivo = meta_verificar_vigencia(anio=anio, usuario=usuario, motivo=motivo)
    else:
        motivo = ""  # nothing was frozen: no reason is recorded
    meta.valor = Decimal(valor)
    meta.full_clean()
    _guardar(meta, usuario, motivo)
    return meta


@transaction.atomic
def meta_eliminar(*, meta: Meta, usuario, motivo: str = "") -> None:
    """Remove a year's target (a plan import or a reload that drops it), under the same lock as a
    write; the history keeps the deleted row with who and, for a past year, why."""
    motivo = motivo_verificar(usuario=usuario, motivo=motivo)
    motivo = meta_verificar_vigencia(anio=meta.anio, usuario=usuario, motivo=motivo) if usuario is not None else ""
    meta._history_user = usuario
    if motivo:
        meta._change_reason = motivo
    meta.delete()


# --- Cuts ---------------------------------------------------------------------------------


@transaction.atomic
def corte_abrir(
    *, plan: Plan, anio: int, semestre: int, usuario, fecha_limite: datetime.date | None = None, motivo: str = ""
) -> Corte:
    """The planning office opens a cut with its deadline. Reopening a closed one is an
    administrator's correction, with its reason (`corte_reabrir`, which records it); opening a
    new or open cut needs none."""
    _exigir_revisor(usuario)
    motivo_verificar(usuario=usuario, motivo=motivo)
    corte = Corte.objects.select_for_update().filter(plan=plan, anio=anio, semestre=semestre).first()
    if corte is not None and corte.cerrado:
        corte = corte_reabrir(corte=corte, usuario=usuario, motivo=motivo)
    if corte is None:
        corte = Corte(plan=plan, anio=anio, semestre=semestre)
    corte.fecha_limite = fecha_limite or corte.fecha_limite
    corte.full_clean()
    _guardar(corte, usuario)
    return corte


def _bloquear_corte(corte: Corte) -> Corte:
    return Corte.objects.select_for_update(of=("self",)).select_related("plan").get(pk=corte.pk)


@transaction.atomic
def corte_cerrar(*, corte: Corte, usuario) -> Corte:
    """Close a cut: its figures are computed once more and stored as the official ones, and the
    reports of the periods that ended by its date are frozen from now on."""
    _exigir_revisor(usuario)
    corte = _bloquear_corte(corte)
    if corte.cerrado:
        raise ValidationError(f"El corte {corte.clave} ya está cerrado.")
    corte.estado = Corte.Estado.CERRADO
    corte.cerrado_por, corte.cerrado_en = usuario, timezone.now()
    _guardar(corte, usuario)
    corte_cerrado.send(sender=Corte, corte=corte, usuario=usuario, motivo="")
    return corte


@transaction.atomic
def corte_reabrir(*, corte: Corte, usuario, motivo: str) -> Corte:
    """An administrator reopens a closed cut, saying why: its figures are computed live again
    until it closes once more; the published version stays on record."""
    corte = _bloquear_corte(corte)
    if not corte.cerrado:
        raise ValidationError(f"El corte {corte.clave} no está cerrado.")
    motivo = _exigir_motivo_de_administrador(
        usuario, motivo, f"El corte {corte.clave} está cerrado y sus cifras publicadas."
    )
    corte.estado = Corte.Estado.ABIERTO
    corte.cerrado_por, corte.cerrado_en = None, None
    corte.corregido_en, corte.motivo_correccion = timezone.now(), motivo
    _guardar(corte, usuario, motivo)
    corte_reabierto.send(sender=Corte, corte=corte)
    return corte


@transaction.atomic
def corte_corregir_cifras(*, corte: Corte, usuario, motivo: str) -> Corte:
    """An administrator re-publishes a closed cut's figures from today's approved values (after
    correcting a frozen report), saying why; the cut's pages then say when and why."""
    corte = _bloquear_corte(corte)
    if not corte.cerrado:
        raise ValidationError(f"El corte {corte.clave} está abierto: sus cifras se calculan en vivo.")
    motivo = _exigir_motivo_de_administrador(
        usuario, motivo, f"Las cifras del corte {corte.clave} son las oficiales publicadas."
    )
    corte.corregido_en, corte.motivo_correccion = timezone.now(), motivo
    _guardar(corte, usuario, motivo)
    corte_cerrado.send(sender=Corte, corte=corte, usuario=usuario, motivo=corte.motivo_correccion)
    return corte


# --- Evidence -----------------------------------------------------------------------------


# What the first bytes of each allowed type look like: a renamed file (an HTML page or an
# executable called «acta.pdf») is refused before anyone downloads it.
FIRMAS_EVIDENCIA: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("PDF", (b"%PDF",)),
    "png": ("PNG", (b"\x89PNG",)),
    "jpg": ("JPEG", (b"\xff\xd8\xff",)),
    "jpeg": ("JPEG", (b"\xff\xd8\xff",)),
    "xlsx": ("libro de Excel (.xlsx)", (b"PK\x03\x04",)),
    "docx": ("documento de Word (.docx)", (b"PK\x03\x04",)),
}
# Control characters a text (CSV) file never has; tab, line breaks and form feed are fine.
_CONTROLES_NO_TEXTO = {chr(c) for c in range(32)} - set("\t\n\r\f\v")


def _leer_contenido(archivo, limite: int | None) -> bytes:
    """The first `limite` bytes (all when None) of an upload, leaving it ready to be saved."""
    try:
        archivo.seek(0)
    except (AttributeError, OSError, ValueError):
        archivo.open("rb")
    contenido = archivo.read() if limite is None else archivo.read(limite)
    archivo.seek(0)
    return contenido if isinstance(contenido, bytes) else contenido.encode()


def _es_texto(contenido: bytes) -> bool:
    if b"\x00" in contenido:
        return False
    try:
        texto = contenido.decode("utf-8-sig")
    except UnicodeDecodeError:
        texto = contenido.decode("latin-1")
    return not any(c in _CONTROLES_NO_TEXTO for c in texto)


def evidencia_errores_contenido(archivo, extension: str) -> list[str]:
    """Whether the content matches its extension (magic bytes; CSV must be plain text)."""
    if extension == "csv":
        if not _es_texto(_leer_contenido(archivo, None)):
            return [f"El archivo «{archivo.name}» no es un CSV de texto (UTF-8 o Latin-1): su contenido es binario."]
        return []
    if extension not in FIRMAS_EVIDENCIA:
        return []
    tipo, firmas = FIRMAS_EVIDENCIA[extension]
    inicio = _leer_contenido(archivo, 8)
    if not any(inicio.startswith(firma) for firma in firmas):
        return [
            f"El archivo «{archivo.name}» no es un {tipo} válido: su contenido no corresponde a la extensión "
            f".{extension}. Adjunte el archivo original."
        ]
    return []


def _peso(bytes_: int, otro: int) -> str:
    """A size in MB with one decimal («10,5 MB»), or in bytes with thousands separators
    («10.485.761 bytes») when in MB it would read the same as `otro`, the size it is compared
    with: a file of 10 MB and one byte is not «10 MB» against a maximum of «10 MB»."""
    en_mb = formato_numero(Decimal(bytes_) / 1048576, 1)
    if en_mb == formato_numero(Decimal(otro) / 1048576, 1):
        return f"{formato_numero(bytes_, 0)} bytes"
    return f"{en_mb} MB"


def evidencia_errores_archivo(archivo) -> list[str]:
    """Type, content and size limits of an uploaded evidence file (settings EVIDENCIA_*).

    The admin's evidence form and `evidencia_agregar` both ask here."""
    if not archivo:
        return []
    errores = []
    extension = archivo.name.rsplit(".", 1)[-1].lower() if "." in archivo.name else ""
    permitidas = [e.lower() for e in settings.EVIDENCIA_EXTENSIONES]
    if extension not in permitidas:
        errores.append(
            f"El archivo «{archivo.name}» no es de un tipo permitido; use {', '.join(permitidas)}."
        )
    if archivo.size > settings.EVIDENCIA_MAX_BYTES:
        errores.append(
            f"El archivo «{archivo.name}» pesa {_peso(archivo.size, settings.EVIDENCIA_MAX_BYTES)}; "
            f"el máximo es {_peso(settings.EVIDENCIA_MAX_BYTES, archivo.size)}."
        )
    if not errores:
        # Only read a file of an allowed type and size.
        errores.extend(evidencia_errores_contenido(archivo, extension))
    return errores


@transaction.atomic
def evidencia_agregar(
    *, reporte: Reporte, usuario, archivo=None, enlace: str = "", descripcion: str = "", motivo: str = ""
) -> Evidencia:
    """Attach a file (through Django's storage) or a link to a report."""
    motivo = reporte_verificar(
        indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=usuario, motivo=motivo
    )
    errores = evidencia_errores_archivo(archivo)
    if errores:
        raise ValidationError({"archivo": errores})
    evidencia = Evidencia(reporte=reporte, archivo=archivo or "", enlace=enlace, descripcion=descripcion)
    _verificar_largos(evidencia)
    evidencia.full_clean()
    _guardar(evidencia, usuario, motivo)
    return evidencia


# --- Compliance ---------------------------------------------------------------------------


def recordatorios_enviar(*, pendientes_por_dependencia: dict, corte: Corte) -> int:
    """Email each planner the indicators they still owe at the open cut. Returns emails sent.

    `pendientes_por_dependencia` is what `indicadores.cumplimiento.cumplimiento_corte` gives.
    """
    mensajes = []
    for fila in pendientes_por_dependencia:
        pendientes = fila["pendientes"]
        if not pendientes:
            continue
        lineas = "\n".join(f"- {p['codigo']} {p['nombre'][:80]} ({p['estado']})" for p in pendientes)
        limite = f" antes del {corte.fecha_limite:%d/%m/%Y}" if corte.fecha_limite else ""
        cuerpo = (
            f"Buenos días.\n\nPara el corte {corte.clave} del plan «{corte.plan}», la dependencia "
            f"{fila['dependencia']} tiene {len(pendientes)} indicador(es) sin reporte enviado{limite}:\n\n"
            f"{lineas}\n\nPor favor regístrelos y envíelos a revisión.\n"
        )
        for correo in fila["correos"]:
            mensajes.append((f"Recordatorio: reportes del corte {corte.clave}", cuerpo, settings.DEFAULT_FROM_EMAIL, [correo]))
    return send_mass_mail(mensajes, fail_silently=False) if mensajes else 0


__all__ = [
    "ConflictoEdicion",
    "ReporteExistente",
    "corte_corregir_cifras",
    "corte_reabrir",
    "PermissionDenied",
    "ValidationError",
    "corte_abrir",
    "corte_cerrar",
    "corte_verificar_abierto",
    "evidencia_agregar",
    "meta_cargar",
    "meta_eliminar",
    "meta_registrar",
    "meta_verificar",
    "meta_verificar_vigencia",
    "motivo_verificar",
    "recordatorios_enviar",
    "reporte_aprobar",
    "reporte_devolver",
    "reporte_enviar",
    "reporte_publicado_cargar",
    "reporte_registrar",
    "reporte_verificar",
]
