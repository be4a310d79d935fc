"""Asynchronous work of the chapters app: the Jornada reminders (sent through the
announcements app's outbox, announcements.tasks)."""

from celery import shared_task

from . import services


@shared_task
def send_jornada_reminders_task():
    """Celery beat: remind registrants 24 hours before a Jornada (once per Jornada)."""
    return services.send_jornada_reminders()
