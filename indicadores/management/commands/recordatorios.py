"""`python manage.py recordatorios [--fecha AAAA-MM-DD] [--simular]`: the reporting calendar's
e-mails of the day (issue 14), run once a day from cron or a systemd timer.

Planners get one digest of what their dependencias owe at the open cuts whose deadline is
`RECORDATORIOS_DIAS` days ahead or was yesterday; reviewers one digest of the reports waiting for
review. Running it again the same day sends nothing new (`indicadores.recordatorios`). Exits with
an error when a digest could not be sent, so cron or systemd reports it; the next run retries it.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicadores import recordatorios
from seguimiento.numeros import fecha_larga, formato_numero


def _cantidad(n: int, singular: str, plural: str) -> str:
    return f"{formato_numero(n, 0)} {singular if n == 1 else plural}"


class Command(BaseCommand):
    help = (
        "Envía los recordatorios del día: a cada planeador un resumen de los reportes pendientes de los "
        "cortes abiertos cuya fecha límite se acerca (o venció ayer), y a cada revisor los reportes por revisar."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--fecha", metavar="AAAA-MM-DD",
            help="Día para el que se calculan los recordatorios (por omisión, hoy en Bogotá).",
        )
        parser.add_argument(
            "--simular", action="store_true", help="Muestra qué se enviaría, sin enviar ni registrar nada.",
        )

    def handle(self, *args, **options) -> None:
        hoy = self._fecha(options["fecha"])
        resultado = recordatorios.recordatorios_enviar(hoy=hoy, simular=options["simular"])
        escribir = self.stdout.write
        if resultado.simulado:
            escribir(self.style.WARNING("Simulación: no se envía ni se registra ningún correo."))
        escribir(f"Recordatorios del {fecha_larga(hoy)}.")
        if resultado.cortes:
            escribir("Cortes abiertos con recordatorio hoy:")
            for corte, dias in resultado.cortes:
                escribir(
                    f"  - {corte.plan.nombre} · corte {corte.clave}: fecha límite {fecha_larga(corte.fecha_limite)}"
                    f" ({recordatorios.cuando(dias)})"
                )
        else:
            escribir("Ningún corte abierto tiene recordatorio hoy.")
        verbo = "Se enviarían" if resultado.simulado else "Enviados"
        escribir(f"{verbo}: {_cantidad(len(resultado.enviados), 'resumen', 'resúmenes')}.")
        for resumen in resultado.enviados:
            escribir(f"  - {resumen.correo} ({resumen.tipo}): {resumen.asunto}")
        escribir(
            f"Omitidos por haberse enviado ya hoy: {_cantidad(len(resultado.ya_enviados), 'resumen', 'resúmenes')}."
        )
        for resumen in resultado.ya_enviados:
            escribir(f"  - {resumen.correo} ({resumen.tipo})")
        if resultado.sin_correo:
            escribir(self.style.WARNING(
                f"Planeadores con reportes pendientes sin correo registrado: {len(resultado.sin_correo)}. "
                "Regístrelo en la administración (Usuarios) para avisarles."
            ))
            for planeador in resultado.sin_correo:
                escribir(f"  - {planeador}")
        else:
            escribir("Planeadores con reportes pendientes sin correo registrado: 0.")
        if resultado.fallidos:
            for resumen, error in resultado.fallidos:
                self.stderr.write(f"  - {resumen.correo} ({resumen.tipo}): {error}")
            raise CommandError(
                f"No se pudo enviar {_cantidad(len(resultado.fallidos), 'resumen', 'resúmenes')}; "
                "no quedaron registrados y se reintentarán en la próxima ejecución."
            )

    @staticmethod
    def _fecha(texto: str | None) -> datetime.date:
        if not texto:
            return timezone.localdate()  # TIME_ZONE is America/Bogota
        try:
            return datetime.date.fromisoformat(texto.strip())
        except ValueError:
            raise CommandError(f"La fecha «{texto[:20]}» no es válida: escríbala AAAA-MM-DD (2026-06-25).") from None
