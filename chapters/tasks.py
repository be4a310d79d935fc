"""Asynchronous work of the chapters app: the Jornada reminders (sent through the
announcements app's outbox, announcements.tasks)."""

from celery import shared_task

from . import services


@shared_task
def send_jornada_reminders_task():
    """Celery beat: remind registrants 24 hours before a Jornada (once per Jornada)."""
    return services.send_jornada_reminders()


@shared_task
def send_officer_term_alerts_task():
    """Celery beat, daily: tell officers (and their president) 30 and 7 days before their
    term ends (once per officer and threshold)."""
    return services.send_term_alerts()


@shared_task
def purge_travel_needs_task():
    """Celery beat, daily: delete the travel needs of Jornadas that have ended (idempotent)."""
    return services.purge_travel_needs()
