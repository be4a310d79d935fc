from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("Noticias")

    def ready(self):
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)
        from . import signals

        signals.connect()
