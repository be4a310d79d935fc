"""IME staff build and send surveys in the admin: the add page, preparing the invitation
(then targeted and sent in the announcements admin), creating the year's census, and
questions locked once answered. Nobody has a page of one person's answers."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from announcements.models import Announcement
from surveys import services
from surveys.models import Answer, Response, Survey
from tests.factories import member

from .conftest import make_survey

pytestmark = pytest.mark.django_db


def test_staff_open_the_survey_pages_of_the_admin(client, ime_staff, survey):
    client.force_login(ime_staff)
    for url in (
        reverse("admin:surveys_survey_changelist"),
        reverse("admin:surveys_survey_add"),
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        reverse("admin:surveys_question_change", args=[survey.questions.first().pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_preparing_the_invitation_opens_an_announcement_of_kind_survey(client, ime_staff, survey):
    client.force_login(ime_staff)
    response = client.post(reverse("admin:surveys_survey_invite", args=[survey.pk]))
    survey.refresh_from_db()
    announcement = survey.invitation
    assert announcement.kind == Announcement.Kind.SURVEY and announcement.is_editable
    assert response["Location"] == reverse(
        "admin:announcements_announcement_change", args=[announcement.pk]
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Invitación a una encuesta" in page.text  # its kind stays offered while a draft
    client.post(reverse("admin:surveys_survey_invite", args=[survey.pk]))
    assert Announcement.objects.filter(kind="survey").count() == 1


def test_a_closed_survey_gets_no_invitation(client, ime_staff, survey):
    survey.closes_at = timezone.now()
    survey.opens_at = survey.closes_at - timezone.timedelta(days=2)
    survey.save()
    client.force_login(ime_staff)
    response = client.post(reverse("admin:surveys_survey_invite", args=[survey.pk]), follow=True)
    assert str(services.CLOSED_MESSAGE) in response.text
    assert not Announcement.objects.filter(kind="survey").exists()


def test_staff_create_the_census_once_a_year(client, ime_staff):
    client.force_login(ime_staff)
    url = reverse("admin:surveys_survey_census")
    year = timezone.now().year
    response = client.post(url, {"year": year})
    census = Survey.objects.get(kind="census")
    assert response["Location"] == reverse("admin:surveys_survey_change", args=[census.pk])
    again = client.post(url, {"year": year})
    assert again.status_code == 200
    assert str(services.CENSUS_EXISTS_MESSAGE) in again.text
    bad = client.post(url, {"year": "dos mil"})
    assert bad.status_code == 200 and Survey.objects.filter(kind="census").count() == 1


def test_questions_of_an_answered_survey_cannot_change(client, ime_staff):
    survey = make_survey()
    single = survey.questions.get(kind="single")
    services.submit_response(
        survey_id=survey.pk,
        user_id=member().pk,
        answers={single.pk: [{"option_id": single.options.first().pk}]},
    )
    client.force_login(ime_staff)
    page = client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert "ya no se pueden cambiar" in page.text
    response = client.post(
        reverse("admin:surveys_question_change", args=[single.pk]),
        {"position": 0, "kind": "text", "text_es": "Otra", "text_en": "Other"},
    )
    assert response.status_code == 403
    single.refresh_from_db()
    assert single.kind == "single"


def test_answers_have_no_admin_page():
    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Answer)


def test_the_feedback_template_cannot_be_deleted(client, ime_staff):
    template = services.ensure_feedback_template()
    client.force_login(ime_staff)
    response = client.post(
        reverse("admin:surveys_survey_delete", args=[template.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Survey.objects.filter(pk=template.pk).exists()
