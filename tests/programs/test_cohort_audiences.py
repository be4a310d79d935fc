"""Cohort audiences for announcements (programs.audiences): applicants, enrolled, completed,
selected and travelling, each counted on one cohort where everybody is somewhere else."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from announcements import audiences
from announcements.models import Announcement
from core.access import IME_STAFF
from programs.models import Enrolment
from programs.services import confirm_seat, decline_seat, select_for_next_stage
from tests.factories import (
    AnnouncementFactory,
    ApplicationFactory,
    UserFactory,
    member,
    participant,
    program_with_stages,
    with_totp,
)

pytestmark = pytest.mark.django_db

COHORT_FIELDS = [
    "audience_programs",
    "audience_stages",
    "audience_stages_completed",
    "audience_stages_selected",
    "audience_stages_travelling",
]


def _announcement(**audience):
    announcement = AnnouncementFactory(chapter=None, kind=Announcement.Kind.PROGRAMS)
    for field, rows in audience.items():
        getattr(announcement, field).set(rows)
    return announcement


def _count(**audience) -> int:
    return audiences.recipient_ids(_announcement(**audience)).count()


@pytest.fixture
def cohort():
    """A program: 2 pending applicants, 1 withdrawn; 6 in stage 1, 4 of whom completed;
    stage 2 (in person, abroad) selects 2 and waitlists 1: one confirms, one declines (so
    the waitlisted one is offered the seat and has not answered yet)."""
    program, stage1, stage2 = program_with_stages(seats=2)
    stage2.offer_days = 7
    stage2.collects_travel_data = True
    stage2.starts_on = timezone.localdate() + datetime.timedelta(days=20)
    stage2.ends_on = stage2.starts_on + datetime.timedelta(days=5)
    stage2.save()
    people = {}
    for n in range(2):
        people[f"applied{n}"] = ApplicationFactory(
            program=program, user=member(notify_programs=True)
        ).user
    ApplicationFactory(program=program, status="withdrawn", user=member(notify_programs=True))
    for n in range(6):
        finished = n < 4
        enrolment = participant(
            stage1,
            score=Decimal(90 - n) if finished else None,
            completed=finished,
            user=member(notify_programs=True),
        )
        people[f"p{n}"] = enrolment.application.user
    select_for_next_stage(stage=stage1, count=2, waitlist=1)
    seats = {e.rank: e for e in Enrolment.objects.filter(stage=stage2)}
    confirm_seat(enrolment_id=seats[1].pk, user=people["p0"])
    decline_seat(enrolment_id=seats[2].pk, user=people["p1"])
    return program, stage1, stage2, people


def test_each_cohort_audience_counts_the_right_people(cohort):
    program, stage1, stage2, people = cohort
    # 2 pending + 6 accepted; the withdrawn one is out.
    assert _count(audience_programs=[program]) == 8
    assert _count(audience_stages=[stage1]) == 6
    assert _count(audience_stages_completed=[stage1]) == 4
    # Stage 2 holds rank 1 (confirmed) and rank 3 (offered after the decline).
    assert _count(audience_stages=[stage2]) == 2
    assert _count(audience_stages_selected=[stage2]) == 2
    assert _count(audience_stages_selected=[stage1]) == 0  # nobody is selected *into* stage 1
    travelling = list(audiences.recipient_ids(_announcement(audience_stages_travelling=[stage2])))
    assert travelling == [people["p0"].pk]
    selected = set(audiences.recipient_ids(_announcement(audience_stages_selected=[stage2])))
    assert selected == {people["p0"].pk, people["p2"].pk}
    assert people["p1"].pk not in selected  # declined


def test_the_audiences_add_up_once_per_person_and_respect_opt_outs(cohort):
    program, stage1, stage2, people = cohort
    everyone = _count(
        audience_programs=[program],
        audience_stages_completed=[stage1],
        audience_stages_travelling=[stage2],
    )
    assert everyone == 8
    profile = people["p0"].profile
    profile.notify_programs = False
    profile.save(update_fields=["notify_programs"])
    assert _count(audience_stages_travelling=[stage2]) == 0


def test_the_cohort_audiences_are_for_ime_staff_only_and_in_the_admin(client, cohort):
    assert set(COHORT_FIELDS) <= set(audiences.by_field())
    assert set(COHORT_FIELDS) <= set(audiences.staff_only_fields())
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(staff)
    client.force_login(staff)
    form = client.get(reverse("admin:announcements_announcement_add")).context["adminform"].form
    assert set(COHORT_FIELDS) <= set(form.fields)
