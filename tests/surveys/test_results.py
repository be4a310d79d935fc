"""Results are read only as aggregates through the one disclosure rule, by IME staff: small
groups suppressed (secondary suppression included), free text without names and only from
five answers, never in a CSV; nobody else sees them."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from figures import survey_pages
from figures.disclosure import RESERVED, SMALL
from surveys import services
from surveys.figures import survey_aggregates
from tests.factories import member

from .conftest import make_survey

pytestmark = pytest.mark.django_db


def answer(survey, *, colour, scale=4, text=""):
    questions = {q.kind: q for q in survey.questions.prefetch_related("options")}
    options = list(questions["single"].options.all())
    answers = {
        questions["single"].pk: [{"option_id": options[colour].pk}],
        questions["scale5"].pk: [{"number": scale}],
    }
    if text:
        answers[questions["text"].pk] = [{"text": text}]
    services.submit_response(survey_id=survey.pk, user_id=member().pk, answers=answers)


def cells(figure):
    return {row[0]: row[1] for row in figure.rows}


def test_a_small_group_is_suppressed_and_cannot_be_worked_out_from_the_total():
    survey = make_survey()
    for colour, n in ((0, 6), (1, 6), (2, 2)):  # 14 answers: Rojo 6, Verde 6, Azul 2
        for _ in range(n):
            answer(survey, colour=colour)
    results = survey_pages.survey_results(survey_aggregates(survey, with_texts=False))
    colours = cells(next(f for f in results["figures"] if f.title == "¿Color?"))

    assert colours["Azul"] == SMALL
    # 14 - 6 - 6 = 2: with the total shown, both large groups are reserved too.
    assert colours["Rojo"] == RESERVED and colours["Verde"] == RESERVED
    assert str(results["respondents"]) == "14"


def test_large_groups_are_shown_exactly():
    survey = make_survey()
    for colour, n in ((0, 5), (1, 7)):
        for _ in range(n):
            answer(survey, colour=colour)
    results = survey_pages.survey_results(survey_aggregates(survey, with_texts=False))
    colours = cells(next(f for f in results["figures"] if f.title == "¿Color?"))
    assert colours == {"Rojo": "5", "Verde": "7", "Azul": "0"}


def test_a_question_answered_by_fewer_than_five_shows_no_breakdown():
    survey = make_survey()
    for colour in (0, 1, 1):
        answer(survey, colour=colour)
    results = survey_pages.survey_results(survey_aggregates(survey, with_texts=False))
    figure = next(f for f in results["figures"] if f.title == "¿Color?")
    assert figure.withheld and figure.rows == []
    assert str(results["respondents"]) == SMALL


def test_staff_read_the_aggregates_and_the_free_text_without_names(client, ime_staff):
    survey = make_survey()
    for n, colour in enumerate([0, 0, 0, 0, 0, 1]):
        answer(survey, colour=colour, text=f"Idea número {n}")
    people = list(survey.responses.values_list("user__email", flat=True))
    client.force_login(ime_staff)
    page = client.get(reverse("figures_survey", args=[survey.pk]))
    assert page.status_code == 200
    assert "Idea número 3" in page.text
    assert escape(SMALL) in page.text
    for email in people:
        assert email not in page.text


def test_free_text_of_fewer_than_five_answers_is_withheld_even_from_staff(client, ime_staff):
    survey = make_survey()
    for n in range(4):
        answer(survey, colour=0, text=f"Secreto {n}")
    client.force_login(ime_staff)
    page = client.get(reverse("figures_survey", args=[survey.pk]))
    assert "Secreto" not in page.text
    assert str(survey_pages.TEXTS_WITHHELD) in page.text


def test_the_csv_holds_the_same_suppressed_cells_and_no_free_text(client, ime_staff):
    survey = make_survey()
    for colour, n in ((0, 6), (1, 6), (2, 2)):
        for _ in range(n):
            answer(survey, colour=colour, text="Texto libre")
    single = survey.questions.get(kind="single")
    client.force_login(ime_staff)
    response = client.get(
        reverse("figures_survey_csv", kwargs={"pk": survey.pk, "slug": f"question-{single.pk}"})
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [["Rojo", RESERVED], ["Verde", RESERVED], ["Azul", SMALL]]
    assert "Texto libre" not in response.content.decode("utf-8-sig")
    text_q = survey.questions.get(kind="text")
    missing = client.get(
        reverse("figures_survey_csv", kwargs={"pk": survey.pk, "slug": f"question-{text_q.pk}"})
    )
    assert missing.status_code == 404


def test_members_and_visitors_never_see_results(client):
    survey = make_survey()
    url = reverse("figures_survey", args=[survey.pk])
    assert client.get(url).status_code == 302
    client.force_login(member())
    assert client.get(url).status_code == 403


def test_the_feedback_template_has_no_results_page(client, ime_staff):
    template = services.ensure_feedback_template()
    client.force_login(ime_staff)
    assert client.get(reverse("figures_survey", args=[template.pk])).status_code == 404
