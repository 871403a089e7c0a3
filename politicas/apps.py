from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PoliticasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "politicas"
    verbose_name = "Planes y políticas"

    def ready(self) -> None:
        from politicas.roles import crear_grupos_tras_migrar

        # Runs after auth has created the permissions of each migrated app.
        post_migrate.connect(crear_grupos_tras_migrar, dispatch_uid="politicas.asegurar_grupos")
