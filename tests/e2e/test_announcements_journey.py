"""The announcements journey in a real browser (Chromium): a chapter officer previews an
announcement in the (scoped) admin and sends it; a member opens the unsubscribe link of
the email they received and stops chapter announcements with one button."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from announcements.models import Announcement, Delivery
from members.models import Profile
from tests.factories import (
    DEFAULT_PASSWORD,
    AnnouncementFactory,
    ChapterFactory,
    OfficerFactory,
    member,
    subscriber,
    totp_code,
    with_totp,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, base_url, email, next_path, secret=None):
    """The real login form (allauth), its second-factor stage when the account has one
    (officers do: members.access), then on to `next_path`."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(DEFAULT_PASSWORD)
    page.locator('form:has(input[name="login"]) [type="submit"]').click()
    if secret:
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == next_path)


def test_officer_previews_and_sends_and_a_member_unsubscribes_from_the_email(
    page, browser, live_server, artifacts_dir
):
    houston = ChapterFactory(name="Houston", slug="houston")
    detroit = ChapterFactory(name="Detroit", slug="detroit")
    officer = OfficerFactory(
        chapter=houston, user=member(preferred_name="Presidenta"), second_factor=False
    ).user
    officer_secret = with_totp(officer)
    reader = subscriber(chapter=houston, preferred_name="Lectora")
    english = subscriber(chapter=houston, language="en")
    outsider = subscriber(chapter=detroit)
    announcement = AnnouncementFactory(
        chapter=houston,
        audience_chapters=[houston],
        subject_es="Reunión de marzo",
        subject_en="March meeting",
        body_es="Nos vemos el **jueves**.",
        body_en="See you on **Thursday**.",
    )
    AnnouncementFactory(chapter=detroit, audience_chapters=[detroit], subject_es="Solo Detroit")
    base = live_server.url
    change = f"/admin/announcements/announcement/{announcement.pk}/change/"

    # 1. The officer sees only Houston's announcements, previews, then sends.
    officer_context = browser.new_context(locale="es-MX")
    admin = officer_context.new_page()
    _log_in(admin, base, officer.email, "/admin/announcements/announcement/", officer_secret)
    expect(admin.locator("#result_list tbody tr")).to_have_count(1)
    expect(admin.locator("#result_list")).not_to_contain_text("Solo Detroit")
    admin.goto(base + change)
    admin.get_by_role("link", name="Vista previa").click()
    expect(admin.get_by_role("heading", name="Español")).to_be_visible()
    expect(admin.get_by_role("heading", name="Inglés")).to_be_visible()
    expect(admin.locator("strong", has_text="Thursday")).to_be_visible()
    admin.screenshot(path=str(artifacts_dir / "announcement-preview.png"), full_page=True)
    admin.get_by_role("link", name="Volver al aviso").click()
    admin.get_by_role("button", name="Enviar o programar").click()
    # The confirmation step names the exact number of recipients (issue 22).
    expect(admin.get_by_text("Personas que lo recibirán: 2.")).to_be_visible()
    admin.get_by_role("button", name="Confirmar y enviar").click()
    expect(admin.locator(".messagelist")).to_contain_text("Envío iniciado")
    admin.reload()
    expect(admin.locator(".announcement-send")).to_contain_text("Enviado")
    admin.screenshot(path=str(artifacts_dir / "announcement-progress.png"), full_page=True)
    officer_context.close()
    assert Announcement.objects.get(pk=announcement.pk).status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reader.email, english.email])
    assert outsider.email not in {m.to[0] for m in mail.outbox}

    # 2. The member follows the unsubscribe link of their email, without logging in.
    (email,) = [m for m in mail.outbox if m.to == [reader.email]]
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    path = urlsplit(link).path
    assert path in email.body
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dejar de recibir avisos")
    expect(page.get_by_text("Aviso de capítulo")).to_be_visible()
    page.get_by_role("button", name="Dejar de recibirlos").click()
    expect(page.get_by_text("Listo: ya no recibirás estos avisos.")).to_be_visible()
    assert Profile.objects.get(user=reader).notify_chapter is False
    assert Delivery.objects.filter(announcement=announcement, status="sent").count() == 2
