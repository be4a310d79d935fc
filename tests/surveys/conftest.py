"""Fixtures of the surveys tests: IME staff and a member (the chapters tests' own), and a
small open survey with one question of each kind."""

import datetime as dt

import pytest
from django.utils import timezone

from announcements.models import Announcement, Delivery
from surveys.models import Option, Question, Survey
from tests.chapters.conftest import a_member, ime_staff  # noqa: F401 - fixtures, found by name


def make_survey(*, open_to_members=False, days_open=7, **fields):
    """An open survey: a required single choice (three options), a required 1-5 scale, an
    optional multiple choice, an optional short text and an optional country."""
    now = timezone.now()
    survey = Survey.objects.create(
        title_es=fields.pop("title_es", "Encuesta de prueba"),
        title_en=fields.pop("title_en", "Test survey"),
        intro_es="Unas preguntas.",
        intro_en="A few questions.",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=days_open),
        open_to_members=open_to_members,
        **fields,
    )
    single = Question.objects.create(
        survey=survey, position=0, kind="single", text_es="¿Color?", text_en="Colour?"
    )
    for n, (es, en) in enumerate([("Rojo", "Red"), ("Verde", "Green"), ("Azul", "Blue")]):
        Option.objects.create(question=single, position=n, text_es=es, text_en=en)
    Question.objects.create(
        survey=survey, position=1, kind="scale5", text_es="¿Qué tan útil?", text_en="How useful?"
    )
    multiple = Question.objects.create(
        survey=survey,
        position=2,
        kind="multiple",
        text_es="¿Qué te gustó?",
        text_en="What did you like?",
        required=False,
    )
    for n, (es, en) in enumerate([("Charlas", "Talks"), ("Gente", "People")]):
        Option.objects.create(question=multiple, position=n, text_es=es, text_en=en)
    Question.objects.create(
        survey=survey,
        position=3,
        kind="text",
        text_es="¿Qué mejorarías?",
        text_en="What would you improve?",
        required=False,
    )
    Question.objects.create(
        survey=survey,
        position=4,
        kind="country",
        text_es="¿Dónde vives?",
        text_en="Where do you live?",
        required=False,
    )
    return survey


def answers_for(survey, *, colour=0, scale="4", liked=(), text="", country=""):
    """POST data for `survey` (make_survey's questions): option indexes, values."""
    questions = list(survey.questions.prefetch_related("options"))
    single, scale_q, multiple, text_q, country_q = questions
    options = list(single.options.all())
    liked_options = list(multiple.options.all())
    data = {
        f"q{single.pk}": str(options[colour].pk) if colour is not None else "",
        f"q{scale_q.pk}": scale,
        f"q{text_q.pk}": text,
        f"q{country_q.pk}": country,
    }
    if liked:
        data[f"q{multiple.pk}"] = [str(liked_options[i].pk) for i in liked]
    return data


def invite(survey, user):
    """Record `user` as a recipient of the survey's invitation (a sent delivery)."""
    if survey.invitation_id is None:
        survey.invitation = Announcement.objects.create(
            kind="survey", subject_es="Encuesta", subject_en="Survey", body_es=".", body_en="."
        )
        survey.save(update_fields=["invitation"])
    Delivery.objects.get_or_create(
        announcement=survey.invitation, user=user, defaults={"status": "sent"}
    )
    return user


@pytest.fixture
def survey():
    return make_survey()
