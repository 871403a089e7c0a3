"""The methodology of SPEC §2–5 (seguimiento.metodologia.calculos), worked by hand, without the database."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from seguimiento.metodologia import calculos as c
from seguimiento.metodologia.resultados import Semaforo

D = Decimal
PERIODICIDADES = ("anual", "semestral", "trimestral", "mensual")


def r2(valor: Decimal | None) -> Decimal | None:
    return None if valor is None else valor.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def calcular(tipo, *, metas, reportes, corte, periodicidad="anual", linea_base=None) -> c.Calculo:
    """Run §2 and §3 from raw rows: metas {year: "value"}, reportes {(year, period): "value"}."""
    anio, semestre = (int(p) for p in corte.split("-"))
    resumen_m = c.resumen_metas({a: D(v) for a, v in metas.items()}, anio)
    resumen_r = c.resumen_reportes(
        [(a, p, D(v)) for (a, p), v in reportes.items()],
        periodicidad=periodicidad, corte_anio=anio, corte_semestre=semestre,
    )
    return c.calcular_indicador(
        tipo=tipo,
        linea_base=None if linea_base is None else D(linea_base),
        metas=resumen_m,
        reportes=resumen_r,
        f=c.fraccion_anio(periodicidad, semestre),
    )


# §2: which reports count and how much of the year is due ---------------------------------------


@pytest.mark.parametrize(
    "periodicidad, semestre, esperado",
    [
        ("anual", 1, "0"), ("semestral", 1, "0.5"), ("trimestral", 1, "0.5"), ("mensual", 1, "0.5"),
        ("anual", 2, "1"), ("semestral", 2, "1"), ("trimestral", 2, "1"), ("mensual", 2, "1"),
    ],
)
def test_fraccion_del_anio_vencida_al_corte(periodicidad, semestre, esperado):
    assert c.fraccion_anio(periodicidad, semestre) == D(esperado)


@pytest.mark.parametrize(
    "periodicidad, cuentan_en_junio",
    [("anual", [1]), ("semestral", [1]), ("trimestral", [1, 2]), ("mensual", [1, 2, 3, 4, 5, 6])],
)
def test_en_junio_cuentan_los_periodos_ya_iniciados(periodicidad, cuentan_en_junio):
    n = c.periodos_por_anio(periodicidad)
    cuentan = [
        p for p in range(1, n + 1)
        if c.reporte_cuenta(periodicidad=periodicidad, anio=2024, periodo=p, corte_anio=2024, corte_semestre=1)
    ]
    assert cuentan == cuentan_en_junio
    assert all(
        c.reporte_cuenta(periodicidad=periodicidad, anio=2024, periodo=p, corte_anio=2024, corte_semestre=2)
        for p in range(1, n + 1)
    )
    # Earlier years always count, later ones never.
    assert c.reporte_cuenta(periodicidad=periodicidad, anio=2023, periodo=n, corte_anio=2024, corte_semestre=1)
    assert not c.reporte_cuenta(periodicidad=periodicidad, anio=2025, periodo=1, corte_anio=2024, corte_semestre=2)


# §3: every tipo with every periodicidad, at mid-year and year-end cuts ----------------------------
#
# suma: targets 2023: 10, 2024: 20, 2025: 30 (MF 60); 2023 reports add up to 12; every period of
#   2024 reports 2. creciente: LB 5, same targets (MF 30); 2023 ends at 11; period p of n in 2024
#   reports 10 + 12·p/n (22 at year end, 16 at the last period begun by June unless annual).
# constante: target 20 every year, same reports as creciente.
# decreciente: LB 40, targets 30, 20, 10; 2023 ends at 32; period p reports 30 − 12·p/n.


def _datos(tipo: str, periodicidad: str) -> dict:
    n = c.periodos_por_anio(periodicidad)
    paso = D(12) / n
    if tipo == "suma":
        reportes = {(2023, p): paso for p in range(1, n + 1)} | {(2024, p): D(2) for p in range(1, n + 1)}
        return {"metas": {2023: "10", 2024: "20", 2025: "30"}, "reportes": reportes}
    if tipo == "decreciente":
        reportes = {(2023, n): D(32)} | {(2024, p): 30 - paso * p for p in range(1, n + 1)}
        return {"metas": {2023: "30", 2024: "20", 2025: "10"}, "reportes": reportes, "linea_base": "40"}
    reportes = {(2023, n): D(11)} | {(2024, p): 10 + paso * p for p in range(1, n + 1)}
    if tipo == "creciente":
        return {"metas": {2023: "10", 2024: "20", 2025: "30"}, "reportes": reportes, "linea_base": "5"}
    return {"metas": {2023: "20", 2024: "20", 2025: "20"}, "reportes": reportes, "linea_base": "5"}


# (tipo, periodicidad, corte): (A[Y], AV, MA, PAV, PAHV, PAA, TID)
CASOS = {
    ("suma", "anual", "2024-1"): ("2", "14", "10", "10.00", "140.00", "23.33", "16.67"),
    ("suma", "semestral", "2024-1"): ("2", "14", "20", "10.00", "70.00", "23.33", "33.33"),
    ("suma", "trimestral", "2024-1"): ("4", "16", "20", "20.00", "80.00", "26.67", "33.33"),
    ("suma", "mensual", "2024-1"): ("12", "24", "20", "60.00", "120.00", "40.00", "33.33"),
    ("suma", "anual", "2024-2"): ("2", "14", "30", "10.00", "46.67", "23.33", "50.00"),
    ("suma", "semestral", "2024-2"): ("4", "16", "30", "20.00", "53.33", "26.67", "50.00"),
    ("suma", "trimestral", "2024-2"): ("8", "20", "30", "40.00", "66.67", "33.33", "50.00"),
    ("suma", "mensual", "2024-2"): ("24", "36", "30", "120.00", "120.00", "60.00", "50.00"),
    ("creciente", "anual", "2024-1"): ("22", "22", "10", "113.33", "340.00", "68.00", "20.00"),
    ("creciente", "semestral", "2024-1"): ("16", "16", "15", "73.33", "110.00", "44.00", "40.00"),
    ("creciente", "trimestral", "2024-1"): ("16", "16", "15", "73.33", "110.00", "44.00", "40.00"),
    ("creciente", "mensual", "2024-1"): ("16", "16", "15", "73.33", "110.00", "44.00", "40.00"),
    ("creciente", "anual", "2024-2"): ("22", "22", "20", "113.33", "113.33", "68.00", "60.00"),
    ("creciente", "semestral", "2024-2"): ("22", "22", "20", "113.33", "113.33", "68.00", "60.00"),
    ("creciente", "trimestral", "2024-2"): ("22", "22", "20", "113.33", "113.33", "68.00", "60.00"),
    ("creciente", "mensual", "2024-2"): ("22", "22", "20", "113.33", "113.33", "68.00", "60.00"),
    ("constante", "anual", "2024-1"): ("22", "22", "20", "110.00", "110.00", "110.00", "100.00"),
    ("constante", "semestral", "2024-1"): ("16", "16", "20", "80.00", "80.00", "80.00", "100.00"),
    ("constante", "trimestral", "2024-1"): ("16", "16", "20", "80.00", "80.00", "80.00", "100.00"),
    ("constante", "mensual", "2024-1"): ("16", "16", "20", "80.00", "80.00", "80.00", "100.00"),
    ("constante", "anual", "2024-2"): ("22", "22", "20", "110.00", "110.00", "110.00", "100.00"),
    ("constante", "semestral", "2024-2"): ("22", "22", "20", "110.00", "110.00", "110.00", "100.00"),
    ("constante", "trimestral", "2024-2"): ("22", "22", "20", "110.00", "110.00", "110.00", "100.00"),
    ("constante", "mensual", "2024-2"): ("22", "22", "20", "110.00", "110.00", "110.00", "100.00"),
    ("decreciente", "anual", "2024-1"): ("18", "18", "30", "110.00", "220.00", "73.33", "33.33"),
    ("decreciente", "semestral", "2024-1"): ("24", "24", "25", "80.00", "106.67", "53.33", "50.00"),
    ("decreciente", "trimestral", "2024-1"): ("24", "24", "25", "80.00", "106.67", "53.33", "50.00"),
    ("decreciente", "mensual", "2024-1"): ("24", "24", "25", "80.00", "106.67", "53.33", "50.00"),
    ("decreciente", "anual", "2024-2"): ("18", "18", "20", "110.00", "110.00", "73.33", "66.67"),
    ("decreciente", "semestral", "2024-2"): ("18", "18", "20", "110.00", "110.00", "73.33", "66.67"),
    ("decreciente", "trimestral", "2024-2"): ("18", "18", "20", "110.00", "110.00", "73.33", "66.67"),
    ("decreciente", "mensual", "2024-2"): ("18", "18", "20", "110.00", "110.00", "73.33", "66.67"),
}


@pytest.mark.parametrize("tipo, periodicidad, corte", list(CASOS))
def test_cada_tipo_con_cada_periodicidad(tipo, periodicidad, corte):
    a_anio, av, ma, pav, pahv, paa, tid = (D(v) for v in CASOS[tipo, periodicidad, corte])
    calculo = calcular(tipo, periodicidad=periodicidad, corte=corte, **_datos(tipo, periodicidad))
    assert (calculo.avance_anio, calculo.avance_acumulado, calculo.meta_acumulada) == (a_anio, av, ma)
    assert (r2(calculo.pav), r2(calculo.pahv), r2(calculo.paa), r2(calculo.trayectoria)) == (pav, pahv, paa, tid)
    assert calculo.meta_final == {"suma": D(60), "creciente": D(30), "constante": D(20), "decreciente": D(10)}[tipo]


@pytest.mark.parametrize("tipo, periodicidad, corte", list(CASOS))
def test_paa_y_trayectoria_coinciden_con_el_calculo_completo(tipo, periodicidad, corte):
    datos = _datos(tipo, periodicidad)
    anio, semestre = (int(p) for p in corte.split("-"))
    argumentos = dict(
        tipo=tipo,
        linea_base=D(datos["linea_base"]) if "linea_base" in datos else None,
        metas=c.resumen_metas({a: D(v) for a, v in datos["metas"].items()}, anio),
        reportes=c.resumen_reportes([(a, p, D(v)) for (a, p), v in datos["reportes"].items()],
                                    periodicidad=periodicidad, corte_anio=anio, corte_semestre=semestre),
        f=c.fraccion_anio(periodicidad, semestre),
    )
    completo = c.calcular_indicador(**argumentos)
    assert c.paa_y_trayectoria(**argumentos) == (completo.paa, completo.trayectoria)


def test_paa_y_trayectoria_sin_informacion():
    vacio = c.ResumenReportes(None, None, None, None)
    sin_metas = c.resumen_metas({}, 2024)
    assert c.paa_y_trayectoria(tipo="suma", linea_base=None, metas=sin_metas, reportes=vacio, f=D(1)) == (None, None)
    metas = c.resumen_metas({2024: D(10)}, 2024)
    assert c.paa_y_trayectoria(tipo="decreciente", linea_base=None, metas=metas, reportes=vacio, f=D(1)) == (None, None)
    assert c.paa_y_trayectoria(tipo="suma", linea_base=None, metas=metas, reportes=vacio, f=D(1)) == (None, D(100))


def test_un_reporte_de_un_periodo_aun_no_iniciado_no_cuenta():
    # A semestral second-semester value typed early is not counted at the June cut.
    calculo = calcular(
        "suma", periodicidad="semestral", corte="2024-1",
        metas={2024: "10"}, reportes={(2024, 1): "3", (2024, 2): "4"},
    )
    assert calculo.avance_anio == D(3)
    assert calculo.pahv == D(60)  # 3 / (½ · 10)


def test_porcentajes_sin_redondear_y_sin_tope():
    calculo = calcular("constante", corte="2024-1", metas={2023: "100", 2024: "100"}, reportes={(2023, 1): "563"})
    assert calculo.pahv == D(563) and calculo.paa == D(563)
    tercio = calcular("creciente", corte="2024-1", metas={2023: "0.3", 2024: "0.4", 2032: "1"},
                      reportes={(2023, 1): "1.0"})
    assert tercio.pahv == D(1) / D("0.3") * 100  # 333,33… kept unrounded


# Line bases -------------------------------------------------------------------------------------


def test_decreciente_ejemplo_de_la_especificacion():
    calculo = calcular("decreciente", linea_base="10", corte="2024-2", metas={2024: "5"}, reportes={(2024, 1): "8"})
    assert calculo.pav == D(40) and calculo.pahv == D(40) and calculo.paa == D(40)


def test_decreciente_sin_linea_base_no_se_puede_medir():
    calculo = calcular("decreciente", corte="2024-2", metas={2024: "5"}, reportes={(2024, 1): "8"})
    assert (calculo.pav, calculo.pahv, calculo.paa, calculo.trayectoria) == (None, None, None, None)
    assert calculo.motivo_pahv == c.Motivo.SIN_LINEA_BASE


def test_creciente_se_mide_desde_la_linea_base_y_sin_ella_desde_cero():
    con_base = calcular("creciente", linea_base="7480", corte="2024-2", metas={2024: "8000"},
                        reportes={(2024, 1): "7740"})
    assert con_base.pav == D(50)  # (7.740 − 7.480) / (8.000 − 7.480)
    sin_base = calcular("creciente", corte="2024-2", metas={2024: "8000"}, reportes={(2024, 1): "7740"})
    assert sin_base.pav == D("96.75")


def test_suma_y_constante_ignoran_la_linea_base():
    for tipo in ("suma", "constante"):
        calculo = calcular(tipo, linea_base="50", corte="2024-2", metas={2024: "100"}, reportes={(2024, 1): "80"})
        assert calculo.pav == D(80), tipo


def test_antes_de_la_primera_meta_la_meta_anterior_es_la_linea_base():
    # creciente from LB 10 to 20 in 2024, semestral at June: MA = 10 + ½ (20 − 10) = 15.
    calculo = calcular("creciente", linea_base="10", periodicidad="semestral", corte="2024-1",
                       metas={2024: "20", 2025: "30"}, reportes={(2024, 1): "15"})
    assert calculo.meta_acumulada == D(15)
    assert calculo.pahv == D(100)
    assert r2(calculo.trayectoria) == D("25.00")  # (15 − 10) / (30 − 10)


# Finished indicators, years without target ------------------------------------------------------


def test_indicador_terminado_suma():
    calculo = calcular("suma", corte="2024-1", metas={2021: "5", 2022: "5"}, reportes={(2021, 1): "5", (2022, 1): "4"})
    assert calculo.pav is None and calculo.motivo_pav == c.Motivo.SIN_META
    assert calculo.meta_acumulada == D(10) == calculo.meta_final
    assert calculo.pahv == D(90) and calculo.paa == D(90) and calculo.trayectoria == D(100)


def test_indicador_terminado_conserva_su_meta_final():
    calculo = calcular("creciente", corte="2024-2", periodicidad="semestral",
                       metas={2022: "0.5", 2023: "1"}, reportes={(2023, 2): "1"})
    assert calculo.motivo_pav == c.Motivo.SIN_META
    assert calculo.meta_acumulada == D(1)
    assert (calculo.pahv, calculo.paa, calculo.trayectoria) == (D(100), D(100), D(100))


def test_anio_sin_meta_suma_cero_o_conserva_la_anterior():
    metas = {2022: "4", 2024: "8"}
    suma = calcular("suma", corte="2023-2", metas=metas, reportes={(2022, 1): "4"})
    assert suma.meta_acumulada == D(4) and suma.motivo_pav == c.Motivo.SIN_META
    nivel = calcular("creciente", corte="2023-2", metas=metas, reportes={(2022, 1): "4"})
    assert nivel.meta_acumulada == D(4) and nivel.pahv == D(100)


# Missing reports -------------------------------------------------------------------------------


def test_sin_ningun_reporte_no_ha_iniciado_nunca_cero():
    calculo = calcular("suma", corte="2024-2", metas={2024: "10"}, reportes={})
    assert (calculo.pav, calculo.pahv, calculo.paa) == (None, None, None)
    assert calculo.motivo_pav == c.Motivo.SIN_REPORTE
    assert calculo.motivo_pahv == calculo.motivo_paa == c.Motivo.NO_INICIADO
    assert calculo.trayectoria == D(100)
    assert c.semaforo(calculo.pahv) == Semaforo.SIN_INFORMACION


def test_sin_reporte_en_el_anio_del_corte():
    calculo = calcular("suma", corte="2024-2", metas={2023: "10", 2024: "10"}, reportes={(2023, 1): "10"})
    assert calculo.pav is None and calculo.motivo_pav == c.Motivo.SIN_REPORTE
    assert calculo.pahv == D(50) and calculo.paa == D(50)


def test_reporte_en_cero_es_cero_por_ciento():
    calculo = calcular("creciente", corte="2024-1", metas={2023: "0.4", 2024: "0.8", 2032: "1"},
                       reportes={(2023, 1): "0", (2024, 1): "0"})
    assert (calculo.pav, calculo.pahv, calculo.paa) == (D(0), D(0), D(0))


def test_sin_metas():
    calculo = calcular("suma", corte="2024-2", metas={}, reportes={(2024, 1): "3"})
    assert (calculo.pav, calculo.pahv, calculo.paa, calculo.trayectoria) == (None, None, None, None)
    assert calculo.motivo_pahv == c.Motivo.SIN_META


# Zero targets ---------------------------------------------------------------------------------


def test_meta_cero_no_es_cero_por_ciento():
    calculo = calcular("suma", corte="2024-2", metas={2024: "0"}, reportes={(2024, 1): "3"})
    assert (calculo.pav, calculo.pahv, calculo.paa) == (None, None, None)
    assert calculo.motivo_pav == calculo.motivo_pahv == calculo.motivo_paa == c.Motivo.META_CERO


def test_meta_acumulada_cero_a_mitad_de_anio():
    # Annual, first target in 2024: nothing is due at the June cut yet.
    calculo = calcular("suma", corte="2024-1", metas={2024: "10"}, reportes={(2024, 1): "2"})
    assert calculo.meta_acumulada == D(0)
    assert calculo.pahv is None and calculo.motivo_pahv == c.Motivo.META_CERO
    assert calculo.pav == D(20) and calculo.paa == D(20) and calculo.trayectoria == D(0)


def test_meta_igual_a_la_linea_base():
    calculo = calcular("creciente", linea_base="5", corte="2024-2", metas={2024: "5"}, reportes={(2024, 1): "6"})
    assert calculo.pav is None and calculo.motivo_pav == c.Motivo.META_CERO


# §4 band edges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valor, banda",
    [
        ("0", Semaforo.BAJO), ("-20", Semaforo.BAJO), ("50", Semaforo.BAJO),
        ("50.0001", Semaforo.MEDIO), ("75", Semaforo.MEDIO),
        ("75.0001", Semaforo.ALTO), ("100", Semaforo.ALTO), ("125", Semaforo.ALTO),
        ("125.0001", Semaforo.SOBRE_EJECUCION), ("563", Semaforo.SOBRE_EJECUCION),
    ],
)
def test_bandas_del_semaforo(valor, banda):
    assert c.semaforo(D(valor)) == banda


def test_bandas_se_comparan_sin_redondear():
    assert c.semaforo(D("49.996")) == Semaforo.BAJO  # shows as "50 %" but is below the edge
    assert c.semaforo(D("125.004")) == Semaforo.SOBRE_EJECUCION  # shows as "125 %"


def test_umbrales_configurables():
    umbrales = c.Umbrales(sobre=D(110), alto=D(80), medio=D(60))
    assert c.semaforo(D(115), umbrales) == Semaforo.SOBRE_EJECUCION
    assert c.semaforo(D(80), umbrales) == Semaforo.MEDIO
    assert c.semaforo(D(60), umbrales) == Semaforo.BAJO
    assert c.semaforo(None, umbrales) == Semaforo.SIN_INFORMACION


# SPEC §6: Bogotá CONPES D.C. 29 at 2024-1, all annual, LB 0 -----------------------------------------



def _escalera(m2023: str, m2024: str, final: str) -> dict[int, str]:
    """Creciente targets: 2023, 2024, then equal steps to the final target in 2032."""
    inicio, fin = D(m2024), D(final)
    return {2023: m2023, 2024: m2024} | {2024 + k: str(inicio + (fin - inicio) * k / 8) for k in range(1, 9)}


SEIS = {
    # codigo: (tipo, metas, reportes, PAV, PAHV, PAA, TID)
    "1.1.5": ("suma", {a: "2" for a in range(2023, 2033)}, {(2023, 1): "3"}, None, "150", "15", "10"),
    "7.1.1": ("suma", {2023: "7000"} | {a: "4500" for a in range(2024, 2033)}, {(2023, 1): "14887"},
              None, "213", "31", "15"),
    "7.1.4": ("suma", {a: "10" for a in range(2023, 2027)}, {(2023, 1): "20"}, None, "200", "50", "25"),
    "7.1.6": ("creciente", _escalera("0.3", "0.4", "1"), {(2023, 1): "1.0"}, None, "333", "100", "30"),
    "4.1.2": ("creciente", _escalera("0.1", "0.2", "1"), {(2023, 1): "0.08"}, None, "80", "8", "10"),
    "3.1.1": ("constante", {a: "0.8" for a in range(2023, 2033)}, {(2023, 1): "0", (2024, 1): "0.33"},
              "41", "41", "41", "100"),
    "3.1.3": ("creciente", _escalera("0.4", "0.8", "1"), {(2023, 1): "0", (2024, 1): "0"}, "0", "0", "0", "40"),
    "2.1.2": ("constante", {a: "100" for a in range(2023, 2033)}, {(2023, 1): "563"}, None, "563", "563", "100"),
}


def _redondo(valor: Decimal | None) -> Decimal | None:
    return None if valor is None else valor.quantize(D(1), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("codigo", list(SEIS))
def test_ejemplos_de_la_especificacion(codigo):
    tipo, metas, reportes, pav, pahv, paa, tid = SEIS[codigo]
    calculo = calcular(tipo, corte="2024-1", metas=metas, reportes=reportes)
    esperado = tuple(None if v is None else D(v) for v in (pav, pahv, paa, tid))
    assert tuple(_redondo(v) for v in (calculo.pav, calculo.pahv, calculo.paa, calculo.trayectoria)) == esperado
    if pav is None:
        assert calculo.motivo_pav == c.Motivo.SIN_REPORTE


def _brecha(pesos: dict[str, str]) -> Decimal:
    avance = trayectoria = D(0)
    for codigo, peso in pesos.items():
        tipo, metas, reportes, *_ = SEIS[codigo]
        calculo = calcular(tipo, corte="2024-1", metas=metas, reportes=reportes)
        a, t = c.contribucion(D(peso), calculo.paa, calculo.trayectoria)
        avance, trayectoria = avance + a, trayectoria + t
    return avance - trayectoria


def test_brechas_de_la_especificacion():
    assert _brecha({"1.1.5": "4"}) == D("0.20")
    assert _brecha({"4.1.2": "2"}) == D("-0.04")
    assert _brecha({"3.1.1": "3", "3.1.3": "5"}) == D("-3.7625")  # published as −3,76


# §5 roll-up ---------------------------------------------------------------------------------


def test_contribucion_topa_solo_el_paa():
    assert c.contribucion(D(2), D(563), D(100)) == (D(2), D(2))
    assert c.contribucion(D(2), D(50), D(150)) == (D(1), D(3))  # the trajectory is not capped


def test_sin_reporte_con_trayectoria_es_atraso():
    assert c.contribucion(D(4), None, D(50)) == (D(0), D(2))


def test_sin_trayectoria_o_sin_meta_no_suma_nada():
    assert c.contribucion(D(4), None, D(0)) == (D(0), D(0))
    assert c.contribucion(D(4), None, None) == (D(0), D(0))


def test_pesos_iguales_entre_hermanos_sin_peso():
    nodos = [
        c.Nodo("eje1", None, None), c.Nodo("eje2", None, None),
        c.Nodo("i1", "eje1", None), c.Nodo("i2", "eje1", None), c.Nodo("i3", "eje1", None),
        c.Nodo("i4", "eje2", None),
    ]
    pesos = c.pesos_efectivos(nodos)
    assert pesos["eje1"] == pesos["eje2"] == D(50)
    assert pesos["i1"] == pesos["i2"] == pesos["i3"] == D(50) / 3
    assert pesos["i4"] == D(50)


def test_pesos_dados_y_el_resto_repartido():
    nodos = [
        c.Nodo("o1", None, D(15)), c.Nodo("o2", None, None),
        c.Nodo("p1", "o1", D(4)), c.Nodo("p2", "o1", None), c.Nodo("p3", "o1", None),
        c.Nodo("p4", "o2", D(10)), c.Nodo("p5", "o2", D(20)),
    ]
    pesos = c.pesos_efectivos(nodos)
    assert pesos["p2"] == pesos["p3"] == D("5.5")
    # An objective without weight whose products all have one weighs their sum.
    assert pesos["o2"] == D(30)


def test_pesos_nunca_negativos():
    pesos = c.pesos_efectivos([c.Nodo("a", None, D(120)), c.Nodo("b", None, None)])
    assert pesos["b"] == D(0)


# The year table's percentage is PAV's formula (reportes.paginas.indicador.avances_por_anio) -------------


@pytest.mark.parametrize(
    "tipo, linea_base, meta, avance, esperado",
    [
        ("suma", None, "4", "3", "75"),  # from zero
        ("constante", D("50"), "0.8", "0.4", "50"),  # from zero whatever the baseline
        ("creciente", D("10"), "30", "20", "50"),  # from the baseline
        ("creciente", None, "30", "15", "50"),  # no baseline: from zero
        ("decreciente", D("100"), "60", "80", "50"),  # from the baseline, downwards
        ("decreciente", None, "60", "80", None),  # «Sin línea base», as PAV
        ("creciente", D("10"), "10", "12", None),  # target equal to the baseline: zero denominator
        ("suma", None, "0", "3", None),  # target in zero
        ("suma", None, None, "3", None),  # no target
        ("suma", None, "4", None, None),  # no report
    ],
)
def test_porcentaje_vigencia(tipo, linea_base, meta, avance, esperado):
    valor = c.porcentaje_vigencia(tipo, linea_base, None if meta is None else D(meta), None if avance is None else D(avance))
    assert r2(valor) == (None if esperado is None else r2(D(esperado)))


@pytest.mark.parametrize("tipo", c.TIPOS)
@pytest.mark.parametrize("linea_base", [None, D("100")])
def test_porcentaje_vigencia_es_el_pav_del_anio_del_corte(tipo, linea_base):
    resultado = calcular(tipo, metas={2024: "60", 2025: "40"}, reportes={(2024, 1): "80"}, corte="2024-2", linea_base=linea_base)
    assert c.porcentaje_vigencia(tipo, linea_base, D("60"), resultado.avance_anio) == resultado.pav
