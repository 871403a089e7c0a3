"""Excel: exports for auditors, templates and imports for planners (issue 5), under /excel/."""

from django.urls import path

from reportes import views_excel

urlpatterns = [
    path("", views_excel.inicio, name="excel_inicio"),
    path("exportar/<slug:codigo>/", views_excel.exportar_plan, name="exportar_plan"),
    path("plantilla/plan.xlsx", views_excel.plantilla_plan_xlsx, name="excel_plantilla_plan"),
    path("plantilla/avance/<slug:codigo>.xlsx", views_excel.plantilla_avance_xlsx, name="excel_plantilla_avance"),
    path("importar/", views_excel.importar, name="excel_importar"),
]
