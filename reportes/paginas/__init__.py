"""The pages for officials and citizens, one module each, behind the thin views of `reportes.views`.

- `inicio`: the home cards, one per plan the user may see.
- `tablero`: a plan's dashboard at a cut (totals, charts, Anexo 1 and its filter options) and the
  history chart it loads on its own.
- `indicador`: the indicator page (its place in the plan, year table, chart, narratives).
- `informes`: the printable reports: follow-up (Bogotá) and per indicator (Cali); the semester
  report (Sopó) reads `reportes.selectors_cualitativo`.

Shared by them: `cortes` (which cuts a plan can be read at, and the one in the URL), `html` (the
cells and labels pages print) and `nombres` (what a plan calls its levels, in singular and
plural). Each page reads what it needs in a fixed number of queries (the engine's
`reportes.selectors` plus a handful of flat reads) and returns plain objects for logic-free
templates; the methodology itself lives in `seguimiento.metodologia.calculos`.
"""
