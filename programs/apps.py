from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programas de formación")

    def ready(self):
        from core.access import IME_STAFF, connect_role_permissions

        from .access import PROGRAM_STAFF

        connect_role_permissions(self, {PROGRAM_STAFF: None, IME_STAFF: None})
