"""plan_resultados: the SPEC §6 rows through the database, the roll-up, report states, and a fixed
number of queries whatever the plan's size."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from indicadores.models import Indicador, Meta, Reporte
from reportes.selectors import plan_historial, plan_resultados, planes_resultados
from seguimiento.metodologia import calculos
from seguimiento.metodologia.resultados import CorteRef, Semaforo
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
CORTE = CorteRef.parse("2024-1")


def redondo(valor):
    return None if valor is None else valor.quantize(D(1), rounding=ROUND_HALF_UP)


def escalera(m2023: str, m2024: str, final: str) -> dict[int, str]:
    inicio, fin = D(m2024), D(final)
    return {2023: m2023, 2024: m2024} | {2024 + k: str(inicio + (fin - inicio) * k / 8) for k in range(1, 9)}


@pytest.fixture
def plan_de_la_especificacion():
    """The rows of SPEC §6, under objectives 1, 2, 3, 4 and 7 with the weights the spec gives."""
    plan = factories.plan(codigo="conpes-prueba")
    dep = factories.dependencia(entidad=plan.entidad)
    obj = {n: factories.nivel(plan=plan, codigo=str(n), orden=n, nombre=f"Objetivo {n}") for n in (1, 2, 3, 4, 7)}

    def producto(codigo, tipo, peso, metas, reportes):
        return factories.indicador(
            plan=plan, nivel=obj[int(codigo[0])], dependencia=dep, codigo=codigo, tipo_anualizacion=tipo,
            peso=None if peso is None else D(peso), metas=metas, reportes=reportes,
        )

    producto("1.1.5", "suma", "4", {a: "2" for a in range(2023, 2033)}, {2023: "3"})
    producto("7.1.1", "suma", "2.4", {2023: "7000"} | {a: "4500" for a in range(2024, 2033)}, {2023: "14887"})
    producto("7.1.4", "suma", "2", {a: "10" for a in range(2023, 2027)}, {2023: "20"})
    producto("7.1.6", "creciente", "2", escalera("0.3", "0.4", "1"), {2023: "1.0"})
    producto("4.1.2", "creciente", "2", escalera("0.1", "0.2", "1"), {2023: "0.08"})
    producto("3.1.1", "constante", "3", {a: "0.8" for a in range(2023, 2033)}, {2023: "0", 2024: "0.33"})
    producto("3.1.3", "creciente", "5", escalera("0.4", "0.8", "1"), {2023: "0", 2024: "0"})
    producto("2.1.2", "constante", None, {a: "100" for a in range(2023, 2033)}, {2023: "563"})
    return plan


ESPERADO = {  # codigo: (PAV, PAHV, PAA, semáforo)
    "1.1.5": (None, 150, 15, Semaforo.SOBRE_EJECUCION),
    "7.1.1": (None, 213, 31, Semaforo.SOBRE_EJECUCION),
    "7.1.4": (None, 200, 50, Semaforo.SOBRE_EJECUCION),
    "7.1.6": (None, 333, 100, Semaforo.SOBRE_EJECUCION),
    "4.1.2": (None, 80, 8, Semaforo.ALTO),
    "3.1.1": (41, 41, 41, Semaforo.BAJO),
    "3.1.3": (0, 0, 0, Semaforo.BAJO),
    "2.1.2": (None, 563, 563, Semaforo.SOBRE_EJECUCION),
}


def test_filas_de_la_especificacion(plan_de_la_especificacion):
    resultado = plan_resultados(plan=plan_de_la_especificacion, corte=CORTE)
    obtenido = {
        r.codigo: (redondo(r.pav), redondo(r.pahv), redondo(r.paa), r.semaforo) for r in resultado.indicadores
    }
    assert obtenido == {k: (None if v[0] is None else D(v[0]), D(v[1]), D(v[2]), v[3]) for k, v in ESPERADO.items()}
    sin_pav = next(r for r in resultado.indicadores if r.codigo == "1.1.5")
    assert sin_pav.motivo_pav == "Sin reporte"
    assert sin_pav.semaforo_pav == Semaforo.SIN_INFORMACION


def test_brechas_por_objetivo_y_total(plan_de_la_especificacion):
    resultado = plan_resultados(plan=plan_de_la_especificacion, corte=CORTE)
    brechas = {n.codigo: n.brecha for n in resultado.niveles}
    assert brechas["1"] == D("0.20")
    assert brechas["3"] == D("-3.7625")
    assert brechas["4"] == D("-0.04")
    assert brechas["2"] == D(0)  # 563 % is capped at 100 % in the roll-up
    diez = D("1e-10")
    assert resultado.total.brecha.quantize(diez) == sum(brechas.values()).quantize(diez)
    assert resultado.total.avance - resultado.total.trayectoria == resultado.total.brecha
    objetivo_1 = next(n for n in resultado.niveles if n.codigo == "1")
    assert objetivo_1.nivel == "Objetivo"
    assert objetivo_1.avance == D("0.6") and objetivo_1.trayectoria == D("0.4")  # 4·15 %, 4·10 %


def test_peso_vacio_reparte_lo_que_deja_el_padre(plan_de_la_especificacion):
    objetivo_2 = next(n for n in plan_de_la_especificacion.niveles.all() if n.codigo == "2")
    objetivo_2.peso = D(13)
    objetivo_2.save()
    resultado = plan_resultados(plan=plan_de_la_especificacion, corte=CORTE)
    producto = next(r for r in resultado.indicadores if r.codigo == "2.1.2")
    assert producto.peso == D(13)
    assert next(n for n in resultado.niveles if n.codigo == "2").avance == D(13)


def test_solo_cuentan_los_estados_pedidos():
    indicador = factories.indicador(tipo_anualizacion="suma", metas={2024: "10"}, reportes={2024: "4"})
    Reporte.objects.filter(indicador=indicador).update(estado=Reporte.Estado.BORRADOR)
    oficial = plan_resultados(plan=indicador.plan, corte=CorteRef.parse("2024-2")).indicadores[0]
    assert oficial.pahv is None and oficial.motivo_sin_informacion == "No ha iniciado"
    borrador = plan_resultados(
        plan=indicador.plan, corte=CorteRef.parse("2024-2"), estados=("aprobado", "borrador")
    ).indicadores[0]
    assert borrador.pahv == D(40)


def test_jerarquia_sin_pesos_reparte_por_igual():
    plan = factories.plan(nombres_niveles="Eje, Componente, Programa")
    eje_1, eje_2 = factories.nivel(plan=plan, codigo="1"), factories.nivel(plan=plan, codigo="2")
    componente = factories.nivel(plan=plan, padre=eje_1, codigo="1.1")
    programa = factories.nivel(plan=plan, padre=componente, codigo="1.1.1")
    for codigo in ("A", "B"):  # each 25 points, one on target and one not started
        factories.indicador(plan=plan, nivel=programa, codigo=codigo, metas={2024: "10"},
                            reportes={2024: "10"} if codigo == "A" else {})
    factories.indicador(plan=plan, nivel=eje_2, codigo="C", metas={2024: "10"}, reportes={2024: "5"})
    resultado = plan_resultados(plan=plan, corte=CorteRef.parse("2024-2"))
    niveles = {n.codigo: n for n in resultado.niveles}
    assert [n.codigo for n in resultado.niveles] == ["1", "1.1", "1.1.1", "2"]
    assert [n.nivel for n in resultado.niveles] == ["Eje", "Componente", "Programa", "Eje"]
    assert niveles["1"].peso == niveles["2"].peso == D(50)
    assert {r.codigo: r.peso for r in resultado.indicadores} == {"A": D(25), "B": D(25), "C": D(50)}
    assert niveles["1.1.1"].avance == D(25) and niveles["1.1.1"].trayectoria == D(50)
    assert niveles["1"].brecha == D(-25) and niveles["2"].brecha == D(-25)
    assert resultado.total.avance == D(50) and resultado.total.trayectoria == D(100)


def test_historial_por_corte():
    indicador = factories.indicador(periodicidad="semestral", metas={2024: "10", 2025: "10"},
                                    reportes={(2024, 1): "3", (2024, 2): "5"})
    historial = plan_historial(plan=indicador.plan, cortes=[CorteRef(2024, 2), CorteRef(2024, 1)])
    assert [c.clave for c, _ in historial] == ["2024-1", "2024-2"]
    assert [r.indicadores[0].pahv for _, r in historial] == [D(60), D(80)]


def test_varios_planes_en_una_pasada(django_assert_num_queries):
    planes = [factories.plan() for _ in range(3)]
    for plan in planes[:2]:
        factories.indicador(plan=plan, metas={2024: "10"}, reportes={2024: "5"})
    corte = CorteRef.parse("2024-2")
    # plans, levels, published figures of closed cuts (none), stale summaries, savepoint, their live
    # computation, upsert, release, stored summaries
    with django_assert_num_queries(9):
        list(planes_resultados(corte=corte))
    # Once stored: plans, levels, published figures (none), stale summaries (none), stored summaries.
    with django_assert_num_queries(5):
        resultados = {r.plan_codigo: r for r in planes_resultados(corte=corte)}
    assert set(resultados) == {p.codigo for p in planes}
    assert resultados[planes[0].codigo].total.avance == D(50)
    assert resultados[planes[2].codigo].total.avance == D(0)
    assert resultados[planes[0].codigo].indicadores == []  # totals only, unless asked


# The SQL summaries agree with the reference implementation on varied data ---------------------


def test_sql_coincide_con_el_calculo_de_referencia():
    azar = random.Random(20240630)
    plan = factories.plan()
    nivel = factories.nivel(plan=plan)
    dep = factories.dependencia(entidad=plan.entidad)
    crudos = {}
    for k in range(60):
        tipo = calculos.TIPOS[k % 4]
        periodicidad = list(calculos.PERIODOS_POR_ANIO)[(k // 4) % 4]
        lb = D(azar.randint(0, 50)) if tipo == "decreciente" or azar.random() < 0.5 else None
        indicador = Indicador.objects.create(
            plan=plan, nivel=nivel, dependencia=dep, codigo=f"R{k}", nombre="r",
            tipo_anualizacion=tipo, periodicidad=periodicidad, linea_base=lb,
        )
        metas = {a: D(azar.randint(0, 400)) / 4 for a in range(2021, 2028) if azar.random() < 0.7}
        Meta.objects.bulk_create(Meta(indicador=indicador, anio=a, valor=v) for a, v in metas.items())
        n = calculos.periodos_por_anio(periodicidad)
        reportes = []
        for anio in range(2021, 2026):
            for periodo in range(1, n + 1):
                if azar.random() < 0.4:
                    estado = azar.choice([Reporte.Estado.APROBADO, Reporte.Estado.APROBADO, Reporte.Estado.BORRADOR])
                    reportes.append(Reporte(indicador=indicador, anio=anio, periodo=periodo,
                                            valor=D(azar.randint(0, 9999)) / 100, estado=estado))
        Reporte.objects.bulk_create(reportes)
        crudos[indicador.codigo] = (tipo, periodicidad, lb, metas, [
            (r.anio, r.periodo, r.valor) for r in reportes if r.estado == Reporte.Estado.APROBADO
        ])
    # Live (plan_resultados), then the many-plan roll-up twice: computed and stored the first
    # time, read from the stored summaries the second.
    for corte in ("2021-1", "2023-1", "2023-2", "2025-1", "2026-2"):
        ref = CorteRef.parse(corte)
        vivos = plan_resultados(plan=plan, corte=ref).indicadores
        guardados = [next(planes_resultados(corte=ref, planes=[plan], con_indicadores=True)).indicadores
                     for _ in range(2)]
        # The roll-up without indicator rows (PAA and trajectory only) gives the same totals (up to
        # the 28th digit: the sums run in another order).
        cerca = D("1e-20")
        for a, b in zip(vars(next(planes_resultados(corte=ref, planes=[plan])).total).values(),
                        vars(plan_resultados(plan=plan, corte=ref).total).values()):
            assert a.quantize(cerca) == b.quantize(cerca)
        for resultado in vivos + guardados[0] + guardados[1]:
            tipo, periodicidad, lb, metas, reportes = crudos[resultado.codigo]
            esperado = calculos.calcular_indicador(
                tipo=tipo, linea_base=lb, metas=calculos.resumen_metas(metas, ref.anio),
                reportes=calculos.resumen_reportes(reportes, periodicidad=periodicidad, corte_anio=ref.anio,
                                                   corte_semestre=ref.semestre),
                f=calculos.fraccion_anio(periodicidad, ref.semestre),
            )
            obtenido = (resultado.avance_anio, resultado.avance_acumulado, resultado.meta_acumulada,
                        resultado.meta_final, resultado.pav, resultado.pahv, resultado.paa, resultado.trayectoria)
            assert obtenido == (esperado.avance_anio, esperado.avance_acumulado, esperado.meta_acumulada,
                                esperado.meta_final, esperado.pav, esperado.pahv, esperado.paa,
                                esperado.trayectoria), (corte, resultado.codigo)


# A fixed number of queries whatever the plan's size -------------------------------------------


def _plan_de(tamano: int):
    plan = factories.plan()
    dep = factories.dependencia(entidad=plan.entidad)
    niveles = [factories.nivel(plan=plan, codigo=f"N{k}") for k in range(3)]
    indicadores = Indicador.objects.bulk_create(
        Indicador(plan=plan, nivel=niveles[k % 3], dependencia=dep, codigo=f"I{k}", nombre="i",
                  tipo_anualizacion=calculos.TIPOS[k % 4], linea_base=D(1))
        for k in range(tamano)
    )
    Meta.objects.bulk_create(Meta(indicador=i, anio=a, valor=D(10)) for i in indicadores for a in (2023, 2024))
    Reporte.objects.bulk_create(
        Reporte(indicador=i, anio=2023, periodo=1, valor=D(7), estado="aprobado") for i in indicadores
    )
    return plan


@pytest.mark.parametrize("tamano", [5, 600])
def test_numero_fijo_de_consultas(django_assert_num_queries, tamano):
    plan = _plan_de(tamano)
    with django_assert_num_queries(3):  # published figures of a closed cut (none), levels, indicators
        resultado = plan_resultados(plan=plan, corte=CORTE)
    assert len(resultado.indicadores) == tamano
    assert len(resultado.niveles) == 3
    with django_assert_num_queries(3):  # drafts too: the same three queries
        plan_resultados(plan=plan, corte=CORTE, estados=("aprobado", "borrador"))


@pytest.mark.parametrize("tamano", [5, 600])
def test_varios_planes_numero_fijo_de_consultas(django_assert_num_queries, tamano):
    planes = [_plan_de(tamano), _plan_de(tamano)]
    list(planes_resultados(corte=CORTE, planes=planes))  # stores the summaries of the cut
    # levels, published figures (none), stale summaries (none), stored summaries of every plan
    with django_assert_num_queries(4):
        resultados = list(planes_resultados(corte=CORTE, planes=planes, con_indicadores=True))
    assert [len(r.indicadores) for r in resultados] == [tamano, tamano]
    vivos = [plan_resultados(plan=p, corte=CORTE) for p in planes]
    assert [r.total for r in resultados] == [r.total for r in vivos]


# Cali 2016–2019 (seed 002) with the demo data: the loader's tipos (creciente except three suma),
# annual, targets for 2016 and 2017 only (MF = the 2017 target, or Σ for suma). Worked by hand;
# "i" marks the 2017 values the loader stores as levels (2016 level + the year's increment).
CALI = {  # codigo: ((PAV, PAHV, PAA) at 2016-2, (PAV, PAHV, PAA) at 2017-2), percent, 2 decimals
    # creciente LB 0, 2016 target 0: nothing programmed in 2016 (no PAV, no PAHV), PAA 0 / m2017.
    "41020040002": ((None, None, "0.00"), ("33.33", "33.33", "33.33")),  # 50 / 150
    "43020030003": ((None, None, "0.00"), ("0.00", "0.00", "0.00")),  # 0 / 140
    "43040030002": ((None, None, "0.00"), ("100.00", "100.00", "100.00")),  # 300 / 300
    # LB 475; 575 / 575 in 2016; i: 575 + 200 = 775 against 875: 300 / 400.
    "43040030005": (("100.00", "100.00", "25.00"), ("75.00", "75.00", "75.00")),
    # LB 7.480; 2016: 4.487 / 7.887 and 4.487 / 10.397; i: 11.967 + 2.556 = 14.523: 7.043 / 10.397.
    "44010010002": (("56.89", "56.89", "43.16"), ("67.74", "67.74", "67.74")),
    "44010010003": (("38.46", "38.46", "33.90"), ("45.76", "45.76", "45.76")),  # 200/520, 200/590; i: 270/590
    # suma, targets 0 and 150, nothing done: 2017 PAV 0 / 150, PAHV 0 / (0 + 150).
    "44010010004": ((None, None, "0.00"), ("0.00", "0.00", "0.00")),
    "44010020003": ((None, None, "0.00"), ("100.00", "100.00", "100.00")),
    "44010030001": (("0.00", "0.00", "0.00"), ("100.00", "100.00", "100.00")),  # 0 / 1, 0 / 3; 3 / 3
    # suma 1 + 1: 2016 1 / 1 and 1 / 2; 2017 PAV 3 / 1, AV 1 + 3 = 4 against MA = MF = 2.
    "44010030003": (("100.00", "100.00", "50.00"), ("300.00", "200.00", "200.00")),
    "44010030006": ((None, None, "0.00"), ("50.00", "50.00", "50.00")),  # 2 / 4
    # LB 60: (116 − 60) / (110 − 60) and 56 / (160 − 60); 2017 at 160.
    "44010030007": (("112.00", "112.00", "56.00"), ("100.00", "100.00", "100.00")),
    "44020010001": (("66.00", "66.00", "41.25"), ("41.25", "41.25", "41.25")),  # 33/50, 33/80; i: 33 + 0
    "44020010003": (("60.00", "60.00", "20.00"), ("93.33", "93.33", "93.33")),  # 3/5, 3/15; i: 14/15
    "44020010005": ((None, None, "0.00"), ("85.00", "85.00", "85.00")),  # 17 / 20
    # LB 4, the seed's 2016 «0» is no target: not started at 2016-2; i: 4 + 2 = 6 = the target.
    "44020010007": ((None, None, None), ("100.00", "100.00", "100.00")),
    "44030020006": ((None, None, "0.00"), ("20.00", "20.00", "20.00")),  # 20 / 100 %
    "44030020007": (("100.00", "100.00", "33.33"), ("100.00", "100.00", "100.00")),  # suma 1 + 2
    # LB 22.212: 1.050 / 2.690 and 1.050 / 3.085; i: 23.262 + 1.825 = 25.087: 2.875 / 3.085.
    "44040010001": (("39.03", "39.03", "34.04"), ("93.19", "93.19", "93.19")),
    "44040010003": (("100.00", "100.00", "50.00"), ("50.00", "50.00", "50.00")),  # LB 3: 1/1, 1/2; i: 4 + 0
}


def _r2(valor):
    return None if valor is None else valor.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_cali_2016_y_2017(datos_demo):
    from politicas.models import Plan

    cali = Plan.objects.get(codigo="cali-2016")
    for posicion, corte in enumerate(("2016-2", "2017-2")):
        resultado = plan_resultados(plan=cali, corte=CorteRef.parse(corte))
        obtenido = {r.codigo: (_r2(r.pav), _r2(r.pahv), _r2(r.paa)) for r in resultado.indicadores}
        esperado = {
            codigo: tuple(None if v is None else D(v) for v in cortes[posicion]) for codigo, cortes in CALI.items()
        }
        assert obtenido == esperado, corte
    # No weights in Cali: the three ejes share 100 points equally.
    assert {n.peso for n in resultado.niveles if n.profundidad == 0} == {D(100) / 3}


# Stored summaries follow every change, whatever wrote it ------------------------------------------


@pytest.fixture
def indicador_con_resumenes_guardados():
    """A semestral indicator read once at 2024-1 by the many-plan roll-up, so its summaries are stored."""
    indicador = factories.indicador(periodicidad="semestral", metas={2023: "10", 2024: "10"},
                                    reportes={(2023, 1): "4", (2024, 1): "2"})
    assert _pahv(indicador) == D(40)  # 6 / 15
    return indicador


def _pahv(indicador):
    (resultado,) = planes_resultados(corte=CORTE, planes=[indicador.plan], con_indicadores=True)
    return resultado.indicadores[0].pahv


def test_cambio_por_update_sin_senales(indicador_con_resumenes_guardados):
    Reporte.objects.filter(indicador=indicador_con_resumenes_guardados, anio=2024).update(valor=D(5))
    assert _pahv(indicador_con_resumenes_guardados) == D(60)  # 9 / 15


def test_reporte_nuevo_por_bulk_create(indicador_con_resumenes_guardados):
    Reporte.objects.bulk_create(
        [Reporte(indicador=indicador_con_resumenes_guardados, anio=2023, periodo=2, valor=D(3), estado="aprobado")]
    )
    assert _pahv(indicador_con_resumenes_guardados) == D(60)


def test_reporte_borrado(indicador_con_resumenes_guardados):
    Reporte.objects.filter(indicador=indicador_con_resumenes_guardados, anio=2024).delete()
    assert _pahv(indicador_con_resumenes_guardados) == D(4) / D(15) * 100


def test_reporte_devuelto_deja_de_contar(indicador_con_resumenes_guardados):
    reporte = Reporte.objects.get(indicador=indicador_con_resumenes_guardados, anio=2024)
    reporte.estado = Reporte.Estado.DEVUELTO
    reporte.save()
    assert _pahv(indicador_con_resumenes_guardados) == D(4) / D(15) * 100


def test_meta_cambiada(indicador_con_resumenes_guardados):
    Meta.objects.filter(indicador=indicador_con_resumenes_guardados, anio=2024).update(valor=D(20))
    assert _pahv(indicador_con_resumenes_guardados) == D(30)  # 6 / (10 + ½ · 20)


def test_periodicidad_cambiada(indicador_con_resumenes_guardados):
    # Annual at the June cut: nothing of 2024 is due (MA 10) and its period 1 still counts.
    Indicador.objects.filter(pk=indicador_con_resumenes_guardados.pk).update(periodicidad="anual")
    assert _pahv(indicador_con_resumenes_guardados) == D(60)  # 6 / 10


def test_tipo_y_linea_base_no_necesitan_recalculo(indicador_con_resumenes_guardados):
    from reportes.models import ResumenCorte

    antes = ResumenCorte.objects.get(indicador=indicador_con_resumenes_guardados).version
    Indicador.objects.filter(pk=indicador_con_resumenes_guardados.pk).update(
        tipo_anualizacion="creciente", linea_base=D(1)
    )
    # creciente: the last level 2 against MA = 10 + ½ (10 − 10), from LB 1: (2 − 1) / (10 − 1).
    assert _pahv(indicador_con_resumenes_guardados) == D(1) / D(9) * 100
    assert ResumenCorte.objects.get(indicador=indicador_con_resumenes_guardados).version == antes  # applied when read


def test_solo_se_recalcula_lo_que_cambio(indicador_con_resumenes_guardados, django_assert_num_queries):
    otro = factories.indicador(
        plan=indicador_con_resumenes_guardados.plan, nivel=indicador_con_resumenes_guardados.nivel, metas={2023: "10"},
        reportes={2023: "5"},
    )
    _pahv(indicador_con_resumenes_guardados)
    Reporte.objects.filter(indicador=otro).update(valor=D(8))
    from reportes.models import ResumenCorte, VersionIndicador

    # levels, published figures (none), stale summaries (the changed one), savepoint, its live
    # computation, upsert, release, stored summaries
    with django_assert_num_queries(8):
        (resultado,) = planes_resultados(
            corte=CORTE, planes=[indicador_con_resumenes_guardados.plan], con_indicadores=True
        )
    assert {r.codigo: r.pahv for r in resultado.indicadores} == {
        indicador_con_resumenes_guardados.codigo: D(40), otro.codigo: D(80),
    }
    version_otro = VersionIndicador.objects.get(indicador_id=otro.pk).version
    assert ResumenCorte.objects.get(indicador=otro).version == version_otro


def test_llenado_completo_de_un_corte(monkeypatch):
    # Past the threshold the refresh streams the live computation of every plan selected.
    from reportes import selectors
    from reportes.models import ResumenCorte

    monkeypatch.setattr(selectors, "_UMBRAL_LLENADO", 3)
    monkeypatch.setattr(selectors, "_TAMANO_LOTE", 4)  # several upsert batches
    planes = [_plan_de(7), _plan_de(6)]
    assert selectors.resumenes_actualizar(corte=CORTE, planes=planes) == 13
    assert ResumenCorte.objects.filter(anio=2024, semestre=1).count() == 13
    assert selectors.resumenes_actualizar(corte=CORTE, planes=planes) == 0
    resultados = list(planes_resultados(corte=CORTE, planes=planes))
    assert [r.total for r in resultados] == [plan_resultados(plan=p, corte=CORTE).total for p in planes]


# History: every cut from the stored summaries, the same as the live computation ----------------

CORTES_HISTORIA = [CorteRef(a, s) for a in range(2021, 2027) for s in (1, 2)]


@pytest.fixture
def plan_varios_anios():
    """Reports in 2021–2025 of every tipo and periodicidad, decimals, a draft and a sent report,
    an indicator without reports and one without targets, under a two-level tree with weights."""
    plan = factories.plan()
    dep = factories.dependencia(entidad=plan.entidad)
    eje_1 = factories.nivel(plan=plan, codigo="1", peso=D(60))
    eje_2 = factories.nivel(plan=plan, codigo="2", peso=D(40))
    programa = factories.nivel(plan=plan, padre=eje_1, profundidad=1, codigo="1.1")

    def ind(codigo, nivel, **campos):
        return factories.indicador(plan=plan, nivel=nivel, dependencia=dep, codigo=codigo, **campos)

    a = ind("A", programa, tipo_anualizacion="suma", metas={a: "2" for a in range(2021, 2027)},
            reportes={2021: "1.5", 2022: "2", 2024: "0.33"}, peso=D(30))
    b = ind("B", programa, tipo_anualizacion="creciente", periodicidad="semestral", linea_base=D(10),
            metas={2021: "12", 2023: "20", 2026: "30"},
            reportes={(2021, 1): "11", (2021, 2): "12.5", (2023, 1): "15", (2023, 2): "19.25"})
    ind("C", eje_1, tipo_anualizacion="constante", periodicidad="trimestral",
        metas={2022: "100", 2023: "100", 2024: "90"}, reportes={(2022, 1): "80", (2022, 3): "90", (2023, 2): "95"})
    ind("D", eje_2, tipo_anualizacion="decreciente", periodicidad="mensual", linea_base=D(50),
        metas={2022: "40", 2024: "30"}, reportes={(2022, 6): "45", (2022, 12): "42", (2024, 7): "33"})
    ind("E", eje_2, metas={2023: "5", 2024: "5"})  # no reports: no information, never 0 %
    ind("F", eje_2, reportes={2022: "3"})  # no targets
    Reporte.objects.create(indicador=a, anio=2023, periodo=1, valor=D(9), estado=Reporte.Estado.BORRADOR)
    Reporte.objects.create(indicador=b, anio=2022, periodo=2, valor=D(14), estado=Reporte.Estado.ENVIADO)
    return plan


def _igual_al_vivo(plan, estados=("aprobado",)):
    historial = plan_historial(plan=plan, cortes=reversed(CORTES_HISTORIA), estados=estados)
    assert [c for c, _ in historial] == CORTES_HISTORIA  # oldest first
    for corte, resultado in historial:
        assert resultado == plan_resultados(plan=plan, corte=corte, estados=estados), corte
    # Totals only (the chart): the same totals and levels, up to the 20th decimal (other order of sums).
    cerca = D("1e-20")
    for corte, resultado in plan_historial(plan=plan, cortes=CORTES_HISTORIA, estados=estados, con_indicadores=False):
        vivo = plan_resultados(plan=plan, corte=corte, estados=estados)
        assert resultado.indicadores == []
        assert [(n.codigo, n.avance.quantize(cerca), n.trayectoria.quantize(cerca)) for n in resultado.niveles] == [
            (n.codigo, n.avance.quantize(cerca), n.trayectoria.quantize(cerca)) for n in vivo.niveles
        ], corte
        assert resultado.total.avance.quantize(cerca) == vivo.total.avance.quantize(cerca), corte
    return historial


def test_historial_igual_al_calculo_vivo_en_cada_corte(plan_varios_anios):
    from reportes.models import ResumenCorte

    plan = plan_varios_anios
    historial = _igual_al_vivo(plan)
    # Not trivially equal: the plan moves across the years.
    assert len({r.total.avance for _, r in historial}) > 4
    assert ResumenCorte.objects.filter(indicador__plan=plan).count() == 6 * len(CORTES_HISTORIA)
    _igual_al_vivo(plan)  # read back from the stored summaries


def test_historial_sigue_los_cambios_de_reportes_y_metas(plan_varios_anios):
    plan = plan_varios_anios
    antes = _igual_al_vivo(plan)
    a = Indicador.objects.get(plan=plan, codigo="A")
    Reporte.objects.filter(indicador=a, anio=2022).update(valor=D("1.75"))  # no signals
    Reporte.objects.filter(indicador__plan=plan, estado=Reporte.Estado.BORRADOR).update(estado=Reporte.Estado.APROBADO)
    Meta.objects.filter(indicador__plan=plan, indicador__codigo="B", anio=2023).update(valor=D(25))
    Reporte.objects.filter(indicador__plan=plan, indicador__codigo="D", anio=2024).delete()
    Indicador.objects.filter(plan=plan, codigo="C").update(periodicidad="semestral")
    despues = _igual_al_vivo(plan)
    assert [r.total for _, r in antes][3:] != [r.total for _, r in despues][3:]


def test_historial_con_borradores_calcula_en_vivo(plan_varios_anios):
    historial = _igual_al_vivo(plan_varios_anios, estados=("aprobado", "borrador", "enviado"))
    oficial = plan_historial(plan=plan_varios_anios, cortes=CORTES_HISTORIA)
    assert [r.total for _, r in historial] != [r.total for _, r in oficial]  # the drafts count


@pytest.mark.parametrize("tamano", [5, 300])
@pytest.mark.parametrize("n_cortes", [2, 12])
def test_historial_numero_fijo_de_consultas(django_assert_num_queries, tamano, n_cortes):
    plan = _plan_de(tamano)
    cortes = CORTES_HISTORIA[:n_cortes]
    # levels, stale summaries (all missing), their computation and upsert in one statement, stored
    # summaries, published figures of the closed cuts among them (none)
    with django_assert_num_queries(5):
        plan_historial(plan=plan, cortes=cortes)
    with django_assert_num_queries(4):  # all current: levels, stale (none), stored, published (none)
        historial = plan_historial(plan=plan, cortes=cortes, con_indicadores=False)
    assert len(historial) == n_cortes
    Reporte.objects.filter(indicador__plan=plan, indicador__codigo="I3").update(valor=D(9))
    with django_assert_num_queries(5):  # one changed: recomputed at every cut, in the same one statement
        plan_historial(plan=plan, cortes=cortes)
    with django_assert_num_queries(3):  # drafts: levels, one live query for every cut, published figures
        plan_historial(plan=plan, cortes=cortes, estados=("aprobado", "borrador"))


def test_historial_de_plan_sin_indicadores():
    plan = factories.plan()
    factories.nivel(plan=plan)
    historial = plan_historial(plan=plan, cortes=CORTES_HISTORIA[:3])
    assert [r.total.avance for _, r in historial] == [D(0)] * 3
    assert plan_historial(plan=plan, cortes=[]) == []
