"""Dashboards, indicator pages and printable reports (issue 4). Published plans are public."""

from django.urls import path

from reportes import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("planes/<slug:plan>/", views.tablero, name="tablero"),
    path("planes/<slug:plan>/historia.svg", views.grafico_historia, name="grafico_historia"),
    path("planes/<slug:plan>/indicadores/<str:indicador>/", views.indicador, name="indicador"),
    path("planes/<slug:plan>/informe/", views.informe_seguimiento, name="informe_seguimiento"),
    path("planes/<slug:plan>/informe-indicadores/", views.informe_indicadores, name="informe_indicadores"),
    path("planes/<slug:plan>/informe-semestral/", views.informe_semestral, name="informe_semestral"),
]
