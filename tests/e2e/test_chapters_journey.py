"""The chapters journey in a real browser (Chromium): a member asks to join a chapter,
the chapter's officer approves in the (scoped) admin, the member registers for a
Jornada and downloads its .ics."""

import datetime
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from playwright.sync_api import expect

from chapters.models import Membership, Registration
from tests.factories import (
    DEFAULT_PASSWORD,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    member,
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


def test_join_approve_register_and_download_the_calendar(
    page, browser, live_server, artifacts_dir, tmp_path
):
    houston = ChapterFactory(name="Houston", slug="houston", city="Houston, Texas")
    detroit = ChapterFactory(name="Detroit", slug="detroit")
    elsewhere = MembershipFactory(chapter=detroit, status="pending")
    officer = OfficerFactory(
        chapter=houston, user=member(preferred_name="Presidenta Demo"), second_factor=False
    ).user
    officer_secret = with_totp(officer)
    assert officer.is_staff and not officer.is_superuser
    person = member(preferred_name="Miembro Viajero")
    jornada = JornadaFactory(
        slug="jornada-cdmx",
        title_es="Jornada Informativa en la CDMX",
        edition=5,
        capacity=20,
        starts_at=datetime.datetime(2031, 3, 2, 15, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 3, 2, 23, 0, tzinfo=datetime.UTC),
    )
    base = live_server.url

    # 1. The member asks to join Houston.
    _log_in(page, base, person.email, "/chapters/houston/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Capítulo Houston")
    page.get_by_label("Mensaje para la mesa directiva (opcional)").fill("Vivo en Katy, TX")
    page.get_by_role("button", name="Solicitar unirme").click()
    expect(page.get_by_role("status")).to_contain_text("Solicitud enviada")
    expect(page.get_by_text("Tu solicitud está pendiente")).to_be_visible()
    assert Membership.objects.get(user=person).status == "pending"

    # 2. The officer approves it in the admin, in another browser session.
    officer_context = browser.new_context(locale="es-MX")
    officer_page = officer_context.new_page()
    _log_in(officer_page, base, officer.email, "/admin/chapters/membership/", officer_secret)
    rows = officer_page.locator("#result_list tbody tr")
    # Scoped to Houston: Detroit's pending request is not even listed.
    expect(rows).to_have_count(1)
    expect(officer_page.locator("#result_list")).not_to_contain_text(elsewhere.user.email)
    row = rows.filter(has_text=person.email)
    row.locator('input[name="_selected_action"]').check()
    officer_page.locator('select[name="action"]').select_option("approve_selected")
    officer_page.locator('button[name="index"]').click()
    expect(officer_page.locator(".messagelist")).to_contain_text("Solicitudes aprobadas: 1")
    officer_page.screenshot(path=str(artifacts_dir / "chapters-admin-approved.png"))
    officer_context.close()
    membership = Membership.objects.get(user=person)
    assert membership.status == "approved" and membership.decided_by == officer
    assert any(person.email in m.to for m in mail.outbox)

    # 3. The member sees it, registers for the Jornada representing Houston.
    page.goto(f"{base}/chapters/houston/")
    expect(page.get_by_text("Eres miembro de este capítulo.")).to_be_visible()
    page.goto(f"{base}/jornadas/{jornada.slug}/")
    expect(page.get_by_text("Quinta Jornada Informativa")).to_be_visible()
    page.get_by_label("Capítulo que representas (opcional)").select_option(label="Houston")
    page.get_by_role("button", name="Registrarme").click()
    expect(page.get_by_role("status")).to_contain_text("Tu lugar está confirmado")
    registration = Registration.objects.get(user=person)
    assert registration.status == "confirmed" and registration.representing == houston

    # 4. ... and downloads the calendar file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Agregar a mi calendario (.ics)").click()
    path = tmp_path / "jornada.ics"
    download_info.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Jornada Informativa en la CDMX"
    assert event.decoded("DTSTART") == jornada.starts_at
    page.screenshot(path=str(artifacts_dir / "chapters-jornada-registered.png"), full_page=True)


def test_chapter_list_and_map_fit_a_phone_and_the_map_links_to_chapters(page, live_server):
    ChapterFactory(name="Houston", slug="houston", latitude="29.76", longitude="-95.37")
    ChapterFactory(name="Madrid", slug="madrid", country="ES", region="europe")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/chapters/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.locator(".chapter-map a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capítulo Houston")
    page.goto(live_server.url + "/en/chapters/?region=europe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapters")
    expect(page.get_by_role("link", name="Madrid")).to_be_visible()
    expect(page.get_by_role("link", name="Houston")).to_have_count(0)
