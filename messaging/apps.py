from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Mensajes")

    def ready(self):
        from core.access import IME_STAFF, connect_role_permissions

        # IME staff review reported messages in the admin (nothing else of the threads).
        connect_role_permissions(self, {IME_STAFF: ["view_messagereport", "change_messagereport"]})
