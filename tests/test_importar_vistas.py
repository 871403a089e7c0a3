"""The admin import: upload → preview → confirm, at /excel/importar/."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from politicas.models import Plan
from tests import factories
from tests.libros_excel import libro as _libro
from tests.libros_excel import plan_minimo as _plan_minimo


@pytest.fixture
def revisor(db):
    return factories.usuario("revisora", grupos=("Revisor",), is_staff=True)


def _subir(contenido: bytes, nombre: str = "plan.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, contenido, content_type="application/octet-stream")


def test_subir_ver_la_vista_previa_y_confirmar(client, revisor, settings, tmp_path, importaciones):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(revisor)
    contenido = _libro(_plan_minimo()).getvalue()
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(contenido)})
    assert vista.status_code == 200
    assert "Sin errores" in vista.content.decode()
    assert not Plan.objects.exists()  # the preview writes nothing
    resultado = vista.context["resultado"]
    assert ("indicador", "crear", 2) in resultado.resumen()

    confirmacion = client.post(reverse("excel_importar"), {"token": vista.context["token"]})
    assert confirmacion.status_code == 302
    assert Plan.objects.filter(codigo="plan-nuevo").exists()
    assert not list(importaciones.iterdir())  # the uploaded file is not kept


def test_los_errores_se_listan_con_hoja_fila_y_columna(client, revisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(revisor)
    hojas = _plan_minimo()
    hojas["Indicadores"][2][9] = "1.234,5.6"
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(_libro(hojas).getvalue())})
    assert vista.status_code == 422
    html = vista.content.decode()
    assert "no se guardará nada" in html
    assert "<td>Indicadores</td><td>3</td><td>Meta 2023</td>" in html
    assert "Confirmar" not in html
    assert not Plan.objects.exists()


def test_un_token_falsificado_o_ajeno_se_rechaza(client, revisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(revisor)
    respuesta = client.post(reverse("excel_importar"), {"token": "inventado"})
    assert respuesta.status_code == 400
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(_libro(_plan_minimo()).getvalue())})
    otro = factories.usuario("otro", grupos=("Revisor",), is_staff=True)
    client.force_login(otro)
    assert client.post(reverse("excel_importar"), {"token": vista.context["token"]}).status_code == 400
    assert not Plan.objects.exists()


def test_importar_exige_acceso_al_admin(client, db):
    client.force_login(factories.usuario(grupos=("Planeador",)))
    respuesta = client.get(reverse("excel_importar"))
    assert respuesta.status_code == 302 and "/admin/login/" in respuesta["Location"]


def test_la_pagina_de_excel_enlaza_plantillas_y_exportaciones(client, revisor):
    factories.plan(codigo="plan-a", nombre="Plan A")
    client.force_login(revisor)
    html = client.get(reverse("excel_inicio")).content.decode()
    assert reverse("excel_plantilla_plan") in html
    assert reverse("exportar_plan", args=["plan-a"]) in html
    assert reverse("excel_plantilla_avance", args=["plan-a"]) in html


def test_subir_algo_que_no_es_un_libro_de_excel(client, revisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(revisor)
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(b"%PDF-1.4", "informe.pdf")})
    assert vista.status_code == 422
    assert "no es un libro de Excel" in vista.content.decode()
    assert io is not None


def test_las_vistas_previas_abandonadas_se_limpian(client, revisor, settings, tmp_path, importaciones):
    import os
    import time

    settings.MEDIA_ROOT = tmp_path
    viejo = importaciones / ("a" * 32 + ".xlsx")
    viejo.write_bytes(b"x")
    hace_dos_dias = time.time() - 2 * 86400
    os.utime(viejo, (hace_dos_dias, hace_dos_dias))
    client.force_login(revisor)
    client.post(reverse("excel_importar"), {"archivo": _subir(_libro(_plan_minimo()).getvalue())})
    restantes = list(importaciones.iterdir())
    # only the preview just uploaded: its workbook and what it read, to compare at confirmation
    assert viejo not in restantes and sorted(r.suffix for r in restantes) == [".json", ".xlsx"]
    assert len({r.stem for r in restantes}) == 1


def test_la_vista_previa_habla_con_palabras_no_con_codigos(client, revisor, settings, tmp_path):
    from reportes.excel.importar import importar_libro

    settings.MEDIA_ROOT = tmp_path
    client.force_login(revisor)
    assert importar_libro(_libro(_plan_minimo()), usuario=revisor, confirmar=True).aplicado
    hojas = _plan_minimo()
    hojas["Indicadores"][2][3] = "Constante"  # 1.2 was Creciente
    vista = client.post(reverse("excel_importar"), {"archivo": _subir(_libro(hojas).getvalue())})
    html = vista.content.decode()
    assert "<td>Indicador</td><td>Modificar</td><td>1</td>" in html
    assert "<td>Modificar</td><td>Indicador</td><td>1.2</td>" in html
    assert "<li>tipo de anualización: Creciente → Constante</li>" in html  # before → after, in words
    assert "tipo_anualizacion" not in html
