"""Decisions and registrations are emailed by a real Celery worker, after commit."""

import pytest

from chapters import services
from tests.factories import ChapterFactory, JornadaFactory, OfficerFactory, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_membership_decision_and_waitlist_promotion_reach_the_member_through_the_worker(
    smtp_server, celery_worker_process
):
    chapter = ChapterFactory(name="Houston", slug="houston")
    officer = OfficerFactory(chapter=chapter).user
    english = member()
    english.preferred_language = "en"
    english.save(update_fields=["preferred_language"])

    membership = services.request_membership(chapter=chapter, user=english)
    services.decide_membership(membership_id=membership.pk, decided_by=officer, approve=True)
    messages = smtp_server.wait_for(1, timeout=30)
    assert [(m["To"], m["Subject"]) for m in messages] == [
        (english.email, "Your chapter request was approved")
    ]

    jornada = JornadaFactory(capacity=1)
    first = member()
    services.register_for_jornada(jornada_id=jornada.pk, user=first)
    services.register_for_jornada(jornada_id=jornada.pk, user=english)
    services.cancel_registration(jornada_id=jornada.pk, user=first)
    messages = smtp_server.wait_for(4, timeout=30)
    subjects = {(m["To"], str(m["Subject"])) for m in messages[1:]}
    assert subjects == {
        (first.email, "Registro confirmado"),
        (english.email, "You are on the waitlist"),
        (english.email, "A place opened up: your registration is confirmed"),
    }
    assert "send_transactional_email_task" in celery_worker_process.read_log()
