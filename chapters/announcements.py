"""Announcements: who receives them, the outbox, sending in batches, cancelling, unsubscribing.

The flow (SECURITY.md part E):

1. `send_announcement` (staff press "send") resolves the audience and writes one pending
   `Delivery` per recipient in the same transaction as the status change; the batch
   tasks are enqueued only after commit (`transaction.on_commit`). A broker outage at
   that moment is logged and ignored: the rows wait in the database.
2. `send_batch` (a task per range of delivery ids) opens one SMTP connection, claims
   deliveries a chunk at a time with a conditional UPDATE (pending → sending), re-checks
   the opt-in and the account at send time, sends, and records each outcome. A claim
   that matches no row means another worker, a retry or a redelivered task already has
   it. The email is rendered once per language per batch, not once per recipient.
3. `dispatch_pending` (Celery beat, every minute) starts due scheduled sends and
   re-enqueues deliveries left pending (never enqueued, or enqueued long ago) or stuck
   in "sending" (their worker died), so nothing is ever lost.
"""

import logging
import select
import smtplib
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Count, Min, Q
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
REASON_LABELS = {
    REASON_OPTED_OUT: _("ya no acepta este tipo de aviso"),
    REASON_INACTIVE: _("cuenta desactivada o eliminada"),
    REASON_UNVERIFIED: _("correo sin verificar"),
    REASON_CANCELLED: _("envío cancelado"),
    REASON_TOO_MANY_ATTEMPTS: _("demasiados intentos fallidos"),
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


def recipient_ids(announcement: Announcement):
    """Ids of the people who receive it, once each (a values queryset, never loaded whole)."""
    criteria = audience_filter(announcement)
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
    """Send now, or schedule for `when`. Now: the deliveries are written in this transaction
    and the batch tasks enqueued after commit."""
    now = timezone.now()
    if when is not None and when <= now:
        raise AnnouncementError(SCHEDULE_PAST_MESSAGE)
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.status != Announcement.Status.DRAFT:
            raise AnnouncementError(NOT_DRAFT_MESSAGE)
        if audience_filter(announcement) is None:
            raise AnnouncementError(EMPTY_AUDIENCE_MESSAGE)
        if not can_send(by, announcement):
            raise AnnouncementError(NOT_ALLOWED_MESSAGE)
        if when is not None:
            announcement.status = Announcement.Status.SCHEDULED
            announcement.scheduled_for = when
            announcement.save(update_fields=["status", "scheduled_for"])
            return announcement
        if not recipient_ids(announcement).exists():
            raise AnnouncementError(NO_RECIPIENTS_MESSAGE)
        _start_sending(announcement, now=now)
    return announcement


def _start_sending(announcement: Announcement, *, now) -> int:
    """Write the outbox rows and mark the announcement sending; enqueue after commit.
    The caller holds the announcement's row lock inside a transaction."""
    created = create_deliveries(
        announcement_id=announcement.pk, user_ids=recipient_ids(announcement)
    )
    announcement.status = Announcement.Status.SENDING
    announcement.started_at = now
    announcement.save(update_fields=["status", "started_at"])
    if not created:
        _finish_if_done(announcement.pk)
    announcement_id = announcement.pk
    transaction.on_commit(lambda: _enqueue_fanout(announcement_id))
    return created


def _enqueue_fanout(announcement_id: int) -> None:
    """After commit, one small message: a task splits the send into batches. The request
    that pressed "send" publishes once, whatever the audience's size; with the broker
    down it logs and returns within seconds (the dispatcher picks the rows up later)."""
    from .tasks import enqueue_announcement_task

    try:
        enqueue_announcement_task.apply_async(args=[announcement_id])
    except KombuOperationalError:
        logger.warning("broker unavailable: announcement %s waits in the outbox", announcement_id)


def create_deliveries(*, announcement_id: int, user_ids) -> int:
    """One pending delivery per user (set-based on PostgreSQL; duplicates ignored)."""
    from django.db import connection

    if connection.vendor == "postgresql" and hasattr(user_ids, "query"):
        sql, params = user_ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Delivery._meta.db_table} "  # noqa: S608 - our own compiled SQL
                "(announcement_id, user_id, status, reason, attempts) "
                f"SELECT %s, ids.id, 'pending', '', 0 FROM ({sql}) AS ids(id) "
                "ON CONFLICT (announcement_id, user_id) DO NOTHING",
                [announcement_id, *params],
            )
            return cursor.rowcount
    created = 0
    chunk = []
    for user_id in (
        user_ids.iterator(chunk_size=2000) if hasattr(user_ids, "iterator") else user_ids
    ):
        chunk.append(Delivery(announcement_id=announcement_id, user_id=user_id))
        if len(chunk) >= 2000:
            created += len(Delivery.objects.bulk_create(chunk, ignore_conflicts=True))
            chunk = []
    if chunk:
        created += len(Delivery.objects.bulk_create(chunk, ignore_conflicts=True))
    return created


def enqueue_pending(*, announcement_id: int, only_stale: bool = False) -> int:
    """Enqueue batch tasks for the announcement's pending deliveries; returns how many tasks.

    With `only_stale`, only deliveries never enqueued or enqueued longer ago than
    `stuck_after()` (the dispatcher's pass). A broker outage is logged, never raised:
    the deliveries stay pending and the dispatcher tries again (SECURITY.md E2, E3).
    """
    from .tasks import send_announcement_batch_task

    pending = Delivery.objects.filter(
        announcement_id=announcement_id, status=Delivery.Status.PENDING
    )
    if only_stale:
        pending = pending.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=timezone.now() - stuck_after())
        )
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    size = batch_size()
    tasks = 0
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        first, last = chunk[0], chunk[-1]
        try:
            send_announcement_batch_task.apply_async(args=[announcement_id, first, last])
        except KombuOperationalError:
            logger.warning(
                "broker unavailable: announcement %s waits in the outbox (%d deliveries)",
                announcement_id,
                len(ids) - start,
            )
            break
        Delivery.objects.filter(pk__in=chunk, status=Delivery.Status.PENDING).update(
            enqueued_at=timezone.now()
        )
        tasks += 1
    return tasks


def claim_chunk() -> int:
    return int(_setting("ANNOUNCEMENT_CLAIM_CHUNK", 50))


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


RECORD_ANSWER_TIMEOUT_MS = 10_000


class _SentLog:
    """The sent deliveries of a batch, each recorded as soon as the SMTP server accepted
    its message, without stopping for PostgreSQL's answer.

    The UPDATE is on its way to the server before the next message starts, so a worker
    killed at any moment leaves at most the message in flight in doubt, as if it had
    waited: PostgreSQL runs and commits a statement it has received even when its client
    is gone. Its answer (the announcement's status, which is the cancel check) is read
    after the next message went out, so the database's round trip overlaps the SMTP
    exchange instead of adding to it; a cancel stops the batch at most one message later.
    At most one statement is in flight, and `wait()` reads its answer before the batch
    runs any other query, so Django's connection never sees it. PostgreSQL only, through
    psycopg's libpq connection; elsewhere (`make run` on SQLite) each outcome is written
    and the status read in turn.
    """

    def __init__(self, announcement_id: int):
        from django.db import connection

        self.connection = connection
        self.announcement_id = announcement_id
        self.sending = True  # the announcement's status in the last answer
        self._in_flight = None  # the delivery whose record has not been answered yet
        self._pgconn = None
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self._pgconn = connection.connection.pgconn
            delivery = connection.ops.quote_name(Delivery._meta.db_table)
            announcement = connection.ops.quote_name(Announcement._meta.db_table)
            # A data-modifying WITH runs to completion whether or not the SELECT reads it.
            self._sql = (
                f"WITH sent AS (UPDATE {delivery} SET status = 'sent', reason = '', "  # noqa: S608 - our table names
                "sent_at = statement_timestamp() WHERE id = $1 AND status = 'sending') "
                f"SELECT status FROM {announcement} WHERE id = $2"
            ).encode()

    def record(self, delivery_id: int) -> None:
        """Mark the delivery sent: the statement leaves now, its answer is read later."""
        self.wait()
        if self._pgconn is None:
            _mark_sent(delivery_id)
            self.sending = _is_sending(self.announcement_id)
            return
        params = [str(delivery_id).encode(), str(self.announcement_id).encode()]
        self._in_flight = delivery_id
        try:
            with self._unusable_on_error(), self.connection.wrap_database_errors:
                self._pgconn.send_query_params(self._sql, params)
                while self._pgconn.flush():  # psycopg's connections are non-blocking
                    self._poll(select.POLLOUT)
        except DatabaseError as exc:
            self._record_again(exc)

    def wait(self) -> bool:
        """Read the answer of the statement in flight, if any; returns whether the
        announcement was still sending (as of the last answer)."""
        if self._in_flight is not None:
            try:
                with self._unusable_on_error(), self.connection.wrap_database_errors:
                    self.sending = self._answer() == Announcement.Status.SENDING.encode()
                self._in_flight = None
            except DatabaseError as exc:
                self._record_again(exc)
        return self.sending

    def _record_again(self, exc: Exception) -> None:
        """The connection broke with a record on its way (the database restarted): it may
        or may not have committed, so it is written again, idempotently, on a new
        connection (which waits for the server: talentnet.db). The message is recorded,
        never sent twice."""
        delivery_id, self._in_flight = self._in_flight, None
        logger.warning(
            "database connection lost (%s): delivery %s is recorded again", exc, delivery_id
        )
        _mark_sent(delivery_id)
        self.sending = _is_sending(self.announcement_id)
        self._pgconn = self.connection.connection.pgconn

    @contextmanager
    def _unusable_on_error(self):
        # A statement half sent or half read leaves the connection busy: close it, so
        # that nothing else (Django reconnects) stumbles on it.
        try:
            yield
        except BaseException:
            self.connection.close()
            raise

    def _poll(self, event: int) -> None:
        import psycopg

        poll = select.poll()  # not select(): a worker may hold file descriptors past 1024
        poll.register(self._pgconn.socket, event)
        # A server that vanished without closing the socket never answers: after this
        # long, the connection counts as lost and the record is written again.
        if not poll.poll(RECORD_ANSWER_TIMEOUT_MS):
            raise psycopg.OperationalError("no answer from the database")

    def _answer(self) -> bytes | None:
        import psycopg

        status, error = None, None
        while True:
            self._pgconn.consume_input()
            if self._pgconn.is_busy():
                self._poll(select.POLLIN)
                continue
            result = self._pgconn.get_result()
            if result is None:  # the statement is done: the connection is free again
                break
            if result.status == psycopg.pq.ExecStatus.TUPLES_OK:
                status = result.get_value(0, 0) if result.ntuples else None
            else:
                error = result.error_message.decode(errors="replace")
        if error:
            raise psycopg.DatabaseError(error)
        return status


@retry_if_disconnected
def _mark_sent(delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, reason="", sent_at=timezone.now()
    )


class _Outcomes:
    """Skipped and refused deliveries of a chunk, recorded together: one UPDATE per
    (status, reason). Neither sent anything, so a crash before the write only means
    they are looked at again."""

    def __init__(self):
        self.pending = {}

    def add(self, delivery_id: int, status: str, reason: str) -> None:
        self.pending.setdefault((status, reason[:200]), []).append(delivery_id)

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
    """Mark the announcement sent once no delivery is pending or in flight."""
    open_deliveries = Delivery.objects.filter(
        announcement_id=announcement_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
    )
    if not open_deliveries.exists():
        Announcement.objects.filter(pk=announcement_id, status=Announcement.Status.SENDING).update(
            status=Announcement.Status.SENT, finished_at=timezone.now()
        )


@retry_if_disconnected
def _is_sending(announcement_id: int) -> bool:
    return Announcement.objects.filter(
        pk=announcement_id, status=Announcement.Status.SENDING
    ).exists()


def send_batch(*, announcement_id: int, first_id: int, last_id: int) -> dict:
    """Send the pending deliveries with ids in [first_id, last_id] over one SMTP connection.

    Deliveries are claimed a chunk at a time (ANNOUNCEMENT_CLAIM_CHUNK) with one
    conditional UPDATE ... RETURNING, only while the announcement is sending; a delivery
    another worker, a retry or a redelivered task already claimed is left alone. Just
    before sending a chunk, its recipients are read again (active, verified, opted in:
    else skipped with the reason). The email is rendered once per language for the whole
    batch (chapters.mail.AnnouncementMail). Each sent message is recorded at once
    (`_SentLog`: the statement leaves before the next message, its answer, which says
    whether the announcement is still sending, is read after it); skips and refusals are
    written once per chunk.
    Transient SMTP errors give the claimed deliveries back and propagate (the task
    retries); a refused recipient is marked failed and the batch goes on.
    """
    from .mail import AnnouncementMail, BatchMailer

    counts = {"sent": 0, "skipped": 0, "failed": 0}
    announcement, given_up, pending = _batch_to_send(announcement_id, first_id, last_id)
    if announcement is None:
        return counts
    counts["failed"] += given_up
    user_of = dict(pending)
    mailer = BatchMailer(AnnouncementMail(announcement))
    sent_log = _SentLog(announcement_id)
    outcomes = _Outcomes()

    def stop(delivery_ids, **release) -> None:
        sent_log.wait()
        outcomes.write()
        _release(delivery_ids, **release)

    chunk = claim_chunk()
    _relaxed_commits(True)
    try:
        for start in range(0, len(pending), chunk):
            sent_log.wait()
            ids = [pk for pk, _user in pending[start : start + chunk]]
            claimed = _claim(ids, announcement_id=announcement_id)
            if not claimed and not _is_sending(announcement_id):
                return counts  # cancelled: cancel_announcement closed what was pending
            users = _recipients_now([user_of[pk] for pk in claimed], announcement.kind)
            for position, delivery_id in enumerate(claimed):
                user = users.get(user_of[delivery_id])
                reason = _skip_reason(user, announcement.kind)
                if reason:
                    outcomes.add(delivery_id, Delivery.Status.SKIPPED, reason)
                    counts["skipped"] += 1
                    continue
                if not mailer.sends_raw_smtp:
                    sent_log.wait()  # a Django mailer may use the database connection itself
                if not sent_log.sending:
                    # Cancelled: what this batch still holds is cancelled too.
                    stop(
                        claimed[position:],
                        status=Delivery.Status.CANCELLED,
                        reason=REASON_CANCELLED,
                    )
                    return counts
                try:
                    mailer.send(user, delivery_id=delivery_id)
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = sorted({str(code) for code, _msg in exc.recipients.values()})
                    outcomes.add(
                        delivery_id, Delivery.Status.FAILED, f"refused ({', '.join(codes)})"
                    )
                    counts["failed"] += 1
                    continue
                except TRANSIENT_SMTP_ERRORS:
                    stop(claimed[position:])
                    raise
                sent_log.record(delivery_id)
                counts["sent"] += 1
            sent_log.wait()
            outcomes.write()
    finally:
        sent_log.wait()
        _relaxed_commits(False)
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


@retry_if_disconnected
def _relaxed_commits(on: bool) -> None:
    """During a batch, PostgreSQL acknowledges commits before flushing them to disk.

    A killed worker loses nothing (the server has the commit); only a crash of the
    database server itself (or `pg_ctl stop -m immediate`; a fast or smart shutdown
    flushes first) could forget the last fraction of a second of outcomes, and those
    deliveries would be sent again. The setting is the session's: a connection made
    again after a restart sends with the server's default. Not waiting for a disk flush per message
    is what lets one worker send hundreds of messages a second.
    """
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


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
    state with each message it records (`_SentLog`), so it stops within one more message.
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
    """The periodic outbox pass: start due scheduled sends, put stuck deliveries back to
    pending, re-enqueue pending ones never enqueued or enqueued too long ago, and close
    announcements with nothing left to send."""
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
    # A worker died between claim and outcome: the message may or may not have left.
    # Sending again is the lesser evil (a lost announcement is never acceptable); the
    # stable Message-ID lets mail systems recognise the copy.
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
    return {"started": started, "released": released, "tasks": tasks}


def progress(announcement: Announcement) -> dict:
    """Recipients and counts per status, and the reasons of failures and skips."""
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
