"""A real Celery worker process on Redis delivers transactional mail to a real SMTP server."""

import pytest
from django.db import transaction

from members.services import queue_transactional_email

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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


def test_a_rolled_back_transaction_enqueues_nothing(smtp_server, celery_worker_process):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        queue_transactional_email(to=["nadie@example.org"], subject="No", body="No")
        raise Rollback
    queue_transactional_email(to=["alguien@example.org"], subject="Sí", body="Sí")
    messages = smtp_server.wait_for(2, timeout=10)
    assert [m["To"] for m in messages] == ["alguien@example.org"]
