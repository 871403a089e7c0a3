"""Excel: the follow-up export, the import templates and the import of plans and progress.

- `columnas`: the import columns declared once (title, type, required, choices), shared by the
  export, the templates and the import;
- `exportar` (with `datos_plan` and `acerca`): the auditors' follow-up workbook of a plan at a cut;
- `plantillas`: the empty plan workbook and the progress workbook of a cut;
- `lector`: reading an uploaded workbook into typed values, every problem an `Error`;
- `importar`: `importar_libro`, the entry point, which picks `importar_plan` (with
  `importar_plan_indicadores` and `importar_plan_escritura`) or `importar_avance`; `importador`
  holds what both share.

Every workbook is written by the one writer, `seguimiento.xlsx`.
"""
