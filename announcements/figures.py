"""The announcements app's aggregates for the network's figures (composed by the figures
app, which announcements never imports): sent, failed and unsubscribes per announcement."""

from django.db.models import Count, Q

from .models import Announcement, Delivery

ANNOUNCEMENTS_SHOWN = 50


def announcement_aggregates() -> dict:
    """Sent, failed and unsubscribes (through that message's link) of the latest ones."""
    latest = list(
        Announcement.objects.order_by("-pk").values_list("pk", "subject_es")[:ANNOUNCEMENTS_SHOWN]
    )
    counts = {
        row["announcement_id"]: row
        for row in Delivery.objects.filter(announcement_id__in=[pk for pk, _s in latest])
        .order_by()
        .values("announcement_id")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        )
    }
    rows = []
    for pk, subject in latest:
        row = counts.get(pk, {})
        rows.append(
            {
                "id": pk,
                "label": subject,
                "sent": row.get("sent", 0),
                "failed": row.get("failed", 0),
                "unsubscribes": row.get("unsubscribes", 0),
            }
        )
    return {"list": rows}
