from django.shortcuts import render


def inicio(request):
    """Placeholder home; the dashboards issue replaces it."""
    return render(request, "reportes/inicio.html", {})
