"""REST API (issue 6): the results of a plan at a cut, from the same selector as the dashboards
and the `semaforo` command (`reportes.selectors.plan_resultados`).

Percentages are numbers in percent units (41.25 means 41,25 %) or null when there is no
information; level figures are percentage points of the whole plan (SPEC §5).
"""

import dataclasses
from decimal import ROUND_HALF_UP

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from indicadores import permisos
from politicas.api import APIBase
from reportes.selectors import plan_resultados
from reportes.visibilidad import resultados_visibles
from seguimiento.metodologia.resultados import CorteRef, ResultadoIndicador, ResultadoPlan, Semaforo


def _decimal(**kwargs) -> serializers.DecimalField:
    # JSON numbers with at most six decimals, rounded half up: exactly what `semaforo --json`
    # prints (333.333333), so scripts get the same figures from either door.
    return serializers.DecimalField(
        max_digits=None, decimal_places=6, rounding=ROUND_HALF_UP, coerce_to_string=False, **kwargs
    )


def _porcentaje(ayuda: str) -> serializers.DecimalField:
    return _decimal(allow_null=True, help_text=ayuda + " En porcentaje (41.25 = 41,25 %); null sin información.")


BANDAS = [(banda.value, banda.etiqueta) for banda in Semaforo]


class BandaField(serializers.ChoiceField):
    """A semáforo band. Its schema is the `Semaforo` enum when SPECTACULAR_SETTINGS has
    `ENUM_NAME_OVERRIDES = {"Semaforo": "reportes.api.BANDAS"}`."""

    def __init__(self, **kwargs):
        super().__init__(choices=BANDAS, **kwargs)


class ResultadoIndicadorSerializer(serializers.Serializer):
    indicador_id = serializers.IntegerField()
    codigo = serializers.CharField()
    nombre = serializers.CharField()
    nivel_id = serializers.IntegerField()
    dependencia_id = serializers.IntegerField()
    tipo = serializers.CharField(help_text="Tipo de anualización: suma, creciente, constante, decreciente.")
    periodicidad = serializers.CharField()
    peso = _decimal(allow_null=True, help_text="Peso efectivo en puntos porcentuales del plan.")
    linea_base = _decimal(allow_null=True)
    meta_anio = _decimal(allow_null=True, help_text="Meta de la vigencia del corte, m[Y].")
    avance_anio = _decimal(allow_null=True, help_text="Avance de la vigencia, A[Y].")
    avance_acumulado = _decimal(allow_null=True, help_text="Avance acumulado al corte, AV.")
    meta_acumulada = _decimal(allow_null=True, help_text="Meta acumulada al corte, MA.")
    meta_final = _decimal(allow_null=True, help_text="Meta final, MF.")
    pav = _porcentaje("Porcentaje de avance de la vigencia.")
    pahv = _porcentaje("Porcentaje de avance hasta la vigencia.")
    paa = _porcentaje("Porcentaje de avance acumulado.")
    trayectoria = _porcentaje("Trayectoria ideal al corte.")
    semaforo = BandaField(help_text="Estado del indicador: la banda de su PAHV.")
    semaforo_pav = BandaField()
    semaforo_pahv = BandaField()
    semaforo_paa = BandaField()
    motivo_sin_informacion = serializers.CharField(allow_blank=True, help_text="Por qué PAHV no tiene valor.")
    motivo_pav = serializers.CharField(allow_blank=True, help_text="Por qué PAV no tiene valor.")
    motivo_paa = serializers.CharField(allow_blank=True, help_text="Por qué PAA no tiene valor.")
    ilustrativo = serializers.BooleanField(help_text="Valores inferidos, no dados por el documento fuente.")
    aporte_avance = _decimal(help_text="Peso · min(PAA, 100 %), en puntos del plan.")
    aporte_trayectoria = _decimal(help_text="Peso · trayectoria, en puntos del plan.")
    brecha = _decimal(help_text="aporte_avance − aporte_trayectoria, en puntos del plan.")


class ResultadoNivelSerializer(serializers.Serializer):
    nivel_id = serializers.IntegerField()
    padre_id = serializers.IntegerField(allow_null=True)
    codigo = serializers.CharField()
    nombre = serializers.CharField()
    nivel = serializers.CharField(help_text="El nombre que el plan da a esta profundidad.")
    profundidad = serializers.IntegerField()
    peso = _decimal(help_text="Puntos porcentuales del plan.")
    avance = _decimal(help_text="Puntos porcentuales del plan.")
    trayectoria = _decimal(help_text="Puntos porcentuales del plan.")
    brecha = _decimal(help_text="avance − trayectoria; negativo es retraso.")


class TotalesSerializer(serializers.Serializer):
    avance = _decimal()
    trayectoria = _decimal()
    brecha = _decimal()


class PublicacionSerializer(serializers.Serializer):
    cerrado_en = serializers.DateTimeField(
        allow_null=True, help_text="Cuándo se cerró el corte y se publicaron sus cifras."
    )
    corregido_en = serializers.DateTimeField(
        allow_null=True, help_text="Última corrección de sus cifras por un administrador; null si nunca se corrigieron."
    )
    motivo_correccion = serializers.CharField(allow_blank=True, help_text="Por qué se corrigieron; vacío si no.")


class ResultadoPlanSerializer(serializers.Serializer):
    plan = serializers.CharField(source="plan_codigo")
    corte = serializers.CharField(source="corte.clave", help_text="AAAA-S: 2024-1 es el 30 de junio de 2024.")
    fecha_corte = serializers.DateField(source="corte.fecha")
    publicacion = PublicacionSerializer(
        allow_null=True,
        help_text="En un corte cerrado, las cifras son las oficiales publicadas al cerrarlo, aunque después cambien "
        "los reportes; null en un corte abierto, cuyas cifras se calculan al momento.",
    )
    total = TotalesSerializer(allow_null=True)
    conteo_semaforo = serializers.SerializerMethodField(help_text="Indicadores por banda de su estado (PAHV).")
    niveles = ResultadoNivelSerializer(many=True)
    indicadores = ResultadoIndicadorSerializer(many=True)

    def get_conteo_semaforo(self, resultado: ResultadoPlan) -> dict[str, int]:
        # The whole plan's count (an aggregate, as the dashboard shows it) even when the list of
        # indicators is restricted to those the user may read.
        conteo = self.context.get("conteo") or resultado.conteo_semaforo()
        return {banda.value: total for banda, total in conteo.items()}


def resultados_a_dict(resultado: ResultadoPlan, *, visibles: list[ResultadoIndicador] | None = None) -> dict:
    """The JSON shape of a plan's results (what the API answers). With `visibles`, only those
    indicators are listed; levels, totals and the band count stay the whole plan's."""
    if visibles is None:
        return ResultadoPlanSerializer(resultado).data
    return ResultadoPlanSerializer(
        dataclasses.replace(resultado, indicadores=visibles), context={"conteo": resultado.conteo_semaforo()}
    ).data


class PlanResultadosView(APIBase, APIView):
    """PAV, PAHV, PAA, trajectory and band of each indicator; avance, trajectory and gap of each
    level and of the plan, at a cut. Counts approved reports only, like the dashboards (the
    approved value while its correction is under review); a closed cut answers the figures
    stored when it closed, with `publicacion` saying when. On an
    unpublished plan a planner gets the rows of their dependencias' indicators only (totals,
    levels and the band count stay the whole plan's, as on the dashboard)."""

    @extend_schema(
        summary="Resultados de un plan en un corte",
        parameters=[
            OpenApiParameter(
                "codigo", OpenApiTypes.STR, OpenApiParameter.PATH, description="Código del plan.",
                examples=[OpenApiExample("Bogotá, CONPES D.C. 29", value="bogota-conpes-29")],
            ),
            OpenApiParameter(
                "corte", OpenApiTypes.STR, required=True, pattern=r"^\d{4}-[12]$",
                description="Corte AAAA-S: 2024-1 (30 de junio) o 2024-2 (31 de diciembre).",
                examples=[OpenApiExample("Primer semestre de 2024", value="2024-1")],
            ),
        ],
        responses={
            200: ResultadoPlanSerializer,
            400: OpenApiResponse(description="Corte ausente o mal escrito."),
            404: OpenApiResponse(description="Plan inexistente o no visible para usted."),
        },
    )
    def get(self, request, codigo: str):
        plan = get_object_or_404(permisos.planes_visibles(request.user), codigo=codigo)
        try:
            corte = CorteRef.parse(request.query_params.get("corte", ""))
        except ValueError as error:
            raise exceptions.ValidationError({"corte": [str(error)]}) from error
        resultado = plan_resultados(plan=plan, corte=corte)
        return Response(resultados_a_dict(resultado, visibles=resultados_visibles(resultado, request.user, plan)))
