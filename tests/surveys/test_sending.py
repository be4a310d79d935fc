"""Sending a survey is sending an announcement: the same audiences, the same outbox (one
message per person, the opt-in read at send time, one-click unsubscribe), each message
with its recipient's own link. The Jornada feedback survey goes out by itself, once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements import audiences
from announcements import services as announcement_services
from announcements.mail import build_message
from announcements.models import Announcement, Delivery
from surveys import services, tasks
from surveys.mail_links import read_answer_token
from surveys.models import Survey
from tests.factories import JornadaFactory, RegistrationFactory, member, subscriber

from .conftest import make_survey

pytestmark = pytest.mark.django_db


def ended_jornada(hours_ago=2):
    ends = timezone.now() - dt.timedelta(hours=hours_ago)
    return JornadaFactory(starts_at=ends - dt.timedelta(hours=8), ends_at=ends)


def test_the_invitation_is_an_announcement_targeted_with_the_same_audiences(ime_staff):
    jornada = JornadaFactory()
    willing = subscriber(jornada=jornada, notify_surveys=True)
    subscriber(jornada=jornada, notify_surveys=False)
    survey = make_survey()

    announcement = services.prepare_invitation(survey_id=survey.pk, by=ime_staff)
    announcement.audience_jornadas.set([jornada])

    assert announcement.kind == Announcement.Kind.SURVEY
    assert list(audiences.recipient_ids(announcement)) == [willing.pk]
    # Prepared once: asking again opens the same draft.
    assert services.prepare_invitation(survey_id=survey.pk, by=ime_staff) == announcement


def test_each_message_carries_its_recipients_own_link_and_the_unsubscribe(ime_staff):
    survey = make_survey()
    announcement = services.prepare_invitation(survey_id=survey.pk, by=ime_staff)
    person = member(notify_surveys=True)

    message = build_message(announcement, person, delivery_id=1)

    text = message.body
    path = reverse("surveys:answer_link", kwargs={"token": "X"}).rsplit("X", 1)[0]
    start = text.index(path)
    url = text[start:].split()[0]
    token = url[len(path) :].strip("/")
    assert read_answer_token(token) == (survey.pk, person.pk)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_other_announcements_carry_no_personal_link():
    from tests.factories import AnnouncementFactory

    message = build_message(AnnouncementFactory(), member())
    assert "enlace personal" not in message.body


def test_unsubscribing_from_a_survey_invitation_turns_the_survey_opt_in_off(ime_staff):
    person = member(notify_surveys=True)
    assert announcement_services.unsubscribe(user_id=person.pk, kind="survey")
    person.profile.refresh_from_db()
    assert person.profile.notify_surveys is False


def test_the_feedback_survey_goes_to_a_jornadas_registrants_once(
    django_capture_on_commit_callbacks,
):
    jornada = ended_jornada()
    registrants = [subscriber(jornada=jornada, notify_surveys=True) for _ in range(3)]
    subscriber(jornada=jornada, notify_surveys=False)
    RegistrationFactory(jornada=jornada, status="cancelled", user=member(notify_surveys=True))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_jornada_feedback_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_jornada_feedback_task() == 0  # the second run: nothing more

    survey = Survey.objects.get(jornada=jornada)
    assert survey.kind == Survey.Kind.JORNADA_FEEDBACK
    assert survey.is_open(timezone.now())
    assert survey.questions.count() == len(services.FEEDBACK_QUESTIONS)
    sent = Delivery.objects.filter(announcement=survey.invitation, status="sent")
    assert sorted(sent.values_list("user_id", flat=True)) == sorted(r.pk for r in registrants)
    assert Announcement.objects.filter(kind="survey").count() == 1


def test_a_jornada_not_yet_over_or_long_over_gets_no_feedback_survey():
    JornadaFactory()  # a month from now
    ended_jornada(hours_ago=24 * 30)
    assert tasks.send_jornada_feedback_task() == 0
    assert not Survey.objects.filter(jornada__isnull=False).exists()


def test_the_feedback_survey_copies_the_template_as_ime_edited_it():
    template = services.ensure_feedback_template()
    template.title_es = "¿Cómo te fue?"
    template.save(update_fields=["title_es"])
    question = template.questions.first()
    question.text_es = "Pregunta editada por el IME"
    question.save(update_fields=["text_es"])
    jornada = ended_jornada()

    survey = services.send_jornada_feedback(jornada_id=jornada.pk)

    assert survey.title_es.startswith("¿Cómo te fue?")
    assert survey.questions.filter(text_es="Pregunta editada por el IME").exists()
    assert Survey.objects.filter(is_template=True).count() == 1
