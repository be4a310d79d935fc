"""The home page in a real browser (Chromium), in both languages, with the keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_switches_language_in_the_browser(page, live_server, artifacts_dir):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "es-mx")
    expect(page.get_by_role("heading", level=1)).to_have_text("Red de Talentos Mexicanos")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mexican Talent Network")

    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es-mx")
    page.screenshot(path=str(artifacts_dir / "home-es.png"), full_page=True)


def test_skip_link_is_the_first_stop_of_the_keyboard(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_home_page_fits_a_phone_screen(page, live_server):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
