"""Asynchronous work of announcements: the fan-out of the outbox and its dispatcher.

Tasks take ids, load the rows, return when the work is gone or done, and call a service
(announcements.delivery). Every one is safe to run twice: deliveries are written with
ON CONFLICT DO NOTHING on their unique (announcement, recipient) and claimed with a
conditional update. acks_late, reject_on_worker_lost, prefetch 1 and time limits below
the broker's visibility timeout come from settings (SECURITY.md E5).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import delivery
from .delivery import TRANSIENT_BATCH_ERRORS, TRANSIENT_SMTP_ERRORS


@shared_task(
    autoretry_for=TRANSIENT_BATCH_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,  # far below the visibility timeout (no longer countdown)
    retry_jitter=True,
    max_retries=5,
)
def send_announcement_batch_task(announcement_id, first_id, last_id):
    """Send one batch of an announcement's deliveries (ids first_id..last_id)."""
    return delivery.send_batch(announcement_id=announcement_id, first_id=first_id, last_id=last_id)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def create_deliveries_task(announcement_id):
    """Write the deliveries of a sending announcement, batch by batch, enqueueing the
    sending of each batch as it is written (returns at once when cancelled or done)."""
    return delivery.create_deliveries(announcement_id=announcement_id)


@shared_task
def dispatch_pending_announcements_task():
    """Celery beat: start due scheduled sends and re-enqueue pending or stuck deliveries."""
    return delivery.dispatch_pending()


@shared_task(
    autoretry_for=TRANSIENT_SMTP_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def send_test_announcement_task(announcement_id, to_user_id):
    """Send a test of an announcement to the staff member who asked for it."""
    delivery.send_test(announcement_id=announcement_id, to_user_id=to_user_id)


@shared_task
def purge_unanswered_invitations_task():
    """Celery beat, daily: delete invitations unanswered after INVITATION_RETENTION_DAYS,
    with their data (idempotent)."""
    from .invitations import purge_unanswered_invitations

    return purge_unanswered_invitations()
