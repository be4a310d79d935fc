"""The yearly diaspora census feeds the public figures through the disclosure rule; a
member's answers are in their data download and go with their account."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from figures.disclosure import SMALL
from figures.services import refresh_figures
from members.services import delete_account, export_member_data
from surveys import services
from surveys.models import Answer, Question, Response
from tests.factories import member

from .conftest import answers_for, make_survey

pytestmark = pytest.mark.django_db


def census_answers(census, *, country, city, sector, education, contribute):
    questions = {q.census_field: q for q in census.questions.prefetch_related("options")}

    def option(field, code):
        return questions[field].options.get(code=code).pk

    field = Question.CensusField
    return {
        questions[field.COUNTRY].pk: [{"country": country}],
        questions[field.CITY].pk: [{"text": city}],
        questions[field.SECTOR].pk: [{"option_id": option(field.SECTOR, sector)}],
        questions[field.EDUCATION].pk: [{"option_id": option(field.EDUCATION, education)}],
        questions[field.CONTRIBUTE].pk: [{"option_id": option(field.CONTRIBUTE, contribute)}],
    }


def test_the_census_asks_the_five_questions_once_a_year():
    year = timezone.now().year
    census = services.create_census(year=year)
    assert set(
        census.questions.exclude(census_field="").values_list("census_field", flat=True)
    ) == set(Question.CensusField.values)
    assert census.open_to_members and census.is_open(timezone.now())
    with pytest.raises(services.SurveyError):
        services.create_census(year=year)


def test_the_census_updates_the_public_figures_with_small_groups_hidden(client):
    census = services.create_census(year=timezone.now().year)
    # 20 people: Canada 10, United States 8, Germany 2.
    for n in range(20):
        answers = census_answers(
            census,
            country="CA" if n < 10 else "US" if n < 18 else "DE",
            city=" toronto " if n % 2 else "Toronto",
            sector="tic",
            education="doctorado",
            contribute="yes" if n < 15 else "maybe",
        )
        services.submit_response(survey_id=census.pk, user_id=member().pk, answers=answers)

    refresh_figures()
    page = client.get(reverse("figures"))

    assert page.status_code == 200
    assert f"Censo de la diáspora {census.census_year}" in page.text
    html = page.text
    section = html[html.index('id="census-title"') :]
    assert "Toronto" in section  # "toronto" and " Toronto " count as one city
    assert escape(SMALL) in section  # Germany (2) is hidden
    assert "Alemania" in section
    csv_response = client.get(reverse("figures_csv", kwargs={"slug": "census-countries"}))
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert ["Alemania", SMALL] in rows and ["Canadá", "10"] in rows
    assert ["Estados Unidos", "≥5"] in rows  # else 20 - 10 - 8 would give Germany away


def test_the_public_figures_without_a_census_show_no_census_section(client):
    refresh_figures()
    assert "census-title" not in client.get(reverse("figures")).text


def test_a_census_for_a_year_already_over_is_refused():
    with pytest.raises(services.SurveyError):
        services.create_census(year=2001)


def test_a_members_answers_are_in_their_data_download(client):
    survey = make_survey(open_to_members=True)
    person = member()
    client.force_login(person)
    client.post(
        reverse("surveys:answer", args=[survey.pk]),
        answers_for(survey, text="Mi propia idea", country="CA"),
    )
    exported = export_member_data(user=person)["surveys"]["survey_responses"]
    assert exported[0]["survey"] == survey.title_es
    answers = {row["question"]: row["answer"] for row in exported[0]["answers"]}
    assert answers["¿Qué mejorarías?"] == "Mi propia idea"
    assert answers["¿Color?"] == "Rojo"
    assert answers["¿Dónde vives?"] == "CA"


def test_a_members_answers_are_deleted_with_their_account():
    survey = make_survey()
    person, other = member(), member()
    single = survey.questions.get(kind="single")
    chosen = {single.pk: [{"option_id": single.options.first().pk}]}
    services.submit_response(survey_id=survey.pk, user_id=person.pk, answers=chosen)
    services.submit_response(survey_id=survey.pk, user_id=other.pk, answers=chosen)

    delete_account(user=person)

    assert not Response.objects.filter(user=person).exists()
    assert Response.objects.filter(user=other).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 1


def test_the_template_is_created_once_and_never_open():
    first = services.ensure_feedback_template()
    assert services.ensure_feedback_template() == first
    assert not first.is_open(timezone.now() + dt.timedelta(hours=1))
