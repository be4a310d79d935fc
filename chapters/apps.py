from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_permissions(sender, **kwargs):
    """Keep the role groups' chapters permissions after `migrate` and after a test flush
    (the data migration grants them once; a flush empties the many-to-many table)."""
    from django.contrib.auth.models import Group, Permission

    from .roles import OFFICER_PERMISSIONS

    chapters_perms = Permission.objects.filter(content_type__app_label="chapters")
    ime, _ = Group.objects.get_or_create(name="IME staff")
    ime.permissions.add(*chapters_perms)
    officers, _ = Group.objects.get_or_create(name="Chapter officers")
    officers.permissions.add(*chapters_perms.filter(codename__in=OFFICER_PERMISSIONS))


class ChaptersConfig(AppConfig):
    name = "chapters"
    verbose_name = _("Capítulos y Jornadas")

    def ready(self):
        post_migrate.connect(_ensure_role_permissions, sender=self)
