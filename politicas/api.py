"""REST API (issue 6): entidades, dependencias, planes and their levels, plus the pieces every
endpoint of `/api/v1/` shares (authentication order, pagination, id filters, token view).

Visibility comes from `indicadores.permisos`: anonymous visitors read published plans and what
hangs from them; everything else needs a login.
"""

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import authentication, permissions, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from politicas.models import Dependencia, Entidad, Nivel, Plan
from politicas.roles import planes_visibles
from seguimiento.api_parsers import JSONAcotadoParser
from seguimiento.ingreso import error_de_segundo_factor, mensaje_de_bloqueo, minutos_de_bloqueo, registrar_fallo
from seguimiento.sesiones import requiere_segundo_factor
from seguimiento.tokens import TokenConVencimiento, token_emitir, token_revocar, vence

# Ids in URLs and filters: bounded so that an absurd number is a 404/400, never a database
# overflow (SQLite integers are 64-bit).
ID_MAXIMO = 2**63 - 1
ID_REGEX = r"[0-9]{1,18}"


# ---------------------------------------------------------------------------------------------
# Common to every endpoint


def _solo_cifras_ascii(texto: str) -> bool:
    """«2024» yes, «٢٠٢٤» no: every number the API reads is written with ASCII digits (issue 11)."""
    return texto.isascii() and texto.isdigit()


class Paginacion(PageNumberPagination):
    """50 rows a page by default; scripts may ask up to 500 with `?page_size=`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request, paginator):
        numero = super().get_page_number(request, paginator)
        if str(numero) not in self.last_page_strings and not _solo_cifras_ascii(str(numero)):
            raise NotFound(f"«page» es un número de página escrito con cifras 0-9; recibió «{str(numero)[:20]}».")
        return numero

    def get_page_size(self, request):
        pedido = request.query_params.get(self.page_size_query_param)
        if pedido is not None and not _solo_cifras_ascii(pedido):
            return self.page_size
        return super().get_page_size(request)


class EnteroASCIIField(forms.IntegerField):
    """Django's IntegerField also reads Arabic-Indic digits and «2_024»; the API reads 0-9 only."""

    def to_python(self, value):
        texto = str(value).strip() if value not in self.empty_values else value
        if isinstance(texto, str) and texto and not _solo_cifras_ascii(texto.removeprefix("-")):
            raise forms.ValidationError("Escriba un número entero con cifras 0-9.", code="invalid")
        return super().to_python(value)


class EnteroFilter(filters.NumberFilter):
    """An integer filter that rejects out-of-range values with a 400 instead of a 500."""

    field_class = EnteroASCIIField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAXIMO)
        super().__init__(*args, **kwargs)


class IdFilter(EnteroFilter):
    """A filter by primary key."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class APIBase:
    """Token first, so that an anonymous script gets 401 with `WWW-Authenticate: Token`."""

    authentication_classes = [TokenConVencimiento, authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = Paginacion
    lookup_value_regex = ID_REGEX


class SolicitudToken(AuthTokenSerializer):
    """Username and password, plus the TOTP code for the users whose login needs one. Bounded:
    a failed attempt is recorded with its username (django-axes, 255 characters at most)."""

    username = serializers.CharField(max_length=150, write_only=True, label="Usuario")
    password = serializers.CharField(
        max_length=4096, write_only=True, trim_whitespace=False, style={"input_type": "password"}, label="Contraseña"
    )
    otp_token = serializers.CharField(
        required=False, allow_blank=True, max_length=8, write_only=True, label="Código de verificación",
        help_text="Solo cuando la instalación exige segundo factor (SEGUIMIENTO_2FA) a administradores y "
        "revisores: las 6 cifras de su aplicación de autenticación.",
    )


class TokenView(ObtainAuthToken):
    """`POST username, password` → `{"token": "...", "expira": "..."}`, the key scripts send as
    `Authorization: Token ...`; `DELETE` revokes the caller's token.

    A token lasts `TOKEN_HORAS` (seguimiento.tokens). Failed attempts count towards the same
    lockout as the login forms (django-axes, seguimiento.ingreso); with `SEGUIMIENTO_2FA`,
    administrators and reviewers also send `otp_token`, so no token is issued on a password alone.
    """

    serializer_class = SolicitudToken
    parser_classes = [JSONAcotadoParser, FormParser, MultiPartParser]
    authentication_classes = APIBase.authentication_classes  # DELETE: as every endpoint authenticates

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.request.method == "DELETE" else []

    def perform_authentication(self, request):
        # Asking for a token needs no credentials in the header (an expired one must not stop it).
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(
        summary="Obtener el token de un usuario",
        description=(
            "Devuelve el token vigente del usuario o, si venció, uno nuevo. El token vence "
            "`TOKEN_HORAS` horas después de emitido (`expira`; nulo si la instalación no los vence). "
            "Tras varios intentos fallidos desde la misma dirección el usuario queda bloqueado (429)."
        ),
        request=SolicitudToken,
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(),
                    "expira": serializers.DateTimeField(allow_null=True, help_text="Cuándo deja de servir el token."),
                },
            ),
            400: OpenApiResponse(description="Usuario, contraseña o código de verificación incorrectos."),
            429: OpenApiResponse(
                response=inline_serializer("Bloqueo", {"detail": serializers.CharField()}),
                description="Demasiados intentos fallidos: ingreso bloqueado por un tiempo (cabecera Retry-After).",
            ),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return self._bloqueado(request)
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if requiere_segundo_factor(user):
            codigo = serializer.validated_data.get("otp_token", "")
            error = error_de_segundo_factor(user, codigo)
            if error is not None:
                if codigo:  # a wrong code counts like a wrong password; a missing one does not
                    registrar_fallo(request, user.get_username())
                if getattr(request, "axes_locked_out", False):
                    return self._bloqueado(request)
                raise serializers.ValidationError({"otp_token": [error]})
        token = token_emitir(user)
        return Response({"token": token.key, "expira": vence(token)})

    @extend_schema(
        summary="Revocar el token propio",
        description="Borra el token con el que se llama (o el del usuario de la sesión): deja de servir de inmediato.",
        request=None,
        responses={
            204: OpenApiResponse(description="Token revocado."),
            401: OpenApiResponse(description="Sin credenciales, o el token no existe o ya venció."),
        },
    )
    def delete(self, request, *args, **kwargs):
        token_revocar(request.user)
        return Response(status=204)

    def _bloqueado(self, request):
        """The lockout of django-axes, as the login forms get it but in JSON (429, Retry-After)."""
        minutos = minutos_de_bloqueo(request)
        cabeceras = {"Retry-After": str(minutos * 60)} if minutos else None
        return Response({"detail": mensaje_de_bloqueo(request)}, status=429, headers=cabeceras)


def documentar(plural: str, singular: str, descripcion: str, **extra):
    """Spanish summaries and description for a read-only viewset's operations in the docs."""
    return extend_schema_view(
        list=extend_schema(summary=f"Listar {plural}", description=descripcion),
        retrieve=extend_schema(summary=f"Leer {singular}", description=descripcion, **extra),
    )


# ---------------------------------------------------------------------------------------------
# Visibility


def entidades_visibles(user) -> QuerySet[Entidad]:
    if user.is_authenticated:
        return Entidad.objects.all()
    return Entidad.objects.filter(planes__publicado=True).distinct()


def dependencias_visibles(user) -> QuerySet[Dependencia]:
    if user.is_authenticated:
        return Dependencia.objects.all()
    return Dependencia.objects.filter(
        Q(indicadores__plan__publicado=True) | Q(planes_liderados__publicado=True)
    ).distinct()


# ---------------------------------------------------------------------------------------------
# Entidades and dependencias


class EntidadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entidad
        fields = ["id", "nombre", "sigla"]


class EntidadFilter(filters.FilterSet):
    q = filters.CharFilter(method="filtrar_texto", label="Texto en el nombre o la sigla")

    class Meta:
        model = Entidad
        fields = ["q"]

    def filtrar_texto(self, queryset, name, value):
        return queryset.filter(Q(nombre__icontains=value) | Q(sigla__icontains=value))


@documentar("entidades", "una entidad", "Gobiernos dueños de planes. Sin sesión, solo los que tienen planes publicados.")
class EntidadViewSet(APIBase, viewsets.ReadOnlyModelViewSet):
    """Governments that own plans."""

    serializer_class = EntidadSerializer
    filterset_class = EntidadFilter

    def get_queryset(self):
        return entidades_visibles(self.request.user).order_by("nombre", "id")


class DependenciaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dependencia
        fields = ["id", "entidad", "nombre", "sigla", "tipo"]


class DependenciaFilter(filters.FilterSet):
    entidad = IdFilter(field_name="entidad_id")
    plan = filters.CharFilter(method="filtrar_plan", label="Código del plan en el que responde por indicadores")
    q = filters.CharFilter(method="filtrar_texto", label="Texto en el nombre o la sigla")

    class Meta:
        model = Dependencia
        fields = ["entidad", "tipo", "plan", "q"]

    def filtrar_plan(self, queryset, name, value):
        return queryset.filter(indicadores__plan__codigo=value).distinct()

    def filtrar_texto(self, queryset, name, value):
        return queryset.filter(Q(nombre__icontains=value) | Q(sigla__icontains=value))


@documentar(
    "dependencias", "una dependencia",
    "Dependencias y sectores responsables de indicadores. Sin sesión, solo las de planes publicados.",
)
class DependenciaViewSet(APIBase, viewsets.ReadOnlyModelViewSet):
    """Offices and sectors responsible for indicators."""

    serializer_class = DependenciaSerializer
    filterset_class = DependenciaFilter

    def get_queryset(self):
        return dependencias_visibles(self.request.user).order_by("entidad__nombre", "nombre", "id")


# ---------------------------------------------------------------------------------------------
# Planes


class PlanSerializer(serializers.ModelSerializer):
    entidad_nombre = serializers.CharField(source="entidad.nombre", read_only=True)
    niveles_nombres = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Nombres de los niveles, del más general al más específico."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "codigo",
            "nombre",
            "tipo",
            "documento",
            "entidad",
            "entidad_nombre",
            "anio_inicio",
            "anio_fin",
            "dependencia_lider",
            "objetivo",
            "niveles_nombres",
            "publicado",
        ]


class PlanFilter(filters.FilterSet):
    entidad = IdFilter(field_name="entidad_id")
    q = filters.CharFilter(method="filtrar_texto", label="Texto en el código, el nombre o el documento")

    class Meta:
        model = Plan
        fields = ["entidad", "tipo", "publicado", "codigo", "q"]

    def filtrar_texto(self, queryset, name, value):
        return queryset.filter(Q(codigo__icontains=value) | Q(nombre__icontains=value) | Q(documento__icontains=value))


@documentar(
    "planes", "un plan",
    "Planes de desarrollo y políticas públicas, por su código. Sin sesión, solo los publicados.",
    parameters=[
        OpenApiParameter(
            "codigo", OpenApiTypes.STR, OpenApiParameter.PATH, description="Código del plan.",
            examples=[OpenApiExample("Bogotá, CONPES D.C. 29", value="bogota-conpes-29")],
        )
    ],
)
class PlanViewSet(APIBase, viewsets.ReadOnlyModelViewSet):
    """Development plans and public policies. Looked up by `codigo` (`bogota-conpes-29`)."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    lookup_field = "codigo"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,60}"

    def get_queryset(self):
        # planes_visibles may add a DISTINCT join; ordering by id keeps pages stable.
        return planes_visibles(self.request.user, Plan.objects.select_related("entidad")).order_by(
            "nombre", "id"
        )


# ---------------------------------------------------------------------------------------------
# Niveles (Eje, Componente, Programa; Objetivo, Producto...)


class NivelSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="codigo", read_only=True)
    nivel = serializers.CharField(
        source="nombre_tipo", read_only=True, help_text="El nombre que el plan da a esta profundidad: «Objetivo», «Eje»."
    )

    class Meta:
        model = Nivel
        fields = ["id", "plan", "padre", "profundidad", "nivel", "codigo", "nombre", "peso", "orden"]


class NivelFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="plan__codigo", label="Código del plan")
    padre = IdFilter(field_name="padre_id")
    raiz = filters.BooleanFilter(field_name="padre", lookup_expr="isnull", label="Solo el primer nivel del plan")
    profundidad = EnteroFilter(field_name="profundidad", max_value=100)
    codigo = filters.CharFilter(field_name="codigo")
    q = filters.CharFilter(method="filtrar_texto", label="Texto en el código o el nombre")

    class Meta:
        model = Nivel
        fields = ["plan", "padre", "raiz", "profundidad", "codigo", "q"]

    def filtrar_texto(self, queryset, name, value):
        return queryset.filter(Q(codigo__icontains=value) | Q(nombre__icontains=value))


@documentar(
    "niveles", "un nivel",
    "La jerarquía de los planes (ejes, componentes, programas; objetivos, productos). "
    "Filtre por `plan` para leer un árbol; `nivel` es el nombre que el plan da a esa profundidad.",
)
class NivelViewSet(APIBase, viewsets.ReadOnlyModelViewSet):
    """The hierarchy of every visible plan; filter by `plan` to read one tree."""

    serializer_class = NivelSerializer
    filterset_class = NivelFilter

    def get_queryset(self):
        planes = planes_visibles(self.request.user).values("id")
        return (
            Nivel.objects.filter(plan_id__in=planes)
            .select_related("plan")
            .order_by("plan__nombre", "plan_id", "profundidad", "orden", "codigo", "id")
        )


__all__ = [
    "APIBase",
    "documentar",
    "DependenciaViewSet",
    "EntidadViewSet",
    "EnteroFilter",
    "IdFilter",
    "NivelViewSet",
    "Paginacion",
    "PlanViewSet",
    "TokenView",
]
