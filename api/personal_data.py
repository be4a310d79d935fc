"""What the api holds about a member: the webhook deliveries that named them (the event,
the partner, when it was sent; the payload is what the partner received). Part of the data
download; erased with the account (api.services.forget_member). Called by members' services
through the `<app>.personal_data` hook."""

from members.services.merging import MergeRule, move_rows

from .models import PartnerApplication, WebhookDelivery
from .services import forget_member


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """Every webhook delivery about the member: to which partner, which event, its status."""
    deliveries = (
        WebhookDelivery.objects.filter(member=user)
        .select_related("partner")
        .order_by("created_at", "pk")
    )
    return {
        "webhook_deliveries": [
            {
                "partner": delivery.partner.name,
                "event": delivery.event,
                "status": delivery.status,
                "created_at": _iso(delivery.created_at),
                "sent_at": _iso(delivery.sent_at),
                "payload": delivery.payload,
            }
            for delivery in deliveries
        ]
    }


def erase(user) -> None:
    """Account cancellation: nothing more about them is sent; the stored payloads go."""
    forget_member(user=user)


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): the record of what was sent about the
    closing account, and the partner applications it registered as staff, move to the kept
    account."""
    return move_rows(
        [MergeRule(WebhookDelivery, "member"), MergeRule(PartnerApplication, "created_by")],
        kept=kept,
        merged=merged,
    )
