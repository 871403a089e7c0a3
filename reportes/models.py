"""Stored summaries that make a national roll-up fast (issue 3, see benchmarks/RESULTADOS.md).

The follow-up of an indicator at a cut needs nine numbers from its targets and approved reports
(`calculos.ResumenMetas` and `calculos.ResumenReportes`). Computing them reads every target and
report row; storing them lets a cut of 300.000 indicators be read as 300.000 rows.

They are kept correct by version, not by hand: database triggers (migration 0001) bump
`VersionIndicador.version` in the same transaction as any insert, update or delete of a target or
a report (also `bulk_create`, `update()`, imports and raw SQL, which Django signals miss) and any
change of an indicator's periodicidad. A summary is used only while its `version` equals the
indicator's current one; otherwise the selector recomputes it. Tipo, línea base and weights are
not summarised: they are applied when results are read, so changing them needs no recomputation.
"""

from django.conf import settings
from django.db import models

from indicadores.models import Corte, Indicador
from politicas.models import texto_limitado
from seguimiento.limites import MAX_MOTIVO

RESUMEN = {"max_digits": 28, "decimal_places": 6, "null": True}


class VersionIndicador(models.Model):
    """How many times an indicator's targets, reports or periodicidad have changed (by triggers)."""

    indicador_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "versión de indicador"
        verbose_name_plural = "versiones de indicadores"


class ResumenCorte(models.Model):
    """One indicator's target and approved-report summaries at one cut, as of one version."""

    indicador = models.ForeignKey(Indicador, on_delete=models.CASCADE, related_name="+")
    anio = models.PositiveSmallIntegerField("año")
    semestre = models.PositiveSmallIntegerField("semestre")
    version = models.BigIntegerField()
    meta_anio = models.DecimalField(**RESUMEN)
    meta_anterior = models.DecimalField(**RESUMEN)
    suma_anterior = models.DecimalField(**RESUMEN)
    metas_total = models.DecimalField(**RESUMEN)
    meta_ultima = models.DecimalField(**RESUMEN)
    suma_anio = models.DecimalField(**RESUMEN)
    reportes_total = models.DecimalField(**RESUMEN)
    ultimo_anio = models.DecimalField(**RESUMEN)
    ultimo = models.DecimalField(**RESUMEN)

    class Meta:
        verbose_name = "resumen de indicador en un corte"
        verbose_name_plural = "resúmenes de indicadores por corte"
        constraints = [
            # Cut first: a whole cut is read by its (anio, semestre) prefix.
            models.UniqueConstraint(fields=["anio", "semestre", "indicador"], name="resumen_unico_por_corte")
        ]

    def __str__(self) -> str:
        return f"{self.indicador_id} {self.anio}-{self.semestre} v{self.version}"


class CifrasCorte(models.Model):
    """The official results of a closed cut, as they were published (SPEC §3–5 applied then).

    Closing a cut stores them; from then on every page, export, API response and the `semaforo`
    command read these instead of computing the cut again, so a later report, target or weight
    cannot move a published figure. An administrator's correction or reopening (with its reason)
    marks the row as superseded instead of deleting it: every published version is kept.
    """

    corte = models.ForeignKey(Corte, on_delete=models.CASCADE, related_name="cifras")
    vigente = models.BooleanField("vigentes", default=True)
    congelado_en = models.DateTimeField("publicadas en", auto_now_add=True)
    congelado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motivo = models.TextField(
        "motivo", **texto_limitado(MAX_MOTIVO, blank=True, help_text="Vacío al cerrar; el motivo de una corrección.")
    )
    # ResultadoPlan as JSON (reportes.congelar): the totals and levels apart from the indicators,
    # so a roll-up of many plans reads only the small part.
    totales = models.JSONField()
    niveles = models.JSONField()
    indicadores = models.JSONField()

    class Meta:
        verbose_name = "cifras oficiales de un corte"
        verbose_name_plural = "cifras oficiales de los cortes"
        ordering = ["corte", "-congelado_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["corte"], condition=models.Q(vigente=True), name="cifras_vigentes_unicas_por_corte"
            )
        ]

    def __str__(self) -> str:
        return f"{self.corte} ({'vigentes' if self.vigente else 'reemplazadas'})"
