"""The header in Chromium (issue 22): one line at 1280 px for a signed-in staff member, a
menu button below 768 px that follows the disclosure pattern (keyboard, screen readers)
and a menu that stays usable without JavaScript; every axe-core rule passes."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from core.access import IME_STAFF
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import coordinator, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def sign_in(context, base, user):
    """The session of a signed-in user, as a cookie of the browser context."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


def nav_link(page, name):
    return page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name=name, exact=True
    )


def staff_member():
    user = member()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    return user


def test_a_signed_in_staff_header_is_one_line_at_1280_px(page, live_server, artifacts_dir):
    sign_in(page.context, live_server.url, staff_member())
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Pendientes")).to_be_visible()
    expect(page.get_by_role("button", name="Menú")).to_be_hidden()
    tops = page.eval_on_selector_all(
        ".brand, .site-nav li, .language-switcher",
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return r.top + r.height / 2; })",
    )
    assert len(tops) >= 11
    assert max(tops) - min(tops) < 8, tops  # every item's middle on the same line
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts_dir / "header-1280-staff.png"))
    assert_no_axe_violations(page)


def test_below_768_px_a_menu_button_discloses_the_menu(page, live_server, artifacts_dir):
    sign_in(page.context, live_server.url, staff_member())
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Menú")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav_link(page, "Capítulos")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_no_axe_violations(page)  # (loads axe-core, reloading the page once)

    # Keyboard: Tab past the skip link and the brand, Enter opens, Escape closes.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav_link(page, "Capítulos")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Capítulos"
    page.screenshot(path=str(artifacts_dir / "menu-390-open.png"), full_page=True)
    assert_no_axe_violations(page)
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(nav_link(page, "Capítulos")).to_be_hidden()


def test_without_javascript_the_phone_menu_stays_open_and_usable(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="es-MX", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="Menú")).to_be_hidden()
    nav_link(page, "Capítulos").click()
    expect(page).to_have_url(live_server.url + "/chapters/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()


def test_a_form_with_errors_focuses_a_summary_that_links_to_each_field(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/accounts/signup/")
    page.locator("form.signup-form, main form").last.evaluate("form => form.noValidate = true")
    page.locator("main form").last.locator("[type=submit]").last.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    first = summary.get_by_role("link").first
    target = first.get_attribute("href").lstrip("#")
    first.click()
    assert page.evaluate("document.activeElement.id") == target
    assert_no_axe_violations(page)


def test_the_chapter_map_draws_the_world_with_named_pins_reachable_by_keyboard(
    page, live_server, artifacts_dir
):
    from tests.factories import ChapterFactory

    ChapterFactory(
        name="Houston", slug="houston", city="Houston", latitude="29.76", longitude="-95.37"
    )
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/chapters/")
        expect(page.locator(".chapter-map path.land")).to_have_count(1)
        pin = page.get_by_role("link", name="Houston · Houston, Estados Unidos")
        # Houston sits inside the outline of the United States on the map (core.worldmap).
        circle = pin.locator("circle")
        assert 150 < float(circle.get_attribute("cy")) < 152
        assert 211 < float(circle.get_attribute("cx")) < 213
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert_no_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "chapter-map-1280.png"))
    pin.focus()
    expect(pin).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Capítulo Houston")


def test_search_results_are_cards_on_a_phone_and_short_lists_checkboxes(page, live_server):
    from tests.factories import ProfileFactory, coordinator

    ProfileFactory(
        given_names="Valeria", paternal_surname="Quintero", sectors=["tic"], pncs_contact=True
    )
    sign_in(page.context, live_server.url, coordinator("tic"))
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/pncs/search/?sector=tic")
    row = page.locator("table.cards-on-phone tbody tr").first
    expect(row).to_contain_text("Valeria Quintero")
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(
        page.get_by_role("checkbox", name="Tecnologías de la Información y Comunicación")
    ).to_be_checked()
    assert_no_axe_violations(page)


def test_the_workbench_lists_work_and_decides_in_place(page, live_server, artifacts_dir):
    import datetime

    from django.utils import timezone

    from chapters.models import Membership
    from members.models import ArcoRequest
    from tests.factories import AnnouncementFactory, MembershipFactory

    staff = staff_member()
    pending = MembershipFactory(status="pending", message="Soy ingeniera en Houston.")
    ArcoRequest.objects.create(
        user=member(),
        kind="access",
        description="Quiero mis datos.",
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    AnnouncementFactory(subject_es="Convocatoria 2027")
    sign_in(page.context, live_server.url, staff)
    for viewport, name in ((DESKTOP, "workbench-1280.png"), (PHONE, "workbench-390.png")):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + "/staff/todo/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Pendientes")
        expect(page.locator("#arco")).to_contain_text("Vencida:")
        expect(page.locator("#announcements")).to_contain_text("Convocatoria 2027")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(artifacts_dir / name), full_page=True)
        assert_no_axe_violations(page)
    page.locator("#memberships").get_by_role("button", name="Aprobar").click()
    expect(page.locator(".messages")).to_contain_text("Solicitud aprobada")
    pending.refresh_from_db()
    assert pending.status == Membership.Status.APPROVED


def test_a_coordinator_who_is_not_staff_finds_the_workbench_in_the_header(page, live_server):
    """The coordinator's link fits the header's line at 1280 px and the phone menu, in
    Spanish and English."""
    user = coordinator()  # with a second factor, not staff
    sign_in(page.context, live_server.url, user)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    expect(nav_link(page, "Pendientes")).to_be_visible()
    tops = page.eval_on_selector_all(
        ".brand, .site-nav li, .language-switcher",
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return r.top + r.height / 2; })",
    )
    assert max(tops) - min(tops) < 8, tops
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/en/")
    page.get_by_role("button", name="Menu").click()
    link = page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="To do", exact=True
    )
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To do")
    assert_no_axe_violations(page)
