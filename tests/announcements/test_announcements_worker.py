"""Announcements with the real parts: Redis, a Celery worker process, an SMTP server on
loopback. Every recipient gets exactly one message, opted-out people none, through a
worker killed mid-send, through a broker outage when staff press send, and through the
database going away between a message leaving and its outcome being recorded."""

import asyncio
import os
import threading
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.urls import reverse

from announcements import audiences, services
from announcements import delivery as outbox
from announcements.models import Announcement, Delivery
from chapters.models import Membership
from members.models import Profile, User
from tests.conftest import CeleryWorkerProcess, SmtpRecorder, _database_url, _reset_broker_pools
from tests.factories import AnnouncementFactory, ChapterFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BATCH = 100
RECIPIENTS_BATCH = 300  # recipients written per transaction by the worker after "send now"
# Seconds: a delivery claimed this long ago by a dead worker is redone. Production keeps it
# longer than a batch's time limit so a live worker is never second-guessed; here it must
# still exceed the slowest chunk of 100 messages on a loaded 2-core machine (at 3 s a live
# worker's chunk was once redone under load and one recipient got two messages).
STUCK_AFTER = 15


@pytest.fixture(autouse=True)
def _small_batches_and_a_short_stuck_age(monkeypatch, settings):
    """For this process (the dispatcher) and, through the environment, the worker."""
    monkeypatch.setenv("ANNOUNCEMENT_BATCH_SIZE", str(BATCH))
    monkeypatch.setenv("ANNOUNCEMENT_RECIPIENTS_BATCH", str(RECIPIENTS_BATCH))
    monkeypatch.setenv("ANNOUNCEMENT_STUCK_AFTER", str(STUCK_AFTER))
    settings.ANNOUNCEMENT_BATCH_SIZE = BATCH
    settings.ANNOUNCEMENT_RECIPIENTS_BATCH = RECIPIENTS_BATCH
    settings.ANNOUNCEMENT_STUCK_AFTER = STUCK_AFTER


class GatedRecorder(SmtpRecorder):
    """The loopback SMTP server can hold the message number `hold_at` before accepting it
    (the worker is then blocked mid-send, waiting for the server's answer)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hold_at = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.accept_held = True

    def release_without_accepting(self):
        self.accept_held = False
        self.release.set()


class _GatedHandler:
    def __init__(self, recorder):
        self.recorder = recorder

    async def handle_DATA(self, server, session, envelope):
        recorder = self.recorder
        with recorder.lock:
            hold = recorder.hold_at is not None and len(recorder.messages) + 1 == recorder.hold_at
            if hold:
                recorder.hold_at = None
        if hold:
            recorder.held.set()
            await asyncio.get_running_loop().run_in_executor(None, recorder.release.wait, 60)
            if not recorder.accept_held:
                # The client is gone before our 250: the message was never accepted.
                return "451 4.3.0 Requested action aborted"
        with recorder.lock:
            recorder.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            recorder.messages.append(
                message_from_bytes(envelope.original_content, policy=policy.default)
            )
        return "250 OK"


@pytest.fixture
def smtp_server():
    """Overrides the shared fixture (the worker fixture reads its host and port)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = GatedRecorder(host="127.0.0.1", port=port)
    controller = Controller(_GatedHandler(recorder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        recorder.release.set()
        controller.stop()


def make_chapter_members(chapter, count, *, opted_out_every=0):
    """`count` verified members of `chapter`, set-based; every n-th one opted out."""
    users = User.objects.bulk_create(
        [
            User(email=f"fan{n:05d}@example.org", email_verified=True, password="!")
            for n in range(count)
        ]
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user=user,
                given_names=f"Persona {n}",
                notify_chapter=not (opted_out_every and n % opted_out_every == 0),
            )
            for n, user in enumerate(users)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(chapter=chapter, user=user, status="approved") for user in users]
    )
    opted_in = {
        u.email for n, u in enumerate(users) if not (opted_out_every and n % opted_out_every == 0)
    }
    return opted_in, {u.email for u in users} - opted_in


def staff():
    from tests.factories import with_totp

    user = User.objects.create_superuser(email="ime@example.org", password="x" * 20)
    with_totp(user)  # superusers need a second factor before the admin
    return user


def recipients_of(recorder):
    with recorder.lock:
        return Counter(str(m["To"]) for m in recorder.messages)


def wait_until_delivered(announcement, recorder, expected, *, timeout, dispatch=False):
    """Until no delivery is open and `expected` messages arrived (running the dispatcher
    every second when asked, as Celery beat would)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dispatch:
            outbox.dispatch_pending()
        still_open = Delivery.objects.filter(
            announcement=announcement, status__in=["pending", "sending"]
        ).exists()
        if not still_open and len(recorder.messages) >= expected:
            break
        time.sleep(1 if dispatch else 0.2)
    time.sleep(1)  # anything extra would arrive now


def test_a_thousand_recipients_get_exactly_one_message_and_opted_out_none(
    smtp_server, celery_worker_process
):
    chapter = ChapterFactory()
    opted_in, opted_out = make_chapter_members(chapter, 1000, opted_out_every=10)
    announcement = AnnouncementFactory(chapter=chapter, audience_chapters=[chapter])

    services.send_announcement(announcement_id=announcement.pk, by=staff())
    wait_until_delivered(announcement, smtp_server, len(opted_in), timeout=180)

    received = recipients_of(smtp_server)
    assert set(received) == opted_in
    assert set(received.values()) == {1}
    assert not set(received) & opted_out
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 900
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    sample = smtp_server.messages[0]
    assert sample["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "send_announcement_batch_task" in celery_worker_process.read_log()


def test_a_worker_killed_mid_send_and_restarted_still_sends_one_message_each(
    smtp_server, celery_worker_process
):
    chapter = ChapterFactory()
    opted_in, _ = make_chapter_members(chapter, 300)
    announcement = AnnouncementFactory(chapter=chapter, audience_chapters=[chapter])
    smtp_server.hold_at = 150  # in the middle of the second batch

    services.send_announcement(announcement_id=announcement.pk, by=staff())
    assert smtp_server.held.wait(120), celery_worker_process.read_log()[-2000:]
    celery_worker_process.kill()  # SIGKILL while waiting for the server's answer
    smtp_server.release_without_accepting()
    # The held message and the rest of its claimed chunk are in doubt or not sent yet.
    assert Delivery.objects.filter(announcement=announcement, status="sending").exists()
    assert len(smtp_server.messages) == 149

    celery_worker_process.start()
    wait_until_delivered(announcement, smtp_server, 300, timeout=180, dispatch=True)

    received = recipients_of(smtp_server)
    assert set(received) == opted_in
    assert set(received.values()) == {1}
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 300


def test_staff_press_send_with_redis_down_then_everything_is_delivered_once(
    client, smtp_server, celery_worker_process
):
    from talentnet.celery import app

    chapter = ChapterFactory()
    opted_in, _ = make_chapter_members(chapter, 200)
    announcement = AnnouncementFactory(chapter=chapter, audience_chapters=[chapter])
    client.force_login(staff())
    recipients = audiences.recipient_ids(announcement).count()  # what staff confirm
    working_broker = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    _reset_broker_pools(app)
    try:
        started = time.monotonic()
        response = client.post(
            reverse("admin:announcements_announcement_send", args=[announcement.pk]),
            {"when": "", "confirmed": str(recipients)},
        )
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = working_broker
        _reset_broker_pools(app)

    assert response.status_code == 302
    assert elapsed < 10
    # The intent is the row: sending, its recipients still to be written, never enqueued.
    announcement.refresh_from_db()
    assert (announcement.status, announcement.recipients_enqueued_at) == ("sending", None)
    assert announcement.is_preparing
    assert not Delivery.objects.filter(announcement=announcement).exists()
    time.sleep(1)
    assert smtp_server.messages == []

    # Redis is back: the dispatcher (Celery beat, every minute) finds the outbox row.
    wait_until_delivered(announcement, smtp_server, 200, timeout=120, dispatch=True)

    received = recipients_of(smtp_server)
    assert set(received) == opted_in
    assert set(received.values()) == {1}
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 200


def test_the_database_restarting_mid_send_neither_loses_nor_repeats_a_message(
    smtp_server, celery_broker, celery_queues, tmp_path
):
    from tests.security.proxy import CuttableProxy
    from tests.security.test_faults import _url_through

    chapter = ChapterFactory()
    opted_in, _ = make_chapter_members(chapter, 150)
    announcement = AnnouncementFactory(chapter=chapter, audience_chapters=[chapter])
    smtp_server.hold_at = 60
    database_url = _database_url()
    port = int(database_url.rsplit(":", 1)[1].split("/")[0])
    with CuttableProxy("127.0.0.1", port) as proxy:
        env = {
            **os.environ,
            "DATABASE_URL": _url_through(proxy.port, database_url),
            "DB_CONNECT_RETRY_SECONDS": "10",
            "CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": celery_broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_DEFAULT_QUEUE": celery_queues["default"],
            "CELERY_TRANSACTIONAL_QUEUE": celery_queues["transactional"],
            "SMTP_HOST": smtp_server.host,
            "SMTP_PORT": str(smtp_server.port),
            "SMTP_TLS": "false",
        }
        worker = CeleryWorkerProcess(env, celery_queues, tmp_path / "worker.log").start()
        try:
            services.send_announcement(announcement_id=announcement.pk, by=staff())
            assert smtp_server.held.wait(120), worker.read_log()[-2000:]
            # The worker waits for the server's 250 with its database connection open:
            # the database restarts (the connection dies, new ones are refused for 1 s)
            # and the message is accepted, so its outcome is written after the restart.
            proxy.cut()
            threading.Timer(1.0, proxy.restore).start()
            smtp_server.release.set()
            wait_until_delivered(announcement, smtp_server, 150, timeout=60)
        finally:
            worker.stop()

    received = recipients_of(smtp_server)
    assert set(received) == opted_in
    assert set(received.values()) == {1}
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 150
    assert proxy.refused >= 1, "the worker never reconnected during the outage"
    assert "database connection lost" in worker.read_log()
