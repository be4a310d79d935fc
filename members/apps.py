from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_reference_data(sender, **kwargs):
    """Keep sectors, contributions and languages present after `migrate` and after
    a test flush (like Django's own sites and permissions)."""
    from .models import Contribution, Language, Sector
    from .reference_data import sync_reference_data

    sync_reference_data(Sector, Contribution, Language)


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Miembros")

    def ready(self):
        post_migrate.connect(_ensure_reference_data, sender=self)
