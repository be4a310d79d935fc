"""The network in figures in Chromium: the public page with its world map, the CSV link,
English, a phone screen; IME staff log in with TOTP and filter the dashboard."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.access import IME_STAFF
from figures.services import refresh_figures
from tests.e2e.test_pncs_journey import log_in
from tests.factories import ChapterFactory, MembershipFactory, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _network():
    for n in range(12):
        member(country="US" if n < 7 else "CA", state_of_origin="JAL" if n % 2 else "OAX")
    member(country="ES")
    chapter = ChapterFactory(name="Capítulo Silicon Valley", city="San José")
    for user in member(country="US"), member(country="US"):
        MembershipFactory(chapter=chapter, user=user)
    refresh_figures()  # the beat's work: the figures pages only read snapshots


def test_public_figures_show_the_world_map(page, live_server, artifacts_dir):
    _network()
    page.goto(live_server.url + "/figures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("La red en cifras")
    world = page.locator('[data-testid="world-map"]')
    expect(world).to_be_visible()
    box = world.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    # The US is drawn in a colour class, Spain (one member) as a suppressed cell.
    us_class = page.locator(
        '[data-testid="world-map"] path:has(title:text-is("Estados Unidos: 9"))'
    )
    expect(us_class).to_have_count(1)
    expect(page.locator('path:has(title:text-is("España: <5"))')).to_have_class("map-small")
    link = page.get_by_role("link", name="Descargar «Miembros por país de residencia» (CSV)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "countries.csv"
    page.screenshot(path=str(artifacts_dir / "figures-public-es.png"), full_page=True)

    page.goto(live_server.url + "/en/figures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The network in figures")
    expect(page.locator('[data-testid="world-map"]')).to_be_visible()


def test_public_figures_fit_a_phone(page, live_server, artifacts_dir):
    _network()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/figures/")
    expect(page.locator('[data-testid="world-map"]')).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts_dir / "figures-public-phone.png"), full_page=False)


def test_ime_staff_log_in_with_totp_and_filter_the_dashboard(page, live_server, artifacts_dir):
    _network()
    staff = member(country="MX")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    secret = with_totp(staff)
    log_in(page, live_server.url, staff.email, secret)
    page.goto(live_server.url + "/staff/figures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tablero de cifras de la red")
    expect(page.locator('[data-testid="world-map"]')).to_be_visible()
    expect(page.get_by_role("heading", name="Salud de los capítulos")).to_be_visible()
    page.get_by_label("País de residencia", exact=True).select_option("CA")
    page.get_by_role("button", name="Aplicar filtros").click()
    expect(page).to_have_url(re.compile(r"country=CA"))
    table = page.locator("#figure-countries table")
    expect(table.get_by_role("row", name="Canadá 5")).to_be_visible()
    expect(table).not_to_contain_text("Estados Unidos")
    page.screenshot(path=str(artifacts_dir / "figures-staff-filtered.png"), full_page=True)


def test_figures_pages_pass_axe(page, live_server):
    # tests/e2e/axe.py (and axe-core from npm) land on main with the members app: until this
    # branch is merged with it, this test is skipped rather than faked.
    axe = pytest.importorskip("tests.e2e.axe")
    _network()
    staff = member(country="MX")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    secret = with_totp(staff)
    for path in ("/figures/", "/en/figures/"):
        page.goto(live_server.url + path)
        axe.assert_no_serious_axe_violations(page)
    log_in(page, live_server.url, staff.email, secret)
    page.goto(live_server.url + "/staff/figures/?country=US")
    axe.assert_no_serious_axe_violations(page)
