"""The stage abroad in Chromium, at phone width: the selected participant declines her
seat with a reason, the next in rank is offered it (by mail), confirms it and gives her
travel data (a bad date first: the message, then the fix); program staff, with their
second factor, open the travel list and download it as CSV and XLSX (audited). axe on
every page."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from members.models import ProfileView
from programs.models import Enrolment, TravelDetails
from programs.services import select_for_next_stage
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import participant, program_staff_user, program_with_stages, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def _day(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_declined_seat_passes_on_and_staff_download_the_travel_list(
    browser, live_server, artifacts_dir
):
    base = live_server.url
    _program, stage1, stage2 = program_with_stages(
        seats=1, slug="ia-abroad", name_es="IA 1000", name_en="AI 1000"
    )
    stage2.name_es, stage2.name_en = "Etapa en Shenzhen", "Stage in Shenzhen"
    stage2.place_es = stage2.place_en = "Shenzhen, China"
    stage2.offer_days = 7
    stage2.collects_travel_data = True
    stage2.starts_on = timezone.localdate() + datetime.timedelta(days=30)
    stage2.ends_on = stage2.starts_on + datetime.timedelta(days=14)
    stage2.save()
    onboarded = timezone.now()
    first = participant(
        stage1,
        score=Decimal("98"),
        completed=True,
        user=_member("Lucía", "Ramírez", onboarded),
    )
    second = participant(
        stage1,
        score=Decimal("95"),
        completed=True,
        user=_member("Marco", "Núñez", onboarded),
    )
    select_for_next_stage(stage=stage1, count=1, waitlist=1)
    mail.outbox.clear()

    context = browser.new_context(locale="es-MX", viewport=PHONE)
    page = context.new_page()

    # 1. The selected participant declines, with a reason.
    log_in(page, base, first.application.user.email)
    page.goto(base + "/programs/mine/")
    offer = page.locator(".seat-offer")
    expect(offer).to_contain_text("Tu lugar en Etapa en Shenzhen")
    expect(offer.get_by_role("button", name="Confirmar mi lugar")).to_be_visible()
    _fits(page)
    assert_no_serious_axe_violations(page)
    offer.locator("summary", has_text="Declinar mi lugar").click()
    offer.get_by_label("Motivo (opcional)").fill("No obtuve permiso en mi trabajo.")
    offer.get_by_role("button", name="Declinar mi lugar").click()
    expect(page.locator(".messages")).to_contain_text("Declinaste tu lugar")
    declined = Enrolment.objects.get(stage=stage2, application=first.application)
    assert declined.status == "declined"
    context.clear_cookies()

    # 2. The next in rank was offered the seat by mail, and confirms it.
    offered = [m for m in mail.outbox if m.to == [second.application.user.email]]
    assert len(offered) == 1 and "Se liberó un lugar" in offered[0].subject
    log_in(page, base, second.application.user.email)
    page.goto(base + "/programs/mine/")
    page.locator(".seat-offer").get_by_role("button", name="Confirmar mi lugar").click()
    expect(page.locator(".messages")).to_contain_text("Confirmaste tu lugar")

    # 3. She gives her travel data: a departure before the arrival first.
    page.get_by_role("link", name="Dar mis datos de viaje").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Datos de viaje")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Pasaporte vigente hasta").fill(_day(500))
    page.get_by_label("Visa", exact=True).select_option("applied")
    page.get_by_label("Fecha de llegada").fill(_day(29))
    page.get_by_label("Fecha de salida").fill(_day(20))
    page.get_by_role("textbox", name="Necesidades alimentarias").fill("Vegetariana")
    page.get_by_label("Doy mi consentimiento expreso", exact=False).check()
    page.get_by_label("Contacto de emergencia", exact=True).fill("Rosa Núñez")
    page.get_by_label("Teléfono del contacto de emergencia").fill("+52 55 1234 5678")
    page.get_by_role("button", name="Guardar mis datos de viaje").click()
    expect(page.locator("main")).to_contain_text(
        "Elige una fecha de salida posterior a la de llegada."
    )
    assert not TravelDetails.objects.exists()
    _fits(page)
    assert_no_serious_axe_violations(page)
    page.get_by_label("Fecha de salida").fill(_day(45))
    page.get_by_role("button", name="Guardar mis datos de viaje").click()
    expect(page.locator(".messages")).to_contain_text("Guardamos tus datos de viaje")
    expect(page.locator(".seat-offer")).to_contain_text("Ya nos diste tus datos de viaje.")
    travel = TravelDetails.objects.get()
    assert (travel.dietary_needs, travel.visa_status) == ("Vegetariana", "applied")
    page.screenshot(path=str(artifacts_dir / "stage-abroad-390.png"), full_page=True)
    context.close()

    # 4. Program staff, with their second factor, open the list and download it.
    staff = program_staff_user(onboarded_at=onboarded, totp=False)
    secret = with_totp(staff)
    context = browser.new_context(locale="es-MX", viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    log_in(page, base, staff.email, secret)
    page.goto(f"{base}/admin/programs/stage/{stage2.pk}/travel/")
    expect(page.locator("#travel-list")).to_contain_text("Vegetariana")
    expect(page.locator("#travel-list")).to_contain_text("Núñez")
    assert_no_serious_axe_violations(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Nombre" and "Núñez" in rows[1][0] and rows[1][7] == "Vegetariana"
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))][7] == "Vegetariana"
    views = sorted(
        ProfileView.objects.filter(viewer=staff, kind="program_travel").values_list(
            "filters__view", flat=True
        )
    )
    assert views == ["csv", "page", "xlsx"]
    assert re.search(r"travel-\d+-page", ProfileView.objects.filter(viewer=staff).first().page)
    context.close()


def _member(given, surname, onboarded):
    from tests.factories import member

    return member(given_names=given, paternal_surname=surname, onboarded_at=onboarded)
