"""Imports from Excel (issue 5): a whole plan, or a semester's progress, all or nothing.

Two kinds of workbook, told apart by their sheets:
- a plan (sheets Plan, Niveles, Indicadores, optionally Reportes): what `plantilla_plan` gives and
  what the follow-up export writes (`reportes.excel.importar_plan`);
- a semester's progress (sheets Plan and Reportes): what `plantilla_avance` gives
  (`reportes.excel.importar_avance`).

Every cell is read and checked first with the model's rules (`indicadores.reglas`, Colombian
numbers through `seguimiento.numeros.parse_numero`); each problem becomes an `Error` with its
sheet, row, column and a Spanish message. Only when there is none is anything written, inside one
transaction; a preview runs the same writes and rolls them back, so it shows exactly what the
confirmation will do.

Reports, targets and review steps are written only through `indicadores.services` (issue 10), so
an import obeys what the admin and the API obey: who may write an indicator, closed cuts (a period
is frozen once it ended by a closed cut's date), the version the writer read (no lost updates), and
a correction of an approved value stays under review while the approved value remains official.
The import never changes a report's review state. A row equal to what is stored (texts compared
as `reglas.normalizar_texto` stores them) is «Sin cambios»: nothing is written. The preview keeps
what it read (`ResultadoImportacion.leido`); the confirmation compares it with the database and
refuses, saying what changed and by whom, when anything moved in between.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, Any

from django.db import transaction

from reportes.excel.columnas import HOJA_INDICADORES, HOJA_NIVELES, HOJA_PLAN, HOJA_REPORTES
from reportes.excel.importador import Abortar, Importador, ResultadoImportacion
from reportes.excel.importar_avance import ImportadorAvance
from reportes.excel.importar_plan import ImportadorPlan
from reportes.excel.lector import ARCHIVO, MAX_FILAS, Error, leer_libro, normalizar


def importar_libro(
    archivo: str | IO[bytes],
    *,
    usuario,
    confirmar: bool = False,
    motivo: str = "",
    max_filas: int = MAX_FILAS,
    progreso: Callable[[str, int], None] | None = None,
    leido: Mapping[str, Any] | None = None,
) -> ResultadoImportacion:
    """Check a workbook and, when `confirmar` and there is no error, write it all in one transaction.

    Without `confirmar` (preview, `--dry-run`) the writes run and are rolled back, so the changes
    listed are exactly what a confirmation would make. With any error nothing is written.
    `motivo` lets an administrator correct frozen data (past years' targets, reports of closed
    cuts), as in the admin; it is recorded in the history. `leido` is the preview's
    `resultado.leido`: when given, anything changed since that preview (a report saved, a
    target or a plan field changed by someone else) is an error that says what and by whom.
    """
    resultado = ResultadoImportacion()
    hojas, errores = leer_libro(archivo, max_filas=max_filas)
    resultado.errores = errores
    if errores:
        return resultado
    if normalizar(HOJA_INDICADORES) in hojas:
        importador: Importador = ImportadorPlan(hojas, usuario, resultado, progreso, motivo)
    elif normalizar(HOJA_REPORTES) in hojas:
        importador = ImportadorAvance(hojas, usuario, resultado, progreso, motivo)
    else:
        resultado.errores.append(
            Error(ARCHIVO, None, None, "El libro no tiene las hojas de una plantilla de Seguimiento: se esperaba "
                  f"«{HOJA_PLAN}», «{HOJA_NIVELES}» e «{HOJA_INDICADORES}» (un plan) o «{HOJA_PLAN}» y "
                  f"«{HOJA_REPORTES}» (el avance de un semestre). Descargue la plantilla y copie en ella sus datos.")
        )
        return resultado
    importador.validar()
    if resultado.errores:
        return resultado
    if leido is not None:
        importador.comparar_con_vista_previa(leido)
        if resultado.errores:
            return resultado
    try:
        with transaction.atomic():
            importador.aplicar()
            if resultado.errores or not confirmar:
                raise Abortar
    except Abortar:
        return resultado
    resultado.aplicado = True
    return resultado

