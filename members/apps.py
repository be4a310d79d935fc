from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_reference_data(sender, **kwargs):
    """Keep sectors, contributions, languages and role groups present after `migrate`
    and after a test flush (like Django's own sites and permissions)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.sites.models import Site

    from core.access import ROLE_GROUPS

    from .models import Contribution, Language, PrivacyNotice, Sector
    from .privacy_defaults import ensure_first_notice
    from .reference_data import sync_reference_data, sync_site
    from .roles import grant_role_permissions

    sync_reference_data(Sector, Contribution, Language)
    sync_site(Site)
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    grant_role_permissions(Group, Permission)
    ensure_first_notice(PrivacyNotice)


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Miembros")

    def ready(self):
        post_migrate.connect(_ensure_reference_data, sender=self)
        from . import checks, signals

        checks.register()

        signals.connect()
