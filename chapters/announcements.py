"""Announcements: who receives them, the outbox, sending in batches, cancelling, unsubscribing.

The flow (SECURITY.md part E):

1. `send_announcement` (staff press "send") checks the send and marks the announcement
   "sending" with its recipients still to be written: that row is the intent. After
   commit one small task is enqueued (`create_deliveries_task`); with the broker down it
   is logged and ignored, and the dispatcher enqueues it later. The request does the same
   work for ten recipients or six hundred thousand.
2. `create_deliveries` (that task) writes one pending `Delivery` per recipient, a bounded
   batch of recipients per transaction (INSERT ... ON CONFLICT DO NOTHING on the unique
   (announcement, recipient): running it twice writes nothing twice), and enqueues the
   sending of each batch as soon as it is written. A cancel stops it between batches.
3. `send_batch` (a task per range of delivery ids) opens one connection to the mailer,
   claims deliveries a chunk at a time with a conditional UPDATE (pending → sending),
   re-checks the opt-in and the account at send time, sends each message as a Django
   `EmailMultiAlternatives`, and records each sent message before the next one leaves
   (durably: a killed worker leaves at most the message in flight in doubt). Skips and
   refusals are recorded once per chunk. A claim that matches no row means another
   worker, a retry or a redelivered task already has it. The email is rendered once per
   language per batch, not once per recipient. Throughput comes from running more
   workers (`make bench`), never from weakening what a commit promises.
4. `dispatch_pending` (Celery beat, every minute) starts due scheduled sends, enqueues
   the writing of recipients that never started (or whose worker died), and re-enqueues
   deliveries left pending (never enqueued, or enqueued long ago) or stuck in "sending"
   (their worker died), so nothing is ever lost.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as KombuOperationalError

from members.access import is_ime_staff
from talentnet.db import retry_if_disconnected

from .models import Announcement, Delivery, Jornada, Membership, Registration
from .querysets import managed_chapter_ids

logger = logging.getLogger(__name__)
User = get_user_model()

# Which Profile opt-in each kind of announcement follows.
KIND_FLAGS = {
    Announcement.Kind.CHAPTER: "notify_chapter",
    Announcement.Kind.JORNADAS: "notify_jornadas",
    Announcement.Kind.PROGRAMS: "notify_programs",
    Announcement.Kind.OPPORTUNITIES: "notify_opportunities",
}
OFFICER_KINDS = (Announcement.Kind.CHAPTER, Announcement.Kind.JORNADAS)

# Only these are worth a retry; a refused recipient is final (SECURITY.md E6).
TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    TimeoutError,
    ConnectionError,
)
# What a batch task retries (with backoff): the above, and a database that went away for
# longer than one step's own wait (talentnet.db.retry_if_disconnected).
TRANSIENT_BATCH_ERRORS = (*TRANSIENT_SMTP_ERRORS, OperationalError, InterfaceError)

NOT_DRAFT_MESSAGE = _("Este aviso ya se envió o se programó; ya no se puede cambiar.")
NOT_ALLOWED_MESSAGE = _("No puedes enviar avisos a esta audiencia.")
EMPTY_AUDIENCE_MESSAGE = _("Elige al menos una audiencia.")
NO_RECIPIENTS_MESSAGE = _("Nadie de esta audiencia acepta recibir este tipo de aviso.")
SCHEDULE_PAST_MESSAGE = _("Elige una fecha futura para programar el envío.")
NOT_CANCELLABLE_MESSAGE = _("Solo se puede cancelar un envío programado o en curso.")

# Reasons recorded on deliveries (shown to staff in the progress table).
REASON_OPTED_OUT = "opted-out"
REASON_INACTIVE = "inactive"
REASON_UNVERIFIED = "unverified"
REASON_CANCELLED = "cancelled"
REASON_TOO_MANY_ATTEMPTS = "too-many-attempts"
REASON_INVALID_ADDRESS = "invalid-address"
REASON_LABELS = {
    REASON_OPTED_OUT: _("ya no acepta este tipo de aviso"),
    REASON_INACTIVE: _("cuenta desactivada o eliminada"),
    REASON_UNVERIFIED: _("correo sin verificar"),
    REASON_CANCELLED: _("envío cancelado"),
    REASON_TOO_MANY_ATTEMPTS: _("demasiados intentos fallidos"),
    REASON_INVALID_ADDRESS: _("dirección de correo no válida"),
}


class AnnouncementError(Exception):
    """A state change that cannot happen; `message` is a translatable constant."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _setting(name, default):
    return getattr(settings, name, default)


def batch_size() -> int:
    return int(_setting("ANNOUNCEMENT_BATCH_SIZE", 250))


def stuck_after() -> timedelta:
    """How old an enqueued-but-pending or claimed-but-unsent delivery must be to be redone.

    Longer than a batch task's time limit, so a live worker is never second-guessed.
    """
    return timedelta(seconds=int(_setting("ANNOUNCEMENT_STUCK_AFTER", 900)))


def max_attempts() -> int:
    return int(_setting("ANNOUNCEMENT_MAX_ATTEMPTS", 5))


def recipients_batch_size() -> int:
    """Recipients written per transaction by `create_deliveries`."""
    return int(_setting("ANNOUNCEMENT_RECIPIENTS_BATCH", 5000))


def claim_chunk() -> int:
    return int(_setting("ANNOUNCEMENT_CLAIM_CHUNK", 50))


# --- Audience ----------------------------------------------------------------------------


def eligible_users(kind: str):
    """People who may receive an announcement of `kind` now: active, verified, opted in."""
    return User.objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        email_verified=True,
        **{f"profile__{KIND_FLAGS[kind]}": True},
    )


def audience_filter(announcement: Announcement) -> Q | None:
    """The union of the announcement's criteria as one filter on users (None: no criterion)."""
    parts = []
    chapter_ids = [c.pk for c in announcement.audience_chapters.all()]
    if chapter_ids:
        parts.append(
            Q(
                pk__in=Membership.objects.approved()
                .filter(chapter_id__in=chapter_ids)
                .values("user_id")
            )
        )
    jornada_ids = [j.pk for j in announcement.audience_jornadas.all()]
    if jornada_ids:
        parts.append(
            Q(
                pk__in=Registration.objects.confirmed()
                .filter(jornada_id__in=jornada_ids)
                .values("user_id")
            )
        )
    if announcement.audience_all_members:
        parts.append(Q(profile__isnull=False))
    sector_ids = [s.pk for s in announcement.audience_sectors.all()]
    if sector_ids:
        parts.append(Q(profile__profile_sectors__sector_id__in=sector_ids))
    countries = [str(c) for c in announcement.audience_countries]
    if countries:
        parts.append(Q(profile__country__in=countries))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def recipient_ids(announcement: Announcement, criteria: Q | None = None):
    """Ids of the people who receive it, once each (a values queryset, never loaded whole).
    `criteria`: the announcement's `audience_filter`, when the caller has it already."""
    criteria = audience_filter(announcement) if criteria is None else criteria
    if criteria is None:
        return User.objects.none().values_list("pk", flat=True)
    # The sectors join can repeat a person: a subquery keeps one row per user.
    matching = User.objects.filter(criteria).values("pk")
    return (
        eligible_users(announcement.kind)
        .filter(pk__in=matching)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def can_send(user, announcement: Announcement) -> bool:
    """IME staff may target anyone; an officer only their current chapters' members and
    their chapters' events' registrants, in announcements of their chapter."""
    if is_ime_staff(user):
        return True
    if not user.is_authenticated or not user.is_staff:
        return False
    managed = set(managed_chapter_ids(user).values_list("chapter_id", flat=True))
    if not managed or announcement.chapter_id not in managed:
        return False
    if announcement.kind not in OFFICER_KINDS:
        return False
    if (
        announcement.audience_all_members
        or announcement.audience_countries
        or announcement.audience_sectors.exists()
    ):
        return False
    chapters = {c.pk for c in announcement.audience_chapters.all()}
    jornada_chapters = set(announcement.audience_jornadas.values_list("chapter_id", flat=True))
    return chapters <= managed and jornada_chapters <= managed


# --- Sending -----------------------------------------------------------------------------


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
        _start_sending(announcement, now=now)
    return announcement


def _start_sending(announcement: Announcement, *, now) -> None:
    """Mark the announcement sending, its recipients still to be written, and enqueue
    the task that writes them after commit. The caller holds the announcement's row lock
    inside a transaction."""
    announcement.status = Announcement.Status.SENDING
    announcement.started_at = now
    announcement.recipients_ready_at = None
    announcement.recipients_enqueued_at = None
    announcement.save(
        update_fields=["status", "started_at", "recipients_ready_at", "recipients_enqueued_at"]
    )
    announcement_id = announcement.pk
    transaction.on_commit(lambda: enqueue_recipients(announcement_id=announcement_id))


def enqueue_recipients(*, announcement_id: int) -> bool:
    """Hand the writing of the announcement's deliveries to a worker: one small message,
    whatever the audience's size. With the broker down it logs and returns within seconds
    (the dispatcher enqueues it later). Returns whether the broker took it."""
    from .tasks import create_deliveries_task

    try:
        create_deliveries_task.apply_async(args=[announcement_id])
    except KombuOperationalError:
        logger.warning("broker unavailable: announcement %s waits in the outbox", announcement_id)
        return False
    Announcement.objects.filter(
        pk=announcement_id, status=Announcement.Status.SENDING, recipients_ready_at=None
    ).update(recipients_enqueued_at=timezone.now())
    return True


def create_deliveries(*, announcement_id: int, enqueue: bool = True) -> int:
    """Write one pending delivery per recipient of a sending announcement, a bounded
    batch of recipients (ANNOUNCEMENT_RECIPIENTS_BATCH, by id) per transaction, and
    enqueue the sending of each batch as soon as it is written (unless `enqueue` is
    False). Returns how many deliveries it wrote.

    Safe to run twice or after a crash: it resumes after the highest recipient already
    written, and the unique (announcement, recipient) makes a row written twice a no-op.
    Each batch holds the announcement's row lock, so a cancel (which takes the same lock)
    comes between two batches, never in the middle of one: no pending row is written
    after a cancel. Once every recipient is written, `recipients_ready_at` is set and the
    announcement may close when its last delivery is done.
    """
    created = 0
    size = recipients_batch_size()
    while True:
        with transaction.atomic():
            announcement = (
                Announcement.objects.select_for_update(no_key=True)
                .filter(
                    pk=announcement_id,
                    status=Announcement.Status.SENDING,
                    recipients_ready_at__isnull=True,
                )
                .first()
            )
            if announcement is None:  # cancelled, or written by an earlier run
                return created
            after = Delivery.objects.filter(announcement_id=announcement_id).aggregate(
                last=Max("user_id")
            )["last"]
            batch = recipient_ids(announcement)
            if after is not None:
                batch = batch.filter(pk__gt=after)
            user_ids = list(batch[:size])
            delivery_ids = _insert_deliveries(announcement_id, user_ids)
            created += len(delivery_ids)
            done = len(user_ids) < size
            if done:
                announcement.recipients_ready_at = timezone.now()
                announcement.save(update_fields=["recipients_ready_at"])
        if enqueue and delivery_ids:
            enqueue_deliveries(announcement_id=announcement_id, delivery_ids=delivery_ids)
        if done:
            _finish_if_done(announcement_id)
            return created


def _insert_deliveries(announcement_id: int, user_ids: list[int]) -> list[int]:
    """One pending delivery per user (a user who has one already is skipped), in one
    statement; returns the ids of the rows written, in order."""
    from django.db import connection

    if not user_ids:
        return []
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (announcement_id, user_id, status, reason, attempts) "  # noqa: S608 - our table name
            "SELECT %s, ids.id, %s, '', 0 FROM unnest(%s::bigint[]) AS ids(id) "
            "ON CONFLICT (announcement_id, user_id) DO NOTHING RETURNING id",
            [announcement_id, Delivery.Status.PENDING, user_ids],
        )
        return sorted(row[0] for row in cursor.fetchall())


def enqueue_deliveries(*, announcement_id: int, delivery_ids: list[int]) -> int:
    """Enqueue batch tasks for these pending deliveries (ids in order), a batch of
    `batch_size()` each, and stamp them enqueued; returns how many tasks. A broker outage
    is logged, never raised: the deliveries stay pending and unstamped, and the dispatcher
    enqueues them later (SECURITY.md E2, E3)."""
    from .tasks import send_announcement_batch_task

    size = batch_size()
    tasks = 0
    for start in range(0, len(delivery_ids), size):
        chunk = delivery_ids[start : start + size]
        try:
            send_announcement_batch_task.apply_async(args=[announcement_id, chunk[0], chunk[-1]])
        except KombuOperationalError:
            logger.warning(
                "broker unavailable: announcement %s waits in the outbox (%d deliveries)",
                announcement_id,
                len(delivery_ids) - start,
            )
            break
        Delivery.objects.filter(
            announcement_id=announcement_id,
            pk__gte=chunk[0],
            pk__lte=chunk[-1],
            status=Delivery.Status.PENDING,
        ).update(enqueued_at=timezone.now())
        tasks += 1
    return tasks


def enqueue_pending(*, announcement_id: int, only_stale: bool = False) -> int:
    """Enqueue batch tasks for the announcement's pending deliveries; returns how many tasks.

    With `only_stale`, only deliveries never enqueued or enqueued longer ago than
    `stuck_after()` (the dispatcher's pass). The ids are read a few batches at a time
    (keyset on the id), so memory stays flat for any audience.
    """
    pending = Delivery.objects.filter(
        announcement_id=announcement_id, status=Delivery.Status.PENDING
    )
    if only_stale:
        pending = pending.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=timezone.now() - stuck_after())
        )
    pending = pending.order_by("pk").values_list("pk", flat=True)
    read = batch_size() * 20
    tasks = 0
    after = None
    while True:
        ids = list((pending.filter(pk__gt=after) if after is not None else pending)[:read])
        if not ids:
            return tasks
        enqueued = enqueue_deliveries(announcement_id=announcement_id, delivery_ids=ids)
        tasks += enqueued
        if enqueued * batch_size() < len(ids):  # the broker went away: try again later
            return tasks
        after = ids[-1]


@retry_if_disconnected
def _recipients_now(user_ids, kind: str) -> dict:
    """The recipients of a chunk, read now (just before sending), by id."""
    flag = KIND_FLAGS[kind]
    users = (
        User.objects.select_related("profile")
        .only(
            "pk",
            "email",
            "is_active",
            "deleted_at",
            "email_verified",
            "preferred_language",
            f"profile__{flag}",
            "profile__preferred_name",
            "profile__given_names",
            "profile__paternal_surname",
        )
        .filter(pk__in=user_ids)
    )
    return {user.pk: user for user in users}


def _skip_reason(user, kind: str) -> str:
    """Why this person must not receive it now ("" when they may)."""
    if user is None or not user.is_active or user.deleted_at is not None:
        return REASON_INACTIVE
    if not user.email_verified:
        return REASON_UNVERIFIED
    profile = getattr(user, "profile", None)
    if profile is None or not getattr(profile, KIND_FLAGS[kind]):
        return REASON_OPTED_OUT
    return ""


def _claim(delivery_ids, *, announcement_id: int | None = None) -> list[int]:
    """pending → sending with claimed_at and one more attempt, in one conditional
    UPDATE ... RETURNING: a row is claimed by exactly one caller (SECURITY.md E4); returns
    the ids this call claimed, in order. With `announcement_id`, nothing is claimed once
    that announcement is no longer sending (cancelled).

    No join in this filter, on purpose: a join becomes `WHERE id IN (subquery)`, and
    PostgreSQL would then not re-check `status` on a row another worker changed
    meanwhile; plain column conditions are re-checked after the row lock, so exactly one
    claim wins. (The announcement's EXISTS is uncorrelated: evaluated once, not a join.)

    The stamp (claimed_at, unique to this call) is kept if the database restarts before
    the answer arrives (the UPDATE may have committed): run again, the statement also
    returns the rows this call already holds.
    """
    ids = list(delivery_ids)
    if not ids:
        return []
    return _claim_stamped(ids, timezone.now(), announcement_id)


@retry_if_disconnected
def _claim_stamped(ids: list[int], stamp, announcement_id: int | None) -> list[int]:
    from django.db import connection

    delivery = connection.ops.quote_name(Delivery._meta.db_table)
    in_ids = ", ".join(["%s"] * len(ids))
    stamp = connection.ops.adapt_datetimefield_value(stamp)
    claimable = "status = %s AND attempts < %s"
    params = [Delivery.Status.PENDING, max_attempts()]
    if announcement_id is not None:
        announcement = connection.ops.quote_name(Announcement._meta.db_table)
        claimable += f" AND EXISTS (SELECT 1 FROM {announcement} WHERE id = %s AND status = %s)"  # noqa: S608 - our table names
        params += [announcement_id, Announcement.Status.SENDING]
    sql = (
        f"UPDATE {delivery} SET status = %s, claimed_at = %s, "  # noqa: S608 - our table names
        "attempts = attempts + CASE WHEN status = %s THEN 1 ELSE 0 END "
        f"WHERE id IN ({in_ids}) AND (({claimable}) OR (status = %s AND claimed_at = %s)) "
        "RETURNING id"
    )
    params = [
        Delivery.Status.SENDING,
        stamp,
        Delivery.Status.PENDING,
        *ids,
        *params,
        Delivery.Status.SENDING,
        stamp,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


@retry_if_disconnected
def _record_sent(delivery_id: int, announcement_id: int) -> bool:
    """Mark one delivery sent (a conditional UPDATE, committed before the next message
    leaves); returns whether the announcement is still sending (the cancel check). One
    statement: a message costs one round trip to the database, not two."""
    from django.db import connection

    now = timezone.now()
    delivery = connection.ops.quote_name(Delivery._meta.db_table)
    announcement = connection.ops.quote_name(Announcement._meta.db_table)
    with connection.cursor() as cursor:
        # The UPDATE runs (and commits) whether or not the SELECT reads its result.
        cursor.execute(
            f"WITH sent AS (UPDATE {delivery} SET status = %s, reason = '', sent_at = %s "  # noqa: S608 - our table names
            "WHERE id = %s AND status = %s RETURNING id) "
            f"SELECT status FROM {announcement} WHERE id = %s",
            [
                Delivery.Status.SENT,
                now,
                delivery_id,
                Delivery.Status.SENDING,
                announcement_id,
            ],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == Announcement.Status.SENDING


class _Outcomes:
    """Skipped, refused and cancelled deliveries of a chunk, recorded together: one
    conditional UPDATE per (status, reason). None of them sent anything, so a crash
    before the write only means they are looked at again."""

    def __init__(self):
        self.pending = {}

    def add(self, delivery_ids, status: str, reason: str) -> None:
        self.pending.setdefault((status, reason[:200]), []).extend(delivery_ids)

    def write(self) -> None:
        for (status, reason), ids in self.pending.items():
            _release(ids, status=status, reason=reason)
        self.pending = {}


@retry_if_disconnected
def _release(delivery_ids, *, status=Delivery.Status.PENDING, reason="") -> None:
    """Give claimed deliveries back (pending for a retry), or close them (cancelled,
    skipped, failed)."""
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.SENDING).update(
            status=status, reason=reason
        )


@retry_if_disconnected
def _finish_if_done(announcement_id: int) -> None:
    """Mark the announcement sent once its recipients are all written and no delivery is
    pending or in flight."""
    open_deliveries = Delivery.objects.filter(
        announcement_id=announcement_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
    )
    if not open_deliveries.exists():
        Announcement.objects.filter(
            pk=announcement_id,
            status=Announcement.Status.SENDING,
            recipients_ready_at__isnull=False,
        ).update(status=Announcement.Status.SENT, finished_at=timezone.now())


@retry_if_disconnected
def _is_sending(announcement_id: int) -> bool:
    return Announcement.objects.filter(
        pk=announcement_id, status=Announcement.Status.SENDING
    ).exists()


class _Mailer:
    """The configured mailer (Django's MAILERS["default"]), its connection opened at the
    first message of a batch and closed at the end: one SMTP connection per batch, not
    one per message (an unopened mailer would connect and quit for every call)."""

    def __init__(self):
        self.backend = None

    def send(self, message) -> None:
        """Send one message; the mailer's errors propagate (smtplib.SMTPRecipientsRefused,
        SMTPServerDisconnected, ...)."""
        if self.backend is None:
            from django.core import mail

            self.backend = mail.mailers.default
            self.backend.open()
        self.backend.send_messages([message])

    def close(self) -> None:
        if self.backend is None:
            return
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            logger.info("SMTP connection already closed")


def send_batch(*, announcement_id: int, first_id: int, last_id: int) -> dict:
    """Send the pending deliveries with ids in [first_id, last_id] over one mailer
    connection.

    Deliveries are claimed a chunk at a time (ANNOUNCEMENT_CLAIM_CHUNK) with one
    conditional UPDATE ... RETURNING, only while the announcement is sending; a delivery
    another worker, a retry or a redelivered task already claimed is left alone. Just
    before sending a chunk, its recipients are read again (active, verified, opted in:
    else skipped with the reason). The email is rendered once per language for the whole
    batch (chapters.mail.AnnouncementMail) and each recipient gets a Django
    EmailMultiAlternatives.

    Each message is recorded sent as soon as the mailer accepted it, before the next one
    leaves: a worker killed at any moment leaves only the message in flight in doubt (an
    outcome recorded per chunk would leave a whole chunk of sent messages looking unsent,
    sent again after the restart). The same statement's answer says whether the
    announcement is still sending, so a cancel stops the batch before the next message.
    Skips and refusals are written once per chunk. Transient SMTP errors give the claimed
    deliveries back and propagate (the task retries with backoff); a refused recipient
    is marked failed and the batch goes on.
    """
    from .mail import AnnouncementMail

    counts = {"sent": 0, "skipped": 0, "failed": 0}
    announcement, given_up, pending = _batch_to_send(announcement_id, first_id, last_id)
    if announcement is None:
        return counts
    counts["failed"] += given_up
    user_of = dict(pending)
    mail = AnnouncementMail(announcement)
    mailer = _Mailer()
    outcomes = _Outcomes()
    chunk = claim_chunk()
    try:
        for start in range(0, len(pending), chunk):
            ids = [pk for pk, _user in pending[start : start + chunk]]
            claimed = _claim(ids, announcement_id=announcement_id)
            if not claimed and not _is_sending(announcement_id):
                return counts  # cancelled: cancel_announcement closed what was pending
            users = _recipients_now([user_of[pk] for pk in claimed], announcement.kind)
            for position, delivery_id in enumerate(claimed):
                user = users.get(user_of[delivery_id])
                reason = _skip_reason(user, announcement.kind)
                if reason:
                    outcomes.add([delivery_id], Delivery.Status.SKIPPED, reason)
                    counts["skipped"] += 1
                    continue
                try:
                    mailer.send(mail.message(user, delivery_id=delivery_id))
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = sorted({str(code) for code, _msg in exc.recipients.values()})
                    outcomes.add(
                        [delivery_id], Delivery.Status.FAILED, f"refused ({', '.join(codes)})"
                    )
                    counts["failed"] += 1
                    continue
                except ValueError:  # an address the mailer cannot write (Django refuses it)
                    outcomes.add([delivery_id], Delivery.Status.FAILED, REASON_INVALID_ADDRESS)
                    counts["failed"] += 1
                    continue
                except TRANSIENT_SMTP_ERRORS:
                    outcomes.write()
                    _release(claimed[position:])
                    raise
                counts["sent"] += 1
                if not _record_sent(delivery_id, announcement_id):
                    # Cancelled: what this batch still holds is cancelled too.
                    rest = claimed[position + 1 :]
                    outcomes.add(rest, Delivery.Status.CANCELLED, REASON_CANCELLED)
                    outcomes.write()
                    return counts
            outcomes.write()
    finally:
        mailer.close()
    _finish_if_done(announcement_id)
    return counts


@retry_if_disconnected
def _batch_to_send(announcement_id: int, first_id: int, last_id: int):
    """The sending announcement (None when it is not sending), how many deliveries were
    given up as tried too often, and the pending (delivery id, user id) pairs in range."""
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None or announcement.status != Announcement.Status.SENDING:
        return None, 0, []
    in_range = Delivery.objects.filter(
        announcement_id=announcement_id,
        pk__gte=first_id,
        pk__lte=last_id,
        status=Delivery.Status.PENDING,
    )
    # Tried too often already (a crash or a transient error every time): give up on them.
    given_up = in_range.filter(attempts__gte=max_attempts()).update(
        status=Delivery.Status.FAILED, reason=REASON_TOO_MANY_ATTEMPTS
    )
    return announcement, given_up, list(in_range.order_by("pk").values_list("pk", "user_id"))


def send_test(*, announcement_id: int, to_user_id: int) -> None:
    """Send the announcement, as it will look, to one staff member (no delivery row)."""
    from .mail import build_message

    announcement = Announcement.objects.filter(pk=announcement_id).first()
    user = User.objects.filter(pk=to_user_id).first()
    if announcement is None or user is None:
        return
    message = build_message(announcement, user)
    message.subject = f"[PRUEBA / TEST] {message.subject}"
    message.send()


def queue_test(*, announcement_id: int, to_user_id: int) -> None:
    """Queue a test message to the staff member, after commit (never SMTP in the request)."""
    from .tasks import send_test_announcement_task

    def enqueue():
        try:
            send_test_announcement_task.apply_async(args=[announcement_id, to_user_id])
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
        ).update(status=Delivery.Status.CANCELLED, reason=REASON_CANCELLED)


def dispatch_pending(*, now=None) -> dict:
    """The periodic outbox pass: start due scheduled sends, enqueue the writing of
    recipients never enqueued (broker down) or enqueued too long ago (worker died), put
    stuck deliveries back to pending, re-enqueue pending ones never enqueued or enqueued
    too long ago, and close announcements with nothing left to send."""
    now = now or timezone.now()
    started = 0
    for announcement_id in Announcement.objects.due(now).values_list("pk", flat=True):
        with transaction.atomic():
            announcement = (
                Announcement.objects.select_for_update(skip_locked=True)
                .filter(pk=announcement_id, status=Announcement.Status.SCHEDULED)
                .first()
            )
            if announcement is None:
                continue
            _start_sending(announcement, now=now)
            started += 1
    unwritten = Announcement.objects.filter(
        Q(recipients_enqueued_at__isnull=True) | Q(recipients_enqueued_at__lt=now - stuck_after()),
        status=Announcement.Status.SENDING,
        recipients_ready_at__isnull=True,
    ).values_list("pk", flat=True)
    preparing = sum(enqueue_recipients(announcement_id=pk) for pk in list(unwritten))
    # A worker died between claim and outcome: the message may or may not have left.
    # Sending again is the lesser evil (a lost announcement is never acceptable); the
    # stable Message-ID lets mail systems recognise the copy. Each message is recorded
    # as soon as it is accepted, so this is at most the one message a worker had in flight.
    sending = list(
        Announcement.objects.filter(status=Announcement.Status.SENDING).values_list("pk", flat=True)
    )
    # Ids as a list, not a join: the row's own `status` must stay in the UPDATE's WHERE so
    # that a delivery its worker just marked sent is never put back (see _claim).
    released = Delivery.objects.filter(
        announcement_id__in=sending,
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - stuck_after(),
    ).update(status=Delivery.Status.PENDING, enqueued_at=None)
    tasks = 0
    for announcement_id in sending:
        tasks += enqueue_pending(announcement_id=announcement_id, only_stale=True)
        _finish_if_done(announcement_id)
    return {"started": started, "preparing": preparing, "released": released, "tasks": tasks}


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


# --- Jornadas ----------------------------------------------------------------------------


def announce_jornada(*, jornada_id: int, by) -> Announcement:
    """A draft announcing a Jornada, for staff to review, preview and send.

    Audience: the organising chapter's members, or every member for a network-wide
    Jornada (officers only ever organise their chapter's events).
    """
    from .mail import site_url

    jornada = Jornada.objects.select_related("chapter").get(pk=jornada_id)
    link = site_url(jornada.get_absolute_url())
    link_en = site_url("/en" + jornada.get_absolute_url())
    starts = timezone.localtime(jornada.starts_at, jornada.tz)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            kind=Announcement.Kind.JORNADAS,
            chapter=jornada.chapter,
            subject_es=jornada.title_es[:200],
            subject_en=(jornada.title_en or jornada.title_es)[:200],
            body_es=(
                f"{jornada.description_es}\n\n"
                f"**{starts:%Y-%m-%d %H:%M}** ({jornada.timezone}) · {jornada.city}\n\n"
                f"[Detalles y registro]({link})"
            ).strip(),
            body_en=(
                f"{jornada.description_en or jornada.description_es}\n\n"
                f"**{starts:%Y-%m-%d %H:%M}** ({jornada.timezone}) · {jornada.city}\n\n"
                f"[Details and registration]({link_en})"
            ).strip(),
            audience_all_members=jornada.chapter_id is None,
            created_by=by,
        )
        if jornada.chapter_id:
            announcement.audience_chapters.add(jornada.chapter_id)
    return announcement


def send_jornada_reminders(*, now=None) -> int:
    """Remind confirmed registrants of Jornadas starting within 24 hours; once per Jornada
    (the reminder is an announcement with a unique `reminder_for`). Returns how many."""
    from django.db import IntegrityError

    from .mail import site_url

    now = now or timezone.now()
    due = (
        Jornada.objects.published()
        .filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=24), reminder__isnull=True)
        .values_list("pk", flat=True)
    )
    reminded = 0
    for jornada_id in due:
        jornada = Jornada.objects.get(pk=jornada_id)
        starts = timezone.localtime(jornada.starts_at, jornada.tz)
        when = f"{starts:%Y-%m-%d %H:%M} ({jornada.timezone})"
        place = ", ".join(p for p in (jornada.venue, jornada.city) if p) or jornada.online_url
        try:
            with transaction.atomic():
                announcement = Announcement.objects.create(
                    kind=Announcement.Kind.JORNADAS,
                    chapter=jornada.chapter,
                    reminder_for=jornada,
                    subject_es=f"Recordatorio: {jornada.title_es}"[:200],
                    subject_en=f"Reminder: {jornada.title_en or jornada.title_es}"[:200],
                    body_es=(
                        f"Te esperamos en **{jornada.title_es}**: {when}, {place}.\n\n"
                        f"[Detalles]({site_url(jornada.get_absolute_url())})"
                    ),
                    body_en=(
                        f"See you at **{jornada.title_en or jornada.title_es}**: {when}, "
                        f"{place}.\n\n[Details]({site_url('/en' + jornada.get_absolute_url())})"
                    ),
                )
                announcement.audience_jornadas.add(jornada)
                locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
                _start_sending(locked, now=now)
        except IntegrityError:
            continue  # another dispatcher created it first
        reminded += 1
    return reminded


# --- Unsubscribe -------------------------------------------------------------------------


def unsubscribe(*, user_id: int, kind: str, announcement_id: int | None = None) -> bool:
    """Stop announcements of `kind` for the person (one-click, no login; idempotent).

    The opt-in goes off through members' consent service, so the change is recorded in the
    person's consent history (source: a link in an email); pending deliveries are skipped
    at send time. The delivery the link came in is marked, for the unsubscribes per
    announcement. Returns True when the opt-in changed.
    """
    from members.models import ConsentRecord, User
    from members.services import update_consents

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
