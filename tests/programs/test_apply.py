"""Programs list and detail pages, applying during the call (once), withdrawing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.forms import GENDER_DESCRIPTION_MESSAGE
from programs.models import Application
from programs.services import (
    ALREADY_APPLIED_MESSAGE,
    CALL_CLOSED_MESSAGE,
    ProgramError,
    apply_to_program,
)
from programs.views import APPLICATION_SENT_MESSAGE, PROGRAM_FULL_MESSAGE, WITHDRAWN_MESSAGE
from tests.factories import (
    ApplicationFactory,
    PartnerFactory,
    ProgramFactory,
    StageFactory,
    member,
)

pytestmark = pytest.mark.django_db

VALID = {
    "education_level": "licenciatura",
    "education_field": "Actuaría",
    "institution": "Universidad de prueba",
    "state": "OAX",
    "nationality": "MX",
    "gender": "woman",
    "gender_description": "",
    "motivation": "Quiero aplicar la IA en mi comunidad.",
}


def test_program_list_shows_published_programs_with_their_call(client):
    open_program = ProgramFactory(name_es="Programa abierto")
    ProgramFactory(name_es="Programa oculto", is_published=False)
    response = client.get(reverse("programs:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Programa abierto" in html
    assert "Programa oculto" not in html
    assert "Convocatoria abierta" in html
    assert open_program.get_absolute_url() in html


def test_program_list_query_count_does_not_grow_with_programs(client, django_assert_num_queries):
    def build(n):
        for _ in range(n):
            program = ProgramFactory()
            program.partners.add(PartnerFactory())
            StageFactory(program=program, order=1)

    build(2)
    with django_assert_num_queries(3):
        client.get(reverse("programs:list"))
    build(8)
    with django_assert_num_queries(3):
        response = client.get(reverse("programs:list"))
    assert response.content.decode().count('class="card"') == 10


def test_program_detail_shows_partners_call_and_stages(client):
    program = ProgramFactory(slug="ia-prueba", capacity=1000)
    program.partners.add(PartnerFactory(name="Centro Público Demo"))
    StageFactory(program=program, order=1, name_es="Formación virtual", seats=None)
    StageFactory(program=program, order=2, name_es="Etapa presencial", mode="in_person", seats=107)
    response = client.get("/programs/ia-prueba/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Centro Público Demo", "Formación virtual", "Etapa presencial", "107 lugares"):
        assert text in html
    assert reverse("programs:apply", kwargs={"slug": "ia-prueba"}) in html


def test_program_detail_is_english_under_the_en_prefix(client):
    ProgramFactory(slug="bilingue", name_es="Programa bilingüe", name_en="Bilingual program")
    response = client.get("/en/programs/bilingue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bilingual program" in html
    assert "Open call" in html
    assert '<html lang="en">' in html


def test_unpublished_or_unknown_program_answers_404(client):
    ProgramFactory(slug="oculto", is_published=False)
    assert client.get("/programs/oculto/").status_code == 404
    assert client.get("/programs/no-existe/").status_code == 404


def test_anonymous_visitor_is_sent_to_login_to_apply(client):
    program = ProgramFactory()
    response = client.get(reverse("programs:apply", kwargs={"slug": program.slug}))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_member_applies_during_the_call(client):
    program = ProgramFactory()
    user = member()
    client.force_login(user)
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert 'for="id_motivation"' in page.content.decode()
    response = client.post(url, VALID, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programs:mine")
    application = Application.objects.get(program=program, user=user)
    assert application.status == Application.Status.APPLIED
    assert application.state == "OAX" and application.gender == "woman"
    html = response.content.decode()
    assert str(APPLICATION_SENT_MESSAGE) in html
    assert program.name_es in html and "Solicitud recibida" in html


def test_bad_input_shows_errors_and_saves_nothing(client):
    program = ProgramFactory()
    client.force_login(member())
    data = {**VALID, "education_level": "kinder", "motivation": "", "state": "XX"}
    response = client.post(reverse("programs:apply", kwargs={"slug": program.slug}), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert 'aria-invalid="true"' in html
    assert not Application.objects.exists()


def test_self_described_gender_needs_a_description(client):
    program = ProgramFactory()
    client.force_login(member())
    data = {**VALID, "gender": "self_described", "gender_description": ""}
    response = client.post(reverse("programs:apply", kwargs={"slug": program.slug}), data)
    assert response.status_code == 200
    assert str(GENDER_DESCRIPTION_MESSAGE) in response.content.decode()
    assert not Application.objects.exists()


def test_gender_is_optional(client):
    program = ProgramFactory()
    client.force_login(member())
    data = {**VALID, "gender": ""}
    client.post(reverse("programs:apply", kwargs={"slug": program.slug}), data)
    assert Application.objects.get().gender == ""


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(+1, +30), (-30, -1)],
    ids=["before-the-call-opens", "after-the-call-closes"],
)
def test_applying_outside_the_call_is_refused(client, opens, closes):
    now = timezone.now()
    program = ProgramFactory(
        call_opens_at=now + datetime.timedelta(days=opens),
        call_closes_at=now + datetime.timedelta(days=closes),
    )
    client.force_login(member())
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    response = client.post(url, VALID)
    assert response.status_code == 403
    assert str(CALL_CLOSED_MESSAGE) in response.content.decode()
    assert not Application.objects.exists()


def test_the_service_refuses_an_application_after_the_call_closes():
    now = timezone.now()
    program = ProgramFactory(call_opens_at=now - datetime.timedelta(days=10), call_closes_at=now)
    data = dict(VALID.items())
    with pytest.raises(ProgramError) as excinfo:
        apply_to_program(program=program, user=member(), data=data)
    assert str(excinfo.value) == str(CALL_CLOSED_MESSAGE)


def test_a_person_applies_once_per_program(client):
    program = ProgramFactory()
    user = member()
    ApplicationFactory(program=program, user=user)
    with pytest.raises(ProgramError) as excinfo:
        apply_to_program(program=program, user=user, data=dict(VALID))
    assert str(excinfo.value) == str(ALREADY_APPLIED_MESSAGE)
    client.force_login(user)
    response = client.post(
        reverse("programs:apply", kwargs={"slug": program.slug}), VALID, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("programs:mine")
    assert str(ALREADY_APPLIED_MESSAGE) in response.content.decode()
    assert Application.objects.filter(program=program, user=user).count() == 1


def test_member_withdraws_a_pending_application(client):
    application = ApplicationFactory()
    client.force_login(application.user)
    response = client.post(reverse("programs:withdraw", kwargs={"pk": application.pk}), follow=True)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert str(WITHDRAWN_MESSAGE) in response.content.decode()


def test_another_member_cannot_withdraw_an_application(client):
    application = ApplicationFactory()
    client.force_login(member())
    response = client.post(reverse("programs:withdraw", kwargs={"pk": application.pk}))
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.APPLIED


def test_withdraw_needs_post(client):
    application = ApplicationFactory()
    client.force_login(application.user)
    response = client.get(reverse("programs:withdraw", kwargs={"pk": application.pk}))
    assert response.status_code == 405


def test_my_programs_lists_only_my_applications(client):
    mine = ApplicationFactory()
    ApplicationFactory(program=mine.program)
    client.force_login(mine.user)
    response = client.get(reverse("programs:mine"))
    assert response.status_code == 200
    assert response.content.decode().count("program-application") == 1
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_my_programs_query_count_does_not_grow(client, django_assert_num_queries):
    from decimal import Decimal

    from programs.models import Attendance, ModuleGrade
    from programs.services import issue_certificates
    from tests.factories import modules_and_sessions, participant, program_with_stages

    user = member()
    client.force_login(user)

    def enrol_in_new_program():
        _program, stage1, _stage2 = program_with_stages()
        modules, sessions = modules_and_sessions(stage1)
        enrolment = participant(
            stage1, user=user, score=Decimal("90"), completed=True, certified=True
        )
        for module in modules:
            ModuleGrade.objects.create(enrolment=enrolment, module=module, grade=Decimal("90"))
        for session in sessions:
            Attendance.objects.create(enrolment=enrolment, session=session, attended=True)
        issue_certificates(stage=stage1)

    enrol_in_new_program()
    client.get(reverse("programs:mine"))  # session and user loaded once
    # Applications, enrolments, credentials, modules, sessions, grades, attendance
    # (+ session, user).
    with django_assert_num_queries(9):
        client.get(reverse("programs:mine"))
    for _ in range(3):
        enrol_in_new_program()
    with django_assert_num_queries(9):
        response = client.get(reverse("programs:mine"))
    assert response.content.decode().count("program-application") == 4
    assert response.content.decode().count(".pdf") == 8
    assert response.content.decode().count("https://aula.example.org/sesion-1") == 4


def test_my_programs_needs_login(client):
    response = client.get(reverse("programs:mine"))
    assert response.status_code == 302


def test_once_capacity_is_taken_new_applications_are_waitlisted(client):
    program = ProgramFactory(capacity=2)
    ApplicationFactory(program=program, status="accepted")
    ApplicationFactory(program=program, status="accepted")
    user = member()
    client.force_login(user)
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    response = client.post(url, VALID, follow=True)
    assert Application.objects.get(program=program, user=user).status == "waitlisted"
    assert str(PROGRAM_FULL_MESSAGE) in response.content.decode()


def test_member_can_reach_the_dashboard_in_english(client):
    application = ApplicationFactory()
    client.force_login(application.user)
    response = client.get("/en" + reverse("programs:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "My programs" in html and "Application received" in html


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(min_size=0, max_size=200)
    | st.sampled_from(["\x00", "\u202e" * 30, "x" * 10_000, "=cmd|' /C calc'!A0"])
)
def test_the_application_form_never_answers_500(client, text):
    program = ProgramFactory()
    client.force_login(member())
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    data = dict.fromkeys(VALID, text)
    response = client.post(url, data)
    # A NUL byte is refused before any form (core.middleware.RefuseNulMiddleware).
    assert response.status_code in ((400,) if "\x00" in text else (200, 302))
