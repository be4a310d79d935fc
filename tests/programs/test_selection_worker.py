"""Selection notices go through a real Celery worker to a real SMTP server, once each."""

import time
from decimal import Decimal

import pytest
from django.db import transaction

from programs.services import select_for_next_stage
from programs.tasks import send_selection_notices_task
from tests.factories import participant, program_with_stages

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_selection_notices_are_sent_by_the_worker_once_each(smtp_server, celery_worker_process):
    _program, stage1, _stage2 = program_with_stages(seats=2)
    people = [
        participant(stage1, score=Decimal(70 + n), completed=True, certified=True) for n in range(4)
    ]
    with transaction.atomic():
        outcome = select_for_next_stage(stage=stage1, count=2, waitlist=1)
    messages = smtp_server.wait_for(4, timeout=60)
    assert sorted(m["To"] for m in messages) == sorted(e.application.user.email for e in people)
    assert "send_selection_notices_task" in celery_worker_process.read_log()

    # A redelivered or repeated task sends nothing more.
    send_selection_notices_task.delay(selection_id=outcome.selection.pk)
    deadline = time.monotonic() + 30
    log = celery_worker_process.read_log()
    while log.count("send_selection_notices_task") < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
        log = celery_worker_process.read_log()
    time.sleep(1)
    assert len(smtp_server.messages) == 4
