from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterpartsConfig(AppConfig):
    name = "counterparts"
    verbose_name = _("Organizaciones mexicanas")

    def ready(self):
        from core.access import IME_STAFF, connect_role_permissions

        connect_role_permissions(self, {IME_STAFF: None})
