"""The surveys journey in a real browser (Chromium): IME sends a survey to a chapter
through the announcements outbox; a member opens the personal link of the email on a
phone, without signing in, gets a clear message for a missing answer, answers; IME staff
open the results from the admin and read only aggregates (small groups hidden)."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from announcements import services as announcement_services
from core.access import IME_STAFF
from surveys import services
from surveys.models import Response
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import (
    DEFAULT_PASSWORD,
    ChapterFactory,
    UserFactory,
    member,
    subscriber,
    totp_code,
    with_totp,
)
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _staff():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    return user, with_totp(user)


def test_a_member_answers_from_their_link_and_staff_read_the_aggregates(
    page, browser, live_server, artifacts_dir
):
    houston = ChapterFactory(name="Houston", slug="houston")
    reader = subscriber(chapter=houston, preferred_name="Lectora", notify_surveys=True)
    staff, secret = _staff()
    survey = make_survey(title_es="Encuesta de Houston", title_en="Houston survey")
    # Nine earlier answers: "Rojo" 7, "Verde" 2 (a small group); all chose 5 on the scale.
    single = survey.questions.get(kind="single")
    red, green, _blue = single.options.all()
    scale = survey.questions.get(kind="scale5")
    for option in [red] * 7 + [green] * 2:
        services.submit_response(
            survey_id=survey.pk,
            user_id=member().pk,
            answers={single.pk: [{"option_id": option.pk}], scale.pk: [{"number": 5}]},
        )
    announcement = services.prepare_invitation(survey_id=survey.pk, by=staff)
    announcement.audience_chapters.set([houston])
    announcement_services.send_announcement(announcement_id=announcement.pk, by=staff)

    # 1. The member's email carries their own link; they open it on a phone, signed out.
    (email,) = [m for m in mail.outbox if m.to == [reader.email]]
    link = re.search(r"https?://\S+/surveys/answer/\S+/", email.body).group(0)
    phone = browser.new_page(viewport={"width": 375, "height": 740}, locale="es-MX")
    phone.goto(live_server.url + urlsplit(link).path)
    expect(phone.get_by_role("heading", name="Encuesta de Houston")).to_be_visible()
    assert_no_serious_axe_violations(phone)
    # A required question left empty: the message says what to do, nothing is saved.
    phone.get_by_role("group", name="¿Qué tan útil?").get_by_label("5").check()
    phone.get_by_role("button", name="Enviar mis respuestas").click()
    expect(phone.locator(".error-summary")).to_contain_text(
        "Responde esta pregunta; es obligatoria."
    )
    assert not Response.objects.filter(user=reader).exists()
    phone.get_by_role("group", name="¿Color?").get_by_label("Azul").check()
    phone.get_by_role("group", name="¿Qué tan útil?").get_by_label("4").check()
    phone.get_by_label("Charlas").check()
    phone.get_by_label("¿Qué mejorarías?").fill("Más tiempo para preguntas")
    phone.screenshot(path=str(artifacts_dir / "survey-answer-phone.png"), full_page=True)
    phone.get_by_role("button", name="Enviar mis respuestas").click()
    expect(phone.get_by_text("¡Gracias! Guardamos tus respuestas.")).to_be_visible()
    expect(phone.get_by_text("Ya respondiste esta encuesta. ¡Gracias!")).to_be_visible()
    assert Response.objects.filter(survey=survey, user=reader).count() == 1

    # 2. Staff open the results from the survey's admin page: aggregates only.
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/surveys/survey/{survey.pk}/change/")
    page.locator('input[name="login"]').fill(staff.email)
    page.locator('input[name="password"]').fill(DEFAULT_PASSWORD)
    page.locator('form:has(input[name="login"]) [type="submit"]').click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(f"**/admin/surveys/survey/{survey.pk}/change/")
    page.get_by_role("link", name="Ver los resultados agregados").first.click()
    page.wait_for_url(f"**/staff/surveys/{survey.pk}/results/")
    expect(page.get_by_test_id("survey-respondents")).to_contain_text("10")
    colours = page.locator(f"#figure-question-{single.pk} table")
    # Rojo 7, Verde 2, Azul 1 of 10: the small groups are hidden, and Rojo is reserved
    # too (else 10 - 7 - 2 would give Azul away).
    expect(colours).to_contain_text("Verde<5")
    expect(colours).to_contain_text("Azul<5")
    expect(colours).to_contain_text("Rojo≥5")
    scale_table = page.locator(f"#figure-question-{scale.pk} table")
    expect(scale_table).to_contain_text("4<5")
    expect(scale_table).to_contain_text("5≥5")
    # Fewer than five free-text answers: withheld even from staff.
    expect(page.get_by_text("Las respuestas de texto se muestran cuando")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Más tiempo para preguntas")
    expect(page.locator("main")).not_to_contain_text(reader.email)
    page.screenshot(path=str(artifacts_dir / "survey-results.png"), full_page=True)
    assert_no_serious_axe_violations(page)
