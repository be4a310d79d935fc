"""The outbox of announcements: writing the recipients, sending in batches, the dispatcher.

The flow (SECURITY.md part E):

1. `announcements.services.send_announcement` (staff press "send") checks the send and
   calls `start_sending`: the announcement is marked "sending" with its recipients still
   to be written; that row is the intent. After commit one small task is enqueued
   (`create_deliveries_task`); with the broker down it is logged and ignored, and the
   dispatcher enqueues it later. The request does the same work for ten recipients or six
   hundred thousand.
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

The tasks (announcements.tasks) call these functions, and these functions enqueue the
tasks: that cycle is the outbox's own, so the tasks are imported where they are enqueued.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from core.db import retry_if_disconnected

from .audiences import recipient_ids
from .mail import AnnouncementMail, build_message
from .models import KIND_FLAGS, Announcement, Delivery

logger = logging.getLogger(__name__)
User = get_user_model()

# Only these are worth a retry; a refused recipient is final (SECURITY.md E6).
TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    TimeoutError,
    ConnectionError,
)
# What a batch task retries (with backoff): the above, and a database that went away for
# longer than one step's own wait (core.db.retry_if_disconnected).
TRANSIENT_BATCH_ERRORS = (*TRANSIENT_SMTP_ERRORS, OperationalError, InterfaceError)

# Reasons recorded on deliveries (shown to staff in the progress table, services.progress).
REASON_OPTED_OUT = "opted-out"
REASON_INACTIVE = "inactive"
REASON_UNVERIFIED = "unverified"
REASON_CANCELLED = "cancelled"
REASON_TOO_MANY_ATTEMPTS = "too-many-attempts"
REASON_INVALID_ADDRESS = "invalid-address"
REASON_ALREADY_MEMBER = "already-member"


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


def start_sending(announcement: Announcement, *, now) -> None:
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
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    announcement, given_up, pending = _batch_to_send(announcement_id, first_id, last_id)
    if announcement is None:
        return counts
    if announcement.kind == Announcement.Kind.INVITATION:
        return _send_invitations(announcement_id, pending, counts, given_up)
    counts["failed"] += given_up
    mail = AnnouncementMail(announcement)
    kind = announcement.kind
    return _send_pending(
        announcement_id,
        pending,
        counts,
        recipients_now=lambda ids: _recipients_now(ids, kind),
        skip_reason=lambda user: _skip_reason(user, kind),
        message=lambda user, delivery_id: mail.message(user, delivery_id=delivery_id),
    )


def _send_pending(announcement_id, pending, counts, *, recipients_now, skip_reason, message):
    """The sending loop of `send_batch`, for members or invitees alike: `pending` holds
    (delivery id, recipient id) pairs; per chunk the deliveries are claimed, their
    recipients read again (`recipients_now(ids)` -> {id: recipient}), each skipped with
    `skip_reason(recipient)` or sent (`message(recipient, delivery_id)`) and recorded sent
    at once; refusals and skips are written once per chunk."""
    recipient_of = dict(pending)
    mailer = _Mailer()
    outcomes = _Outcomes()
    chunk = claim_chunk()
    try:
        for start in range(0, len(pending), chunk):
            ids = [pk for pk, _recipient in pending[start : start + chunk]]
            claimed = _claim(ids, announcement_id=announcement_id)
            if not claimed and not _is_sending(announcement_id):
                return counts  # cancelled: cancel_announcement closed what was pending
            recipients = recipients_now([recipient_of[pk] for pk in claimed])
            for position, delivery_id in enumerate(claimed):
                recipient = recipients.get(recipient_of[delivery_id])
                reason = skip_reason(recipient)
                if reason:
                    outcomes.add([delivery_id], Delivery.Status.SKIPPED, reason)
                    counts["skipped"] += 1
                    continue
                try:
                    mailer.send(message(recipient, delivery_id))
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
    recipient = "invitee_id" if announcement.kind == Announcement.Kind.INVITATION else "user_id"
    return announcement, given_up, list(in_range.order_by("pk").values_list("pk", recipient))


@retry_if_disconnected
def _invitees_now(invitee_ids) -> dict:
    """The invitees of a chunk, read just before sending (a refused one is gone), by id,
    each with `joined`: an account with the address exists (they signed up meanwhile)."""
    from django.db.models import Exists, OuterRef

    from .models import Invitee

    joined = User.objects.filter(email__iexact=OuterRef("email"))
    invitees = Invitee.objects.filter(pk__in=invitee_ids).annotate(joined=Exists(joined))
    return {invitee.pk: invitee for invitee in invitees}


def _send_invitations(announcement_id: int, pending, counts: dict, given_up: int) -> dict:
    """`send_batch` for an invitation (issue 26): the same claims, records and cancel check,
    to invitees instead of members. Skipped at send time: a person who joined meanwhile
    (or whose invitation was accepted); one who refused is gone with their delivery."""
    from .invitations import invitation_message
    from .models import Invitee

    counts["failed"] += given_up
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]

    def skip_reason(invitee):
        if invitee is None:
            return REASON_OPTED_OUT
        if invitee.joined or invitee.status != Invitee.Status.INVITED:
            return REASON_ALREADY_MEMBER
        return ""

    return _send_pending(
        announcement_id,
        pending,
        counts,
        recipients_now=_invitees_now,
        skip_reason=skip_reason,
        message=lambda invitee, delivery_id: invitation_message(
            invitee, delivery_id=delivery_id, domain=domain
        ),
    )


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
            start_sending(announcement, now=now)
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


def send_test(*, announcement_id: int, to_user_id: int) -> None:
    """Send the announcement, as it will look, to one staff member (no delivery row)."""
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    user = User.objects.filter(pk=to_user_id).first()
    if announcement is None or user is None:
        return
    message = build_message(announcement, user)
    message.subject = f"[PRUEBA / TEST] {message.subject}"
    message.send()
