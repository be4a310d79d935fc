"""An internship in Chromium, at 390 px: a Mexican student signs up from the internships
page, verifies by the emailed code, lands on the student's registration (never the
member's onboarding), uploads a file that is not a PDF (refused), then a PDF CV, applies to
a published placement (the consent to share the CV first); the host member reads the
application, downloads the CV, shortlists and accepts (an engagement between them opens);
the student sees the acceptance.
Pages pass axe."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from internships.forms import CONSENT_REQUIRED
from internships.models import CV_TYPE_MESSAGE, Application, StudentProfile
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_messaging_journey import log_out
from tests.e2e.test_pncs_journey import log_in
from tests.factories import member
from tests.internships.factories import PDF, placement

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("own_cache_namespace"),
]

EMAIL = "estudiante.nueva@example.org"
PASSWORD = "una frase de paso muy larga 2026"


def submit(page):
    page.locator("main form button[type=submit]").first.click()


def test_a_student_signs_up_applies_with_a_cv_and_the_host_accepts(page, live_server, tmp_path):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    host = member(given_names="Laura")
    row = placement(host=host, title_es="Estancia en visión por computadora", seats=1)
    not_a_pdf = tmp_path / "cv.pdf"
    not_a_pdf.write_bytes(b"GIF89a this is an image")
    cv = tmp_path / "mi-cv.pdf"
    cv.write_bytes(PDF)

    # The public list, then sign up as a student.
    page.goto(base + "/internships/")
    expect(page.get_by_role("link", name="Estancia en visión por computadora")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Soy estudiante: crear mi cuenta").click()
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_privacy")
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/"))
    code = re.search(
        r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE
    ).group(1)
    page.fill("#id_code", code)
    submit(page)

    # The student's own registration, not the member's onboarding.
    expect(page).to_have_url(re.compile(r"/internships/student/profile/"))
    assert_no_serious_axe_violations(page)
    page.get_by_label("Nombre completo").fill("Mariana López")
    page.get_by_label("Universidad").fill("Universidad Ficticia de Puebla")
    page.get_by_label("Carrera o programa").fill("Ingeniería en computación")
    page.get_by_label("Semestre").fill("7")
    page.get_by_label("Estado").select_option("PUE")
    page.get_by_label("CV (PDF)").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Guardar mi perfil").click()
    expect(page.get_by_text(str(CV_TYPE_MESSAGE), exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert not StudentProfile.objects.exists()
    page.get_by_label("CV (PDF)").set_input_files(str(cv))
    page.get_by_role("button", name="Guardar mi perfil").click()
    expect(page.get_by_role("heading", name="Mis pasantías")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Apply: the consent first.
    page.goto(base + f"/internships/{row.pk}/")
    page.get_by_role("link", name="Postular a esta pasantía").click()
    page.get_by_label("¿Por qué te interesa esta pasantía?").fill(
        "Quiero aplicar la visión por computadora a la agricultura."
    )
    page.get_by_role("button", name="Enviar mi postulación").click()
    expect(page.get_by_text(str(CONSENT_REQUIRED), exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Acepto compartir mi CV").check()
    page.get_by_role("button", name="Enviar mi postulación").click()
    expect(page.get_by_text("Enviamos tu postulación")).to_be_visible()
    expect(page.get_by_text("Recibida").first).to_be_visible()

    # Second thoughts: withdrawn (and the consent with it), then sent again.
    page.get_by_role("button", name="Retirar mi postulación").click()
    expect(page.get_by_text("Retiraste tu postulación")).to_be_visible()
    expect(page.get_by_text("Retirada por la persona estudiante").first).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert Application.objects.get().status == "withdrawn"
    page.goto(base + f"/internships/{row.pk}/")
    page.get_by_role("link", name="Postular a esta pasantía").click()
    page.get_by_label("¿Por qué te interesa esta pasantía?").fill(
        "Quiero aplicar la visión por computadora a la agricultura."
    )
    page.get_by_label("Acepto compartir mi CV").check()
    page.get_by_role("button", name="Enviar mi postulación").click()
    expect(page.get_by_text("Recibida").first).to_be_visible()
    application = Application.objects.get()
    assert application.status == "applied"
    assert application.student.email == EMAIL
    assert host.email in [m.to[0] for m in mail.outbox]
    log_out(page)

    # The host reads the application, downloads the CV, shortlists, then accepts.
    log_in(page, base, host.email)
    page.goto(base + "/internships/hosting/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Estancia en visión por computadora").click()
    page.get_by_role("link", name="Mariana López").click()
    expect(page.get_by_text("Quiero aplicar la visión por computadora").first).to_be_visible()
    assert_no_serious_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el CV (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_label("Preseleccionar").check()
    page.get_by_role("button", name="Guardar y avisar por correo").click()
    expect(page.get_by_text("Decisión guardada")).to_be_visible()
    expect(page.get_by_text("Preseleccionada").first).to_be_visible()
    page.get_by_label("Aceptar", exact=True).check()
    page.get_by_label("Mensaje para la persona estudiante (opcional)").fill("¡Bienvenida!")
    page.get_by_role("button", name="Guardar y avisar por correo").click()
    expect(page.get_by_text("Decisión guardada")).to_be_visible()
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.engagement.student == application.student
    assert application.engagement.member.user == host
    assert mail.outbox[-1].to == [EMAIL]
    log_out(page)

    # The student sees the acceptance; the placement, its one seat taken, is closed.
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/internships/student/$"))
    expect(page.get_by_text("Aceptada").first).to_be_visible()
    expect(page.get_by_text("¡Bienvenida!").first).to_be_visible()
    page.goto(base + f"/internships/{row.pk}/")
    expect(page.get_by_text("Ya postulaste a esta pasantía.")).to_be_visible()
