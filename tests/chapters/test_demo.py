"""The chapters demo data: the three formalised chapters, the Fourth Jornada, idempotent."""

import datetime

import pytest
from django.core.management import call_command

from chapters.demo import DEMO_OFFICER_EMAIL
from chapters.models import Chapter, Jornada, Membership, Officer, Registration

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_chapters_and_jornadas_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", members=15)
    counts = [
        model.objects.count() for model in (Chapter, Membership, Officer, Jornada, Registration)
    ]
    call_command("seed_demo", members=15)
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
    call_command("seed_demo", members=15)
    officer = Officer.objects.current().get(user__email=DEMO_OFFICER_EMAIL).user
    assert officer.is_staff and not officer.is_superuser
    assert list(Chapter.objects.managed_by(officer).values_list("slug", flat=True)) == ["houston"]
