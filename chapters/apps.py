from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_appointable_roles(sender, using="default", **kwargs):
    """The roles chapters appoint by themselves, on a database that has none (a new one, or
    one a test flushed): IME's later choices are never overwritten."""
    from .models import AppointableRole

    roles = AppointableRole.objects.using(using)
    if not roles.exists():
        roles.bulk_create([AppointableRole(role=role) for role in AppointableRole.DEFAULT_ROLES])


class ChaptersConfig(AppConfig):
    name = "chapters"
    verbose_name = _("Capítulos y Jornadas")

    def ready(self):
        post_migrate.connect(_ensure_appointable_roles, sender=self)
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)
        from . import signals

        signals.connect()
