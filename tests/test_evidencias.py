"""Evidence attached to a report: files within type and size limits, stored through Django's
storage, and links."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from indicadores import services
from indicadores.models import Evidencia
from indicadores.permisos import PLANEADOR
from tests import factories

pytestmark = pytest.mark.django_db
ANIO = timezone.localdate().year
PNG = b"\x89PNG\r\n\x1a\n"
PDF_MINIMO = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def almacenamiento(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCIA_MAX_BYTES = 1024
    settings.EVIDENCIA_EXTENSIONES = ["pdf", "png", "xlsx"]
    return tmp_path


@pytest.fixture
def reporte_en_borrador():
    dep = factories.dependencia()
    plan = factories.plan(entidad=dep.entidad, anio_inicio=ANIO - 1, anio_fin=ANIO + 1)
    indicador = factories.indicador(plan=plan, dependencia=dep)
    planeador = factories.usuario(grupos=(PLANEADOR,), dependencias=[dep], is_staff=True)
    reporte = services.reporte_registrar(indicador=indicador, anio=ANIO, periodo=1, valor=Decimal(3), usuario=planeador)
    return {"reporte": reporte, "planeador": planeador}


def test_archivo_permitido_se_guarda_en_el_almacenamiento(reporte_en_borrador, almacenamiento):
    archivo = SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf")
    evidencia = services.evidencia_agregar(
        reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=archivo,
        descripcion="Acta",
    )
    assert evidencia.archivo.name.startswith(
        f"evidencias/{reporte_en_borrador['reporte'].indicador.plan_id}/{reporte_en_borrador['reporte'].pk}/acta"
    )
    assert (almacenamiento / evidencia.archivo.name).read_bytes() == b"%PDF-1.4 acta"


def test_tipo_no_permitido(reporte_en_borrador):
    archivo = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="no es de un tipo permitido; use pdf, png, xlsx"):
        services.evidencia_agregar(
            reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=archivo
        )
    assert not Evidencia.objects.exists()


def test_tamano_maximo(reporte_en_borrador):
    archivo = SimpleUploadedFile("foto.png", PNG + b"x" * (1025 - len(PNG)), content_type="image/png")
    with pytest.raises(ValidationError, match="el máximo es"):
        services.evidencia_agregar(
            reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=archivo
        )
    justo = SimpleUploadedFile("foto.png", PNG + b"x" * (1024 - len(PNG)), content_type="image/png")
    assert services.evidencia_agregar(
        reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=justo
    ).pk


def test_enlace_y_ni_archivo_ni_enlace(reporte_en_borrador):
    evidencia = services.evidencia_agregar(
        reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"],
        enlace="https://drive.example.org/carpeta",
    )
    assert evidencia.enlace == "https://drive.example.org/carpeta"
    with pytest.raises(ValidationError, match="Adjunte un archivo o escriba un enlace"):
        services.evidencia_agregar(reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"])


def test_solo_el_planeador_del_indicador_adjunta(reporte_en_borrador):
    otro = factories.usuario(grupos=(PLANEADOR,), dependencias=[factories.dependencia()])
    with pytest.raises(PermissionDenied):
        services.evidencia_agregar(reporte=reporte_en_borrador["reporte"], usuario=otro, enlace="https://example.org")


def _datos_reporte(reporte, **extra) -> dict:
    datos = {
        "valor": "3", "observaciones": "", "plan_de_choque": "", "version_cargada": str(reporte.version),
        "evidencias-TOTAL_FORMS": "1", "evidencias-INITIAL_FORMS": "0",
        "evidencias-MIN_NUM_FORMS": "0", "evidencias-MAX_NUM_FORMS": "1000",
    }
    datos.update(extra)
    return datos


def test_limites_en_el_admin(client, reporte_en_borrador):
    client.force_login(reporte_en_borrador["planeador"])
    url = reverse("admin:indicadores_reporte_change", args=[reporte_en_borrador["reporte"].pk])
    malo = SimpleUploadedFile("planilla.docx", b"PK", content_type="application/octet-stream")
    respuesta = client.post(url, _datos_reporte(reporte_en_borrador["reporte"], **{"evidencias-0-archivo": malo}))
    assert respuesta.status_code == 200
    assert "no es de un tipo permitido" in respuesta.content.decode()
    bueno = SimpleUploadedFile("planilla.xlsx", b"PK\x03\x04 libro", content_type="application/octet-stream")
    respuesta = client.post(
        url,
        _datos_reporte(
            reporte_en_borrador["reporte"], **{"evidencias-0-archivo": bueno, "evidencias-0-descripcion": "Planilla"}
        ),
    )
    assert respuesta.status_code == 302
    assert Evidencia.objects.get().descripcion == "Planilla"


@pytest.mark.parametrize(
    "contenido",
    [PNG + b"imagen", b"<!DOCTYPE html><html><script>alert(1)</script></html>", b"MZ\x90\x00ejecutable"],
    ids=["png", "html", "exe"],
)
def test_pdf_que_no_es_pdf_se_rechaza(reporte_en_borrador, contenido):
    archivo = SimpleUploadedFile("acta.pdf", contenido, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.evidencia_agregar(
            reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=archivo
        )
    assert error.value.message_dict["archivo"] == [
        "El archivo «acta.pdf» no es un PDF válido: su contenido no corresponde a la extensión .pdf. "
        "Adjunte el archivo original."
    ]
    assert not Evidencia.objects.exists()


def test_pdf_real_pasa_y_se_guarda_entero(reporte_en_borrador, almacenamiento):
    archivo = SimpleUploadedFile("acta.pdf", PDF_MINIMO, content_type="application/pdf")
    evidencia = services.evidencia_agregar(
        reporte=reporte_en_borrador["reporte"], usuario=reporte_en_borrador["planeador"], archivo=archivo
    )
    # Reading the first bytes to check them must not cut what is stored.
    assert (almacenamiento / evidencia.archivo.name).read_bytes() == PDF_MINIMO


@pytest.mark.parametrize(
    ("nombre", "contenido", "valido"),
    [
        ("foto.jpg", b"\xff\xd8\xff\xe0JFIF", True),
        ("foto.jpeg", PNG, False),
        ("informe.docx", b"PK\x03\x04word/", True),
        ("informe.docx", b"%PDF-1.7", False),
        ("datos.csv", "código;valor\nA-1;7.480\n".encode("utf-8"), True),
        ("datos.csv", "código;valor\nA-1;0,33\n".encode("latin-1"), True),
        ("datos.csv", PNG + b"\x00\x00", False),
    ],
)
def test_contenido_de_cada_tipo(settings, nombre, contenido, valido):
    settings.EVIDENCIA_EXTENSIONES = ["pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv"]
    errores = services.evidencia_errores_archivo(SimpleUploadedFile(nombre, contenido))
    assert (errores == []) is valido
    if not valido:
        assert f"«{nombre}»" in errores[0]


def test_admin_rechaza_pdf_que_es_html(client, reporte_en_borrador):
    client.force_login(reporte_en_borrador["planeador"])
    url = reverse("admin:indicadores_reporte_change", args=[reporte_en_borrador["reporte"].pk])
    falso = SimpleUploadedFile("acta.pdf", b"<html><body>hola</body></html>", content_type="application/pdf")
    respuesta = client.post(url, _datos_reporte(reporte_en_borrador["reporte"], **{"evidencias-0-archivo": falso}))
    assert respuesta.status_code == 200
    assert "El archivo «acta.pdf» no es un PDF válido" in respuesta.content.decode()
    assert not Evidencia.objects.exists()
