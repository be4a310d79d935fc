"""The audiences programs contribute (programs.audiences): the applicants to a program and
the cohort of a stage, for IME staff; one message per person, opt-outs respected."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from announcements import audiences
from announcements.models import Announcement, Delivery
from tests.factories import (
    AnnouncementFactory,
    ApplicationFactory,
    member,
    participant,
    program_with_stages,
    subscriber,
)

pytestmark = pytest.mark.django_db


def _applicant(program, status="applied", **profile_fields):
    profile_fields.setdefault("notify_programs", True)
    return ApplicationFactory(program=program, status=status, user=member(**profile_fields)).user


def _announcement(**audience):
    announcement = AnnouncementFactory(chapter=None, kind=Announcement.Kind.PROGRAMS)
    for field, rows in audience.items():
        getattr(announcement, field).set(rows)
    return announcement


def test_the_program_audiences_come_from_programs_and_are_for_ime_staff_only():
    from programs import audiences as program_audiences

    applicants, cohort, *_more = program_audiences.AUDIENCES
    assert audiences.by_field()["audience_programs"] is applicants
    assert audiences.by_field()["audience_stages"] is cohort
    assert {"audience_programs", "audience_stages"} <= set(audiences.staff_only_fields())


def test_the_applicants_of_a_program_are_every_application_but_the_withdrawn_ones():
    program, _s1, _s2 = program_with_stages()
    other_program, _o1, _o2 = program_with_stages()
    reached = [
        _applicant(program, status) for status in ("applied", "accepted", "waitlisted", "rejected")
    ]
    _applicant(program, "withdrawn")
    _applicant(other_program)
    announcement = _announcement(audience_programs=[program])
    assert list(audiences.recipient_ids(announcement)) == sorted(u.pk for u in reached)


def test_the_cohort_of_a_stage_is_its_enrolled_people_not_its_waitlist_nor_another_stage():
    _program, stage1, stage2 = program_with_stages(seats=1)
    in_stage1 = participant(stage1, user=member(notify_programs=True)).application
    selected = participant(stage1, user=member(notify_programs=True)).application
    stage2.enrolments.create(application=selected, status="enrolled")
    waitlisted = participant(stage1, user=member(notify_programs=True)).application
    stage2.enrolments.create(application=waitlisted, status="waitlisted")
    # Stage 2's cohort: the selected person only (not stage 1's, not the waitlist).
    assert list(audiences.recipient_ids(_announcement(audience_stages=[stage2]))) == [
        selected.user_id
    ]
    # Stage 1's cohort: every accepted participant (stage 2's waitlist is still in it).
    assert list(audiences.recipient_ids(_announcement(audience_stages=[stage1]))) == sorted(
        [in_stage1.user_id, selected.user_id, waitlisted.user_id]
    )


def test_a_person_who_turned_programs_announcements_off_never_receives_one():
    program, stage1, _stage2 = program_with_stages()
    opted_in = _applicant(program)
    opted_out = _applicant(program, "accepted", notify_programs=False)
    # In the cohort too: never mind, the opt-out wins.
    stage1.enrolments.create(application=opted_out.program_applications.get(), status="enrolled")
    announcement = _announcement(audience_programs=[program], audience_stages=[stage1])
    assert list(audiences.recipient_ids(announcement)) == [opted_in.pk]


def test_an_applicant_who_is_also_a_chapter_member_gets_one_delivery(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    from announcements import services

    program, stage1, _stage2 = program_with_stages()
    both = subscriber(chapter=chapter_a, notify_programs=True)
    ApplicationFactory(program=program, user=both, status="accepted")
    stage1.enrolments.create(application=both.program_applications.get(), status="enrolled")
    chapter_only = subscriber(chapter=chapter_a, notify_programs=True)
    applicant_only = _applicant(program)
    announcement = _announcement(
        audience_chapters=[chapter_a], audience_programs=[program], audience_stages=[stage1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
    assert sorted(Delivery.objects.values_list("user_id", flat=True)) == sorted(
        [both.pk, chapter_only.pk, applicant_only.pk]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [both.email, chapter_only.email, applicant_only.email]
    )


def test_an_officer_cannot_address_a_programs_applicants(chapter_a, officer_a):
    program, _s1, _s2 = program_with_stages()
    _applicant(program)
    announcement = AnnouncementFactory(chapter=chapter_a, audience_chapters=[chapter_a])
    assert audiences.can_send(officer_a, announcement)
    announcement.audience_programs.set([program])
    assert not audiences.can_send(officer_a, announcement)


def test_an_officer_does_not_see_the_program_audiences_in_the_admin(client, officer_a):
    client.force_login(officer_a)
    form = client.get(reverse("admin:announcements_announcement_add")).context["adminform"].form
    assert "audience_programs" not in form.fields
    assert "audience_stages" not in form.fields


def test_ime_staff_address_a_program_and_a_cohort_from_the_admin_and_send_now(
    client, ime_staff, django_capture_on_commit_callbacks
):
    program, _stage1, stage2 = program_with_stages()
    applicant = _applicant(program, "waitlisted")
    in_cohort = _applicant(program, "accepted")
    stage2.enrolments.create(application=in_cohort.program_applications.get(), status="enrolled")
    outsider = _applicant(program_with_stages()[0])
    client.force_login(ime_staff)
    with translation.override("en"):
        page = client.get(reverse("admin:announcements_announcement_add"))
    html = page.content.decode()
    assert "applicants to the programs" in html and "cohort of the stages" in html
    response = client.post(
        reverse("admin:announcements_announcement_add"),
        {
            "kind": "programs",
            "subject_es": "Cambio de fechas",
            "subject_en": "New dates",
            "body_es": "La etapa 2 empieza **antes**.",
            "body_en": "Stage 2 starts **earlier**.",
            "audience_programs": [program.pk],
            "audience_stages": [stage2.pk],
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get(subject_es="Cambio de fechas")
    assert list(announcement.audience_programs.all()) == [program]
    assert list(announcement.audience_stages.all()) == [stage2]
    url = reverse("admin:announcements_announcement_send", args=[announcement.pk])
    # First the confirmation step with the exact count, then the confirmed send.
    confirm = client.post(url, {"when": ""})
    assert confirm.status_code == 200 and confirm.context["recipients"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"when": "", "confirmed": "2"}).status_code == 302
    change = client.get(reverse("admin:announcements_announcement_change", args=[announcement.pk]))
    assert change.context["progress"]["recipients"] == 2
    assert sorted(Delivery.objects.values_list("user_id", "status")) == sorted(
        [(applicant.pk, "sent"), (in_cohort.pk, "sent")]
    )
    assert outsider.email not in [m.to[0] for m in mail.outbox]
