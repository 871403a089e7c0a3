"""The reporting calendar (issue 14): on each day, who receives which digest, never twice.

The clock is frozen by passing the day (`--fecha`, `hoy`): the cut's deadline D is 30 June 2026.
"""

import datetime
import threading
from decimal import Decimal
from io import StringIO
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicadores import recordatorios
from indicadores.models import Corte, Indicador, RecordatorioEnviado, Reporte
from indicadores.permisos import FUNCIONARIO, PLANEADOR, REVISOR
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 6, 30)
ANIO = 2026


def dia(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def _reporte(indicador, estado: str, periodo: int = 1) -> Reporte:
    return Reporte.objects.create(indicador=indicador, anio=ANIO, periodo=periodo, valor=Decimal(1), estado=estado)


@pytest.fixture
def escena(settings):
    settings.RECORDATORIOS_DIAS = [5, 3, 1]
    settings.RECORDATORIOS_URL_BASE = "https://seguimiento.example.gov.co"
    salud = factories.dependencia(nombre="Salud")
    turismo = factories.dependencia(nombre="Turismo", entidad=salud.entidad)
    cultura = factories.dependencia(nombre="Cultura", entidad=salud.entidad)
    plan = factories.plan(entidad=salud.entidad, nombre="Plan de Desarrollo de Sopó", anio_inicio=2024, anio_fin=2027)
    corte = Corte.objects.create(plan=plan, anio=ANIO, semestre=1, fecha_limite=D)
    nivel = factories.nivel(plan=plan)
    s1 = factories.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-1", nombre="Vacunación",
                             periodicidad="semestral")
    _reporte(factories.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-2"), "aprobado")
    _reporte(factories.indicador(plan=plan, nivel=nivel, dependencia=salud, codigo="S-3", nombre="Consultas"), "devuelto")
    t1 = factories.indicador(plan=plan, nivel=nivel, dependencia=turismo, codigo="T-1", nombre="Visitantes",
                             periodicidad="trimestral")
    _reporte(t1, "borrador", periodo=2)
    _reporte(factories.indicador(plan=plan, nivel=nivel, dependencia=turismo, codigo="T-2", nombre="Guías"), "enviado")
    # Cultura is up to date: approved and sent, nothing owed.
    _reporte(factories.indicador(plan=plan, nivel=nivel, dependencia=cultura, codigo="C-1"), "aprobado")
    _reporte(factories.indicador(plan=plan, nivel=nivel, dependencia=cultura, codigo="C-2", nombre="Museos"), "enviado")
    # A second plan whose cut has the same deadline: Salud owes there too.
    otro = factories.plan(entidad=salud.entidad, nombre="Política de Juventud", anio_inicio=2024, anio_fin=2027)
    otro_corte = Corte.objects.create(plan=otro, anio=ANIO, semestre=1, fecha_limite=D)
    factories.indicador(plan=otro, dependencia=salud, codigo="J-1", nombre="Jóvenes atendidos")
    ana = factories.usuario("ana", grupos=(PLANEADOR,), dependencias=[salud, turismo], email="ana@sopo.gov.co",
                            first_name="Ana", last_name="Ruiz")
    pedro = factories.usuario("pedro", grupos=(PLANEADOR,), dependencias=[turismo])  # no e-mail
    luis = factories.usuario("luis", grupos=(PLANEADOR,), dependencias=[cultura], email="luis@sopo.gov.co")
    # Neither an inactive planner nor an official linked to a dependencia is reminded.
    factories.usuario("ex", grupos=(PLANEADOR,), dependencias=[salud], email="ex@sopo.gov.co", is_active=False)
    factories.usuario("func", grupos=(FUNCIONARIO,), dependencias=[salud], email="func@sopo.gov.co")
    revisor = factories.usuario("rev", grupos=(REVISOR,), email="rev@sopo.gov.co")
    return {"corte": corte, "otro_corte": otro_corte, "plan": plan, "ana": ana, "pedro": pedro, "luis": luis,
            "revisor": revisor, "salud": salud, "nivel": nivel, "s1": s1}


def correr(fecha: datetime.date, *opciones: str) -> str:
    salida = StringIO()
    call_command("recordatorios", f"--fecha={fecha.isoformat()}", *opciones, stdout=salida)
    return salida.getvalue()


def por_destinatario() -> dict[str, mail.EmailMessage]:
    destinatarios = [m.to[0] for m in mail.outbox]
    assert len(destinatarios) == len(set(destinatarios)), f"dos correos a la misma persona: {destinatarios}"
    return {m.to[0]: m for m in mail.outbox}


@pytest.mark.parametrize("n, cuando", [(-5, "vence en 5 días"), (-3, "vence en 3 días"), (-1, "vence mañana"),
                                       (1, "venció ayer")])
def test_cada_dia_de_aviso_un_resumen_por_planeador_con_todo_lo_pendiente(escena, n, cuando):
    salida = correr(dia(n))
    correos = por_destinatario()
    assert set(correos) == {"ana@sopo.gov.co", "rev@sopo.gov.co"}
    de_ana = correos["ana@sopo.gov.co"]
    cuerpo = de_ana.body
    # Every pending report of both her dependencias, in both cuts due that day; nothing else.
    for codigo in ("S-1 Vacunación", "S-3 Consultas", "T-1 Visitantes", "J-1 Jóvenes atendidos"):
        assert codigo in cuerpo
    for ajeno in ("S-2", "T-2", "C-1", "C-2"):
        assert ajeno not in cuerpo
    assert "S-1 Vacunación · 2026 · semestre 1: sin reporte" in cuerpo
    assert "S-3 Consultas · 2026: devuelto" in cuerpo
    assert "T-1 Visitantes · 2026 · trimestre 2: borrador" in cuerpo
    assert f"Fecha límite: 30 de junio de 2026 ({cuando})." in cuerpo
    assert "== Plan de Desarrollo de Sopó · corte 2026-1 (30 de junio de 2026) ==" in cuerpo
    assert "== Política de Juventud · corte 2026-1 (30 de junio de 2026) ==" in cuerpo
    # Grouped by plan and cut, then dependencia.
    assert cuerpo.index("Plan de Desarrollo de Sopó") < cuerpo.index("Salud: 2 pendientes") < cuerpo.index(
        "Turismo: 1 pendiente\n") < cuerpo.index("Política de Juventud")
    assert "Buenos días, Ana Ruiz." in cuerpo and "4 reportes pendientes" in cuerpo
    enlace = f"https://seguimiento.example.gov.co/admin/indicadores/indicador/?plan__id__exact={escena['plan'].pk}"
    assert enlace in cuerpo
    assert de_ana.subject == "Recordatorio: 4 reportes pendientes en 2 cortes con fecha límite próxima"
    assert "pedro (Turismo)" in salida and "Planeadores con reportes pendientes sin correo registrado: 1." in salida
    assert "Enviados: 2 resúmenes." in salida


def test_un_solo_corte_lo_dice_el_asunto(escena):
    escena["otro_corte"].delete()
    correr(dia(-3))
    asunto = por_destinatario()["ana@sopo.gov.co"].subject
    assert asunto == "Recordatorio: 3 reportes pendientes del corte 2026-1 de «Plan de Desarrollo de Sopó», que vence en 3 días"


@pytest.mark.parametrize("n", [-4, 0, 2, -6])
def test_otros_dias_ningun_planeador_recibe_nada(escena, n):
    salida = correr(dia(n))
    # The reviewers' digest is daily; planners hear only on the calendar's days.
    assert [m.to for m in mail.outbox] == [["rev@sopo.gov.co"]]
    assert "Ningún corte abierto tiene recordatorio hoy." in salida
    assert "pedro" not in salida


def test_los_dias_son_un_ajuste(escena, settings):
    settings.RECORDATORIOS_DIAS = [7]
    correr(dia(-5))
    assert "ana@sopo.gov.co" not in por_destinatario()
    mail.outbox.clear()
    correr(dia(-7))
    assert "ana@sopo.gov.co" in por_destinatario()


def test_dos_corridas_el_mismo_dia_no_repiten_nada(escena):
    correr(dia(-3))
    assert len(mail.outbox) == 2
    salida = correr(dia(-3))
    assert len(mail.outbox) == 2
    assert "Enviados: 0 resúmenes." in salida and "Omitidos por haberse enviado ya hoy: 2 resúmenes." in salida
    registros = set(RecordatorioEnviado.objects.values_list("usuario__username", "tipo", "corte_id", "fecha", "dias_antes"))
    assert registros == {
        ("ana", "planeador", escena["corte"].pk, dia(-3), 3),
        ("ana", "planeador", escena["otro_corte"].pk, dia(-3), 3),
        ("rev", "revisor", None, dia(-3), None),
    }
    # The next day of the calendar is another reminder.
    correr(dia(-1))
    assert len(mail.outbox) == 4


def test_un_corte_que_vence_despues_del_envio_del_dia_llega_solo(escena):
    """A cut whose deadline is moved onto today's calendar after today's digest went out: a second
    run the same day sends a digest of that cut only, not the first one again."""
    Corte.objects.filter(pk=escena["otro_corte"].pk).update(fecha_limite=dia(10))
    correr(dia(-3))
    assert "Política de Juventud" not in por_destinatario()["ana@sopo.gov.co"].body
    mail.outbox.clear()
    Corte.objects.filter(pk=escena["otro_corte"].pk).update(fecha_limite=D)
    correr(dia(-3))
    [correo] = [m for m in mail.outbox if m.to == ["ana@sopo.gov.co"]]
    assert "Política de Juventud" in correo.body and "J-1" in correo.body
    assert "Plan de Desarrollo de Sopó" not in correo.body and "S-1" not in correo.body
    assert [m.to for m in mail.outbox] == [["ana@sopo.gov.co"]]  # the reviewer's digest is not repeated


def test_una_corrida_concurrente_que_registro_primero_gana(escena, monkeypatch):
    """Two runs at once: both read «nothing sent yet»; the second one's insert collides with the
    first one's records and it sends nothing."""
    correr(dia(-5))
    monkeypatch.setattr(recordatorios, "_ya_registrados", lambda hoy: set())
    salida = correr(dia(-5))
    assert len(mail.outbox) == 2
    assert "Omitidos por haberse enviado ya hoy: 2 resúmenes." in salida


@pytest.mark.django_db(transaction=True)
def test_dos_corridas_a_la_vez_envian_cada_resumen_una_vez(escena, monkeypatch):
    """On PostgreSQL two runs in their own threads and connections both read «nothing sent yet»
    (they meet at a barrier right after that read) and then race to record and send: the unique
    constraints let one of them send each digest. Elsewhere (SQLite serialises writers) they run
    one after the other and the second one reads the first one's records."""
    en_paralelo = connection.vendor == "postgresql"
    resultados: list = []
    errores: list[BaseException] = []
    if en_paralelo:
        barrera = threading.Barrier(2, timeout=20)
        original = recordatorios._ya_registrados

        def leer_y_esperar(hoy):
            registrados = original(hoy)
            barrera.wait()
            return registrados

        monkeypatch.setattr(recordatorios, "_ya_registrados", leer_y_esperar)

    def correr_en_hilo() -> None:
        try:
            resultados.append(recordatorios.recordatorios_enviar(hoy=dia(-1)))
        except Exception as error:  # noqa: BLE001 (re-raised in the test's thread)
            errores.append(error)
        finally:
            if en_paralelo:
                connections.close_all()

    if en_paralelo:
        hilos = [threading.Thread(target=correr_en_hilo) for _ in range(2)]
        for hilo in hilos:
            hilo.start()
        for hilo in hilos:
            hilo.join(40)
        assert not any(hilo.is_alive() for hilo in hilos)
    else:
        correr_en_hilo()
        correr_en_hilo()
    assert not errores, errores
    assert sorted(len(r.enviados) for r in resultados) == [0, 2]
    assert sorted(len(r.ya_enviados) for r in resultados) == [0, 2]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@sopo.gov.co", "rev@sopo.gov.co"]
    assert RecordatorioEnviado.objects.count() == 3


def test_la_restriccion_unica_tambien_sin_corte(escena):
    base = {"usuario": escena["revisor"], "tipo": "revisor", "fecha": D}
    RecordatorioEnviado.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordatorioEnviado.objects.create(**base)
    base = {"usuario": escena["ana"], "tipo": "planeador", "fecha": D, "corte": escena["corte"]}
    RecordatorioEnviado.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordatorioEnviado.objects.create(**base, dias_antes=3)


def test_un_envio_fallido_no_queda_registrado_y_se_reintenta(escena, monkeypatch):
    def falla(self, mensajes):
        raise SMTPException("servidor de correo caído")

    monkeypatch.setattr(EmailBackend, "send_messages", falla)
    with pytest.raises(CommandError, match="No se pudo enviar 2 resúmenes; no quedaron registrados"):
        correr(dia(-1))
    assert not RecordatorioEnviado.objects.exists()
    monkeypatch.undo()
    correr(dia(-1))
    assert set(por_destinatario()) == {"ana@sopo.gov.co", "rev@sopo.gov.co"}


def test_al_dia_no_recibe_nada(escena):
    """luis's dependencia has all its reports sent or approved; ana's too once she sends them."""
    for reporte in Reporte.objects.filter(indicador__dependencia__usuarios=escena["ana"]).exclude(estado="aprobado"):
        Reporte.objects.filter(pk=reporte.pk).update(estado="enviado")
    for codigo in ("S-1", "J-1"):
        _reporte(Indicador.objects.get(codigo=codigo), "aprobado")
    salida = correr(dia(-1))
    assert set(por_destinatario()) == {"rev@sopo.gov.co"}
    assert "luis" not in salida and "Planeadores con reportes pendientes sin correo registrado: 0." in salida


def test_un_corte_cerrado_no_envia_nada(escena):
    Corte.objects.filter(pk__in=[escena["corte"].pk, escena["otro_corte"].pk]).update(estado=Corte.Estado.CERRADO)
    correr(dia(-1))
    assert set(por_destinatario()) == {"rev@sopo.gov.co"}


def test_resumen_del_revisor(escena):
    correr(dia(-4))
    [correo] = mail.outbox
    assert correo.subject == "Por revisar: 2 reportes enviados"
    assert "Hay 2 reportes enviados que esperan su revisión." in correo.body
    assert "== Plan de Desarrollo de Sopó: 2 por revisar ==" in correo.body
    assert "T-2 Guías · 2026 · Turismo" in correo.body and "C-2 Museos · 2026 · Cultura" in correo.body
    assert "S-1" not in correo.body and "T-1" not in correo.body
    assert "https://seguimiento.example.gov.co/admin/indicadores/reporte/?estado__exact=enviado" in correo.body
    correr(dia(-4))
    assert len(mail.outbox) == 1  # one a day
    correr(dia(-3))
    assert sum(m.to == ["rev@sopo.gov.co"] for m in mail.outbox) == 2


def test_sin_reportes_por_revisar_el_revisor_no_recibe_nada(escena):
    Reporte.objects.filter(estado="enviado").update(estado="aprobado")
    correr(dia(-4))
    assert not mail.outbox


def test_simular_no_envia_ni_registra(escena):
    salida = correr(dia(-5), "--simular")
    assert not mail.outbox and not RecordatorioEnviado.objects.exists()
    assert "Simulación" in salida and "Se enviarían: 2 resúmenes." in salida
    assert "ana@sopo.gov.co (planeador): Recordatorio: 4 reportes pendientes" in salida
    assert "pedro (Turismo)" in salida
    assert "Plan de Desarrollo de Sopó · corte 2026-1: fecha límite 30 de junio de 2026 (vence en 5 días)" in salida
    correr(dia(-5))
    assert len(mail.outbox) == 2


def test_sin_fecha_es_hoy_en_bogota(escena, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dia(-1))
    salida = StringIO()
    call_command("recordatorios", stdout=salida)
    assert "Recordatorios del 29 de junio de 2026." in salida.getvalue()
    assert "ana@sopo.gov.co" in por_destinatario()


def test_fecha_invalida(escena):
    with pytest.raises(CommandError, match="La fecha «30/06/2026» no es válida: escríbala AAAA-MM-DD"):
        call_command("recordatorios", "--fecha=30/06/2026", stdout=StringIO())


def test_nombres_con_saltos_de_linea_no_forjan_lineas(escena):
    escena["plan"].nombre = "Plan\nBcc: todos@example.org"
    escena["plan"].save()
    s1 = escena["s1"]
    s1.nombre = "Vacunación\n== Falso plan =="
    s1.save()
    escena["otro_corte"].delete()
    correr(dia(-1))
    correo = por_destinatario()["ana@sopo.gov.co"]
    assert "\n" not in correo.subject and "«Plan Bcc: todos@example.org»" in correo.subject
    assert "S-1 Vacunación == Falso plan == · 2026" in correo.body
    assert "\n== Falso plan" not in correo.body


def _indicadores(escena, n: int, desde: int = 0) -> None:
    for i in range(desde, desde + n):
        factories.indicador(plan=escena["plan"], nivel=escena["nivel"], dependencia=escena["salud"], codigo=f"X-{i}")


@pytest.mark.parametrize("n", [5, 50])
def test_consultas_fijas_sea_cual_sea_el_numero_de_indicadores(escena, n, django_assert_max_num_queries):
    _indicadores(escena, n)
    # Expect 17 queries: cuts due; 3 per cut (indicators, reports, planners' e-mails) x 2; planners;
    # reviewers; reports waiting; records of the day; then per digest a savepoint, the insert and
    # its release (x 2 digests).
    with django_assert_max_num_queries(17):
        recordatorios.recordatorios_enviar(hoy=dia(-5))
    assert len(mail.outbox) == 2 and f"X-{n - 1}" in mail.outbox[0].body + mail.outbox[1].body


def test_mismas_consultas_con_5_y_50_indicadores(escena):
    _indicadores(escena, 5)
    with CaptureQueriesContext(connection) as pocos:
        recordatorios.recordatorios_enviar(hoy=dia(-5), simular=True)
    _indicadores(escena, 45, desde=5)
    with CaptureQueriesContext(connection) as muchos:
        recordatorios.recordatorios_enviar(hoy=dia(-5), simular=True)
    assert len(pocos) == len(muchos)
