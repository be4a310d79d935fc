"""The chapters demo data: the three formalised chapters, the Fourth Jornada, idempotent."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from chapters.models import Chapter, Jornada, Membership, Officer, Registration
from demo.chapters import DEMO_OFFICER_EMAIL
from demo.management.commands.seed_demo import Command as SeedDemo
from tests.factories import totp_code

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_chapters_and_jornadas_once(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    counts = [
        model.objects.count() for model in (Chapter, Membership, Officer, Jornada, Registration)
    ]
    call_command(SeedDemo(), members=15)
    assert [
        model.objects.count() for model in (Chapter, Membership, Officer, Jornada, Registration)
    ] == counts
    formalised = dict(
        Chapter.objects.filter(status="formalized").values_list("slug", "formalized_on")
    )
    assert formalised == {
        "silicon-valley": datetime.date(2006, 11, 1),
        "houston": datetime.date(2007, 5, 1),
        "detroit": datetime.date(2007, 12, 1),
    }
    assert Chapter.objects.filter(status="forming").count() >= 2
    fourth = Jornada.objects.get(edition=4)
    assert fourth.city == "Ciudad de México" and fourth.starts_at.year == 2009
    assert Jornada.objects.published().upcoming().filter(agenda_items__speakers__isnull=False)
    assert Membership.objects.approved().exists() and Membership.objects.pending().exists()


def test_the_demo_officer_manages_houston_only(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    officer = Officer.objects.current().get(user__email=DEMO_OFFICER_EMAIL).user
    assert officer.is_staff and not officer.is_superuser
    assert list(Chapter.objects.managed_by(officer).values_list("slug", flat=True)) == ["houston"]


def test_the_demo_officer_reaches_the_admin_with_the_documented_totp_secret(client, settings):
    """Officers see others' personal data, so the demo officer has the second factor the
    README and `make run` print (issue 17 item 2)."""
    from demo.chapters import DEMO_OFFICER_TOTP_SECRET
    from demo.members import DEMO_MEMBER_PASSWORD

    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    settings.DEBUG = False
    response = client.post(
        "/accounts/login/", {"login": DEMO_OFFICER_EMAIL, "password": DEMO_MEMBER_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post(response["Location"], {"code": totp_code(DEMO_OFFICER_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/admin/chapters/membership/").status_code == 200
    root = Path(__file__).resolve().parents[2]
    for document in ("README.md", "Makefile"):
        assert DEMO_OFFICER_TOTP_SECRET in (root / document).read_text(), document


def test_the_demo_shows_pncs_proposals_in_every_state_and_travel_needs(settings):
    from announcements.models import Announcement
    from chapters.models import AgendaItem, JornadaProposal, TravelNeeds

    settings.DEBUG = True
    call_command(SeedDemo(), members=40)
    counts = (JornadaProposal.objects.count(), TravelNeeds.objects.count())
    call_command(SeedDemo(), members=40)
    assert (JornadaProposal.objects.count(), TravelNeeds.objects.count()) == counts
    assert set(JornadaProposal.objects.values_list("status", flat=True)) == {
        "pending",
        "accepted",
        "declined",
    }
    jornada = Jornada.objects.get(asks_travel_needs=True)
    assert AgendaItem.objects.filter(jornada=jornada, title_es__startswith="Taller:").count() == 1
    needs = TravelNeeds.objects.filter(registration__jornada=jornada)
    assert needs.count() >= 3 and needs.filter(invitation_letter_needed=True).exists()
    assert Announcement.objects.awaiting_approval().filter(created_by__isnull=False).exists()
