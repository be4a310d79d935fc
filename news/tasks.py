"""Asynchronous work of news: the periodic digest (Celery beat, hourly; once per period)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import digest


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def prepare_digests_task():
    """Write the weekly and the monthly digest of the period that last ended, if not yet
    written (DigestRun is unique per frequency and period: running twice sends nothing twice)."""
    written = []
    for frequency in digest.DigestRun.Frequency.values:
        run = digest.prepare_digest(frequency=frequency)
        if run is not None:
            written.append(run.pk)
    return written
