"""A coordinator proposes a speaker for IME's Jornada and IME accepts it (issue 21), in
Chromium: the coordinator's pages pass axe and fit a phone; IME accepts in the admin; the
speaker then shows on the Jornada's public page and the coordinator sees the decision."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from chapters.models import JornadaProposal, Speaker
from core.access import IME_STAFF
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import (
    AgendaItemFactory,
    JornadaFactory,
    UserFactory,
    coordinator,
    with_totp,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_proposes_a_speaker_and_ime_accepts_it(page, live_server, browser):
    base = live_server.url
    jornada = JornadaFactory(slug="jornada-red", title_es="Jornada Informativa de la Red")
    AgendaItemFactory(jornada=jornada, title_es="Mesa: salud digital")
    coord = coordinator("tic", totp=False)
    coord_secret = with_totp(coord)
    ime = UserFactory(is_staff=True)
    ime.groups.add(Group.objects.get(name=IME_STAFF))
    ime_secret = with_totp(ime)

    # The coordinator, at phone width, from the PNCS area to the Jornadas' proposals.
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, base, coord.email, coord_secret)
    page.goto(base + "/pncs/manage/")
    page.get_by_role("link", name="Jornadas: propuestas del PNCS").click()
    expect(page.get_by_role("heading", name="Próximas Jornadas")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=re.compile("Proponer a una persona ponente")).click()
    page.wait_for_url("**/propose/speaker/")
    assert_no_serious_axe_violations(page)  # (reloads the page: before typing)
    page.get_by_label("Punto de la agenda").select_option(label="Mesa: salud digital")
    page.get_by_label("Nombre de la persona ponente externa").fill("Dra. Lucía Ficticia")
    page.get_by_label("Afiliación").fill("Universidad Inventada")
    page.get_by_label("Semblanza breve").fill("Investiga salud digital.")
    page.get_by_role("button", name="Enviar la propuesta al IME").click()
    expect(page.get_by_text("El IME la revisará")).to_be_visible()
    expect(page.locator("table")).to_contain_text("En revisión")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    proposal = JornadaProposal.objects.get()
    assert (proposal.status, proposal.name) == ("pending", "Dra. Lucía Ficticia")
    assert not Speaker.objects.exists()

    # Not on the Jornada's page yet.
    page.goto(base + jornada.get_absolute_url())
    expect(page.locator("main")).not_to_contain_text("Dra. Lucía Ficticia")

    # IME accepts it in the admin, in another browser session.
    context = browser.new_context(locale="es-MX")
    ime_page = context.new_page()
    log_in(ime_page, base, ime.email, ime_secret)
    ime_page.goto(base + "/admin/chapters/jornadaproposal/")
    row = ime_page.locator("#result_list tbody tr").filter(has_text="Dra. Lucía Ficticia")
    row.locator('input[name="_selected_action"]').check()
    ime_page.locator('select[name="action"]').select_option("accept_selected")
    ime_page.locator('button[name="index"]').click()
    expect(ime_page.locator(".messagelist")).to_contain_text("Propuestas aceptadas: 1")
    context.close()
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == ime

    # The speaker is on the Jornada's public page, and the coordinator sees the decision.
    page.goto(base + jornada.get_absolute_url())
    expect(page.locator("main")).to_contain_text("Dra. Lucía Ficticia")
    page.goto(base + "/pncs/manage/jornadas/")
    expect(page.locator("table")).to_contain_text("Aceptada")
    assert_no_serious_axe_violations(page)
