"""Periodic work of the figures app (the beat entry lives in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services import refresh_figures


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_figures_task():
    """Recompute the network's figures into a new snapshot.

    Safe to run twice: each run only adds a newer snapshot (older ones are pruned).
    """
    snapshot = refresh_figures()
    return snapshot.pk
