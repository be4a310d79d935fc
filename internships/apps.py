from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InternshipsConfig(AppConfig):
    name = "internships"
    verbose_name = _("Pasantías")

    def ready(self):
        from core.access import IME_STAFF, connect_role_permissions

        connect_role_permissions(self, {IME_STAFF: None})
