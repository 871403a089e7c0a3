"""The side filter of the indicator list: indicators under a top level of their plan (the review
queue's band filter, which reads figures, is in `reportes.admin_reportes`)."""

from django.contrib import admin

from indicadores import permisos
from politicas import arbol
from politicas.models import Nivel


class NivelSuperiorFilter(admin.SimpleListFilter):
    """Filter by a top-level node of the plan (an Eje, an Objetivo) and everything under it."""

    title = "nivel superior"
    parameter_name = "nivel_superior"

    def lookups(self, request, model_admin):
        # Only plans the user may see: an unpublished plan's structure is not revealed here.
        niveles = (
            Nivel.objects.filter(profundidad=0, plan__in=permisos.planes_visibles(request.user))
            .select_related("plan")
            .order_by("plan__nombre", "orden", "codigo")
        )
        plan_id = request.GET.get("plan__id__exact")
        if plan_id:
            niveles = niveles.filter(plan_id=plan_id)
        return [(n.pk, f"{n.plan.codigo} · {n.nombre_tipo} {n.codigo}") for n in niveles]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            raiz = Nivel.objects.get(pk=self.value())
        except (Nivel.DoesNotExist, ValueError):
            return queryset.none()
        # One query for the plan's tree, then the descendants are found in memory.
        pares = Nivel.objects.filter(plan_id=raiz.plan_id).values_list("id", "padre_id")
        return queryset.filter(nivel_id__in=arbol.descendientes(pares)[raiz.pk])
