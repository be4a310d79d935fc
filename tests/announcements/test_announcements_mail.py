"""The announcement email as a batch builds it: rendered once per language with only the
recipient's parts filled in, a Django EmailMultiAlternatives per recipient, sent over
Django's SMTP mailer (headers, both languages, unsubscribe link, HTML and text
alternative, sanitised Markdown). Also what a batch costs in queries, and a cancel that
lands while a batch is sending."""

import asyncio
import socket

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from announcements import delivery as outbox
from announcements import services
from announcements.mail import (
    AnnouncementMail,
    language_of,
    read_unsubscribe_token,
    render_announcement,
)
from announcements.models import Announcement, Delivery
from tests.factories import AnnouncementFactory, ChapterFactory, subscriber

pytestmark = pytest.mark.django_db

NAME_TO_ESCAPE = 'Ana <b>"O\'Neil" & co</b>'
MARKDOWN_ES = "Hola a **todos**.\n\n<script>alert(1)</script> [Jornadas](/jornadas/)"
MARKDOWN_EN = "Hello **everyone**.\n\n<script>alert(1)</script> [Jornadas](/jornadas/)"
IDNA_ADDRESS = "persona@xn--bcher-kva.example"  # persona@bücher.example, as Django writes it


def smtp_mailer(settings, host="127.0.0.1", port=2525):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": host, "port": port, "use_tls": False, "timeout": 10},
        }
    }
    return mail.mailers.default


def token_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_the_batch_renders_for_each_recipient_what_render_announcement_renders(chapter_a, settings):
    settings.SITE_URL = "https://red.example.org"
    people = [
        subscriber(chapter=chapter_a, preferred_name=NAME_TO_ESCAPE),
        subscriber(chapter=chapter_a, language="en", preferred_name="Grace"),
        subscriber(chapter=chapter_a, preferred_name="", given_names="Lucía"),
    ]
    announcement = AnnouncementFactory(body_es=MARKDOWN_ES, body_en=MARKDOWN_EN)
    batch = AnnouncementMail(announcement)

    for person in people:
        rendered = batch.render(person)
        expected = render_announcement(announcement, language=language_of(person), user=person)
        # The token carries a timestamp: the same person, kind and announcement is enough.
        url = expected["unsubscribe_url"]
        assert read_unsubscribe_token(token_of(rendered["unsubscribe_url"])) == (
            person.pk,
            "chapter",
            announcement.pk,
        )
        assert rendered["subject"] == expected["subject"]
        assert rendered["text"] == expected["text"].replace(url, rendered["unsubscribe_url"])
        assert rendered["html"] == expected["html"].replace(url, rendered["unsubscribe_url"])
    html = batch.render(people[0])["html"]
    assert "Ana &lt;b&gt;&quot;O&#x27;Neil&quot; &amp; co&lt;/b&gt;" in html
    assert "<script" not in html
    assert f"Hola, {NAME_TO_ESCAPE}:" in batch.render(people[0])["text"]


def test_a_batch_over_djangos_smtp_mailer_delivers_both_languages_with_unsubscribe_links(
    chapter_a, ime_staff, settings, smtp_server
):
    settings.SITE_URL = "https://red.example.org"
    smtp_mailer(settings, smtp_server.host, smtp_server.port)
    spanish = subscriber(chapter=chapter_a, preferred_name=NAME_TO_ESCAPE)
    english = subscriber(chapter=chapter_a, language="en", preferred_name="Grace")
    abroad = subscriber(chapter=chapter_a, user__email="persona@bücher.example")
    announcement = AnnouncementFactory(
        audience_chapters=[chapter_a], body_es=MARKDOWN_ES, body_en=MARKDOWN_EN
    )
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)  # no hook
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    ids = dict(Delivery.objects.filter(announcement=announcement).values_list("user_id", "pk"))

    counts = outbox.send_batch(
        announcement_id=announcement.pk, first_id=min(ids.values()), last_id=max(ids.values())
    )

    assert counts == {"sent": 3, "skipped": 0, "failed": 0}
    received = smtp_server.wait_for(3, timeout=10)
    assert sorted(rcpt for _sender, (rcpt,) in smtp_server.envelopes) == sorted(
        [spanish.email, english.email, IDNA_ADDRESS]
    )
    by_to = {str(message["To"]): message for message in received}
    assert set(by_to) == {spanish.email, english.email, IDNA_ADDRESS}
    for person, address, language in (
        (spanish, spanish.email, "es"),
        (english, english.email, "en"),
        (abroad, IDNA_ADDRESS, "es"),
    ):
        message = by_to[address]
        url = message["List-Unsubscribe"].strip("<>")
        text, html = parts(message)["text/plain"], parts(message)["text/html"]
        assert read_unsubscribe_token(token_of(url)) == (person.pk, "chapter", announcement.pk)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"] == (
            f"<announcement-{announcement.pk}-{ids[person.pk]}@red.example.org>"
        )
        assert url in text and url in html
        assert "<script" not in html
        assert 'href="https://red.example.org/jornadas/"' in html
        if language == "en":
            assert message["Subject"] == announcement.subject_en
            assert "<strong>everyone</strong>" in html and "Hello **everyone**" in text
            assert "/en/unsubscribe/" in url
        else:
            assert message["Subject"] == announcement.subject_es
            assert "<strong>todos</strong>" in html and "Hola a **todos**" in text
    assert f"Hola, {NAME_TO_ESCAPE}:" in parts(by_to[spanish.email])["text/plain"]
    assert "Hola, Ana &lt;b&gt;" in parts(by_to[spanish.email])["text/html"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


class CancellingBackend(LocmemBackend):
    """Staff press cancel while the second message is on its way."""

    announcement_id = None

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) == 2:
            services.cancel_announcement(announcement_id=self.announcement_id, by=None)
        return sent


def test_a_cancel_during_a_batch_stops_it_before_the_next_message(chapter_a, ime_staff, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CancellingBackend"}}
    for _ in range(5):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    CancellingBackend.announcement_id = announcement.pk
    ids = sorted(Delivery.objects.values_list("pk", flat=True))

    counts = outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    assert counts["sent"] == 2
    assert len(mail.outbox) == 2
    statuses = list(Delivery.objects.order_by("pk").values_list("status", "reason"))
    assert statuses == [("sent", "")] * 2 + [("cancelled", "cancelled")] * 3
    assert Announcement.objects.get(pk=announcement.pk).status == "cancelled"


@pytest.mark.parametrize(("recipients", "queries"), [(3, 10), (6, 15)])
def test_a_batch_costs_two_queries_per_chunk_and_one_per_message(
    chapter_a, ime_staff, settings, django_assert_num_queries, recipients, queries
):
    """Five per batch (the announcement, the exhausted deliveries, the pending ids, and
    closing the announcement: two), two per chunk of three (the claim, the recipients)
    and one per message sent: its record, committed before the next message leaves, which
    also reads whether the send was cancelled. Every delivery ends recorded sent, with
    its time."""
    settings.ANNOUNCEMENT_CLAIM_CHUNK = 3
    for _ in range(recipients):
        subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    services.send_announcement(announcement_id=announcement.pk, by=ime_staff)
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))

    with django_assert_num_queries(queries):
        outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])

    assert len(mail.outbox) == recipients
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()
    assert Announcement.objects.get(pk=announcement.pk).status == "sent"


def outbox_rows(recipients):
    """A sending announcement and its pending deliveries, written as send_announcement
    does but without enqueueing (in a transactional test, the commit hook would send
    them at once)."""
    chapter = ChapterFactory()
    for _ in range(recipients):
        subscriber(chapter=chapter)
    announcement = AnnouncementFactory(audience_chapters=[chapter], status="sending")
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    return announcement, sorted(Delivery.objects.values_list("pk", flat=True))


class CancelWhileReceiving:
    """An SMTP server on which staff cancel the announcement while message `at` arrives
    (from another database connection, as the admin would)."""

    def __init__(self, announcement_id, at):
        self.announcement_id, self.at, self.received = announcement_id, at, []

    async def handle_DATA(self, server, session, envelope):
        if len(self.received) + 1 == self.at:
            await asyncio.get_running_loop().run_in_executor(None, self.cancel)
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"

    def cancel(self):
        from django.db import connection

        try:
            services.cancel_announcement(announcement_id=self.announcement_id, by=None)
        finally:
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_cancel_while_smtp_sends_stops_within_one_more_message_and_records_each_sent(
    settings,
):
    from aiosmtpd.controller import Controller

    announcement, ids = outbox_rows(8)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = CancelWhileReceiving(announcement.pk, at=3)
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_mailer(settings, "127.0.0.1", port)
    try:
        counts = outbox.send_batch(
            announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1]
        )
    finally:
        controller.stop()

    assert 3 <= len(server.received) <= 4
    assert counts["sent"] == len(server.received)
    sent = Delivery.objects.filter(status="sent")
    assert sorted(sent.values_list("user__email", flat=True)) == sorted(server.received)
    assert set(Delivery.objects.exclude(status="sent").values_list("status", "reason")) == {
        ("cancelled", "cancelled")
    }
