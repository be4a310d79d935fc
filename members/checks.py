"""System checks of the members app (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q

DEMO_ACCOUNTS_ID = "talentnet.E001"
# The addresses of the demo accounts `seed_demo` creates (the demo app, installed with DEBUG
# on only): held here because the deploy check runs where the demo app is absent.
DEMO_STAFF_EMAIL = "ime.demo@example.org"
DEMO_MEMBER_DOMAIN = "demo.example.org"


def register():
    """Called from MembersConfig.ready()."""
    checks.register(check_no_demo_accounts, checks.Tags.security, deploy=True)


def check_no_demo_accounts(app_configs=None, databases=None, **kwargs):
    """The demo accounts (`seed_demo`) have published passwords and TOTP secrets (README,
    `make run`): a deployment that holds them can be entered by anyone. The deploy check
    fails while one exists, whatever the other settings say."""
    from .models import User

    try:
        demo = Q(email__iendswith=f"@{DEMO_MEMBER_DOMAIN}") | Q(email__iexact=DEMO_STAFF_EMAIL)
        found = list(
            User.objects.filter(demo).order_by("email").values_list("email", flat=True)[:3]
        )
    except DatabaseError:
        # No database yet (a build step, a first `migrate`): no account to worry about.
        return []
    if not found:
        return []
    return [
        checks.Error(
            f"Demo accounts with published passwords exist (e.g. {', '.join(found)}).",
            hint=(
                "Never seed demo data on a deployment. Delete the demo accounts (the demo "
                f"staff account {DEMO_STAFF_EMAIL} and every address @{DEMO_MEMBER_DOMAIN}) "
                f"before serving{' with DEBUG off' if not settings.DEBUG else ''}."
            ),
            id=DEMO_ACCOUNTS_ID,
        )
    ]
