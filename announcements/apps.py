from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("Avisos a la red")

    def ready(self):
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)
