"""seed_demo is idempotent and fictitious, and exists only where DEBUG is on (the demo app)."""

import pytest
from django.core.management import call_command

from demo.internships import STUDENTS
from demo.management.commands.seed_demo import Command as SeedDemo
from members.models import Profile, User

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_creates_everything_once(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    first = (User.objects.count(), Profile.objects.count())
    call_command(SeedDemo(), members=15)
    assert (User.objects.count(), Profile.objects.count()) == first
    # 15 members and the demo staff account with their profiles, and the demo students
    # (accounts with a student profile, not a member's: demo.internships).
    assert first == (16 + len(STUDENTS), 16)


def test_seed_demo_members_are_fictitious_and_complete(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=10)
    profiles = Profile.objects.exclude(user__is_staff=True)
    assert all(p.user.email.endswith("@demo.example.org") for p in profiles)
    assert all(1 <= p.sectors.count() <= 3 for p in profiles)
    assert all(p.profile_sectors.filter(is_primary=True).count() == 1 for p in profiles)


def test_seed_demo_refuses_to_run_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command(SeedDemo(), members=1)
    assert not User.objects.exists()


def _seed_demo_help(debug):
    """`manage.py seed_demo --help` in a fresh process, DEBUG on or off (the services of
    this run: the settings refuse to start without them when DEBUG is off)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DEBUG"] = "true" if debug else "false"
    return subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--help"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_app_and_seed_demo_exist_with_debug_on_only():
    with_debug = _seed_demo_help(debug=True)
    assert with_debug.returncode == 0, with_debug.stderr
    assert "--members" in with_debug.stdout
    without = _seed_demo_help(debug=False)
    assert without.returncode != 0
    assert "Unknown command: 'seed_demo'" in without.stderr


def test_seed_demo_shows_news_in_every_state(settings):
    from news.models import Post

    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    call_command(SeedDemo(), members=15)
    statuses = set(Post.objects.values_list("status", flat=True))
    assert statuses == {"published", "pending", "rejected"}
    assert set(Post.objects.published().values_list("scope", flat=True)) == {
        "network",
        "sector",
        "chapter",
    }
    assert Post.objects.count() == 6


def test_seed_demo_opens_threads_with_messages_once(settings):
    from messaging.models import Message, Thread

    settings.DEBUG = True
    call_command(SeedDemo(), members=5)
    call_command(SeedDemo(), members=5)
    assert Thread.objects.count() == 2
    assert Message.objects.count() == 4
    first = User.objects.get(email="miembro0001@demo.example.org")
    assert Thread.objects.for_inbox(first).filter(unread=True).count() == 2


def test_seed_demo_registers_fictitious_organisations_with_valid_rfcs_once(settings):
    from counterparts.models import Organization
    from counterparts.validators import validate_rfc

    settings.DEBUG = True
    call_command(SeedDemo(), members=10)
    call_command(SeedDemo(), members=10)
    assert Organization.objects.count() == 5
    assert Organization.objects.verified().count() == 3
    for organization in Organization.objects.all():
        validate_rfc(organization.rfc)
        assert organization.slug.isascii()
        assert organization.people.get().role == "owner"
    # Two requests: one waiting for the TIC PNCS, one accepted (invite-only) with an
    # invitation when the matching found a member.
    from counterparts.models import ExpertiseRequest, MemberInvitation

    assert sorted(ExpertiseRequest.objects.values_list("status", flat=True)) == [
        "accepted",
        "submitted",
    ]
    published = ExpertiseRequest.objects.get(status="accepted").opportunity
    assert published.invite_only and published.status == "open"
    assert MemberInvitation.objects.count() <= 1
    # Engagements in every state, once; a completed one with both sides' outcomes and a story
    # both agreed to publish (issue 20).
    from counterparts.engagements import public_stories
    from counterparts.models import Engagement

    assert set(Engagement.objects.values_list("state", flat=True)) == {
        "planned",
        "active",
        "completed",
        "cancelled",
    }
    # (Beside the demo internship's engagement: demo.internships, tested below.)
    assert Engagement.objects.exclude(kind="internship").count() == 5
    assert public_stories().count() == 1
    assert Engagement.objects.get(state="active").sessions.exists()


def test_seed_demo_flags_a_pair_of_likely_duplicates(settings):
    from members.models import DuplicateCandidate

    settings.DEBUG = True
    call_command(SeedDemo(), members=12)
    call_command(SeedDemo(), members=12)
    pair = DuplicateCandidate.objects.get()
    assert pair.status == DuplicateCandidate.Status.OPEN
    assert {"name_country", "link"} <= set(pair.reasons)
    assert {pair.first.email, pair.second.email} == {
        "miembro0001@demo.example.org",
        "miembro0012@demo.example.org",
    }


def test_seed_demo_shows_a_closed_survey_with_results_and_an_open_census_once(settings):
    from django.utils import timezone

    from figures.services import current_snapshot
    from surveys.models import Response, Survey

    settings.DEBUG = True
    call_command(SeedDemo(), members=30)
    call_command(SeedDemo(), members=30)
    now = timezone.now()
    closed = Survey.objects.get(kind="general", closes_at__lt=now)
    census = Survey.objects.get(kind="census")
    assert census.is_open(now) and census.open_to_members
    assert closed.responses.count() >= 5 and census.responses.count() >= 5
    assert Survey.objects.filter(is_template=True).count() == 1
    first = User.objects.get(email="miembro0001@demo.example.org")
    assert not Response.objects.filter(user=first).exists()  # the census is theirs to answer
    assert current_snapshot().data["census"]["respondents"] == census.responses.count()


def test_seed_demo_registers_partner_applications_that_obtain_tokens_once(settings, client):
    import base64

    from api.models import PartnerApplication
    from demo.api import PARTNERS

    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command(SeedDemo(), members=10)
    call_command(SeedDemo(), members=10)
    assert PartnerApplication.objects.count() == len(PARTNERS)
    _name, client_id, secret, scopes, *_rest = PARTNERS[0]
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 200
    assert response.json()["scope"] == " ".join(scopes)


def test_seed_demo_shows_placements_students_and_applications_in_every_state(settings):
    from internships.models import Application, Placement, StudentProfile

    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    call_command(SeedDemo(), members=15)
    assert set(Placement.objects.values_list("status", flat=True)) == {
        "published",
        "submitted",
        "changes",
    }
    assert Placement.objects.published().values("country").distinct().count() >= 3
    students = StudentProfile.objects.all()
    assert students.count() == len(STUDENTS)
    assert students.values("state").distinct().count() == len(STUDENTS)
    assert all(p.cv.read(5) == b"%PDF-" for p in students)
    assert set(Application.objects.values_list("status", flat=True)) == {
        "applied",
        "shortlisted",
        "accepted",
        "declined",
    }
    accepted = Application.objects.get(status="accepted")
    assert accepted.engagement.student == accepted.student
    assert accepted.engagement.member.user == accepted.placement.host
