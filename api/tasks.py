"""Webhook deliveries: one attempt per task, the dispatcher for what is due (retries,
deliveries whose enqueue was lost)."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import WebhookDelivery

DISPATCH_BATCH = 500


@shared_task
def send_webhook_task(*, delivery_id: int):
    """One attempt of one delivery (nothing if it is gone, sent or not yet due)."""
    return services.send_delivery(delivery_id=delivery_id)


@shared_task
def dispatch_webhooks_task():
    """Enqueue the deliveries whose attempt is due, a bounded batch per run."""
    ids = list(
        WebhookDelivery.objects.due(timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    services.enqueue_deliveries(delivery_ids=ids)
    return len(ids)
