"""seed_demo is idempotent and fictitious."""

import pytest
from django.core.management import call_command

from members.models import Profile, User

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_creates_everything_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", members=15)
    first = (User.objects.count(), Profile.objects.count())
    call_command("seed_demo", members=15)
    assert (User.objects.count(), Profile.objects.count()) == first
    assert first == (16, 16)  # 15 members and the demo staff account


def test_seed_demo_members_are_fictitious_and_complete(settings):
    settings.DEBUG = True
    call_command("seed_demo", members=10)
    profiles = Profile.objects.exclude(user__is_staff=True)
    assert all(p.user.email.endswith("@demo.example.org") for p in profiles)
    assert all(1 <= p.sectors.count() <= 3 for p in profiles)
    assert all(p.profile_sectors.filter(is_primary=True).count() == 1 for p in profiles)


def test_seed_demo_refuses_to_run_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", members=1)
    assert not User.objects.exists()
