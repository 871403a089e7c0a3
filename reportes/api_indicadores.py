"""REST API of indicators with their yearly targets (issue 6), filterable by their semáforo band
at a cut. It lives with the results, on top of the layers, because the band filter reads the same
selector as the dashboards (`reportes.selectors.plan_resultados`); reports are written through
`indicadores.api`.
"""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from indicadores import permisos
from indicadores.api import PROFUNDIDAD_MAXIMA_FILTRO
from indicadores.models import Enfoque, Indicador, Meta, Periodicidad, TipoAnualizacion
from politicas.api import APIBase, IdFilter, documentar
from reportes.selectors import plan_resultados
from seguimiento.metodologia.resultados import CorteRef, Semaforo

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
                # The message quotes what was sent, which may hold a «%»: a parameter, not a format.
                self.form.add_error("corte", forms.ValidationError("%(motivo)s", params={"motivo": str(error)}))
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


__all__ = ["IndicadorViewSet"]
