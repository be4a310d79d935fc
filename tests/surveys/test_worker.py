"""A survey sent with the real parts (Redis, a Celery worker process, a loopback SMTP
server), like the announcements' worker tests: each registrant of a Jornada that has ended
gets exactly one invitation with their own link, those who opted out none, and the
periodic task run again sends nothing more."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from announcements.models import Delivery
from surveys import tasks
from surveys.mail_links import read_answer_token
from surveys.models import Survey
from tests.factories import JornadaFactory, subscriber

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_until_sent(survey, recorder, expected, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_rows = Delivery.objects.filter(
            announcement=survey.invitation, status__in=["pending", "sending"]
        ).exists()
        started = survey.invitation.deliveries.exists()
        if started and not open_rows and len(recorder.messages) >= expected:
            break
        time.sleep(0.3)
    time.sleep(1)  # anything extra would arrive now


def test_the_jornada_feedback_reaches_each_registrant_once_with_their_own_link(
    smtp_server, celery_worker_process
):
    ends = timezone.now() - dt.timedelta(hours=3)
    jornada = JornadaFactory(starts_at=ends - dt.timedelta(hours=6), ends_at=ends)
    willing = {subscriber(jornada=jornada, notify_surveys=True) for _ in range(12)}
    unwilling = {subscriber(jornada=jornada, notify_surveys=False) for _ in range(3)}

    assert tasks.send_jornada_feedback_task() == 1  # the beat's run (the send: the worker)
    survey = Survey.objects.get(jornada=jornada)
    wait_until_sent(survey, smtp_server, len(willing))
    assert tasks.send_jornada_feedback_task() == 0  # the next run: nothing more
    time.sleep(2)

    received = {}
    for message in smtp_server.messages:
        (address,) = [a.strip() for a in message["To"].split(",")]
        text = message.get_body(preferencelist=("plain",)).get_content()
        token = text.split("/surveys/answer/", 1)[1].split("/", 1)[0]
        received.setdefault(address, []).append(read_answer_token(token))
    by_email = {user.email: user for user in willing}
    assert set(received) == set(by_email)
    for address, tokens in received.items():
        assert tokens == [(survey.pk, by_email[address].pk)]  # one message, their own link
    assert not set(received) & {user.email for user in unwilling}
    assert "send_announcement_batch_task" in celery_worker_process.read_log()
