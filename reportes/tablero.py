"""Moved to `reportes.paginas` (one module per page). Only `reportes/views_excel.py` still imports
this name, for the cut choice; that file belongs to the Excel split, which switches its import to
`reportes.paginas.cortes`. Delete this module then: nothing else imports it.
"""

from reportes.paginas.cortes import cortes_del_plan, elegir_corte

__all__ = ["cortes_del_plan", "elegir_corte"]
