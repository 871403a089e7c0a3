from django.apps import AppConfig


class ReportesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reportes"

    def ready(self) -> None:
        # Imported here, once the models are loaded (Django's rule for signal receivers).
        from indicadores import services as servicios_indicadores
        from reportes import services

        # The official figures of a cut are stored and withdrawn with the cut's state.
        servicios_indicadores.corte_cerrado.connect(services.al_cerrar_corte, dispatch_uid="reportes.al_cerrar_corte")
        servicios_indicadores.corte_reabierto.connect(services.al_reabrir_corte, dispatch_uid="reportes.al_reabrir_corte")
