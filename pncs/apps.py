from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PncsConfig(AppConfig):
    name = "pncs"
    verbose_name = _("Puntos Nacionales de Contacto Sectorial")

    def ready(self):
        from . import signals  # noqa: F401 - connects the index and role receivers
