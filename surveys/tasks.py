"""Periodic work of the surveys app (the beat entry lives in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_jornada_feedback_task():
    """Send the feedback survey of every Jornada that has just ended.

    Safe to run twice, or twice at once: one survey per Jornada (a unique constraint, and
    the Jornada's row locked while its survey is written), so nobody is asked twice."""
    now = timezone.now()
    sent = 0
    for jornada_id in services.jornadas_due_feedback(now).values_list("pk", flat=True)[:100]:
        if services.send_jornada_feedback(jornada_id=jornada_id, now=now) is not None:
            sent += 1
    return sent
