"""Announcements: sending or scheduling, a test to oneself, cancelling, progress, unsubscribing.

Who receives an announcement, and who may send it to whom, is announcements.audiences;
the outbox that delivers it is announcements.delivery.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as KombuOperationalError

from core.access import is_ime_staff
from members.models import ConsentRecord, public_name
from members.services import queue_email_to_user, update_consents

from . import delivery, tasks
from .audiences import audience_filter, can_send, recipient_ids
from .models import AUTOMATIC_KINDS, KIND_FLAGS, Announcement, Delivery

logger = logging.getLogger(__name__)
User = get_user_model()

NOT_DRAFT_MESSAGE = _("Este aviso ya se envió o se programó; ya no se puede cambiar.")
NOT_ALLOWED_MESSAGE = _("No puedes enviar avisos a esta audiencia.")
EMPTY_AUDIENCE_MESSAGE = _("Elige al menos una audiencia.")
NO_RECIPIENTS_MESSAGE = _("Nadie de esta audiencia acepta recibir este tipo de aviso.")
SCHEDULE_PAST_MESSAGE = _("Elige una fecha futura para programar el envío.")
NOT_CANCELLABLE_MESSAGE = _("Solo se puede cancelar un envío programado o en curso.")
NOT_AWAITING_MESSAGE = _("Este aviso ya fue revisado.")
REVIEW_REASON_MESSAGE = _("Escribe el motivo por el que no se aprueba el aviso.")
REVIEW_NOT_ALLOWED_MESSAGE = _("Solo el personal del IME aprueba los avisos de los PNCS.")

REASON_LABELS = {
    delivery.REASON_OPTED_OUT: _("ya no acepta este tipo de aviso"),
    delivery.REASON_INACTIVE: _("cuenta desactivada o eliminada"),
    delivery.REASON_UNVERIFIED: _("correo sin verificar"),
    delivery.REASON_CANCELLED: _("envío cancelado"),
    delivery.REASON_TOO_MANY_ATTEMPTS: _("demasiados intentos fallidos"),
    delivery.REASON_INVALID_ADDRESS: _("dirección de correo no válida"),
}


class AnnouncementError(Exception):
    """A state change that cannot happen; `message` is a translatable constant."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def send_announcement(*, announcement_id: int, by, when=None) -> Announcement:
    """Send now, or schedule for `when`. Now: the announcement is marked sending in this
    transaction and the task writing its deliveries is enqueued after commit (the request
    never writes the recipients itself, however many there are)."""
    now = timezone.now()
    if when is not None and when <= now:
        raise AnnouncementError(SCHEDULE_PAST_MESSAGE)
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.status != Announcement.Status.DRAFT:
            raise AnnouncementError(NOT_DRAFT_MESSAGE)
        criteria = audience_filter(announcement)
        if criteria is None:
            raise AnnouncementError(EMPTY_AUDIENCE_MESSAGE)
        if not can_send(by, announcement):
            raise AnnouncementError(NOT_ALLOWED_MESSAGE)
        if when is not None:
            announcement.status = Announcement.Status.SCHEDULED
            announcement.scheduled_for = when
            announcement.save(update_fields=["status", "scheduled_for"])
            return announcement
        if not recipient_ids(announcement, criteria).exists():
            raise AnnouncementError(NO_RECIPIENTS_MESSAGE)
        delivery.start_sending(announcement, now=now)
    return announcement


def submit_for_approval(
    *,
    by,
    kind: str,
    sector_ids: list[int],
    subject_es: str,
    subject_en: str,
    body_es: str,
    body_en: str,
) -> Announcement:
    """An announcement to the members of `sector_ids` (those who opted in to `kind` when it
    is sent), written by someone IME must approve first (a PNCS coordinator: the caller
    checks they coordinate those sectors). Nothing is sent until IME approves."""
    if not sector_ids:
        raise AnnouncementError(EMPTY_AUDIENCE_MESSAGE)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            kind=kind,
            subject_es=subject_es,
            subject_en=subject_en,
            body_es=body_es,
            body_en=body_en,
            status=Announcement.Status.AWAITING_APPROVAL,
            created_by=by,
        )
        announcement.audience_sectors.set(sector_ids)
    return announcement


def review_announcement(
    *, announcement_id: int, by, approve: bool, reason: str = ""
) -> Announcement:
    """IME's decision on an announcement awaiting approval. Approved: it becomes a draft and
    is sent at once through the outbox, as any other (send_announcement: the audience and
    the opt-ins are read at send time). Declined: with a reason. Either way the author is
    told by mail (after commit). A second review is refused (the row is locked)."""
    reason = reason.strip()
    if not is_ime_staff(by):
        raise AnnouncementError(REVIEW_NOT_ALLOWED_MESSAGE)
    if not approve and not reason:
        raise AnnouncementError(REVIEW_REASON_MESSAGE)
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .filter(pk=announcement_id)
            .first()
        )
        if announcement is None or announcement.status != Announcement.Status.AWAITING_APPROVAL:
            raise AnnouncementError(NOT_AWAITING_MESSAGE)
        announcement.status = Announcement.Status.DRAFT if approve else Announcement.Status.DECLINED
        announcement.reviewed_by = by
        announcement.reviewed_at = timezone.now()
        announcement.review_reason = reason
        announcement.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
        if approve:
            announcement = send_announcement(announcement_id=announcement.pk, by=by)
        author = announcement.created_by
        if author is not None and author.is_active:
            queue_email_to_user(
                user=author,
                subject=(
                    (lambda: gettext("Tu aviso fue aprobado y se está enviando"))
                    if approve
                    else (lambda: gettext("Tu aviso no fue aprobado"))
                ),
                template="announcements/email/review_decision.txt",
                context=lambda: {
                    "name": public_name(author),
                    "announcement": announcement,
                    "approved": approve,
                    "reason": reason,
                },
            )
    return announcement


def send_automatic(*, announcement_id: int) -> Announcement:
    """Send now an announcement the system wrote (the news digest: an AUTOMATIC_KINDS kind,
    its audience chosen by the app that wrote it): no sender to check, the same outbox,
    the same guarantees (one delivery per person, the opt-in checked at send time, the
    one-click unsubscribe). Call it inside the writer's transaction: the deliveries are
    written after commit. An empty audience leaves the announcement a draft."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.status != Announcement.Status.DRAFT:
            raise AnnouncementError(NOT_DRAFT_MESSAGE)
        if announcement.kind not in AUTOMATIC_KINDS:
            raise AnnouncementError(NOT_ALLOWED_MESSAGE)
        criteria = audience_filter(announcement)
        if criteria is None:
            raise AnnouncementError(EMPTY_AUDIENCE_MESSAGE)
        delivery.start_sending(announcement, now=timezone.now())
    return announcement


def queue_test(*, announcement_id: int, to_user_id: int) -> None:
    """Queue a test message to the staff member, after commit (never SMTP in the request)."""

    def enqueue():
        try:
            tasks.send_test_announcement_task.apply_async(args=[announcement_id, to_user_id])
        except KombuOperationalError:
            logger.warning("broker unavailable: test of announcement %s not sent", announcement_id)

    transaction.on_commit(enqueue)


def cancel_announcement(*, announcement_id: int, by) -> int:
    """Cancel a scheduled or running send: what is still pending is never sent.

    Returns how many deliveries were cancelled. A running batch reads the announcement's
    state with each message it records (`_record_sent`), so it stops within one more
    message; the writing of recipients (`create_deliveries`) stops before its next batch
    (it holds the same row lock while it writes one).
    """
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.status not in (
            Announcement.Status.SCHEDULED,
            Announcement.Status.SENDING,
        ):
            raise AnnouncementError(NOT_CANCELLABLE_MESSAGE)
        announcement.status = Announcement.Status.CANCELLED
        announcement.cancelled_at = timezone.now()
        announcement.save(update_fields=["status", "cancelled_at"])
        return Delivery.objects.filter(
            announcement=announcement, status=Delivery.Status.PENDING
        ).update(status=Delivery.Status.CANCELLED, reason=delivery.REASON_CANCELLED)


def progress(announcement: Announcement) -> dict:
    """Recipients and counts per status, the reasons of failures and skips, and whether
    the recipients are still being written (`preparing`: the counts still grow)."""
    counts = announcement.deliveries.aggregate(
        recipients=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in Delivery.Status.values},
    )
    reasons = list(
        announcement.deliveries.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.SKIPPED])
        .values("status", "reason")
        .annotate(count=Count("pk"), first=Min("pk"))
        .order_by("status", "-count")
    )
    for row in reasons:
        row["label"] = REASON_LABELS.get(row["reason"], row["reason"])
    counts["reasons"] = reasons
    counts["preparing"] = announcement.is_preparing
    return counts


def unsubscribe(*, user_id: int, kind: str, announcement_id: int | None = None) -> bool:
    """Stop announcements of `kind` for the person (one-click, no login; idempotent).

    The opt-in goes off through members' consent service, so the change is recorded in the
    person's consent history (source: a link in an email); pending deliveries are skipped
    at send time. The delivery the link came in is marked, for the unsubscribes per
    announcement. Returns True when the opt-in changed.
    """
    flag = KIND_FLAGS.get(kind)
    if flag is None:
        return False
    user = User.objects.filter(pk=user_id, deleted_at__isnull=True).first()
    if user is None:
        return False
    with transaction.atomic():
        changed = update_consents(
            user=user, choices={flag: False}, source=ConsentRecord.Source.EMAIL_LINK
        )
        if announcement_id is not None:
            Delivery.objects.filter(
                announcement_id=announcement_id, user_id=user_id, unsubscribed_at__isnull=True
            ).update(unsubscribed_at=timezone.now())
    return bool(changed)
