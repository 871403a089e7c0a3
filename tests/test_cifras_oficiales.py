"""Official figures you can trust (issue 10), at the service level: an approved value stays
official until its correction is approved, a closed cut keeps the figures it published, frozen
periods are locked, unchanged saves change nothing, and concurrent writers never lose work."""

import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from indicadores import selectors, services
from indicadores.models import Corte, Reporte
from indicadores.permisos import PLANEADOR, REVISOR
from reportes.models import CifrasCorte
from reportes.selectors import plan_historial, plan_resultados, plan_resultados_vivos, planes_resultados
from seguimiento.metodologia.resultados import CorteRef
from tests import factories

pytestmark = pytest.mark.django_db
JUNIO_2024 = CorteRef(2024, 1)
DICIEMBRE_2024 = CorteRef(2024, 2)


@pytest.fixture
def politica(plan_pequeno):
    """The SPEC §6 mini policy (1.1.5, 3.1.1, 3.1.3), its planner, the planning office and an
    administrator; 3.1.1 has its approved 2024 report of 0,33 (41,25 % at June)."""
    dependencia = plan_pequeno.indicadores.first().dependencia
    return {
        "plan": plan_pequeno,
        "ind": plan_pequeno.indicadores.get(codigo="3.1.1"),
        "planeador": factories.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True),
        "revisor": factories.usuario("revisora", grupos=(REVISOR,), is_staff=True),
        "admin": factories.usuario("administradora", is_staff=True, is_superuser=True),
    }


def _reporte_2024(politica) -> Reporte:
    return Reporte.objects.get(indicador=politica["ind"], anio=2024, periodo=1)


def _corregir(politica, valor: str, **campos) -> Reporte:
    """The planner corrects 3.1.1's 2024 report from the version she has open."""
    actual = _reporte_2024(politica)
    campos.setdefault("observaciones", actual.observaciones)
    return services.reporte_registrar(
        indicador=politica["ind"], anio=2024, periodo=1, valor=D(valor), usuario=politica["planeador"],
        version_esperada=actual.version, **campos,
    )


def _pahv_311(resultado) -> D:
    return next(r.pahv for r in resultado.indicadores if r.codigo == "3.1.1")


def _cerrar(politica, anio: int, semestre: int) -> Corte:
    corte = services.corte_abrir(plan=politica["plan"], anio=anio, semestre=semestre, usuario=politica["revisor"])
    return services.corte_cerrar(corte=corte, usuario=politica["revisor"])


# --- A correction is a proposal --------------------------------------------------------------


def test_una_correccion_no_retira_la_cifra_oficial_hasta_que_se_aprueba(politica):
    assert _pahv_311(plan_resultados(plan=politica["plan"], corte=JUNIO_2024)) == D("41.25")
    corregido = _corregir(politica, "0.6", observaciones="Se sumaron las jornadas de mayo.")
    assert (corregido.estado, corregido.valor_publicado) == (Reporte.Estado.BORRADOR, D("0.33"))
    # Every figure keeps counting the approved 0,33 while the correction is written and reviewed.
    assert _pahv_311(plan_resultados(plan=politica["plan"], corte=JUNIO_2024)) == D("41.25")
    enviado = services.reporte_enviar(reporte=corregido, usuario=politica["planeador"])
    assert _pahv_311(plan_resultados(plan=politica["plan"], corte=JUNIO_2024)) == D("41.25")
    services.reporte_aprobar(reporte=enviado, usuario=politica["revisor"], version_esperada=enviado.version)
    assert _pahv_311(plan_resultados(plan=politica["plan"], corte=JUNIO_2024)) == D("75")
    aprobado = _reporte_2024(politica)
    assert (aprobado.estado, aprobado.valor_oficial, aprobado.valor_publicado) == ("aprobado", None, D("0.6"))


def test_devolver_una_correccion_deja_el_valor_aprobado(politica):
    enviado = services.reporte_enviar(reporte=_corregir(politica, "0.6"), usuario=politica["planeador"])
    devuelto = services.reporte_devolver(reporte=enviado, usuario=politica["revisor"], comentario="Sin soporte.")
    assert (devuelto.estado, devuelto.valor, devuelto.valor_publicado) == ("devuelto", D("0.6"), D("0.33"))
    assert _pahv_311(plan_resultados(plan=politica["plan"], corte=JUNIO_2024)) == D("41.25")


def test_volver_al_valor_aprobado_retira_la_correccion(politica):
    original = _reporte_2024(politica)
    _corregir(politica, "0.6")
    retirado = _corregir(politica, "0.33", observaciones=original.observaciones)
    assert (retirado.estado, retirado.en_correccion) == (Reporte.Estado.APROBADO, False)


def test_los_borradores_del_planeador_si_cuentan_en_su_propia_vista(politica):
    _corregir(politica, "0.6")
    todos = ("aprobado", "enviado", "borrador", "devuelto")
    assert _pahv_311(plan_resultados_vivos(plan=politica["plan"], corte=JUNIO_2024, estados=todos)) == D("75")


# --- No phantom changes ----------------------------------------------------------------------


def test_guardar_sin_cambios_desde_un_navegador_no_cambia_nada(politica):
    reporte = _reporte_2024(politica)
    Reporte.objects.filter(pk=reporte.pk).update(observaciones="Primera línea.\nSegunda línea.")
    reporte.refresh_from_db()
    historia, version = reporte.history.count(), reporte.version
    # A browser sends a textarea's line breaks as CRLF, and people leave blanks at the end.
    mismo = services.reporte_registrar(
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.330000"), usuario=politica["planeador"],
        observaciones="Primera línea.\r\nSegunda línea.  \r\n", version_esperada=version,
    )
    assert (mismo.estado, mismo.version, mismo.history.count()) == ("aprobado", version, historia)


def test_un_texto_nuevo_se_guarda_normalizado(politica):
    corregido = _corregir(politica, "0.33", observaciones="  Taller 1\r\nTaller 2\rTaller 3 ")
    assert corregido.observaciones == "Taller 1\nTaller 2\nTaller 3"


# --- No lost updates -------------------------------------------------------------------------


def test_crear_un_periodo_que_ya_existe_se_rechaza(politica):
    with pytest.raises(services.ReporteExistente, match="Ya existe el reporte 3.1.1 2024"):
        services.reporte_registrar(
            indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.9"), usuario=politica["planeador"]
        )
    assert _reporte_2024(politica).valor == D("0.33")


def test_una_version_vieja_dice_que_cambio_y_quien(politica):
    leida = _reporte_2024(politica).version
    _corregir(politica, "0.5")
    with pytest.raises(services.ConflictoEdicion) as conflicto:
        services.reporte_registrar(
            indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.7"), usuario=politica["planeador"],
            version_esperada=leida,
        )
    assert "avance: «0,33» → «0,5»" in conflicto.value.cambios
    assert "estado: «Aprobado» → «Borrador» (por planeadora)" in conflicto.value.cambios
    assert _reporte_2024(politica).valor == D("0.5")


def test_revisar_con_una_version_vieja_se_rechaza(politica):
    enviado = services.reporte_enviar(reporte=_corregir(politica, "0.6"), usuario=politica["planeador"])
    visto = enviado.version
    services.reporte_aprobar(reporte=enviado, usuario=politica["revisor"], version_esperada=visto)
    with pytest.raises(services.ConflictoEdicion, match="Otra persona guardó"):
        services.reporte_devolver(reporte=enviado, usuario=politica["revisor"], comentario="No", version_esperada=visto)
    assert _reporte_2024(politica).estado == Reporte.Estado.APROBADO


# --- A closed cut keeps what it published ----------------------------------------------------


def test_cerrar_un_corte_guarda_sus_cifras_y_ya_no_se_mueven(politica):
    plan = politica["plan"]
    antes = plan_resultados(plan=plan, corte=JUNIO_2024)
    corte = _cerrar(politica, 2024, 1)
    assert CifrasCorte.objects.filter(corte=corte, vigente=True).count() == 1
    # The annual 2024 period is still running at the June cut: its December value is accepted...
    enviado = services.reporte_enviar(reporte=_corregir(politica, "0.8"), usuario=politica["planeador"])
    services.reporte_aprobar(reporte=enviado, usuario=politica["revisor"])
    # ...and a weight changes too; the closed cut's published figures do not move.
    politica["ind"].__class__.objects.filter(pk=politica["ind"].pk).update(peso=D("10"))
    despues = plan_resultados(plan=plan, corte=JUNIO_2024)
    assert despues.oficial_congelado and despues.publicacion.cerrado_en == Corte.objects.get(pk=corte.pk).cerrado_en
    assert (despues.total, _pahv_311(despues)) == (antes.total, D("41.25"))
    assert [(n.codigo, n.avance, n.brecha) for n in despues.niveles] == [(n.codigo, n.avance, n.brecha) for n in antes.niveles]
    assert [(i.codigo, i.pav, i.pahv, i.paa, i.trayectoria, i.semaforo) for i in despues.indicadores] == [
        (i.codigo, i.pav, i.pahv, i.paa, i.trayectoria, i.semaforo) for i in antes.indicadores
    ]
    # The same in the many-plan roll-up and the history chart; the open December cut is live.
    (varios,) = planes_resultados(corte=JUNIO_2024, planes=[plan])
    assert varios.total == antes.total
    historia = dict(plan_historial(plan=plan, cortes=[JUNIO_2024, DICIEMBRE_2024]))
    assert historia[JUNIO_2024].total == antes.total
    assert _pahv_311(plan_resultados(plan=plan, corte=DICIEMBRE_2024)) == D("100")
    assert _pahv_311(plan_resultados_vivos(plan=plan, corte=JUNIO_2024)) == D("100")


def test_un_periodo_terminado_por_un_corte_cerrado_queda_bloqueado(politica):
    _cerrar(politica, 2024, 2)
    with pytest.raises(ValidationError, match="corte 2024-2 del plan está cerrado y el periodo 2024 ya había terminado"):
        _corregir(politica, "0.8")
    # An administrator may correct it, saying why.
    with pytest.raises(ValidationError, match="escribe el motivo"):
        services.reporte_registrar(
            indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.8"), usuario=politica["admin"],
            version_esperada=_reporte_2024(politica).version,
        )
    corregido = services.reporte_registrar(
        indicador=politica["ind"], anio=2024, periodo=1, valor=D("0.8"), usuario=politica["admin"],
        version_esperada=_reporte_2024(politica).version, motivo="Oficio 45: la cifra de diciembre era 0,8",
    )
    assert corregido.history.first().history_change_reason == "Oficio 45: la cifra de diciembre era 0,8"


def test_un_semestre_cerrado_bloquea_solo_los_periodos_que_terminaron(politica):
    semestral = factories.indicador(
        plan=politica["plan"], nivel=politica["ind"].nivel, dependencia=politica["ind"].dependencia,
        codigo="3.1.9", periodicidad="semestral", metas={2024: "10"},
    )
    _cerrar(politica, 2024, 1)

    def registrar(periodo):
        return services.reporte_registrar(
            indicador=semestral, anio=2024, periodo=periodo, valor=D("4"), usuario=politica["planeador"]
        )

    with pytest.raises(ValidationError, match="el periodo 2024 · semestre 1 ya había terminado"):
        registrar(1)
    assert registrar(2).valor == D("4")


def test_reabrir_y_corregir_un_corte_solo_administrador_con_motivo(politica):
    corte = _cerrar(politica, 2024, 1)
    with pytest.raises(ValidationError, match="Solo un administrador"):
        services.corte_reabrir(corte=corte, usuario=politica["revisor"], motivo="Error")
    with pytest.raises(ValidationError, match="escribe el motivo"):
        services.corte_corregir_cifras(corte=corte, usuario=politica["admin"], motivo=" ")
    services.corte_corregir_cifras(corte=corte, usuario=politica["admin"], motivo="Acta 7: peso de 3.1.1")
    publicado = plan_resultados(plan=politica["plan"], corte=JUNIO_2024)
    assert publicado.publicacion.motivo_correccion == "Acta 7: peso de 3.1.1"
    # Both published versions stay on record.
    assert list(CifrasCorte.objects.filter(corte=corte).values_list("vigente", "motivo")) == [
        (True, "Acta 7: peso de 3.1.1"), (False, ""),
    ]
    reabierto = services.corte_reabrir(corte=corte, usuario=politica["admin"], motivo="Reporte tardío de Salud")
    assert (reabierto.estado, reabierto.motivo_correccion) == ("abierto", "Reporte tardío de Salud")
    assert not plan_resultados(plan=politica["plan"], corte=JUNIO_2024).oficial_congelado
    assert not CifrasCorte.objects.filter(corte=corte, vigente=True).exists()


# --- Races: two writers at once --------------------------------------------------------------


def _a_la_vez(*escrituras):
    """Run the writes at the same moment, each in its own thread and database connection, on
    PostgreSQL; one after the other on SQLite (which serialises writers anyway). Returns each
    write's result or the exception it raised."""
    resultados = [None] * len(escrituras)
    if connection.vendor != "postgresql":
        for k, escritura in enumerate(escrituras):
            try:
                resultados[k] = escritura()
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                resultados[k] = exc
        return resultados
    barrera = threading.Barrier(len(escrituras))

    def correr(k, escritura):
        from django.db import connection as propia

        try:
            barrera.wait(timeout=10)
            resultados[k] = escritura()
        except Exception as exc:  # noqa: BLE001
            resultados[k] = exc
        finally:
            propia.close()

    hilos = [threading.Thread(target=correr, args=(k, e)) for k, e in enumerate(escrituras)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(timeout=30)
    return resultados


@pytest.mark.django_db(transaction=True)
def test_dos_revisores_a_la_vez_el_segundo_sabe_que_cambio(plan_pequeno):
    dependencia = plan_pequeno.indicadores.first().dependencia
    planeadora = factories.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)
    revisores = [factories.usuario(f"revisor{k}", grupos=(REVISOR,), is_staff=True) for k in (1, 2)]
    ind = plan_pequeno.indicadores.get(codigo="3.1.1")
    for intento in range(5):
        actual = Reporte.objects.get(indicador=ind, anio=2024)
        if actual.estado != Reporte.Estado.BORRADOR:
            actual = services.reporte_registrar(
                indicador=ind, anio=2024, periodo=1, valor=D("0.6") + D(intento) / 100, usuario=planeadora,
                version_esperada=actual.version,
            )
        enviado = services.reporte_enviar(reporte=actual, usuario=planeadora)
        visto = enviado.version
        resultados = _a_la_vez(
            lambda: services.reporte_aprobar(reporte=enviado, usuario=revisores[0], version_esperada=visto),
            lambda: services.reporte_devolver(
                reporte=enviado, usuario=revisores[1], comentario="Falta soporte", version_esperada=visto
            ),
        )
        conflictos = [r for r in resultados if isinstance(r, services.ConflictoEdicion)]
        hechos = [r for r in resultados if isinstance(r, Reporte)]
        assert (len(hechos), len(conflictos)) == (1, 1), resultados
        assert conflictos[0].cambios and "estado" in conflictos[0].cambios[0]
        assert Reporte.objects.get(pk=enviado.pk).estado == hechos[0].estado


@pytest.mark.django_db(transaction=True)
def test_correccion_y_aprobacion_a_la_vez_nada_se_pierde(plan_pequeno):
    dependencia = plan_pequeno.indicadores.first().dependencia
    planeadora = factories.usuario("planeadora", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)
    revisora = factories.usuario("revisora", grupos=(REVISOR,), is_staff=True)
    ind = plan_pequeno.indicadores.get(codigo="3.1.1")
    for intento in range(10):
        actual = Reporte.objects.get(indicador=ind, anio=2024)
        borrador = services.reporte_registrar(
            indicador=ind, anio=2024, periodo=1, valor=D("0.5") + D(intento) / 100, usuario=planeadora,
            version_esperada=actual.version,
        )
        enviado = services.reporte_enviar(reporte=borrador, usuario=planeadora)
        visto = enviado.version
        nuevo = D("0.7") + D(intento) / 100
        resultados = _a_la_vez(
            lambda: services.reporte_aprobar(reporte=enviado, usuario=revisora, version_esperada=visto),
            lambda: services.reporte_registrar(
                indicador=ind, anio=2024, periodo=1, valor=nuevo, usuario=planeadora, version_esperada=visto
            ),
        )
        final = Reporte.objects.get(pk=enviado.pk)
        aprobado, corregido = resultados
        if isinstance(corregido, Reporte):
            # The correction won: it is the current draft and the approval was refused, not lost.
            assert isinstance(aprobado, services.ConflictoEdicion)
            assert (final.valor, final.estado) == (nuevo, Reporte.Estado.BORRADOR)
        else:
            # The approval won: the planner is told, and nothing of hers was written.
            assert isinstance(corregido, services.ConflictoEdicion) and isinstance(aprobado, Reporte)
            assert final.estado == Reporte.Estado.APROBADO and final.valor != nuevo


@pytest.mark.django_db(transaction=True)
def test_dos_planeadores_crean_el_mismo_periodo_a_la_vez(plan_pequeno):
    dependencia = plan_pequeno.indicadores.first().dependencia
    planeadores = [
        factories.usuario(f"planeador{k}", grupos=(PLANEADOR,), dependencias=[dependencia], is_staff=True)
        for k in (1, 2, 3)
    ]
    ind = plan_pequeno.indicadores.get(codigo="1.1.5")
    resultados = _a_la_vez(*[
        (lambda p=p, k=k: services.reporte_registrar(
            indicador=ind, anio=2025, periodo=1, valor=D(k + 1), usuario=p
        ))
        for k, p in enumerate(planeadores)
    ])
    creados = [r for r in resultados if isinstance(r, Reporte)]
    rechazados = [r for r in resultados if isinstance(r, services.ReporteExistente)]
    assert (len(creados), len(rechazados)) == (1, 2), resultados
    assert Reporte.objects.get(indicador=ind, anio=2025).valor == creados[0].valor


# --- Pages say the figures are the published ones --------------------------------------------


def test_el_tablero_de_un_corte_cerrado_dice_que_sus_cifras_son_oficiales(client, politica):
    politica["plan"].__class__.objects.filter(pk=politica["plan"].pk).update(publicado=True)
    url = f"/planes/{politica['plan'].codigo}/"
    assert "Cifras oficiales del corte" not in client.get(url, {"corte": "2024-1"}).content.decode()
    corte = _cerrar(politica, 2024, 1)
    pagina = client.get(url, {"corte": "2024-1"}).content.decode()
    from seguimiento.numeros import fecha_larga

    assert f"Cifras oficiales del corte, cerrado el {fecha_larga(corte.cerrado_en)}" in pagina
    services.corte_corregir_cifras(corte=corte, usuario=politica["admin"], motivo="Acta 7 del comité")
    pagina = client.get(url, {"corte": "2024-1"}).content.decode()
    assert "Corregidas por la administración el" in pagina and "«Acta 7 del comité»" in pagina
    indicador = client.get(f"{url}indicadores/3.1.1/", {"corte": "2024-1"}).content.decode()
    assert "Cifras oficiales del corte, cerrado el" in indicador


def test_el_publico_lee_el_valor_aprobado_mientras_se_revisa_su_correccion(client, politica):
    politica["plan"].__class__.objects.filter(pk=politica["plan"].pk).update(publicado=True)
    _corregir(politica, "0.6", observaciones="Texto del borrador")
    pagina = client.get(f"/planes/{politica['plan'].codigo}/indicadores/3.1.1/", {"corte": "2024-1"}).content.decode()
    assert "Texto del borrador" not in pagina and "0,33" in pagina
    client.force_login(politica["planeador"])
    pagina = client.get(f"/planes/{politica['plan'].codigo}/indicadores/3.1.1/", {"corte": "2024-1"}).content.decode()
    assert "Texto del borrador" in pagina
    assert "Corrección en revisión: el valor oficial sigue siendo el aprobado, <strong>0,33</strong>" in pagina


def test_con_junio_cerrado_el_valor_anual_se_juzga_al_corte_de_diciembre(politica):
    """Once June's cut is closed, a new annual value serves December's cut: the plan-de-choque
    check judges it there (0,5 of a constant 0,8 target: 62,5 %)."""
    _cerrar(politica, 2024, 1)
    corregido = _corregir(politica, "0.5")
    banda, pahv, corte = selectors.reporte_semaforo_al_corte(corregido)
    assert (corte, pahv) == ("2024-2", D("62.5"))
