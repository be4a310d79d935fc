from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_feedback_template(sender, using="default", **kwargs):
    """The default Jornada feedback survey IME edits, on a database that has none (a new
    one, or one a test flushed): IME's later edits are never overwritten."""
    from .services import ensure_feedback_template

    ensure_feedback_template(using=using)


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Encuestas y censo de la diáspora")

    def ready(self):
        post_migrate.connect(_ensure_feedback_template, sender=self)
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)
