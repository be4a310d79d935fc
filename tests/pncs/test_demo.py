"""The PNCS demo data: nine contact points, a coordinator with a known TOTP secret."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import call_command

from core.access import PNCS_COORDINATORS
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.pncs import DEMO_COORDINATOR_EMAIL, DEMO_TOTP_SECRET
from members.models import Profile, User
from pncs.models import MemberSearchIndex, Opportunity, Pncs

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_contact_points_a_coordinator_and_opportunities(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    call_command(SeedDemo(), members=15)  # idempotent
    assert Pncs.objects.count() == 9
    assert Opportunity.objects.open().count() == 5
    coordinator = User.objects.get(email=DEMO_COORDINATOR_EMAIL)
    assert coordinator.groups.filter(name=PNCS_COORDINATORS).exists()
    assert Pncs.objects.coordinated_by(coordinator).count() == 2
    authenticator = Authenticator.objects.get(user=coordinator, type=Authenticator.Type.TOTP)
    import time

    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    assert TOTP(authenticator).validate_code(code)
    assert MemberSearchIndex.objects.count() == Profile.objects.count()


def test_rebuild_command(settings, capsys):
    settings.DEBUG = True
    call_command(SeedDemo(), members=3)
    MemberSearchIndex.objects.all().delete()
    call_command("rebuild_member_search", batch_size=2)
    assert MemberSearchIndex.objects.count() == Profile.objects.count()
    assert "rows" in capsys.readouterr().out
