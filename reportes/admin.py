"""The admin pages that show computed figures live on the top layer: the review queue and page
(what approving a report gives) and the cuts (closing publishes their figures). Importing the
modules registers their admins for the indicadores models."""

from reportes import admin_cortes, admin_reportes  # noqa: F401
