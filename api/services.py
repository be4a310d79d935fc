"""State changes of the api app: partner applications (register, revoke), the webhook
outbox (record an event, send one delivery, replay) and the audit of partners' calls.
Each service owns its transaction."""

import datetime
import json
import logging

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from members.models import ProfileView
from members.services import daily_read_cap

from . import destinations, signing
from .models import PartnerApplication, PartnerAudit, WebhookDelivery

logger = logging.getLogger(__name__)

# How long a claimed delivery is left to its worker before the dispatcher may send it again.
CLAIM_SECONDS = 120


def register_partner(*, partner: PartnerApplication, by) -> str:
    """Save a new partner application with its OAuth 2.0 client (confidential, client
    credentials only). Returns the client secret, shown once: only its hash is stored."""
    secret = generate_client_secret()
    with transaction.atomic():
        partner.oauth_application = Application.objects.create(
            name=partner.name[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=True,
        )
        partner.created_by = by
        partner.save()
    return secret


def revoke_partner(*, partner_id: int) -> bool:
    """Revoke a partner application: its tokens stop working at once and it can obtain no
    new one (its client secret is replaced by one nobody knows). False if it was revoked."""
    with transaction.atomic():
        updated = PartnerApplication.objects.filter(pk=partner_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            return False
        partner = PartnerApplication.objects.select_related("oauth_application").get(pk=partner_id)
        application = partner.oauth_application
        AccessToken.objects.filter(application=application).delete()
        application.client_secret = generate_client_secret()
        application.save(update_fields=["client_secret"])
        WebhookDelivery.objects.filter(
            partner_id=partner_id,
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        ).update(status=WebhookDelivery.Status.FAILED, last_error="revoked", next_attempt_at=None)
    return True


def audit(*, partner: PartnerApplication, action: str, target: str, rows: int, accepted: bool):
    """One audit row of a partner's call (no personal data: what, on what, how many)."""
    return PartnerAudit.objects.create(
        partner=partner, action=action, target=target[:200], row_count=rows, accepted=accepted
    )


def within_daily_member_cap(*, partner: PartnerApplication, rows: int) -> bool:
    """Whether `partner` may read `rows` more members today: the coordinators' daily cap of
    member pages (members.services.daily_read_cap), counted per application over the rows
    its audited reads returned today."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    read = (
        PartnerAudit.objects.filter(
            partner=partner,
            action=PartnerAudit.Action.MEMBERS_READ,
            accepted=True,
            created_at__gte=today,
        ).aggregate(total=Sum("row_count"))["total"]
        or 0
    )
    return read + rows <= daily_read_cap(ProfileView.Kind.PNCS_MEMBER)


# --- The webhook outbox -------------------------------------------------------------------


def record_event(*, event: str, partners, data: dict, member_id: int | None = None) -> list[int]:
    """Write one delivery per partner of `partners` (already filtered by subscription and
    reach) for `event`, in the caller's transaction, and enqueue them after commit."""
    payload = {
        "type": str(event),
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            partner=partner,
            event=event,
            payload=payload,
            member_id=member_id,
            next_attempt_at=now,
        )
        for partner in partners
    )
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids=ids))
    return ids


def enqueue_deliveries(*, delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers. A broker outage loses nothing: the rows stay due and
    the dispatcher (api.tasks.dispatch_webhooks_task) enqueues them again."""
    from kombu.exceptions import OperationalError as KombuOperationalError

    from .tasks import send_webhook_task

    for delivery_id in delivery_ids:
        try:
            send_webhook_task.delay(delivery_id=delivery_id)
        except KombuOperationalError:
            logger.warning("webhook delivery %s left for the dispatcher", delivery_id)
            return


def _retry_delays() -> list[int]:
    return list(settings.API_WEBHOOK_RETRY_DELAYS)


def send_delivery(*, delivery_id: int, now=None) -> str | None:
    """One attempt of one delivery, if it is due: claim it, check the member still exists,
    sign, POST, record the answer and schedule the next attempt (or give up after the last
    one). Returns the new status, or None if there was nothing to do (safe to run twice)."""
    now = now or timezone.now()
    claimed = (
        WebhookDelivery.objects.due(now)
        .filter(pk=delivery_id)
        .update(next_attempt_at=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("partner", "member").get(pk=delivery_id)
    partner = delivery.partner
    if delivery.member_id is not None and delivery.member.deleted_at is not None:
        # The member deleted their account: their data is never sent after that.
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.WITHHELD, payload={}, next_attempt_at=None
        )
        return WebhookDelivery.Status.WITHHELD
    if not partner.is_active or not partner.webhook_url:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.FAILED, last_error="revoked", next_attempt_at=None
        )
        return WebhookDelivery.Status.FAILED
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signing.headers(
        secret=partner.webhook_secret,
        message_id=delivery.message_id,
        timestamp=int(now.timestamp()),
        body=body,
    )
    status_code, error = None, ""
    try:
        destinations.check_destination(partner.webhook_url)
        response = requests.post(
            partner.webhook_url,
            data=body,
            headers=headers,
            timeout=settings.API_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = type(exc).__name__
    except destinations.BlockedDestination as exc:
        error = f"blocked: {exc}"
    attempts = delivery.attempts + 1
    fields = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_status": status_code,
        "last_error": error[:300],
    }
    if not error:
        fields |= {"status": WebhookDelivery.Status.SENT, "sent_at": now, "next_attempt_at": None}
    else:
        delays = _retry_delays()
        if attempts < len(delays):
            fields |= {
                "status": WebhookDelivery.Status.RETRYING,
                "next_attempt_at": now + datetime.timedelta(seconds=delays[attempts]),
            }
        else:
            fields |= {"status": WebhookDelivery.Status.FAILED, "next_attempt_at": None}
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    return fields["status"]


def replay_deliveries(*, delivery_ids: list[int]) -> int:
    """Send deliveries again by hand (IME staff, in the admin): same message id, a fresh
    series of attempts. Withheld ones (a deleted member's) stay withheld."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(pk__in=delivery_ids, partner__revoked_at__isnull=True)
            .exclude(status=WebhookDelivery.Status.WITHHELD)
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now
        )
        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids=ids))
    return len(ids)


def forget_member(*, user) -> None:
    """Account deletion: deliveries about the member not yet sent are withheld and every
    payload about them blanked (api.personal_data)."""
    WebhookDelivery.objects.filter(member=user).exclude(status=WebhookDelivery.Status.SENT).update(
        status=WebhookDelivery.Status.WITHHELD, next_attempt_at=None
    )
    WebhookDelivery.objects.filter(member=user).update(payload={})


def partners_for(event: str, **reach):
    """Active partners subscribed to `event` whose reach (program, chapter or sector id)
    matches `reach`."""
    return PartnerApplication.objects.subscribed_to(event).filter(**reach)
