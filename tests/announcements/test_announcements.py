"""Announcements, eager mode: audience, opt-out at send time, language, headers,
idempotent claims, retry policy, cancel, dispatcher, reminders, permissions."""

import smtplib
from datetime import timedelta

import pytest
from django import db as django_db
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from announcements import audiences, services, tasks
from announcements import delivery as outbox
from announcements.mail import markdown_to_html, read_unsubscribe_token
from announcements.models import Announcement, Delivery
from announcements.services import AnnouncementError
from chapters import services as chapter_services
from chapters.models import Membership
from members.models import Profile, Sector
from tests.factories import (
    AnnouncementFactory,
    JornadaFactory,
    RegistrationFactory,
    member,
    subscriber,
)

pytestmark = pytest.mark.django_db


class FlakySmtpBackend(LocmemBackend):
    """Stands in for a remote SMTP server: refuses refused@… and drops the line for
    disconnect@…; everything else lands in mail.outbox."""

    opened = 0

    def open(self):
        FlakySmtpBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            if address.startswith("refused"):
                raise smtplib.SMTPRecipientsRefused({address: (550, b"No such user")})
            if address.startswith("disconnect"):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakySmtpBackend"}}
    FlakySmtpBackend.opened = 0
    return FlakySmtpBackend


def send_now(announcement, by, capture):
    with capture(execute=True):
        return services.send_announcement(announcement_id=announcement.pk, by=by)


def start_without_sending(announcement, by):
    """Press send, then write the deliveries as the task would, without enqueueing their
    sending (the test's transaction never commits: nothing runs on its own)."""
    services.send_announcement(announcement_id=announcement.pk, by=by)
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    return sorted(Delivery.objects.filter(announcement=announcement).values_list("pk", flat=True))


def deliveries(announcement):
    return dict(
        Delivery.objects.filter(announcement=announcement).values_list("user__email", "status")
    )


# --- Audience --------------------------------------------------------------------------


def test_chapter_audience_is_its_approved_members_who_opted_in(
    chapter_a, chapter_b, ime_staff, django_capture_on_commit_callbacks
):
    approved = subscriber(chapter=chapter_a)
    pending = subscriber()
    Membership.objects.create(chapter=chapter_a, user=pending, status="pending")
    other_chapter = subscriber(chapter=chapter_b)
    not_opted_in = subscriber(chapter=chapter_a, notify_chapter=False)
    announcement = AnnouncementFactory(chapter=chapter_a, audience_chapters=[chapter_a])

    send_now(announcement, ime_staff, django_capture_on_commit_callbacks)

    assert deliveries(announcement) == {approved.email: "sent"}
    assert [m.to for m in mail.outbox] == [[approved.email]]
    assert {pending.email, other_chapter.email, not_opted_in.email}.isdisjoint(
        {m.to[0] for m in mail.outbox}
    )


def test_criteria_combine_as_a_union_and_each_person_gets_one_message(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    jornada = JornadaFactory(chapter=chapter_a)
    both = subscriber(chapter=chapter_a, jornada=jornada, sectors=["tic", "salud"])
    only_jornada = subscriber(jornada=jornada, country="CA")
    by_sector = subscriber(sectors=["salud"], country="CA")
    by_country = subscriber(country="ES", sectors=["energia"])
    outsider = subscriber(country="US", sectors=["energia"])
    announcement = AnnouncementFactory(
        kind="jornadas",
        audience_chapters=[chapter_a],
        audience_jornadas=[jornada],
        audience_countries=["ES"],
    )
    announcement.audience_sectors.set([Sector.objects.get(slug="salud")])

    send_now(announcement, ime_staff, django_capture_on_commit_callbacks)

    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert sent_to == sorted([both.email, only_jornada.email, by_sector.email, by_country.email])
    assert outsider.email not in sent_to
    assert Delivery.objects.filter(announcement=announcement).count() == 4


def test_all_members_excludes_inactive_deleted_and_unverified_accounts(
    ime_staff, django_capture_on_commit_callbacks
):
    active = subscriber()
    inactive = subscriber()
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    deleted = subscriber()
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    unverified = subscriber()
    unverified.email_verified = False
    unverified.save(update_fields=["email_verified"])
    announcement = AnnouncementFactory(audience_all_members=True)

    send_now(announcement, ime_staff, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[active.email]]


def test_an_announcement_without_audience_or_recipients_is_refused(chapter_a, ime_staff):
    empty = AnnouncementFactory()
    with pytest.raises(AnnouncementError) as excinfo:
        services.send_announcement(announcement_id=empty.pk, by=ime_staff)
    assert excinfo.value.message == services.EMPTY_AUDIENCE_MESSAGE
    nobody = AnnouncementFactory(audience_chapters=[chapter_a])
    with pytest.raises(AnnouncementError) as excinfo:
        services.send_announcement(announcement_id=nobody.pk, by=ime_staff)
    assert excinfo.value.message == services.NO_RECIPIENTS_MESSAGE
    assert Announcement.objects.filter(status="draft").count() == 2


# --- Who may send what -------------------------------------------------------------------


def test_an_officer_sends_to_their_chapter_but_not_to_another_or_to_everyone(
    chapter_a, chapter_b, officer_a, django_capture_on_commit_callbacks
):
    subscriber(chapter=chapter_a)
    subscriber(chapter=chapter_b)
    other = AnnouncementFactory(chapter=chapter_a, audience_chapters=[chapter_b])
    everyone = AnnouncementFactory(chapter=chapter_a, audience_all_members=True)
    foreign = AnnouncementFactory(chapter=chapter_b, audience_chapters=[chapter_b])
    for announcement in (other, everyone, foreign):
        with pytest.raises(AnnouncementError) as excinfo:
            services.send_announcement(announcement_id=announcement.pk, by=officer_a)
        assert excinfo.value.message == services.NOT_ALLOWED_MESSAGE
    assert not Delivery.objects.exists()

    own = AnnouncementFactory(chapter=chapter_a, audience_chapters=[chapter_a])
    send_now(own, officer_a, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_an_officer_may_target_their_chapters_events_only(chapter_a, chapter_b, officer_a):
    own_event = JornadaFactory(chapter=chapter_a)
    network = JornadaFactory()
    subscriber(jornada=own_event)
    subscriber(jornada=network)
    allowed = AnnouncementFactory(kind="jornadas", chapter=chapter_a, audience_jornadas=[own_event])
    refused = AnnouncementFactory(kind="jornadas", chapter=chapter_a, audience_jornadas=[network])
    assert audiences.can_send(officer_a, allowed)
    assert not audiences.can_send(officer_a, refused)


# --- At send time ------------------------------------------------------------------------


def test_opt_out_and_deactivation_after_the_send_started_are_skipped_with_a_reason(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    stays = subscriber(chapter=chapter_a)
    leaves = subscriber(chapter=chapter_a)
    closes = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    with django_capture_on_commit_callbacks(execute=False):
        ids = start_without_sending(announcement, ime_staff)  # rows written, nothing sent yet
    services.unsubscribe(user_id=leaves.pk, kind="chapter")
    closes.is_active = False
    closes.save(update_fields=["is_active"])

    counts = outbox.send_batch(announcement_id=announcement.pk, first_id=min(ids), last_id=max(ids))

    assert counts == {"sent": 1, "skipped": 2, "failed": 0}
    assert [m.to for m in mail.outbox] == [[stays.email]]
    assert dict(
        Delivery.objects.filter(announcement=announcement).values_list("user_id", "reason")
    ) == {stays.pk: "", leaves.pk: "opted-out", closes.pk: "inactive"}
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    progress = services.progress(announcement)
    assert (progress["recipients"], progress["sent"], progress["skipped"]) == (3, 1, 2)


def test_each_recipient_gets_their_language_with_absolute_links(
    chapter_a, ime_staff, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://red.example.org"
    spanish = subscriber(chapter=chapter_a, preferred_name="Lucía")
    english = subscriber(chapter=chapter_a, language="en", preferred_name="Grace")
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])

    send_now(announcement, ime_staff, django_capture_on_commit_callbacks)

    by_to = {m.to[0]: m for m in mail.outbox}
    es, en = by_to[spanish.email], by_to[english.email]
    assert es.subject == announcement.subject_es
    assert en.subject == announcement.subject_en
    assert "Hola, Lucía:" in es.body and "Hola a **todos**" in es.body
    assert "Hello **everyone**" in en.body and "Hola a" not in en.body
    es_html, en_html = es.alternatives[0].content, en.alternatives[0].content
    assert '<a href="https://red.example.org/jornadas/"' in es_html
    assert "<strong>everyone</strong>" in en_html
    assert es.extra_headers["List-Unsubscribe"].startswith("<https://red.example.org/unsubscribe/")
    assert en.extra_headers["List-Unsubscribe"].startswith(
        "<https://red.example.org/en/unsubscribe/"
    )


def test_announcements_carry_one_click_unsubscribe_headers_with_a_signed_token(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    person = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    send_now(announcement, ime_staff, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (person.pk, "chapter", announcement.pk)
    assert message.extra_headers["Message-ID"].startswith(f"<announcement-{announcement.pk}-")
    assert url in message.body  # also in the plain-text footer


def test_transactional_mail_has_no_unsubscribe_headers():
    from members.services import deliver_transactional_email

    deliver_transactional_email(to=["a@example.org"], subject="Código", body="123456")
    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "List-Unsubscribe" not in str(message.message())


def test_markdown_is_rendered_to_sanitised_html(settings):
    settings.SITE_URL = "https://red.example.org"
    html = markdown_to_html(
        "# T\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **ok** [in](/chapters/)'
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<img" not in html
    assert "<strong>ok</strong>" in html
    assert 'href="https://red.example.org/chapters/"' in html


# --- Idempotency, retries, cancel ----------------------------------------------------------


def test_a_batch_run_twice_or_a_claimed_delivery_never_sends_twice(chapter_a, ime_staff):
    first = subscriber(chapter=chapter_a)
    second = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    ids = start_without_sending(announcement, ime_staff)
    # Another worker holds the second delivery.
    Delivery.objects.filter(user=second).update(status="sending", claimed_at=timezone.now())

    for _ in range(2):
        outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    assert [m.to for m in mail.outbox] == [[first.email]]
    assert Delivery.objects.get(user=first).attempts == 1


def test_one_smtp_connection_per_batch(chapter_a, ime_staff, flaky_smtp, settings):
    settings.ANNOUNCEMENT_BATCH_SIZE = 2
    for _ in range(5):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    start_without_sending(announcement, ime_staff)
    assert outbox.enqueue_pending(announcement_id=announcement.pk) == 3  # eager batches
    assert len(mail.outbox) == 5
    assert flaky_smtp.opened == 3


def test_a_refused_recipient_fails_with_its_reason_and_is_not_retried(
    chapter_a, ime_staff, flaky_smtp
):
    refused = subscriber(chapter=chapter_a, user__email="refused@example.org")
    fine = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    ids = start_without_sending(announcement, ime_staff)

    counts = outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    assert counts == {"sent": 1, "skipped": 0, "failed": 1}
    failed = Delivery.objects.get(user=refused)
    assert (failed.status, failed.reason, failed.attempts) == ("failed", "refused (550)", 1)
    assert [m.to for m in mail.outbox] == [[fine.email]]


def test_a_transient_smtp_error_releases_the_delivery_for_a_retry(chapter_a, ime_staff, flaky_smtp):
    subscriber(chapter=chapter_a, user__email="disconnect@example.org")
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    start_without_sending(announcement, ime_staff)
    delivery = Delivery.objects.get(announcement=announcement)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox.send_batch(
            announcement_id=announcement.pk, first_id=delivery.pk, last_id=delivery.pk
        )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_only_transient_errors_are_retried_with_backoff_jitter_and_a_maximum(settings):
    task = tasks.send_announcement_batch_task
    assert set(task.autoretry_for) == {
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        TimeoutError,
        ConnectionError,
        # The database away for longer than a step's own wait (a restart).
        django_db.OperationalError,
        django_db.InterfaceError,
    }
    assert smtplib.SMTPRecipientsRefused not in task.autoretry_for
    assert django_db.IntegrityError not in task.autoretry_for
    assert task.retry_jitter is True and task.retry_backoff == 5
    assert task.max_retries == 5
    assert task.retry_backoff_max < settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.ANNOUNCEMENT_STUCK_AFTER > settings.CELERY_TASK_TIME_LIMIT


def test_a_delivery_past_the_attempt_limit_is_failed(chapter_a, ime_staff, settings):
    settings.ANNOUNCEMENT_MAX_ATTEMPTS = 2
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    start_without_sending(announcement, ime_staff)
    delivery = Delivery.objects.get(announcement=announcement)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=2)
    outbox.send_batch(announcement_id=announcement.pk, first_id=delivery.pk, last_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("failed", "too-many-attempts")
    assert mail.outbox == []


def test_cancelling_a_running_send_stops_the_pending_deliveries(chapter_a, ime_staff):
    for _ in range(3):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    ids = start_without_sending(announcement, ime_staff)

    cancelled = services.cancel_announcement(announcement_id=announcement.pk, by=ime_staff)
    outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    assert cancelled == 3
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", "reason")) == {("cancelled", "cancelled")}
    announcement.refresh_from_db()
    assert announcement.status == "cancelled" and announcement.cancelled_at
    with pytest.raises(AnnouncementError):
        services.cancel_announcement(announcement_id=announcement.pk, by=ime_staff)


def test_cancelling_a_scheduled_send_means_it_never_starts(chapter_a, ime_staff):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(
        announcement_id=announcement.pk, by=ime_staff, when=timezone.now() + timedelta(hours=1)
    )
    services.cancel_announcement(announcement_id=announcement.pk, by=ime_staff)
    outbox.dispatch_pending(now=timezone.now() + timedelta(hours=2))
    assert not Delivery.objects.exists()
    assert mail.outbox == []


# --- Outbox: after commit, broker down, dispatcher -----------------------------------------


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
        raise RuntimeError("rollback")
    assert callbacks == []
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_broker_outage_leaves_the_send_in_the_outbox_for_the_dispatcher(
    chapter_a, ime_staff, monkeypatch, django_capture_on_commit_callbacks
):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patch:  # staff press send with the broker down
        patch.setattr(tasks.create_deliveries_task, "apply_async", broker_down)
        send_now(announcement, ime_staff, django_capture_on_commit_callbacks)
        announcement.refresh_from_db()
        assert (announcement.status, announcement.recipients_enqueued_at) == ("sending", None)
        assert outbox.dispatch_pending()["preparing"] == 0  # still down
    assert not Delivery.objects.exists()
    assert mail.outbox == []

    with monkeypatch.context() as patch:  # the recipients are written, their batches wait
        patch.setattr(tasks.send_announcement_batch_task, "apply_async", broker_down)
        result = outbox.dispatch_pending()
        assert (result["preparing"], result["tasks"]) == (1, 0)
    delivery = Delivery.objects.get(announcement=announcement)
    assert (delivery.status, delivery.enqueued_at) == ("pending", None)
    assert mail.outbox == []

    result = outbox.dispatch_pending()  # the broker is back

    assert (result["preparing"], result["tasks"]) == (0, 1)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    announcement.refresh_from_db()
    assert announcement.status == "sent"


def test_the_dispatcher_starts_due_scheduled_sends_once(chapter_a, ime_staff):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    later = timezone.now() + timedelta(hours=1)
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff, when=later)
    assert outbox.dispatch_pending()["started"] == 0

    assert outbox.dispatch_pending(now=later + timedelta(minutes=1))["started"] == 1
    outbox.dispatch_pending(now=later + timedelta(minutes=2))
    assert Delivery.objects.filter(announcement=announcement).count() == 1
    announcement.refresh_from_db()
    assert announcement.status == "sent"
    assert len(mail.outbox) == 1


def test_past_dates_cannot_be_scheduled(chapter_a, ime_staff):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    with pytest.raises(AnnouncementError) as excinfo:
        services.send_announcement(
            announcement_id=announcement.pk, by=ime_staff, when=timezone.now() - timedelta(1)
        )
    assert excinfo.value.message == services.SCHEDULE_PAST_MESSAGE


def test_the_dispatcher_resends_deliveries_stuck_in_a_dead_worker(chapter_a, ime_staff, settings):
    settings.ANNOUNCEMENT_STUCK_AFTER = 60
    stuck = subscriber(chapter=chapter_a)
    fresh = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    start_without_sending(announcement, ime_staff)
    now = timezone.now()
    Delivery.objects.filter(user=stuck).update(
        status="sending", claimed_at=now - timedelta(minutes=5)
    )
    Delivery.objects.filter(user=fresh).update(
        status="sending", claimed_at=now - timedelta(seconds=5)
    )

    result = outbox.dispatch_pending(now=now)

    assert result["released"] == 1
    assert [m.to for m in mail.outbox] == [[stuck.email]]
    assert Delivery.objects.get(user=fresh).status == "sending"  # its worker is alive


# --- Jornadas ------------------------------------------------------------------------------


def test_registrants_are_reminded_once_24_hours_before_the_jornada():
    soon = JornadaFactory(starts_at=timezone.now() + timedelta(hours=20))
    later = JornadaFactory(starts_at=timezone.now() + timedelta(hours=30))
    confirmed = subscriber(jornada=soon, language="en")
    RegistrationFactory(jornada=soon, status="waitlisted", user=subscriber())
    subscriber(jornada=later)

    assert chapter_services.send_jornada_reminders() == 1
    assert chapter_services.send_jornada_reminders() == 0

    outbox.dispatch_pending()  # (the test's transaction never commits: the dispatcher)
    assert [m.to for m in mail.outbox] == [[confirmed.email]]
    assert mail.outbox[0].subject == f"Reminder: {soon.title_en}"
    assert Announcement.objects.get(reminder_for=soon).kind == "jornadas"
    assert not Announcement.objects.filter(reminder_for=later).exists()


def test_announcing_a_jornada_drafts_an_announcement_to_its_chapter(chapter_a, officer_a):
    jornada = JornadaFactory(chapter=chapter_a, description_es="Agenda completa.")
    draft = chapter_services.announce_jornada(jornada_id=jornada.pk, by=officer_a)
    assert draft.status == "draft" and draft.kind == "jornadas"
    assert draft.chapter == chapter_a
    assert list(draft.audience_chapters.all()) == [chapter_a]
    assert jornada.get_absolute_url() in draft.body_es
    assert draft.subject_en == jornada.title_en
    network = chapter_services.announce_jornada(jornada_id=JornadaFactory().pk, by=officer_a)
    assert network.audience_all_members and network.chapter is None


# --- Unsubscribe service -------------------------------------------------------------------


def test_unsubscribe_flips_only_the_matching_opt_in_and_is_idempotent():
    person = subscriber(notify_programs=True)
    assert services.unsubscribe(user_id=person.pk, kind="jornadas") is True
    assert services.unsubscribe(user_id=person.pk, kind="jornadas") is False
    profile = Profile.objects.get(user=person)
    assert (profile.notify_jornadas, profile.notify_chapter, profile.notify_programs) == (
        False,
        True,
        True,
    )
    assert services.unsubscribe(user_id=person.pk, kind="nonsense") is False
    assert services.unsubscribe(user_id=member().pk + 1000, kind="chapter") is False


def test_seed_demo_sends_two_announcements_and_schedules_one_once(settings):
    from django.core.management import call_command

    from demo.management.commands.seed_demo import Command as SeedDemo

    settings.DEBUG = True
    call_command(SeedDemo(), members=40)
    call_command(SeedDemo(), members=40)
    statuses = sorted(Announcement.objects.values_list("status", flat=True))
    # Sent after the seed commits; the draft waits on the staff workbench (demo/workbench.py);
    # the coordinator's announcement to their sector waits for IME (demo/jornada_support.py).
    assert statuses == ["awaiting", "draft", "scheduled", "sending", "sending"]
    assert not Delivery.objects.exists()  # (the test's transaction never commits)
    outbox.dispatch_pending()  # as Celery beat would
    assert Delivery.objects.exists()
    assert sorted(Announcement.objects.values_list("status", flat=True)) == [
        "awaiting",
        "draft",
        "scheduled",
        "sent",
        "sent",
    ]


def test_the_beat_schedule_names_the_dispatcher_and_the_reminders(settings):
    from talentnet.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    dispatcher = schedule["announcements-dispatch"]
    reminders = schedule["chapters-jornada-reminders"]
    assert dispatcher["task"] == "announcements.tasks.dispatch_pending_announcements_task"
    assert reminders["task"] == "chapters.tasks.send_jornada_reminders_task"
    assert dispatcher["schedule"] <= 60 < settings.ANNOUNCEMENT_STUCK_AFTER
    app.loader.import_default_modules()  # what a worker does when it starts (autodiscovery)
    assert {dispatcher["task"], reminders["task"]} <= set(app.tasks)


def test_pressing_send_publishes_one_message_that_splits_into_batches(
    chapter_a, ime_staff, settings, django_capture_on_commit_callbacks
):
    settings.ANNOUNCEMENT_BATCH_SIZE = 2
    for _ in range(5):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()  # the enqueue task runs inline (eager): three batches

    assert len(mail.outbox) == 5
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


# --- "Send now" writes no recipient in the request -----------------------------------------


@pytest.mark.parametrize("people", [2, 12])
def test_pressing_send_writes_no_delivery_and_costs_the_same_for_any_audience(
    chapter_a, ime_staff, people, django_assert_num_queries
):
    for _ in range(people):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    ime_staff.refresh_from_db()

    # The lock, the audience (one statement per contributed criterion: chapters, Jornadas,
    # sectors, programs' applicants, stages' cohorts (enrolled, completed, selected,
    # travelling), news digests' groups), the permission, one EXISTS and the status: the
    # same statements for two recipients or 600,000.
    with django_assert_num_queries(15):
        services.send_announcement(announcement_id=announcement.pk, by=ime_staff)

    announcement.refresh_from_db()
    assert announcement.status == "sending" and announcement.started_at is not None
    assert announcement.is_preparing
    assert not Delivery.objects.exists()


def test_recipients_are_written_in_bounded_batches_and_a_second_run_writes_nothing_twice(
    chapter_a, ime_staff, settings, django_assert_num_queries
):
    settings.ANNOUNCEMENT_RECIPIENTS_BATCH = 2
    people = [subscriber(chapter=chapter_a) for _ in range(5)]
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)

    assert outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False) == 5
    assert outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False) == 0

    rows = Delivery.objects.filter(announcement=announcement)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(p.pk for p in people)
    assert set(rows.values_list("status", flat=True)) == {"pending"}
    announcement.refresh_from_db()
    assert announcement.recipients_ready_at is not None and not announcement.is_preparing


def test_writing_recipients_again_after_a_crash_resumes_after_the_last_one_written(
    chapter_a, ime_staff, settings
):
    settings.ANNOUNCEMENT_RECIPIENTS_BATCH = 2
    people = sorted((subscriber(chapter=chapter_a) for _ in range(5)), key=lambda u: u.pk)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
    # A worker wrote the first batch and died.
    for person in people[:2]:
        Delivery.objects.create(announcement=announcement, user=person)

    assert outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False) == 3

    assert Delivery.objects.filter(announcement=announcement).count() == 5


def test_a_cancel_stops_the_writing_of_recipients_before_its_next_batch(
    chapter_a, ime_staff, settings, monkeypatch
):
    settings.ANNOUNCEMENT_RECIPIENTS_BATCH = 2
    for _ in range(5):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)

    def cancel_instead(*, announcement_id, delivery_ids):  # staff cancel after batch one
        services.cancel_announcement(announcement_id=announcement_id, by=ime_staff)
        return 0

    monkeypatch.setattr(outbox, "enqueue_deliveries", cancel_instead)
    written = outbox.create_deliveries(announcement_id=announcement.pk)

    assert written == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    assert outbox.create_deliveries(announcement_id=announcement.pk) == 0
    assert Delivery.objects.count() == 2
    assert mail.outbox == []


def test_a_send_is_not_closed_while_its_recipients_are_still_being_written(chapter_a, ime_staff):
    for _ in range(2):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    ids = start_without_sending(announcement, ime_staff)
    Announcement.objects.filter(pk=announcement.pk).update(recipients_ready_at=None)

    outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    announcement.refresh_from_db()
    assert (announcement.status, len(mail.outbox)) == ("sending", 2)
    outbox.create_deliveries(announcement_id=announcement.pk)  # the writer finishes
    announcement.refresh_from_db()
    assert announcement.status == "sent"
    assert len(mail.outbox) == 2


def test_a_scheduled_send_starts_without_writing_recipients_then_the_task_writes_them(
    chapter_a, ime_staff, django_capture_on_commit_callbacks
):
    subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    later = timezone.now() + timedelta(hours=1)
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff, when=later)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.start_sending(locked, now=later)  # what the dispatcher runs

    assert not Delivery.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # after commit: the task (eager here) writes and sends
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 1
    assert len(mail.outbox) == 1
