"""`/seguimiento/`: the follow-up workflow pages (compliance, reminders, audit trail, evidence)."""

from django.urls import path

from indicadores import views

urlpatterns = [
    path("cumplimiento/", views.cumplimiento, name="cumplimiento"),
    path("cumplimiento/<int:corte_id>/", views.cumplimiento, name="cumplimiento_corte"),
    path("cumplimiento/<int:corte_id>/recordatorios/", views.recordatorios, name="recordatorios"),
    path("auditoria/", views.auditoria_lista, name="auditoria"),
    path("auditoria/excel/", views.auditoria_excel, name="auditoria_excel"),
    path("auditoria/indicador/<int:indicador_id>/", views.auditoria_indicador, name="auditoria_indicador"),
    path("evidencias/<int:evidencia_id>/descargar/", views.evidencia_descargar, name="evidencia_descargar"),
]
