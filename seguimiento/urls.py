from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from seguimiento.ingreso import FormularioIngreso, FormularioIngresoAdmin

admin.site.site_header = "Seguimiento a planes y políticas"
admin.site.site_title = "Seguimiento"
admin.site.index_title = "Administración"
# Both login forms ask for the TOTP code when the installation requires it (issue 11).
admin.site.login_form = FormularioIngresoAdmin

urlpatterns = [
    path("admin/", admin.site.urls),
    path("cuentas/ingresar/", auth_views.LoginView.as_view(authentication_form=FormularioIngreso), name="login"),
    path("cuentas/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("seguimiento.api_urls")),
    path("excel/", include("reportes.urls_excel")),
    path("seguimiento/", include("indicadores.urls")),
    path("", include("reportes.urls")),
]
