"""A coordinator's work programme in Chromium (issue 21): they add a line of action with a
target, publish an opportunity of that kind, and see the progress computed from it, on their
page and on the PNCS's public summary; the pages pass axe and fit a phone."""

import pytest
from playwright.sync_api import expect

from pncs.models import WorkLine
from tests.e2e.axe import axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import coordinator, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_adds_a_line_and_sees_the_progress_of_an_opportunity_they_publish(
    page, live_server, artifacts_dir
):
    base = live_server.url
    coord = coordinator("tic", totp=False)
    secret = with_totp(coord)
    log_in(page, base, coord.email, secret)

    # 1. A line of action with a target: four internships this year.
    page.goto(base + "/pncs/manage/programme/")
    page.get_by_role("link", name="Agregar una línea de acción").click()
    page.get_by_label("Rubro").select_option("human-capital")
    page.get_by_label("Línea de acción (español)").fill("Pasantías en empresas del exterior")
    page.get_by_label("Línea de acción (inglés)").fill("Internships in companies abroad")
    page.get_by_label("Qué cuenta").select_option("pncs.opportunities.pasantia")
    page.get_by_label("Meta").fill("-4")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("main")).to_contain_text("Escribe una meta de 1 en adelante")
    assert not WorkLine.objects.exists()
    page.get_by_label("Meta").fill("4")
    page.get_by_label("Persona responsable").select_option(str(coord.pk))
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("Línea de acción guardada")
    row = page.locator("tr", has_text="Pasantías en empresas del exterior")
    expect(row.locator(".achieved")).to_have_text("0")
    assert axe_violations(page) == []

    # 2. They publish an internship.
    page.goto(base + "/pncs/manage/opportunities/new/")
    page.locator("#id_kind").select_option("pasantia")
    page.locator("#id_title_es").fill("Pasantía en un laboratorio de datos")
    page.locator("#id_description_es").fill("Tres meses en Toronto.")
    page.locator("#id_status").select_option("open")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("Oportunidad guardada.")

    # 3. The progress counts it: 1 of 4, 25 %.
    page.goto(base + "/pncs/manage/programme/")
    row = page.locator("tr", has_text="Pasantías en empresas del exterior")
    expect(row.locator(".achieved")).to_have_text("1")
    expect(row.locator("progress")).to_have_attribute("value", "25")
    page.screenshot(path=str(artifacts_dir / "pncs-programme.png"), full_page=True)

    # 4. The public summary shows the same progress, in English too, without names.
    page.get_by_role("link", name="Ver el resumen público").click()
    row = page.locator("tr", has_text="Pasantías en empresas del exterior")
    expect(row.locator(".achieved")).to_have_text("1")
    assert axe_violations(page) == []
    page.goto(base + "/en/pncs/tic/programa/")
    expect(page.locator("h1")).to_contain_text("Work programme")
    expect(page.locator("main")).to_contain_text("Internships in companies abroad")
    page.set_viewport_size({"width": 375, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
