from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API de aliados y webhooks")

    def ready(self):
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)
        # The domain apps announce their events by signal (decoupled: they never import
        # the api); the receivers write webhook deliveries into the outbox.
        from . import events  # noqa: F401
