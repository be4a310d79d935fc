"""Members answer a survey once: with their personal link (no sign-in) or signed in; bad
input is refused with a message and nothing saved; the link names one person only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import forms as survey_forms
from surveys import services
from surveys.mail_links import answer_token
from surveys.models import Answer, Response
from tests.factories import member

from .conftest import answers_for, invite, make_survey

pytestmark = pytest.mark.django_db


def link(survey, user):
    invite(survey, user)
    return reverse(
        "surveys:answer_link", kwargs={"token": answer_token(survey_id=survey.pk, user_id=user.pk)}
    )


def test_a_member_answers_once_with_their_personal_link_without_signing_in(client, survey):
    person = member()
    url = link(survey, person)
    page = client.get(url)
    assert page.status_code == 200
    assert "¿Color?" in page.text and "Enviar mis respuestas" in page.text

    response = client.post(url, answers_for(survey, liked=(0, 1), text="Más café", country="CA"))

    assert response.status_code == 302 and response["Location"] == url
    saved = Response.objects.get(survey=survey)
    assert saved.user_id == person.pk
    assert Answer.objects.filter(response=saved, option__isnull=False).count() == 3
    assert Answer.objects.get(response=saved, number__isnull=False).number == 4
    assert Answer.objects.get(response=saved, text__gt="").text == "Más café"
    assert Answer.objects.get(response=saved, country__gt="").country == "CA"
    thanks = client.get(url)
    assert "Ya respondiste esta encuesta" in thanks.text
    assert "Enviar mis respuestas" not in thanks.text


def test_a_second_answer_is_refused_and_the_first_kept(client, survey):
    person = member()
    url = link(survey, person)
    client.post(url, answers_for(survey, colour=0))
    client.post(url, answers_for(survey, colour=2))
    assert Response.objects.filter(survey=survey).count() == 1
    first = Answer.objects.get(response__survey=survey, question__kind="single")
    assert first.option.text_es == "Rojo"


def test_two_submits_at_once_store_one_response():
    survey = make_survey()
    person = member()
    single = survey.questions.get(kind="single")
    answers = {single.pk: [{"option_id": single.options.first().pk}]}
    services.submit_response(survey_id=survey.pk, user_id=person.pk, answers=answers)
    with pytest.raises(services.SurveyError) as refused:
        services.submit_response(survey_id=survey.pk, user_id=person.pk, answers=answers)
    assert refused.value.message == services.ALREADY_ANSWERED_MESSAGE
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": None}, survey_forms.REQUIRED_MESSAGE),
        ({"scale": "9"}, survey_forms.CHOICE_MESSAGE),
        ({"scale": "x"}, survey_forms.CHOICE_MESSAGE),
        ({"country": "ZZ"}, survey_forms.CHOICE_MESSAGE),
    ],
)
def test_bad_input_is_explained_next_to_the_question_and_nothing_is_saved(
    client, survey, change, message
):
    url = link(survey, member())
    response = client.post(url, answers_for(survey, **change))
    assert response.status_code == 400
    assert str(message) in response.text
    assert 'class="error-summary"' in response.text
    assert not Response.objects.exists()


def test_an_option_of_another_question_is_refused(client, survey):
    url = link(survey, member())
    data = answers_for(survey)
    single = survey.questions.get(kind="single")
    other = survey.questions.get(kind="multiple").options.first()
    data[f"q{single.pk}"] = str(other.pk)
    response = client.post(url, data)
    assert response.status_code == 400
    assert str(survey_forms.CHOICE_MESSAGE) in response.text
    assert not Response.objects.exists()


def test_a_text_too_long_is_refused_with_its_limit(client, survey):
    url = link(survey, member())
    response = client.post(url, answers_for(survey, text="x" * 501))
    assert response.status_code == 400
    assert "500" in response.text
    assert not Response.objects.exists()


def test_the_form_speaks_english_to_an_english_reader(client, survey):
    person = invite(survey, member())
    token = answer_token(survey_id=survey.pk, user_id=person.pk)
    page = client.get(f"/en/surveys/answer/{token}/")
    assert page.status_code == 200
    assert "Colour?" in page.text and "Send my answers" in page.text
    response = client.post(f"/en/surveys/answer/{token}/", answers_for(survey, colour=None))
    assert "Answer this question; it is required." in response.text


def test_a_tampered_link_is_a_bad_request(client, survey):
    url = link(survey, member())
    assert client.get(url[:-3] + "xyz/").status_code == 400
    assert client.post(url[:-3] + "xyz/", answers_for(survey)).status_code == 400
    assert not Response.objects.exists()


def test_someone_signed_in_as_another_person_gets_404_on_a_link(client, survey):
    url = link(survey, member())
    client.force_login(member())
    assert client.get(url).status_code == 404
    assert client.post(url, answers_for(survey)).status_code == 404
    assert not Response.objects.exists()


def test_a_closed_survey_says_so_and_saves_nothing(client, survey):
    survey.closes_at = timezone.now() - dt.timedelta(minutes=1)
    survey.save(update_fields=["closes_at"])
    url = link(survey, member())
    page = client.get(url)
    assert "Esta encuesta no está abierta" in page.text
    client.post(url, answers_for(survey))
    assert not Response.objects.exists()


def test_a_link_of_someone_the_survey_was_not_sent_to_answers_nothing(client, survey):
    # A staff member's test message carries a link too: it answers nothing.
    token = answer_token(survey_id=survey.pk, user_id=member().pk)
    url = reverse("surveys:answer_link", kwargs={"token": token})
    assert client.get(url).status_code == 404
    assert client.post(url, answers_for(survey)).status_code == 404
    assert not Response.objects.exists()


def test_a_deleted_account_link_is_404(client, survey):
    person = member()
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(link(survey, person)).status_code == 404


def test_signed_in_a_member_answers_a_survey_open_to_every_member(client):
    survey = make_survey(open_to_members=True)
    person = member()
    client.force_login(person)
    listing = client.get(reverse("surveys:list"))
    assert survey.title_es in listing.text
    url = reverse("surveys:answer", args=[survey.pk])
    assert client.post(url, answers_for(survey)).status_code == 302
    assert Response.objects.filter(survey=survey, user=person).exists()
    assert "respondida" in client.get(reverse("surveys:list")).text


def test_signed_in_a_member_not_invited_gets_404(client, survey):
    client.force_login(member())
    url = reverse("surveys:answer", args=[survey.pk])
    assert client.get(url).status_code == 404
    assert survey.title_es not in client.get(reverse("surveys:list")).text


def test_the_survey_pages_ask_anonymous_visitors_to_sign_in(client, survey):
    for url in (reverse("surveys:list"), reverse("surveys:answer", args=[survey.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_shows_the_surveys_waiting_and_hides_the_box_once_answered(client):
    """The member dashboard (/me/) points to what is open to them; an answered survey no
    longer counts, and a member with nothing to answer sees no box."""
    census = make_survey(open_to_members=True, title_es="Censo de prueba")
    person = member()
    client.force_login(person)
    html = client.get(reverse("members:me")).content.decode()
    assert "Encuestas por responder: 1." in html and reverse("surveys:list") in html
    Response.objects.create(survey=census, user=person, submitted_at=timezone.now())
    html = client.get(reverse("members:me")).content.decode()
    assert "Encuestas por responder" not in html
