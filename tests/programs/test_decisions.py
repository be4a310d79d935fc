"""Staff decisions on applications: capacity enforced in the service, applicants told by
email in their own language, accepted people enrolled in the first stage."""

import pytest

from programs.models import Application, Enrolment
from programs.services import CAPACITY_EXCEEDED_MESSAGE, ProgramError, decide_applications
from tests.factories import ApplicationFactory, ProgramFactory, StageFactory, member

pytestmark = pytest.mark.django_db


def test_accepting_enrols_in_the_first_stage_and_mails_the_applicant(mailoutbox, run_on_commit):
    program = ProgramFactory(name_es="Programa IA", name_en="AI program")
    stage2 = StageFactory(program=program, order=2)
    stage1 = StageFactory(program=program, order=1)
    application = ApplicationFactory(program=program, user=member())
    with run_on_commit():
        outcome = decide_applications(application_ids=[application.pk], decision="accepted")
    assert (outcome.changed, outcome.skipped) == (1, 0)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_at is not None
    assert list(Enrolment.objects.values_list("stage_id", flat=True)) == [stage1.pk]
    assert stage2.pk != stage1.pk
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [application.user.email]
    assert "Programa IA" in mailoutbox[0].subject
    assert "fue aceptada" in mailoutbox[0].body


def test_decision_email_follows_the_recipient_language(mailoutbox, run_on_commit):
    program = ProgramFactory(name_es="Programa IA", name_en="AI program")
    user = member()
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    application = ApplicationFactory(program=program, user=user)
    with run_on_commit():
        decide_applications(application_ids=[application.pk], decision="rejected")
    assert len(mailoutbox) == 1
    assert "AI program" in mailoutbox[0].subject
    assert "was not accepted" in mailoutbox[0].body


def test_accepting_beyond_capacity_is_refused_whole(mailoutbox, run_on_commit):
    program = ProgramFactory(capacity=3)
    StageFactory(program=program, order=1)
    ApplicationFactory(program=program, status="accepted")
    ApplicationFactory(program=program, status="accepted")
    pending = [ApplicationFactory(program=program) for _ in range(2)]
    with run_on_commit(), pytest.raises(ProgramError) as excinfo:
        decide_applications(application_ids=[a.pk for a in pending], decision="accepted")
    assert str(excinfo.value) == str(CAPACITY_EXCEEDED_MESSAGE % {"left": 1, "wanted": 2})
    assert Application.objects.filter(program=program, status="accepted").count() == 2
    assert not Enrolment.objects.exists()
    assert mailoutbox == []


def test_accepting_up_to_capacity_fills_it_exactly(run_on_commit):
    program = ProgramFactory(capacity=2)
    StageFactory(program=program, order=1)
    pending = [ApplicationFactory(program=program) for _ in range(3)]
    with run_on_commit():
        decide_applications(application_ids=[pending[0].pk, pending[1].pk], decision="accepted")
    with pytest.raises(ProgramError):
        decide_applications(application_ids=[pending[2].pk], decision="accepted")
    assert program.applications.filter(status="accepted").count() == 2


def test_already_decided_applications_are_skipped(mailoutbox, run_on_commit):
    program = ProgramFactory()
    accepted = ApplicationFactory(program=program, status="accepted")
    withdrawn = ApplicationFactory(program=program, status="withdrawn")
    pending = ApplicationFactory(program=program)
    with run_on_commit():
        outcome = decide_applications(
            application_ids=[accepted.pk, withdrawn.pk, pending.pk], decision="rejected"
        )
    assert (outcome.changed, outcome.skipped) == (1, 2)
    accepted.refresh_from_db()
    withdrawn.refresh_from_db()
    assert accepted.status == "accepted" and withdrawn.status == "withdrawn"
    assert [m.to for m in mailoutbox] == [[pending.user.email]]


def test_waitlisted_application_can_later_be_accepted(run_on_commit):
    program = ProgramFactory()
    StageFactory(program=program, order=1)
    application = ApplicationFactory(program=program)
    with run_on_commit():
        decide_applications(application_ids=[application.pk], decision="waitlisted")
        decide_applications(application_ids=[application.pk], decision="accepted")
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.enrolments.count() == 1


def test_admin_bulk_accept_reports_the_capacity_refusal(client, run_on_commit):
    from django.urls import reverse

    from tests.factories import program_staff_user

    program = ProgramFactory(capacity=1)
    StageFactory(program=program, order=1)
    pending = [ApplicationFactory(program=program) for _ in range(2)]
    client.force_login(program_staff_user())
    url = reverse("admin:programs_application_changelist")
    data = {"action": "accept", "_selected_action": [a.pk for a in pending]}
    with run_on_commit():
        response = client.post(url, data, follow=True)
    expected = str(CAPACITY_EXCEEDED_MESSAGE % {"left": 1, "wanted": 2})
    assert expected in response.content.decode()
    assert not program.applications.filter(status="accepted").exists()
    with run_on_commit():
        response = client.post(url, {**data, "_selected_action": [pending[0].pk]}, follow=True)
    assert "1 solicitudes actualizadas" in response.content.decode()
    assert program.applications.filter(status="accepted").count() == 1


def test_admin_hides_gender_of_individual_applicants(client):
    from django.urls import reverse

    from tests.factories import program_staff_user

    application = ApplicationFactory(gender="self_described", gender_description="Dos espíritus")
    client.force_login(program_staff_user())
    html = client.get(
        reverse("admin:programs_application_change", args=[application.pk])
    ).content.decode()
    assert application.user.email in html
    assert "Dos espíritus" not in html
    assert "Me describo de otra forma" not in html
