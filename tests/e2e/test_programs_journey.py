"""The programs journey in Chromium, as IA 1000 ran: a member applies, program staff
accept the application in the admin, import grades per module and attendance per session
(the weighted average and completion are computed), issue the partner's certification,
select the best average for stage 2, and the participant sees their grades and two
credentials, downloads the constancia, whose QR code leads to its verification page, and
both credentials as signed Open Badges that an independent verifier accepts; the
verification page lists both credentials and answers an unknown code with a 404."""

import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.conf import settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from programs.models import Application, Certificate, Enrolment, Selection
from tests.factories import (
    DEFAULT_PASSWORD,
    PartnerFactory,
    member,
    modules_and_sessions,
    participant,
    program_staff_user,
    program_with_stages,
    totp_code,
    with_totp,
)
from tests.programs.independent_verifier import verify_independently

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, email, next_path="/", secret=None):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('main button[type="submit"]').first.click()
    if secret:  # program staff have a second factor (members.access)
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state()


def _log_out(page):
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_load_state()
    page.context.clear_cookies()


def test_apply_accept_import_select_and_verify_the_certificate(
    page, live_server, artifacts_dir, tmp_path
):
    base = live_server.url
    _program, stage1, stage2 = program_with_stages(
        seats=1, slug="ia-journey", name_es="IA Recorrido", name_en="AI Journey"
    )
    onboarded = timezone.now()  # complete profiles: no onboarding step in the way
    applicant = member(
        given_names="Lucía",
        paternal_surname="Ramírez",
        maternal_surname="Ortega",
        onboarded_at=onboarded,
    )
    stage1.certifying_partner = PartnerFactory(name="Huawei Technologies", kind="company")
    stage1.certification_name = "HCIA-AI"
    stage1.save(update_fields=["certifying_partner", "certification_name"])
    modules_and_sessions(stage1, sessions=2)  # ml 40, dl 40, openai 20; s01, s02
    rival = participant(stage1)  # already accepted, will score lower
    staff = program_staff_user(onboarded_at=onboarded, totp=False)
    staff_secret = with_totp(staff)

    # 1. The member applies through the form.
    _log_in(page, base, applicant.email, next_path="/programs/ia-journey/")
    expect(page.get_by_role("heading", level=1)).to_have_text("IA Recorrido")
    page.get_by_role("link", name="Enviar solicitud").click()
    page.get_by_label("Nivel de estudios").select_option("maestria")
    page.get_by_label("Área de estudios").fill("Ciencias de la información")
    page.get_by_label("Institución").fill("Universidad de Prueba")
    page.get_by_label("Entidad federativa de residencia").select_option("NLE")
    page.get_by_label("País de nacionalidad").select_option("MX")
    page.get_by_label("Género", exact=False).first.select_option("woman")
    page.get_by_label("Motivación").fill("Quiero aplicar la IA en la salud pública.")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis programas")
    expect(page.locator(".messages")).to_contain_text("Recibimos tu solicitud")
    expect(page.locator("main")).to_contain_text("Solicitud recibida")
    _log_out(page)

    # 2. Program staff accept it with the admin's bulk action.
    _log_in(
        page,
        base,
        staff.email,
        next_path="/admin/programs/application/?status__exact=applied",
        secret=staff_secret,
    )
    expect(page.locator("#result_list")).to_contain_text(applicant.email)
    page.locator("#result_list input.action-select").first.check()
    page.locator('select[name="action"]').select_option("accept")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist")).to_contain_text("1 solicitudes actualizadas")
    application = Application.objects.get(user=applicant)
    assert application.status == "accepted"

    # 3. Grades per module and attendance per session imported from a CSV.
    csv_path = tmp_path / "resultados.csv"
    csv_path.write_text(
        "correo,ml,dl,openai,s01,s02\n"
        f"{applicant.email},97.50,98,99,sí,sí\n"
        f"{rival.application.user.email},81,80,85,sí,sí\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/admin/programs/enrolment/")
    page.get_by_role("link", name="Importar resultados (CSV/XLSX)").click()
    page.locator("#id_stage").select_option(str(stage1.pk))
    page.locator("#id_file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Validar e importar").click()
    expect(page.locator(".messagelist")).to_contain_text("Se importaron 2 resultados")
    assert Certificate.objects.filter(enrolment__stage=stage1, kind="constancia").count() == 2
    ours = Enrolment.objects.get(stage=stage1, application__user=applicant)
    assert (str(ours.score), str(ours.attendance), ours.completed) == ("98.00", "100.00", True)

    # 3b. The partner's certification, a credential of its own, issued from the stage list.
    page.goto(f"{base}/admin/programs/stage/?program__id__exact={stage1.program_id}")
    page.locator(f'#result_list input.action-select[value="{stage1.pk}"]').check()
    page.locator('select[name="action"]').select_option("issue_partner_certifications")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist")).to_contain_text("2 certificaciones emitidas")

    # 4. Select the best for stage 2: preview, then confirm.
    page.goto(f"{base}/admin/programs/stage/{stage1.pk}/select/")
    page.locator("#id_count").fill("1")
    page.locator("#id_waitlist").fill("1")
    page.get_by_role("button", name="Vista previa").click()
    preview = page.locator("#selection-preview tbody tr")
    expect(preview).to_have_count(2)
    expect(preview.first).to_contain_text(applicant.email)
    page.get_by_role("button", name="Confirmar la selección").click()
    expect(page.locator(".messagelist")).to_contain_text("Selección confirmada")
    assert Selection.objects.filter(target_stage=stage2).exists()
    assert Enrolment.objects.get(stage=stage2, application=application).status == "enrolled"
    page.screenshot(path=str(artifacts_dir / "programs-selection.png"), full_page=True)
    page.context.clear_cookies()

    # 5. The participant downloads the certificate and follows its QR code.
    _log_in(page, base, applicant.email, next_path="/programs/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis programas")
    page.locator("details.stage-detail summary").first.click()
    grades = page.get_by_role("table", name="Calificaciones por módulo")
    expect(grades).to_contain_text("Módulo ml")
    expect(grades).to_contain_text("98.00")
    expect(page.get_by_role("link", name="Agregar a mi perfil de LinkedIn")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("HCIA-AI · Huawei Technologies")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar en español (PDF)").first.click()
    pdf_path = tmp_path / "constancia.pdf"
    download_info.value.save_as(pdf_path)
    reader = PdfReader(str(pdf_path))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Lucía Ramírez Ortega" in text and "IA Recorrido" in text
    qr_image = Image.open(io.BytesIO(next(iter(reader.pages[0].images)).data))
    url = zxingcpp.read_barcodes(qr_image)[0].text
    certificate = Certificate.objects.get(
        enrolment__application=application, enrolment__stage=stage1, kind="constancia"
    )
    assert url == f"{settings.SITE_URL}/certificates/{certificate.code}/"

    # Both credentials as signed Open Badges, verified by Digital Bazaar's verifier, which
    # fetches each issuer's key and revocation list from the site.
    badges = []
    for link in page.get_by_role("link", name="Descargar como Open Badge (JSON firmado)").all():
        with page.expect_download() as badge_download:
            link.click()
        badges.append(json.loads(Path(badge_download.value.path()).read_text(encoding="utf-8")))
    assert sorted(b["credentialSubject"]["achievement"]["achievementType"] for b in badges) == [
        "CertificateOfCompletion",
        "Certification",
    ]
    results = verify_independently(badges, server=base)
    assert [r["verified"] for r in results] == [True, True], results

    page.context.clear_cookies()  # anyone can verify, signed in or not
    page.goto(base + urlsplit(url).path)
    expect(page.locator("main")).to_contain_text("credencial válida")
    expect(page.locator("main")).to_contain_text("Lucía Ramírez Ortega")
    expect(page.locator("main")).not_to_contain_text(applicant.email)
    expect(page.locator("main")).to_contain_text("HCIA-AI · emitida por Huawei Technologies")
    page.screenshot(path=str(artifacts_dir / "programs-certificate-verify.png"), full_page=True)

    # 6. A code typed in the field that no credential has: a 404 that says so.
    page.get_by_label("Código de verificación").fill("no-existe-123")
    with page.expect_response(lambda r: "/certificates/" in r.url) as answer:
        page.get_by_role("button", name="Verificar").click()
    assert answer.value.status == 404
    expect(page.locator("#unknown-code")).to_have_text("Ninguna credencial tiene este código.")
