"""The Sopó demo report (seed 004) gives the seed's figures: 83 % quantitative, 46 % qualitative,
turismo near 20 %."""

from decimal import Decimal

import pytest
from django.urls import reverse

from politicas import cualitativo
from politicas.models import InformeCualitativo

pytestmark = pytest.mark.django_db


def _informe_sopo() -> InformeCualitativo:
    return InformeCualitativo.objects.prefetch_related("actividades_detalle").get(
        plan__codigo="sopo-generacion-ingresos", anio=2021, semestre=2
    )


def test_informe_de_sopo_da_las_cifras_del_documento(datos_demo):
    resumen = cualitativo.resumen_informe(_informe_sopo())
    assert resumen.cumplimiento_cuantitativo.quantize(Decimal(1)) == Decimal(83)
    assert resumen.impacto_cualitativo == Decimal(46)
    turismo = next(c for c in resumen.componentes if "turismo" in c.nombre.lower())
    assert abs(turismo.cumplimiento - Decimal(20)) <= Decimal(3)


def test_version_imprimible_y_formulario_muestran_las_cifras(datos_demo, admin_client):
    informe = _informe_sopo()
    imprimible = admin_client.get(reverse("informe_semestral", args=["sopo-generacion-ingresos"]) + "?periodo=2021-2")
    assert imprimible.status_code == 200
    texto = imprimible.content.decode()
    assert "83 %" in texto and "46 %" in texto
    formulario = admin_client.get(reverse("admin:politicas_informecualitativo_change", args=[informe.pk])).content.decode()
    assert "(83 %); impacto cualitativo 46 %" in formulario
    assert "Turismo: 1 de 5 (20 %) (ilustrativo)" in formulario
    assert "no están en el documento fuente" in formulario
