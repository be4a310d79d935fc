"""Asynchronous work of the programs app: ids in, a service does the work."""

from celery import shared_task

from .services import send_selection_notices


@shared_task
def send_selection_notices_task(*, selection_id):
    """Tell everyone ranked in a selection their outcome (idempotent: claims per person)."""
    return send_selection_notices(selection_id=selection_id)
