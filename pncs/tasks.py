"""Asynchronous work of the pncs app: exports too large for a request, and their sweeper.

Tasks take ids, load the rows, return when the work is gone or done, and call a service
(pncs.exports). An export is claimed with a conditional update (queued → running), so a
task delivered twice writes it once. acks_late, reject_on_worker_lost, prefetch 1 and time
limits below the broker's visibility timeout come from settings (SECURITY.md E5).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import exports


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,  # far below the visibility timeout (no longer countdown)
    retry_jitter=True,
    max_retries=3,
)
def write_export_task(export_id):
    """Write one queued export into the exports storage and tell the coordinator."""
    return exports.write_export(export_id=export_id)


@shared_task
def sweep_exports_task():
    """Celery beat: delete expired exports' files, requeue stuck ones, enqueue waiting ones."""
    return exports.sweep_exports()
