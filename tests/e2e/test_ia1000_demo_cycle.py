"""A full IA 1000 cycle in Chromium on the demo data (issue 23, "Done when"): seed_demo
builds the cohort (three weighted modules, ten sessions, about 180 who completed, the 107
best selected for the upcoming stage abroad, both credentials issued). Then program
staff, with their second factor, import late grades and attendance for a participant and
see the selection of the 107 best; a selected participant declines her seat, the next in
rank is offered it, sees her averages, confirms and gives her travel data; staff download
the travel list; the participant's two credentials are shown with their verification
page, and her Open Badges are verified by Digital Bazaar's verifier. axe on every page."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.management.commands.seed_demo import Command as SeedDemo
from demo.members import DEMO_MEMBER_PASSWORD
from demo.programs import IA1000_SLUG
from programs.models import Certificate, Enrolment, Stage, TravelDetails
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import DEFAULT_PASSWORD, program_staff_user, totp_code, with_totp
from tests.programs.independent_verifier import verify_independently

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, email, password, secret=None):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    if secret:
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def _day(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _participant(queryset):
    """The first demo participant of `queryset` without a staff role (those need a second
    factor and are not what this journey is about)."""
    return (
        queryset.filter(application__user__groups__isnull=True, application__user__is_staff=False)
        .select_related("application__user")
        .first()
    )


def test_the_ia1000_cycle_runs_on_the_demo_data(settings, browser, live_server, tmp_path):
    settings.DEBUG = True  # seed_demo runs only with DEBUG on
    call_command(SeedDemo(), members=300)
    settings.DEBUG = False
    base = live_server.url
    stage1 = Stage.objects.get(program__slug=IA1000_SLUG, order=1)
    stage2 = Stage.objects.get(program__slug=IA1000_SLUG, order=2)
    assert stage2.starts_on > timezone.localdate()
    travelling_before = TravelDetails.objects.filter(enrolment__stage=stage2).count()
    assert travelling_before > 0
    staff = program_staff_user(onboarded_at=timezone.now(), totp=False)
    secret = with_totp(staff)
    # Staff keep their own browser (one sign-in, one second-factor code); participants
    # take turns in another.
    staff_context = browser.new_context(locale="es-MX", accept_downloads=True)
    page = staff_context.new_page()

    # 1. Late grades and attendance of a participant who had missing grades: imported.
    late = _participant(stage1.enrolments.filter(score__isnull=True).order_by("pk"))
    sessions = [s.code for s in stage1.sessions.order_by("code")]
    csv_path = tmp_path / "resultados.csv"
    csv_path.write_text(
        "correo,ml,dl,openai," + ",".join(sessions) + "\n"
        f"{late.application.user.email},88,86,90," + ",".join("sí" for _ in sessions) + "\n",
        encoding="utf-8",
    )
    _log_in(page, base, staff.email, DEFAULT_PASSWORD, secret)
    page.goto(f"{base}/admin/programs/enrolment/import/")
    assert_no_serious_axe_violations(page)
    page.locator("#id_stage").select_option(str(stage1.pk))
    page.locator("#id_file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Validar e importar").click()
    expect(page.locator(".messagelist")).to_contain_text("Se importaron 1 resultados")
    late.refresh_from_db()
    assert (str(late.score), str(late.attendance), late.completed) == ("87.60", "100.00", True)
    assert Certificate.objects.filter(enrolment=late, kind="constancia").exists()

    # 2. The selection of the 107 best: confirmed once, previewed again with the same ranks.
    page.goto(f"{base}/admin/programs/stage/{stage1.pk}/select/")
    expect(page.locator(".errornote")).to_contain_text("107 seleccionadas")
    page.locator("#id_count").fill("107")
    page.locator("#id_waitlist").fill("10")
    page.get_by_role("button", name="Vista previa").click()
    selected_rows = page.locator("#selection-preview tbody tr", has_text="Seleccionada")
    expect(selected_rows).to_have_count(107)
    assert_no_serious_axe_violations(page)
    assert stage2.enrolments.filter(rank__lte=107).count() == 107
    staff_page = page
    context = browser.new_context(locale="es-MX", accept_downloads=True)
    page = context.new_page()

    # 3. A selected participant who has not answered yet declines her seat.
    leaving = _participant(
        stage2.enrolments.filter(status="enrolled", seat_confirmed_at__isnull=True).order_by(
            "-rank"
        )
    )
    following = stage2.enrolments.filter(status="waitlisted").order_by("rank").first()
    mail.outbox.clear()
    _log_in(page, base, leaving.application.user.email, DEMO_MEMBER_PASSWORD)
    page.goto(base + "/programs/mine/")
    offer = page.locator(".seat-offer")
    expect(offer.get_by_role("button", name="Confirmar mi lugar")).to_be_visible()
    assert_no_serious_axe_violations(page)
    offer.locator("summary", has_text="Declinar mi lugar").click()
    offer.get_by_label("Motivo (opcional)").fill("No consigo el pasaporte a tiempo.")
    offer.get_by_role("button", name="Declinar mi lugar").click()
    expect(page.locator(".messages")).to_contain_text("Declinaste tu lugar")
    leaving.refresh_from_db()
    assert leaving.status == "declined"
    context.clear_cookies()

    # 4. The next in rank is offered the seat, sees her averages, confirms, gives travel data.
    following.refresh_from_db()
    assert following.status == "enrolled" and following.seat_confirmed_at is None
    holder = following.application.user
    # In the holder's language (the demo's members prefer Spanish or English).
    offered = ("Se liberó un lugar", "A seat has opened up")
    assert [m.to for m in mail.outbox if m.subject.startswith(offered)] == [[holder.email]]
    _log_in(page, base, holder.email, DEMO_MEMBER_PASSWORD)
    page.goto(base + "/programs/mine/")
    result = stage1.enrolments.get(application=following.application)
    page.locator("details.stage-detail summary").first.click()
    grades = page.get_by_role("table", name="Calificaciones por módulo")
    expect(grades).to_contain_text("Aprendizaje automático")
    expect(page.locator("main")).to_contain_text(str(result.score))
    page.locator(".seat-offer").get_by_role("button", name="Confirmar mi lugar").click()
    expect(page.locator(".messages")).to_contain_text("Confirmaste tu lugar")
    page.get_by_role("link", name="Dar mis datos de viaje").click()
    expect(page.get_by_label("Pasaporte vigente hasta")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Pasaporte vigente hasta").fill(_day(600))
    page.get_by_label("Visa", exact=True).select_option("applied")
    page.get_by_label("Fecha de llegada").fill(stage2.starts_on.isoformat())
    page.get_by_label("Fecha de salida").fill(
        (stage2.ends_on + datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Contacto de emergencia", exact=True).fill("Rosa Pérez")
    page.get_by_label("Teléfono del contacto de emergencia").fill("+52 55 1234 5678")
    page.get_by_role("button", name="Guardar mis datos de viaje").click()
    expect(page.locator(".messages")).to_contain_text("Guardamos tus datos de viaje")
    assert TravelDetails.objects.filter(enrolment=following).exists()

    # 5. Her two credentials, each with a LinkedIn link, and her signed Open Badges,
    # verified by Digital Bazaar's verifier (it fetches the issuers' keys and status lists).
    page.goto(base + "/programs/mine/")
    expect(page.get_by_role("link", name="Agregar a mi perfil de LinkedIn")).to_have_count(2)
    assert_no_serious_axe_violations(page)
    badges = []
    for link in page.get_by_role("link", name="Descargar como Open Badge (JSON firmado)").all():
        with page.expect_download() as download:
            link.click()
        badges.append(json.loads(Path(download.value.path()).read_text(encoding="utf-8")))
    assert sorted(b["credentialSubject"]["achievement"]["achievementType"] for b in badges) == [
        "CertificateOfCompletion",
        "Certification",
    ]
    assert [r["verified"] for r in verify_independently(badges, server=base)] == [True, True]
    context.clear_cookies()
    constancia = Certificate.objects.get(enrolment=result, kind="constancia")
    page.goto(f"{base}/certificates/{constancia.code}/")
    expect(page.locator("main")).to_contain_text("credencial válida")
    expect(page.locator("main")).to_contain_text("emitida por Huawei Technologies")
    assert_no_serious_axe_violations(page)

    # 6. Staff, with their second factor, download the travel list: hers is on it.
    context.close()
    page = staff_page
    page.goto(f"{base}/admin/programs/stage/{stage2.pk}/travel/")
    expect(page.locator("#travel-list")).to_contain_text("Rosa Pérez")
    assert_no_serious_axe_violations(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar CSV").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Nombre"
    # Every confirmed seat, with its travel data or none yet: hers with her data.
    confirmed = stage2.enrolments.filter(status="enrolled", seat_confirmed_at__isnull=False)
    assert len(rows) - 1 == confirmed.count()
    assert sum(1 for row in rows[1:] if row[3]) == travelling_before + 1
    assert [row[1] for row in rows if "Rosa Pérez" in row] == [holder.email]
    assert Enrolment.objects.filter(stage=stage2, status="enrolled").count() == 107
    staff_context.close()
