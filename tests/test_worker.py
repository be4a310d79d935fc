"""A real Celery worker process on Redis delivers transactional mail to a real SMTP server."""

import time

import pytest
from django.db import transaction

from members.services import queue_transactional_email

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.slow
def test_transactional_email_is_sent_by_a_real_worker_after_commit(
    smtp_server, celery_worker_process
):
    with transaction.atomic():
        queue_transactional_email(
            to=["persona@example.org"], subject="Código de verificación", body="Tu código: 123456"
        )
    messages = smtp_server.wait_for(1, timeout=30)
    assert len(messages) == 1
    assert messages[0]["To"] == "persona@example.org"
    assert messages[0]["Subject"] == "Código de verificación"
    assert messages[0]["List-Unsubscribe"] is None
    assert "send_transactional_email_task" in celery_worker_process.read_log()


@pytest.mark.slow
def test_a_rolled_back_transaction_enqueues_nothing(smtp_server, celery_worker_process):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        queue_transactional_email(to=["nadie@example.org"], subject="No", body="No")
        raise Rollback
    queue_transactional_email(to=["alguien@example.org"], subject="Sí", body="Sí")
    # One worker takes the queue in order: had the rolled-back message been enqueued (first),
    # it would have arrived before this one. A short grace period catches a late one too.
    smtp_server.wait_for(1, timeout=30)
    time.sleep(1)
    assert [m["To"] for m in smtp_server.messages] == ["alguien@example.org"]


def test_transactional_mail_has_its_own_queue_apart_from_announcements():
    """SECURITY.md E9: a verification code never waits behind a large announcement."""
    from django.conf import settings

    from talentnet.celery import app

    def queue_of(task_name):
        return app.amqp.router.route({}, task_name)["queue"].name

    transactional = queue_of("members.tasks.send_transactional_email_task")
    assert transactional == settings.CELERY_TRANSACTIONAL_QUEUE
    for announcement_task in (
        "announcements.tasks.create_deliveries_task",
        "announcements.tasks.send_announcement_batch_task",
        "announcements.tasks.dispatch_pending_announcements_task",
    ):
        assert queue_of(announcement_task) == settings.CELERY_TASK_DEFAULT_QUEUE
    assert transactional != settings.CELERY_TASK_DEFAULT_QUEUE
    # The worker of `make worker` and of docker-compose consumes both.
    assert "-Q transactional,default" in (settings.BASE_DIR / "Makefile").read_text()
