"""Periodic work of the figures app (the beat entry lives in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from .services import refresh_figures

QUEUED_KEY = "figures:refresh-queued"


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_figures_task():
    """Recompute the network's figures into a new snapshot.

    Safe to run twice: each run only adds a newer snapshot (older ones are pruned).
    """
    snapshot = refresh_figures()
    return snapshot.pk


def queue_refresh():
    """Ask a worker for a new snapshot, at most once per refresh interval however many
    visitors find the figures missing or late (the mark lives in the shared cache)."""
    if caches["answers"].add(QUEUED_KEY, True, settings.FIGURES_REFRESH_SECONDS):
        transaction.on_commit(refresh_figures_task.delay)
