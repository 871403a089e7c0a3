"""Server-side SVG charts: readable scales, escaped text, bands named and not told by colour alone."""

from decimal import Decimal

from reportes import graficos
from reportes.graficos import Serie
from seguimiento.metodologia.resultados import Semaforo


def test_escala_incluye_cero_y_cubre_los_valores():
    assert graficos.escala(Decimal(0), Decimal("563")) == [Decimal(0), Decimal(200), Decimal(400), Decimal(600)]
    marcas = graficos.escala(Decimal("-3.76"), Decimal("2.03"))
    assert marcas[0] <= Decimal("-3.76") and marcas[-1] >= Decimal("2.03") and Decimal(0) in marcas


def test_lineas_accesible_con_valores_colombianos_y_texto_escapado():
    svg = graficos.lineas(
        titulo="Avance <plan>",
        etiquetas=["2023-2", "2024-1"],
        series=[Serie("Avance acumulado", [Decimal("20"), Decimal("43.92")]), Serie("Trayectoria", [None, Decimal("50.48")])],
    )
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Avance &lt;plan&gt;" in svg and "<plan>" not in svg
    assert "43,92 %" in svg and "50,48 %" in svg and "sin dato" in svg


def test_distribucion_nombra_cada_banda_con_icono_y_cuenta():
    svg = graficos.distribucion_semaforo(titulo="Bandas", conteo={Semaforo.SOBRE_EJECUCION: 7, Semaforo.BAJO: 8})
    for banda in Semaforo:
        assert banda.etiqueta in svg and graficos.ICONO_BANDA[banda] in svg
    assert "Sobre ejecución: 7" in svg and "Cumplimiento bajo: 8" in svg and "Cumplimiento medio: 0" in svg


def test_barras_por_grupo_dicen_en_texto_cada_tramo():
    svg = graficos.semaforo_por_grupo(titulo="Sectores", filas=[("Educación", {Semaforo.BAJO: 2, Semaforo.SOBRE_EJECUCION: 2})])
    assert "Educación: Sobre ejecución 2, Cumplimiento bajo 2" in svg
