"""Certificates: a PDF in Spanish and English with a QR code to the public verification
page, which shows only name, program, stage, date and valid/revoked."""

import io
from decimal import Decimal

import pytest
import zxingcpp
from django.conf import settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from programs.models import Certificate
from programs.services import issue_certificates, new_certificate_code, revoke_certificates
from tests.factories import PartnerFactory, member, participant, program_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    program, stage1, _stage2 = program_with_stages(
        name_es="Programa de Desarrollo de Talento IA 1000",
        name_en="IA 1000 Talent Development Program",
    )
    program.partners.add(PartnerFactory(name="Infotec"))
    stage1.name_es = "Etapa 1: formación virtual en IA"
    stage1.name_en = "Stage 1: virtual AI training"
    stage1.certifying_partner = PartnerFactory(name="Huawei Technologies", kind="company")
    stage1.save()
    user = member(given_names="Ana Sofía", paternal_surname="Núñez", maternal_surname="Peña")
    enrolment = participant(
        stage1,
        score=Decimal("93.75"),
        completed=True,
        certified=True,
        user=user,
        institution="Instituto Secreto de Prueba",
    )
    issue_certificates(stage=stage1)
    return Certificate.objects.get(enrolment=enrolment)


def _download(client, certificate, prefix=""):
    client.force_login(certificate.enrolment.application.user)
    url = prefix + reverse("programs:certificate_pdf", kwargs={"code": certificate.code})
    if prefix:
        url = "/en" + reverse("programs:certificate_pdf", kwargs={"code": certificate.code})
    return client.get(url)


def _pdf_text_and_qr(content):
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    text = " ".join(page.extract_text().split())
    images = list(page.images)
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].data)))
    return text, [barcode.text for barcode in decoded]


def test_certificate_codes_are_long_random_and_unique(certificate):
    codes = {new_certificate_code() for _ in range(200)}
    assert len(codes) == 200
    assert len(certificate.code) >= 20
    assert certificate.holder_name == "Ana Sofía Núñez Peña"


def test_spanish_pdf_opens_and_its_qr_decodes_to_the_verification_url(client, certificate):
    response = _download(client, certificate)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "-es.pdf" in response["Content-Disposition"]
    text, qr = _pdf_text_and_qr(response.content)
    expected = settings.SITE_URL + f"/certificates/{certificate.code}/"
    assert qr == [expected]
    for fragment in (
        "Constancia de participación",
        "Ana Sofía Núñez Peña",
        "Programa de Desarrollo de Talento IA 1000",
        "Etapa 1: formación virtual en IA",
        "Infotec",
        certificate.code,
    ):
        assert fragment in text
    # The partner's certification is a credential of its own, not mixed into the constancia.
    assert "Huawei" not in text


def test_english_pdf_is_in_english(client, certificate):
    response = _download(client, certificate, prefix="/en")
    assert response.status_code == 200
    assert "-en.pdf" in response["Content-Disposition"]
    text, qr = _pdf_text_and_qr(response.content)
    assert "Certificate of participation" in text
    assert "IA 1000 Talent Development Program" in text
    assert "Stage 1: virtual AI training" in text
    assert qr == [settings.SITE_URL + f"/certificates/{certificate.code}/"]


def test_a_name_outside_latin1_renders_as_written(client, certificate):
    certificate.holder_name = "Zoë Łukasz Nguyễn Ørsted 李"
    certificate.save(update_fields=["holder_name"])
    response = _download(client, certificate)
    text, _qr = _pdf_text_and_qr(response.content)
    assert "Zoë Łukasz Nguyễn Ørsted" in text


def test_another_member_cannot_download_the_pdf(client, certificate):
    client.force_login(member())
    url = reverse("programs:certificate_pdf", kwargs={"code": certificate.code})
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_login_for_the_pdf(client, certificate):
    url = reverse("programs:certificate_pdf", kwargs={"code": certificate.code})
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_verification_page_shows_the_certificate_as_valid(client, certificate):
    response = client.get(f"/certificates/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for fragment in (
        "«Constancia de participación»: credencial válida",
        "Infotec",
        "Ana Sofía Núñez Peña",
        "Programa de Desarrollo de Talento IA 1000",
        "Etapa 1: formación virtual en IA",
    ):
        assert fragment in html
    assert "credencial revocada" not in html


def test_verification_page_leaks_nothing_else(client, certificate):
    user = certificate.enrolment.application.user
    html = client.get(f"/certificates/{certificate.code}/").content.decode()
    for secret in (
        user.email,
        "93.75",
        "93,75",
        "Instituto Secreto de Prueba",
        "Quiero aprender inteligencia artificial",
        "Licenciatura",
        "Jalisco",
    ):
        assert secret not in html


def test_verification_page_is_english_under_en(client, certificate):
    html = client.get(f"/en/certificates/{certificate.code}/").content.decode()
    assert "“Certificate of participation”: valid credential" in html
    assert "IA 1000 Talent Development Program" in html


def test_revoked_certificate_shows_revoked(client, certificate):
    assert revoke_certificates(certificate_ids=[certificate.pk], reason="Error de captura") == 1
    html = client.get(f"/certificates/{certificate.code}/").content.decode()
    assert "credencial revocada el" in html
    assert "credencial válida" not in html
    assert "Error de captura" not in html
    assert revoke_certificates(certificate_ids=[certificate.pk]) == 0


def test_unknown_code_answers_404_saying_no_credential_has_it(client):
    response = client.get("/certificates/no-such-code-123/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Ninguna credencial tiene este código." in html
    assert 'value="no-such-code-123"' in html  # the field to type it again
    english = client.get("/en/certificates/no-such-code-123/")
    assert english.status_code == 404
    assert "No credential has this code." in english.content.decode()


def test_issuing_twice_creates_no_second_certificate(certificate):
    assert issue_certificates(stage=certificate.enrolment.stage) == 0
    assert Certificate.objects.count() == 1


def test_staff_revoke_certificates_from_the_admin_with_a_reason(client, certificate):
    from tests.factories import program_staff_user

    client.force_login(program_staff_user())
    url = reverse("admin:programs_certificate_changelist")
    ask = client.post(url, {"action": "revoke", "_selected_action": [certificate.pk]})
    assert ask.status_code == 200
    assert "Motivo de la revocación" in ask.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid
    done = client.post(
        url,
        {
            "action": "revoke",
            "_selected_action": [certificate.pk],
            "confirm_revoke": "1",
            "reason": "Duplicada",
        },
    )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert certificate.revoked_reason == "Duplicada"


def test_my_programs_links_both_pdfs_and_the_verification(client, certificate):
    client.force_login(certificate.enrolment.application.user)
    html = client.get(reverse("programs:mine")).content.decode()
    assert f"/programs/mine/certificates/{certificate.code}.pdf" in html
    assert f"/en/programs/mine/certificates/{certificate.code}.pdf" in html
    assert f"/certificates/{certificate.code}/" in html
    assert "93.75" in html or "93,75" in html
