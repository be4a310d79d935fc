"""The search's long lists (countries, expertise tags) as an autocomplete in Chromium: the
WAI-ARIA 1.2 combobox driven by the keyboard alone, announced to screen readers (roles,
states, the active option, a live count), axe clean; and without JavaScript a plain text
field the filter accepts by name."""

import pytest
from playwright.sync_api import expect

from members.models import ExpertiseTag
from tests.factories import ProfileFactory, coordinator, with_totp

from .axe import assert_no_serious_axe_violations
from .test_pncs_journey import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def searchable():
    tag = ExpertiseTag.objects.create(name="robótica", slug="robotica")
    ProfileFactory(given_names="Carmen", country="CA", sectors=["tic"], pncs_contact=True)
    ProfileFactory(given_names="Ulises", country="US", sectors=["tic"], pncs_contact=True)
    ProfileFactory(
        given_names="Rita", country="US", sectors=["tic"], pncs_contact=True
    ).expertise.add(tag)
    coord = coordinator("tic", totp=False)
    return coord, with_totp(coord)


def test_a_country_and_a_specialty_are_chosen_by_keyboard(
    page, live_server, searchable, artifacts_dir
):
    coord, secret = searchable
    log_in(page, live_server.url, coord.email, secret)
    page.goto(live_server.url + "/pncs/search/")
    assert_no_serious_axe_violations(page)  # loads axe for every page after this one too
    page.get_by_text("Más filtros").click()

    country = page.get_by_role("combobox", name="País de residencia")
    expect(country).to_have_attribute("aria-expanded", "false")
    country.focus()
    page.keyboard.type("cana")
    listbox = page.get_by_role("listbox", name="País de residencia")
    expect(listbox.get_by_role("option", name="Canadá")).to_be_visible()
    expect(country).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="sugerencia")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "pncs-search-autocomplete.png"), full_page=True)

    page.keyboard.press("ArrowDown")
    active = country.get_attribute("aria-activedescendant")
    option = page.locator(f"#{active}")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(option).to_have_text("Canadá")
    page.keyboard.press("Enter")  # takes the option, does not submit
    expect(country).to_have_value("Canadá")
    expect(country).to_have_attribute("aria-expanded", "false")
    assert "country=" not in page.url

    page.keyboard.press("Enter")  # now the form
    page.wait_for_url("**country=**")
    results = page.locator("table tbody")
    expect(results).to_contain_text("Carmen")
    expect(results).not_to_contain_text("Ulises")

    # A specialty, then Escape closes the list and keeps what was typed.
    page.goto(live_server.url + "/pncs/search/")
    page.get_by_text("Más filtros").click()
    expertise = page.get_by_role("combobox", name="Especialidad")
    expertise.focus()
    page.keyboard.type("robo")
    expect(page.get_by_role("option", name="robótica")).to_be_visible()
    page.keyboard.press("Escape")
    expect(expertise).to_have_attribute("aria-expanded", "false")
    expect(expertise).to_have_value("robo")
    page.keyboard.press("ArrowDown")  # opens again, first option active
    expect(expertise).to_have_attribute("aria-expanded", "true")
    assert_no_serious_axe_violations(page)  # with the list open
    page.keyboard.press("Enter")
    expect(expertise).to_have_value("robótica")
    page.keyboard.press("Enter")
    page.wait_for_url("**expertise=**")
    expect(page.locator("table tbody")).to_contain_text("Rita")
    expect(page.locator("table tbody")).not_to_contain_text("Carmen")


def test_without_javascript_the_fields_are_text_the_filter_accepts(
    browser, live_server, searchable
):
    coord, secret = searchable
    context = browser.new_context(java_script_enabled=False, locale="es-MX")
    page = context.new_page()
    log_in(page, live_server.url, coord.email, secret)
    page.goto(live_server.url + "/pncs/search/")
    page.get_by_text("Más filtros").click()
    country = page.locator("#id_country")
    expect(country).not_to_have_attribute("role", "combobox")
    country.fill("canada")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("table tbody")).to_contain_text("Carmen")
    expect(page.locator("table tbody")).not_to_contain_text("Ulises")

    page.locator("#id_country").fill("Atlantis")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("alert")).to_contain_text("corrige lo señalado")
    expect(page.locator("#search-form")).to_contain_text("No conocemos el país «Atlantis»")
    expect(page.locator("table tbody")).to_contain_text("Ningún miembro coincide")
    context.close()
