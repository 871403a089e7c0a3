"""The import templates to download: an empty plan workbook and the progress workbook of a cut.

Both are written by the one writer (`seguimiento.xlsx`) from the declared columns
(`reportes.excel.columnas`): the same titles the import reads, and a drop-down on every column
whose choices the import knows (the labels users know; the import takes codes too). Text from
the database is always written as text, so a name starting with «=» is never a formula.
"""

from __future__ import annotations

from typing import IO

from indicadores import permisos
from indicadores.models import Indicador, Meta, Reporte
from politicas.models import Plan
from reportes.excel.columnas import (
    CAMPOS_PLAN,
    COLUMNAS_CAMPO_VALOR,
    COLUMNAS_INDICADOR,
    COLUMNAS_NIVELES,
    COLUMNAS_REPORTES,
    HOJA_INDICADORES,
    HOJA_NIVELES,
    HOJA_PLAN,
    HOJA_REPORTES,
    ColumnaImportacion,
    columnas_avance,
    dibujo,
    titulo_meta,
)
from seguimiento.metodologia import calculos
from seguimiento.xlsx import Columna, Entero, Hoja, Lista, Texto, Titulo, escribir_libro, letra_columna

HOJA_INSTRUCCIONES = "Instrucciones"
# Rows of an empty sheet that offer the drop-downs: more than any plan has.
_FILAS_INDICADORES, _FILAS_REPORTES = 5000, 50000

INSTRUCCIONES_PLAN = [
    "Plantilla para cargar un plan completo en Seguimiento.",
    "",
    "1. Hoja «Plan»: escriba el valor de cada campo en la columna Valor. El código solo lleva minúsculas, "
    "números y guiones (cali-2016). Tipo: «Plan de desarrollo» o «Política pública».",
    "2. Hoja «Niveles»: una fila por eje, componente, programa, objetivo… El «Código del padre» de los niveles "
    "más generales va vacío. Ponderación: puntos porcentuales del plan (los del nivel más general suman 100); "
    "déjela vacía en todos para que los hermanos pesen igual.",
    "3. Hoja «Indicadores»: una fila por indicador. «Nivel» es el código del nivel al que pertenece. Unidad, "
    "tipo y periodicidad se eligen de la lista (Constante, Anual…). Las columnas «Meta AAAA» llevan la meta de cada vigencia: agregue o "
    "quite columnas para los años del plan. En un indicador de tipo suma la meta final es la suma de las metas.",
    "4. Hoja «Reportes» (opcional): avances ya reportados, uno por fila y periodo. Un reporte nuevo entra con el "
    "estado de la columna Estado: Borrador, Enviado o, si es una cifra ya publicada, Aprobado. La importación no "
    "cambia el estado de un reporte que ya existe (se revisa en la administración); corregir un valor aprobado lo "
    "deja en revisión y el valor aprobado sigue siendo el oficial hasta que se apruebe la corrección.",
    "",
    "Números a la manera colombiana: 7.480 (miles con punto), 0,33 (decimales con coma), $73.700.000 o 100%. "
    "No use fórmulas: escriba los valores.",
    "Se revisan todas las celdas antes de escribir: si hay un solo error no se guarda nada y se indica la hoja, "
    "la fila y la columna. Importar de nuevo el mismo libro actualiza por código; no borra nada, y si nada "
    "cambió no escribe nada («Sin cambios»).",
]
INSTRUCCIONES_AVANCE = [
    "Plantilla para reportar el avance de un semestre.",
    "",
    "Escriba en la hoja «Reportes» el avance de cada indicador y periodo (columna Avance), con sus observaciones "
    "y, si va atrasado o sobre ejecuta, el plan de choque. Las filas que deje sin avance no se tocan.",
    "Solo puede reportar los indicadores de sus dependencias; los reportes quedan en borrador para que usted los "
    "envíe a revisión. Los periodos que ya terminaron en un corte cerrado no se pueden modificar. Corregir un "
    "valor aprobado crea una corrección en revisión: el valor aprobado sigue siendo el oficial hasta que se apruebe.",
    "Números a la manera colombiana: 7.480 (miles con punto), 0,33 (decimales con coma). No use fórmulas.",
    "Si hay un solo error no se guarda nada y se indica la hoja, la fila y la columna.",
]



def _instrucciones(lineas: list[str]) -> Hoja:
    """The first sheet: a title, then one wrapped paragraph a row."""
    filas = [[Titulo(lineas[0])]] + [[Texto(linea)] for linea in lineas[1:]]
    return Hoja(HOJA_INSTRUCCIONES, [Columna("", 120)], filas, filtro=False, encabezado=False)


def _listas(columnas: list[ColumnaImportacion], hasta_fila: int) -> list[Lista]:
    """A drop-down under the title of each column with choices, down to `hasta_fila`."""
    listas = []
    for numero, columna in enumerate(columnas, start=1):
        opciones = columna.valores_lista()
        if opciones and columna.desplegable:
            letra = letra_columna(numero)
            listas.append(Lista(f"{letra}2:{letra}{hasta_fila}", opciones))
    return listas


def _hoja_vacia(nombre: str, columnas: list[ColumnaImportacion], extra: list[Columna], hasta_fila: int) -> Hoja:
    return Hoja(nombre, dibujo(columnas) + extra, [], filtro=False, listas=_listas(columnas, hasta_fila))


def plantilla_plan(destino: str | IO[bytes], *, anio_inicio: int, anio_fin: int) -> None:
    """An empty plan workbook: instructions, the Plan fields, levels, indicators with drop-downs."""
    iniciales = {"anio_inicio": Entero(anio_inicio), "anio_fin": Entero(anio_fin), "publicado": "No"}
    campos = [[campo.titulo, iniciales.get(campo.campo)] for campo in CAMPOS_PLAN]
    listas_plan = [
        Lista(f"B{fila}", campo.valores_lista())
        for fila, campo in enumerate(CAMPOS_PLAN, start=2)
        if campo.valores_lista()
    ]
    metas = [Columna(titulo_meta(anio), 12) for anio in range(anio_inicio, anio_fin + 1)]
    escribir_libro(destino, [
        _instrucciones(INSTRUCCIONES_PLAN),
        Hoja(HOJA_PLAN, COLUMNAS_CAMPO_VALOR, campos, filtro=False, listas=listas_plan),
        _hoja_vacia(HOJA_NIVELES, COLUMNAS_NIVELES, [], _FILAS_INDICADORES),
        _hoja_vacia(HOJA_INDICADORES, COLUMNAS_INDICADOR, metas, _FILAS_INDICADORES),
        _hoja_vacia(HOJA_REPORTES, COLUMNAS_REPORTES, [], _FILAS_REPORTES),
    ])


def periodos_del_semestre(periodicidad: str, semestre: int) -> list[int]:
    """The periods a planner reports at a cut: those that begin in the semester (an annual
    indicator's single period is reported at both cuts: partial in June, final in December)."""
    n = calculos.periodos_por_anio(periodicidad)
    if n == 1:
        return [1]
    return [p for p in range(1, n + 1) if calculos.semestre_en_que_empieza(periodicidad, p) == semestre]


def plantilla_avance(destino: str | IO[bytes], *, plan: Plan, corte, usuario) -> int:
    """The progress workbook of a cut: one row per indicator the user may report and period of the
    semester, with the year's target and any value already reported. Returns the number of rows."""
    indicadores = list(
        permisos.indicadores_editables(usuario, Indicador.objects.filter(plan=plan))
        .select_related("dependencia")
        .order_by("orden", "codigo")
    )
    metas = dict(Meta.objects.filter(indicador__in=indicadores, anio=corte.anio).values_list("indicador_id", "valor"))
    reportes = {
        (r.indicador_id, r.periodo): r for r in Reporte.objects.filter(indicador__in=indicadores, anio=corte.anio)
    }
    filas = []
    for indicador in indicadores:
        for periodo in periodos_del_semestre(indicador.periodicidad, corte.semestre):
            actual = reportes.get((indicador.pk, periodo))
            filas.append([
                indicador.codigo, indicador.nombre, indicador.dependencia.nombre, indicador.get_periodicidad_display(),
                Entero(corte.anio), Entero(periodo), metas.get(indicador.pk), actual.valor if actual else None,
                actual.observaciones if actual else None, actual.plan_de_choque if actual else None,
            ])
    datos_plan = [["Código", plan.codigo], ["Nombre", plan.nombre], ["Corte", corte.clave]]
    escribir_libro(destino, [
        _instrucciones(INSTRUCCIONES_AVANCE),
        Hoja(HOJA_PLAN, COLUMNAS_CAMPO_VALOR, datos_plan, filtro=False),
        Hoja(HOJA_REPORTES, dibujo(columnas_avance(corte.anio)), filas, congelar_columnas=2, filtro=False),
    ])
    return len(filas)
