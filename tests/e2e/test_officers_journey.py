"""The chapter board journey in Chromium (issue 21): a president appoints a member of the
chapter as secretary from the chapter's officer area (not the admin), and the new officer
then finds the officer tools on the chapter page; the pages pass axe and fit a phone."""

import pytest
from playwright.sync_api import expect

from chapters.models import Officer
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import ChapterFactory, MembershipFactory, OfficerFactory, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_president_appoints_an_officer_who_then_sees_the_officer_tools(
    page, live_server, browser
):
    base = live_server.url
    chapter = ChapterFactory(name="Capítulo Houston", slug="houston")
    president = OfficerFactory(chapter=chapter, second_factor=False).user
    president_secret = with_totp(president)
    candidate = member(preferred_name="Carla Nueva")
    MembershipFactory(chapter=chapter, user=candidate)
    candidate_secret = with_totp(candidate)

    # The president opens the board page from the chapter page, at phone width.
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, base, president.email, president_secret)
    page.goto(base + "/chapters/houston/")
    page.get_by_role("link", name="Mesa directiva y nombramientos").click()
    expect(page.get_by_role("heading", name="Nombrar un cargo")).to_be_visible()
    assert_no_serious_axe_violations(page)  # (reloads the page: before filling)
    page.get_by_label("Persona:", exact=True).select_option(label="Carla Nueva")
    page.get_by_label("Cargo:", exact=True).select_option(label="Secretario")
    page.get_by_role("button", name="Nombrar").click()
    expect(page.get_by_text("Cargo nombrado.")).to_be_visible()
    expect(page.get_by_role("cell", name="Carla Nueva")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert Officer.objects.get(user=candidate).appointed_by == president

    # The new secretary, in another browser, finds the officer tools on the chapter page.
    context = browser.new_context(locale="es-MX", viewport={"width": 390, "height": 800})
    officer_page = context.new_page()
    log_in(officer_page, base, candidate.email, candidate_secret)
    officer_page.goto(base + "/chapters/houston/")
    expect(officer_page.get_by_role("heading", name="Para la mesa directiva")).to_be_visible()
    officer_page.get_by_role("link", name="Mesa directiva y nombramientos").click()
    expect(officer_page.get_by_role("heading", name="Cargos vigentes")).to_be_visible()
    # A secretary does not appoint (the president does, per the chapter's setting).
    expect(officer_page.get_by_role("heading", name="Nombrar un cargo")).to_have_count(0)
    assert officer_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_no_serious_axe_violations(officer_page)
    context.close()
