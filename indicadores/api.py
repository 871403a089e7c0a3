"""REST API (issue 6): the reports planners write (indicators are listed by `reportes.api_indicadores`).

Reports are written through `indicadores.services.reporte_registrar`, the one write path, so the
API applies the same permissions and validation as the admin and the forms.
"""

import re

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from indicadores import permisos, services
from indicadores.models import Indicador, Reporte
from politicas.api import ID_MAXIMO, APIBase, EnteroFilter, IdFilter
from seguimiento.api_entradas import EnteroField, NumeroColombianoField, TextoAcotadoField
from seguimiento.limites import MAX_MOTIVO

# How deep the `nivel` filter looks for indicators under a level (Eje → Componente → Programa
# is three; policies use two).
PROFUNDIDAD_MAXIMA_FILTRO = 6


# ---------------------------------------------------------------------------------------------
# Reportes


MENSAJE_SIN_VERSION = (
    "Indique la versión del reporte que leyó («version», la que trae GET /api/v1/reportes/<id>/): sin ella "
    "su corrección podría pisar el cambio que otra persona guardó mientras tanto."
)


def _solo_copia_publicada(usuario) -> Q | None:
    """Reports of which `usuario` reads only the published copy: approved reports under correction
    outside their dependencias. None when the user reads every report as written."""
    if permisos.lee_todo(usuario):
        return None
    return Q(valor_oficial__isnull=False) & ~Q(indicador__dependencia_id__in=permisos.dependencias_ids(usuario))


def _usuario(serializer: serializers.Field):
    solicitud = serializer.context.get("request")
    return getattr(solicitud, "user", None) or AnonymousUser()


def _lee_el_borrador(usuario, reporte: Reporte) -> bool:
    """Whether `usuario` reads a report under correction as written (its dependencia and readers of
    everything); everyone else reads its approved copy (a draft never leaves its dependencia)."""
    return permisos.lee_todo(usuario) or reporte.indicador.dependencia_id in permisos.dependencias_ids(usuario)


_TIPOS = {"str": "un texto", "float": "un número con decimales", "Decimal": "un número con decimales",
          "list": "una lista", "dict": "un objeto", "bool": "un booleano"}


class IndicadorLegibleField(serializers.PrimaryKeyRelatedField):
    """The id of an indicator the user may read (`permisos.indicadores_legibles`). An indicator
    they may not read is answered exactly like one that does not exist: same status, same message,
    no code. Whether they may write it is the service's question (403, naming it)."""

    default_error_messages = {
        "does_not_exist": "No hay un indicador con id {pk_value} entre los que usted puede ver.",
        "incorrect_type": "Indique el id del indicador, un número entero; llegó {data_type}.",
    }

    def get_queryset(self):
        return permisos.indicadores_legibles(_usuario(self), Indicador.objects.all())

    def to_internal_value(self, data):
        # Only whole numbers: Django would read 1.5 or "1.9" as indicator 1.
        if isinstance(data, str) and re.fullmatch(r"\s*[0-9]{1,100}\s*", data, re.ASCII):
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=_TIPOS.get(type(data).__name__, type(data).__name__))
        if not 1 <= data <= ID_MAXIMO:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ReporteSerializer(serializers.ModelSerializer):
    """A report as scripts read it and create it. `indicador`, `anio` and `periodo` name the period;
    a period that already has a report is corrected through PUT/PATCH with its `version`.

    While a correction of an approved report is under review, `valor` and the narratives are the
    planner's proposal and `valor_oficial` the approved value every figure still counts. Whoever
    may not read the dependencia's drafts gets the approved copy, as it was published."""

    # Every decimal a client writes is read as the import reads it; every text is bounded by its
    # model field's `max_length` (seguimiento.limites), with the real length in the message.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumeroColombianoField,
        models.TextField: TextoAcotadoField,
        **{
            campo: EnteroField
            for campo in (
                models.IntegerField, models.SmallIntegerField, models.BigIntegerField, models.PositiveIntegerField,
                models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
            )
        },
    }

    indicador = IndicadorLegibleField(help_text="Id de un indicador que usted puede ver.")
    indicador_codigo = serializers.CharField(source="indicador.codigo", read_only=True)
    plan = serializers.CharField(source="indicador.plan.codigo", read_only=True)
    nombre_periodo = serializers.CharField(read_only=True, help_text="«2024», «2024 · semestre 1», «2024 · junio».")
    version = serializers.IntegerField(
        read_only=True,
        help_text="Versión actual. Envíela al corregir con PUT/PATCH: si el reporte cambió desde que lo leyó, "
        "la escritura se rechaza con 409 para no pisar el trabajo de otro.",
    )
    valor_oficial = serializers.DecimalField(
        source="valor_publicado",
        max_digits=20,
        decimal_places=6,
        read_only=True,
        allow_null=True,
        help_text="Avance aprobado, el que cuentan las cifras oficiales: mientras se revisa una corrección de un "
        "reporte aprobado sigue siendo el aprobado antes; null si el reporte nunca se aprobó.",
    )
    en_correccion = serializers.BooleanField(
        read_only=True,
        help_text="Un reporte aprobado con una corrección en curso: `valor` es la propuesta, `valor_oficial` "
        "el aprobado, vigente hasta que se apruebe la corrección.",
    )
    creado_por = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    motivo = TextoAcotadoField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=MAX_MOTIVO,
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
            "nombre_periodo",
            "valor",
            "observaciones",
            "plan_de_choque",
            "estado",
            "comentario_revision",
            "en_correccion",
            "valor_oficial",
            "version",
            "ilustrativo",
            "creado_por",
            "actualizado_en",
            "motivo",
        ]
        read_only_fields = ["estado", "comentario_revision", "ilustrativo", "actualizado_en"]
        # The model's unique constraint is the service's business: it answers an existing
        # period with `ReporteExistente` (409), naming the report.
        validators: list = []

    def to_representation(self, reporte: Reporte) -> dict:
        usuario = _usuario(self)
        if reporte.en_correccion and not _lee_el_borrador(usuario, reporte):
            # The approved report as it was published: the proposal stays in its dependencia.
            publicado = reporte.como_publicado()
            publicado.comentario_revision = ""
            return super().to_representation(publicado)
        return super().to_representation(reporte)


class ReporteCorreccionSerializer(ReporteSerializer):
    """On PUT/PATCH the period is fixed: only the values and narratives change, on top of the
    version the writer read."""

    class Meta(ReporteSerializer.Meta):
        read_only_fields = ReporteSerializer.Meta.read_only_fields + ["indicador", "anio", "periodo"]

    indicador = serializers.PrimaryKeyRelatedField(read_only=True)
    version = EnteroField(
        min_value=1,
        error_messages={"required": MENSAJE_SIN_VERSION, "null": MENSAJE_SIN_VERSION},
        help_text="Versión que se leyó (obligatoria). Si el reporte cambió desde entonces la escritura se "
        "rechaza con 409 y la respuesta dice qué cambió.",
    )

    def validate(self, attrs: dict) -> dict:
        # A PATCH skips the `required` check of each field; the version is never optional.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [MENSAJE_SIN_VERSION]})
        return attrs


class ConflictoSerializer(serializers.Serializer):
    """The body of a 409: what happened, what the other person changed, and the report as it is now."""

    detail = serializers.CharField()
    cambios = serializers.ListField(
        child=serializers.CharField(),
        help_text="Qué cambió desde la versión que usted leyó («avance: «0,33» → «0,5»»); vacío si el periodo "
        "ya tenía reporte.",
    )
    actual = ReporteSerializer(allow_null=True, help_text="El reporte como está ahora, para corregir sobre él.")


class ConflictoVersion(Exception):
    """A write that would overwrite someone else's (answered with 409 and `ConflictoSerializer`)."""

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
    estado = filters.ChoiceFilter(choices=Reporte.Estado.choices, method="filtrar_estado")

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

    def filtrar_estado(self, queryset, name, value):
        # Whoever reads only the published copy of a report under correction sees it approved.
        copia_publicada = _solo_copia_publicada(self.request.user)
        if copia_publicada is None:
            return queryset.filter(estado=value)
        if value == Reporte.Estado.APROBADO:
            return queryset.filter(Q(estado=value) | copia_publicada)
        return queryset.filter(estado=value).exclude(copia_publicada)


ERRORES_ESCRITURA = {
    400: OpenApiResponse(description="Datos no válidos: los errores vienen por campo."),
    401: OpenApiResponse(description="Falta autenticación (token o sesión)."),
    403: OpenApiResponse(description="El indicador no es de sus dependencias, o su rol no reporta."),
}


CONFLICTO = OpenApiResponse(
    ConflictoSerializer,
    description="La escritura pisaría la de otra persona: el periodo ya tiene reporte, o el reporte cambió "
    "desde la versión que se leyó. `actual` es el reporte como está ahora (si usted puede verlo).",
)


@extend_schema_view(
    list=extend_schema(
        summary="Listar reportes",
        description="Reportes de los indicadores que usted puede ver; sin sesión, solo los aprobados de planes "
        "publicados. De un reporte aprobado cuya corrección está en revisión, quien no ve los borradores de "
        "su dependencia recibe la versión aprobada, que sigue siendo la oficial.",
    ),
    retrieve=extend_schema(summary="Leer un reporte"),
    create=extend_schema(
        summary="Registrar el reporte de un periodo",
        description="Crea el reporte de un periodo que aún no tiene, en borrador (201). Si el periodo ya tiene "
        "reporte responde 409 con ese reporte en `actual`: se corrige con PUT/PATCH y su `version`. "
        "Solo el planeador de la dependencia del indicador (o un administrador).",
        responses={201: ReporteSerializer, 409: CONFLICTO, **ERRORES_ESCRITURA},
    ),
    update=extend_schema(
        summary="Corregir un reporte",
        description="Exige la `version` que se leyó. Corregir un reporte aprobado es una propuesta: queda en "
        "borrador y las cifras oficiales siguen contando `valor_oficial` hasta que se apruebe. Enviar los "
        "mismos valores no cambia nada (ni versión, ni estado, ni historia).",
        responses={200: ReporteCorreccionSerializer, 409: CONFLICTO, **ERRORES_ESCRITURA},
    ),
    partial_update=extend_schema(
        summary="Corregir parte de un reporte",
        description="Como PUT, solo con los campos enviados; la `version` que se leyó es obligatoria.",
        responses={200: ReporteCorreccionSerializer, 409: CONFLICTO, **ERRORES_ESCRITURA},
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
    """Period reports. Planners create the reports of their dependencias' indicators and correct
    them on top of the version they read; each change leaves the report as a draft for review."""

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
        reporte = self._registrar(
            indicador=datos["indicador"],
            anio=datos["anio"],
            periodo=datos.get("periodo", 1),  # the model's default: annual indicators have one period
            valor=datos["valor"],
            observaciones=datos.get("observaciones", ""),
            plan_de_choque=datos.get("plan_de_choque", ""),
            version=None,  # a create never overwrites: an existing period answers 409
            motivo=datos.get("motivo", ""),
        )
        return Response(self._como_lo_ve(reporte), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        parcial = kwargs.pop("partial", False)
        reporte = self.get_object()
        if not permisos.puede_editar_indicador(request.user, reporte.indicador):
            # Before validating, so a reader without the right learns that first.
            raise exceptions.PermissionDenied(
                f"No puede corregir el reporte {reporte}: el indicador no es de sus dependencias."
            )
        self._verificar_corte_abierto(reporte, request.data)
        serializer = self.get_serializer(reporte, data=request.data, partial=parcial)
        serializer.is_valid(raise_exception=True)
        datos = serializer.validated_data
        # Omitted fields keep the values of the version read; the service compares that version
        # with the locked row, so they can never come from a newer one.
        reporte = self._registrar(
            indicador=reporte.indicador,
            anio=reporte.anio,
            periodo=reporte.periodo,
            valor=datos.get("valor", reporte.valor),
            observaciones=datos.get("observaciones", reporte.observaciones),
            plan_de_choque=datos.get("plan_de_choque", reporte.plan_de_choque),
            version=datos["version"],
            motivo=datos.get("motivo", ""),
        )
        return Response(self._como_lo_ve(reporte, ReporteCorreccionSerializer))

    def _verificar_corte_abierto(self, reporte: Reporte, datos) -> None:
        """A report frozen by a closed cut is refused first: the planner learns that before being
        asked for a version (the service checks it again inside its transaction)."""
        motivo = datos.get("motivo", "") if hasattr(datos, "get") else ""
        try:
            services.corte_verificar_abierto(
                indicador=reporte.indicador, anio=reporte.anio, periodo=reporte.periodo, usuario=self.request.user,
                motivo=motivo if isinstance(motivo, str) else "",
            )
        except DjangoValidationError as error:
            raise _errores_de_django(error) from error

    def _como_lo_ve(self, reporte: Reporte, clase=ReporteSerializer) -> dict | None:
        """The report as this user may read it, or None when they may not read it at all."""
        if not self.get_queryset().filter(pk=reporte.pk).exists():
            return None
        return clase(reporte, context=self.get_serializer_context()).data

    def _registrar(self, *, version: int | None, **campos) -> Reporte:
        """Write through the service; its refusals become 403, 400 by field, or 409."""
        try:
            return services.reporte_registrar(usuario=self.request.user, version_esperada=version, **campos)
        except services.ReporteExistente as existente:
            raise self._conflicto(existente, existente.reporte, cambios=[], corregir=True) from existente
        except services.ConflictoEdicion as conflicto:
            raise self._conflicto(conflicto, conflicto.reporte, cambios=conflicto.cambios) from conflicto
        except DjangoValidationError as error:
            raise _errores_de_django(error) from error
        except IntegrityError as error:
            # The service turns the unique constraint's refusal into `ReporteExistente`; should a
            # database still raise it, the answer is the same 409, never a 500.
            raise ConflictoVersion(
                {
                    "detail": "Otra persona registró este periodo al mismo tiempo. Vuelva a leerlo y corrija sobre él.",
                    "cambios": [],
                    "actual": None,
                }
            ) from error

    def _conflicto(
        self, error: DjangoValidationError, reporte: Reporte, *, cambios: list[str], corregir: bool = False
    ) -> ConflictoVersion:
        # The service checks permissions first, so a 409 goes to someone who may write the report;
        # `actual` is still shown only as this user may read it.
        actual = self._como_lo_ve(reporte)
        detalle = error.messages[0]
        if corregir and actual is not None:
            detalle += f" Para corregirlo: PATCH /api/v1/reportes/{reporte.pk}/ con «version»: {reporte.version}."
        return ConflictoVersion({"detail": detalle, "cambios": cambios, "actual": actual})


__all__ = ["ReporteViewSet"]
