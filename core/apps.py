from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app uses and no app owns (talentnet/ holds configuration only)."""

    name = "core"
    verbose_name = _("Común")
