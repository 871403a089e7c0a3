"""REST API (issue 6): indicators with their yearly targets, and the reports planners write.

Reports are written through `indicadores.services.reporte_registrar`, the one write path, so the
API applies the same permissions and validation as the admin and the forms.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Prefetch, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from indicadores import permisos, services
from indicadores.models import Enfoque, Indicador, Meta, Periodicidad, Reporte, TipoAnualizacion
from politicas.api import APIBase, EnteroFilter, IdFilter, documentar
from reportes.resultados import CorteRef, Semaforo

# How deep the `nivel` filter looks for indicators under a level (Eje → Componente → Programa
# is three; policies use two).
PROFUNDIDAD_MAXIMA_FILTRO = 6


# ---------------------------------------------------------------------------------------------
# Indicadores


class MetaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meta
        fields = ["anio", "valor"]


class IndicadorSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="codigo", read_only=True)
    nivel_codigo = serializers.CharField(source="nivel.codigo", read_only=True)
    enfoques = serializers.SlugRelatedField(slug_field="codigo", many=True, read_only=True)
    metas = MetaSerializer(many=True, read_only=True, help_text="Metas de cada vigencia, por año.")

    class Meta:
        model = Indicador
        fields = [
            "id",
            "plan",
            "nivel",
            "nivel_codigo",
            "codigo",
            "nombre",
            "producto",
            "unidad",
            "tipo_anualizacion",
            "periodicidad",
            "linea_base",
            "anio_linea_base",
            "meta_final",
            "peso",
            "dependencia",
            "enfoques",
            "metas",
            "ilustrativo",
            "fuente",
        ]


def _bajo_nivel(nivel_id: int) -> Q:
    """Indicators hanging from a level at any depth (the tree is a few levels deep)."""
    condicion = Q(nivel_id=nivel_id)
    camino = "nivel"
    for _ in range(PROFUNDIDAD_MAXIMA_FILTRO):
        camino += "__padre"
        condicion |= Q(**{f"{camino}_id": nivel_id})
    return condicion


class IndicadorFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="plan__codigo", label="Código del plan (`bogota-conpes-29`)")
    nivel = IdFilter(method="filtrar_nivel", label="Id de un nivel: sus indicadores y los de sus subniveles")
    dependencia = IdFilter(field_name="dependencia_id")
    tipo = filters.ChoiceFilter(field_name="tipo_anualizacion", choices=TipoAnualizacion.choices)
    periodicidad = filters.ChoiceFilter(choices=Periodicidad.choices)
    enfoque = filters.CharFilter(method="filtrar_enfoque", label="Código del enfoque (`genero`)")
    codigo = filters.CharFilter(field_name="codigo")
    q = filters.CharFilter(method="filtrar_texto", label="Texto en el código, el nombre o el producto")
    corte = filters.CharFilter(method="sin_filtro", label="Corte AAAA-S para `banda` (`2024-1`)")
    banda = filters.ChoiceFilter(
        method="sin_filtro",
        choices=[(banda.value, banda.etiqueta) for banda in Semaforo],
        label="Banda del semáforo (sobre PAHV) en el `corte`; exige `plan` y `corte`",
    )

    class Meta:
        model = Indicador
        fields = ["plan", "nivel", "dependencia", "tipo", "periodicidad", "enfoque", "codigo", "q", "corte", "banda"]

    def filtrar_nivel(self, queryset, name, value):
        return queryset.filter(_bajo_nivel(value))

    def filtrar_enfoque(self, queryset, name, value):
        return queryset.filter(enfoques__codigo=value).distinct()

    def filtrar_texto(self, queryset, name, value):
        return queryset.filter(Q(codigo__icontains=value) | Q(nombre__icontains=value) | Q(producto__icontains=value))

    def sin_filtro(self, queryset, name, value):
        return queryset  # `corte` and `banda` act together in filter_queryset

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        datos = self.form.cleaned_data
        if datos.get("corte"):
            try:
                CorteRef.parse(datos["corte"])
            except ValueError as error:
                self.form.add_error("corte", str(error))
        if datos.get("banda") and not (datos.get("plan") and datos.get("corte")):
            self.form.add_error("banda", "Para filtrar por banda indique también `plan` y `corte` (2024-1).")
        return not self.form.errors

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        datos = self.form.cleaned_data
        if datos.get("banda"):
            queryset = queryset.filter(id__in=self._ids_en_banda(datos["plan"], datos["corte"], datos["banda"]))
        return queryset

    def _ids_en_banda(self, codigo_plan: str, corte: str, banda: str) -> list[int]:
        # The same selector as the dashboards and `semaforo`: a fixed number of queries per plan.
        from django.contrib.auth.models import AnonymousUser

        from reportes.selectors import plan_resultados

        # Only a plan the user may see: an invisible or unknown plan filters to nothing, computed
        # for nobody (the indicators themselves are scoped by the queryset as well).
        usuario = getattr(self.request, "user", None) or AnonymousUser()
        plan = permisos.planes_visibles(usuario).filter(codigo=codigo_plan).first()
        if plan is None:
            return []
        resultado = plan_resultados(plan=plan, corte=CorteRef.parse(corte))
        return [r.indicador_id for r in resultado.indicadores if r.semaforo == banda]


@documentar(
    "indicadores", "un indicador",
    "Indicadores con sus metas por año. El planeador ve los de sus dependencias; funcionarios, auditores "
    "y la oficina de planeación, todos; sin sesión, los de planes publicados. Con `plan`, `corte` y "
    "`banda` se filtran por su semáforo (sobre el PAHV) en ese corte.",
)
class IndicadorViewSet(APIBase, viewsets.ReadOnlyModelViewSet):
    """Indicators with their yearly targets (metas). Planners see their dependencias' indicators;
    officials, auditors and reviewers see all; anonymous visitors those of published plans."""

    serializer_class = IndicadorSerializer
    filterset_class = IndicadorFilter

    def get_queryset(self):
        consulta = Indicador.objects.select_related("plan", "nivel").prefetch_related(
            Prefetch("metas", queryset=Meta.objects.order_by("anio")),
            Prefetch("enfoques", queryset=Enfoque.objects.order_by("codigo")),
        )
        return permisos.indicadores_legibles(self.request.user, consulta).order_by(
            "plan__nombre", "plan_id", "orden", "codigo", "id"
        )


# ---------------------------------------------------------------------------------------------
# Reportes


class ReporteSerializer(serializers.ModelSerializer):
    """A report as scripts read and write it. `indicador`, `anio` and `periodo` name the period;
    posting a period that already has a report corrects it."""

    indicador = serializers.PrimaryKeyRelatedField(queryset=Indicador.objects.all())
    indicador_codigo = serializers.CharField(source="indicador.codigo", read_only=True)
    plan = serializers.CharField(source="indicador.plan.codigo", read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Versión que se leyó. Al corregir, si el reporte cambió desde entonces la escritura se "
        "rechaza con 409 para no pisar el trabajo de otro.",
    )
    creado_por = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    motivo = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Solo administradores: por qué corrigen un reporte de un corte cerrado (queda en la historia).",
    )

    class Meta:
        model = Reporte
        fields = [
            "id",
            "indicador",
            "indicador_codigo",
            "plan",
            "anio",
            "periodo",
            "valor",
            "observaciones",
            "plan_de_choque",
            "estado",
            "comentario_revision",
            "version",
            "ilustrativo",
            "creado_por",
            "actualizado_en",
            "motivo",
        ]
        read_only_fields = ["estado", "comentario_revision", "ilustrativo", "actualizado_en"]
        # The model's unique constraint is the service's business: posting an existing period
        # corrects it instead of failing.
        validators: list = []


class ReporteCorreccionSerializer(ReporteSerializer):
    """On PUT/PATCH the period is fixed: only the values and narratives change."""

    class Meta(ReporteSerializer.Meta):
        read_only_fields = ReporteSerializer.Meta.read_only_fields + ["indicador", "anio", "periodo"]

    indicador = serializers.PrimaryKeyRelatedField(read_only=True)


class ConflictoVersion(Exception):
    """A write based on a version that is no longer the current one (answered with 409)."""

    def __init__(self, cuerpo: dict):
        super().__init__(cuerpo["detail"])
        self.cuerpo = cuerpo


def _errores_de_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """Django's model errors, keyed by field (`__all__` becomes DRF's `non_field_errors`)."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {("non_field_errors" if campo == "__all__" else campo): mensajes for campo, mensajes in error.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


class ReporteFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="indicador__plan__codigo", label="Código del plan")
    indicador = IdFilter(field_name="indicador_id")
    codigo = filters.CharFilter(field_name="indicador__codigo", label="Código del indicador")
    nivel = IdFilter(method="filtrar_nivel", label="Id de un nivel: reportes de sus indicadores y subniveles")
    dependencia = IdFilter(field_name="indicador__dependencia_id")
    anio = EnteroFilter(field_name="anio", max_value=9999)
    periodo = EnteroFilter(field_name="periodo", min_value=1, max_value=12)
    estado = filters.ChoiceFilter(choices=Reporte.Estado.choices)

    class Meta:
        model = Reporte
        fields = ["plan", "indicador", "codigo", "nivel", "dependencia", "anio", "periodo", "estado"]

    def filtrar_nivel(self, queryset, name, value):
        condicion = Q(indicador__nivel_id=value)
        camino = "indicador__nivel"
        for _ in range(PROFUNDIDAD_MAXIMA_FILTRO):
            camino += "__padre"
            condicion |= Q(**{f"{camino}_id": value})
        return queryset.filter(condicion)


ERRORES_ESCRITURA = {
    400: OpenApiResponse(description="Datos no válidos: los errores vienen por campo."),
    401: OpenApiResponse(description="Falta autenticación (token o sesión)."),
    403: OpenApiResponse(description="El indicador no es de sus dependencias, o su rol no reporta."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Listar reportes",
        description="Reportes de los indicadores que usted puede ver; sin sesión, solo los aprobados de planes publicados.",
    ),
    retrieve=extend_schema(summary="Leer un reporte"),
    create=extend_schema(
        summary="Registrar o corregir el reporte de un periodo",
        description="Crea el reporte del periodo (201) o, si ya existía, lo corrige (200). Queda en borrador. "
        "Solo el planeador de la dependencia del indicador (o un administrador).",
        responses={201: ReporteSerializer, 200: ReporteSerializer, 409: OpenApiResponse(description="Versión vieja."), **ERRORES_ESCRITURA},
    ),
    update=extend_schema(
        summary="Corregir un reporte",
        responses={200: ReporteCorreccionSerializer, 409: OpenApiResponse(description="Versión vieja."), **ERRORES_ESCRITURA},
    ),
    partial_update=extend_schema(
        summary="Corregir parte de un reporte",
        responses={200: ReporteCorreccionSerializer, 409: OpenApiResponse(description="Versión vieja."), **ERRORES_ESCRITURA},
    ),
)
class ReporteViewSet(
    APIBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Period reports. Planners create and correct the reports of their dependencias' indicators;
    each write leaves the report as a draft for review."""

    filterset_class = ReporteFilter

    def get_queryset(self):
        return (
            permisos.reportes_visibles(self.request.user)
            .select_related("indicador__plan", "creado_por")
            .order_by("indicador__plan_id", "indicador__orden", "indicador__codigo", "anio", "periodo", "id")
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ReporteCorreccionSerializer
        return ReporteSerializer

    def handle_exception(self, exc):
        # The current report goes back as data (numbers stay numbers), so the script can show
        # what changed and retry on the current version.
        if isinstance(exc, ConflictoVersion):
            return Response(exc.cuerpo, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        datos = serializer.validated_data
        datos.setdefault("periodo", 1)  # the model's default: annual indicators have one period
        existente = Reporte.objects.filter(
            indicador=datos["indicador"], anio=datos["anio"], periodo=datos["periodo"]
        ).first()
        reporte = self._registrar(
            indicador=datos["indicador"],
            anio=datos["anio"],
            periodo=datos["periodo"],
            valor=datos["valor"],
            observaciones=datos.get("observaciones", existente.observaciones if existente else ""),
            plan_de_choque=datos.get("plan_de_choque", existente.plan_de_choque if existente else ""),
            version=datos.get("version"),
            motivo=datos.get("motivo", ""),
        )
        codigo = status.HTTP_200_OK if existente else status.HTTP_201_CREATED
        return Response(ReporteSerializer(reporte, context=self.get_serializer_context()).data, status=codigo)

    def update(self, request, *args, **kwargs):
        parcial = kwargs.pop("partial", False)
        reporte = self.get_object()
        serializer = self.get_serializer(reporte, data=request.data, partial=parcial)
        serializer.is_valid(raise_exception=True)
        datos = serializer.validated_data
        reporte = self._registrar(
            indicador=reporte.indicador,
            anio=reporte.anio,
            periodo=reporte.periodo,
            valor=datos.get("valor", reporte.valor),
            observaciones=datos.get("observaciones", reporte.observaciones),
            plan_de_choque=datos.get("plan_de_choque", reporte.plan_de_choque),
            version=datos.get("version"),
            motivo=datos.get("motivo", ""),
        )
        return Response(self.get_serializer(reporte).data)

    def _registrar(self, *, version: int | None, **campos) -> Reporte:
        """Write through the service; its refusals become 403, 400 by field, or 409."""
        try:
            return services.reporte_registrar(usuario=self.request.user, version_esperada=version, **campos)
        except services.ConflictoEdicion as conflicto:
            # The service checks permissions first, so a 409 never shows someone else's report.
            raise ConflictoVersion(
                {
                    "detail": conflicto.messages[0],
                    "cambios": conflicto.cambios,
                    "actual": ReporteSerializer(conflicto.reporte, context=self.get_serializer_context()).data,
                }
            ) from conflicto
        except DjangoValidationError as error:
            raise _errores_de_django(error) from error
        except IntegrityError as error:
            # Two first reports of the same period at the same moment: the unique constraint
            # keeps one; the other writer retries on top of it.
            raise ConflictoVersion(
                {
                    "detail": "Otra persona registró este periodo al mismo tiempo. Vuelva a leerlo y corrija sobre él.",
                    "cambios": [],
                    "actual": None,
                }
            ) from error


__all__ = ["IndicadorViewSet", "ReporteViewSet"]
