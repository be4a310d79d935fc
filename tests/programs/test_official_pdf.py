"""The official-looking certificate (issue 23): the issuer's and the partner's logos, the
signer's signature image, name and role (set on the partner in the admin, through the logo
upload rule), the QR code, and both languages on the page."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from programs.certificates import render_certificate_pdf
from programs.models import Certificate, Partner
from programs.services import issue_certificates, issue_partner_certifications
from tests.factories import PartnerFactory, participant, program_staff_user, program_with_stages

pytestmark = pytest.mark.django_db


def _png(colour, size=(120, 60), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def _partner_form(partner, **extra):
    data = {
        "name": partner.name,
        "slug": partner.slug,
        "kind": partner.kind,
        "country": "",
        "description_es": "",
        "description_en": "",
        "signer_name": "",
        "signer_role_es": "",
        "signer_role_en": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def staff_client(client):
    client.force_login(program_staff_user())
    return client


@pytest.fixture
def partners(staff_client):
    """Infotec (the centre) and Huawei, each given its logo, signer and signature in the
    admin, as program staff do."""
    centre = PartnerFactory(slug="infotec", name="Infotec", kind="public_centre")
    huawei = PartnerFactory(slug="huawei", name="Huawei Technologies", kind="company")
    for partner, colour, signer, role_es, role_en in (
        (centre, "navy", "Dra. Ana Ruiz Peña", "Directora general", "Director General"),
        (huawei, "red", "Li Wei", "Director de formación", "Head of Training"),
    ):
        url = reverse("admin:programs_partner_change", args=[partner.pk])
        response = staff_client.post(
            url,
            _partner_form(
                partner,
                signer_name=signer,
                signer_role_es=role_es,
                signer_role_en=role_en,
                logo=SimpleUploadedFile("logo.jpg", _png(colour, fmt="JPEG")),
                signature=SimpleUploadedFile("firma.png", _png((0, 0, 0, 255), size=(90, 30))),
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    return Partner.objects.get(slug="infotec"), Partner.objects.get(slug="huawei")


@pytest.fixture
def credentials(partners):
    centre, huawei = partners
    program, stage1, _ = program_with_stages(name_es="IA 1000", name_en="IA 1000")
    program.partners.add(centre)
    stage1.certifying_partner = huawei
    stage1.certification_name = "HCIA-AI"
    stage1.save()
    participant(stage1, score=Decimal("95"), completed=True, certified=True)
    issue_certificates(stage=stage1, notify=False)
    issue_partner_certifications(stage=stage1, notify=False)
    return (
        Certificate.objects.with_document().get(kind="constancia"),
        Certificate.objects.with_document().get(kind="partner"),
    )


def test_the_admin_stores_logo_and_signature_re_encoded_as_png(partners):
    centre, _huawei = partners
    assert centre.logo.name.startswith("programs/logos/") and centre.logo.name.endswith(".png")
    assert centre.signature.name.startswith("programs/signatures/")
    with centre.signature.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "PNG"
    assert centre.signer_name == "Dra. Ana Ruiz Peña"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(staff_client, partners):
    centre, _huawei = partners
    url = reverse("admin:programs_partner_change", args=[centre.pk])
    response = staff_client.post(
        url,
        _partner_form(
            centre,
            signer_name="Otra Persona",
            signature=SimpleUploadedFile("firma.png", b"%PDF-1.4 not an image"),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sube la firma como PNG, JPEG o WebP" in page
    refreshed = Partner.objects.get(pk=centre.pk)
    assert (refreshed.signer_name, refreshed.signature.name) == (
        "Dra. Ana Ruiz Peña",
        centre.signature.name,
    )


def test_a_too_large_logo_is_refused_in_english_too(staff_client, partners):
    centre, _huawei = partners
    url = "/en" + reverse("admin:programs_partner_change", args=[centre.pk])
    huge = SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024 + 1))
    response = staff_client.post(url, _partner_form(centre, logo=huge))
    assert response.status_code == 200
    assert "Upload the logo as a PNG, JPEG or WebP" in response.content.decode()
    assert Partner.objects.get(pk=centre.pk).logo.name == centre.logo.name


def _page(pdf: bytes):
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return page.extract_text(), page.images


def test_the_constancia_carries_both_logos_the_signature_the_qr_and_both_languages(
    credentials,
):
    constancia, _partner = credentials
    text, images = _page(render_certificate_pdf(constancia, "es-mx"))
    for expected in (
        "Infotec",
        "Constancia de participación",
        "Certificate of participation",
        "Se otorga a · Awarded to",
        constancia.holder_name,
        "por haber concluido y acreditado la etapa «Etapa 1» del programa IA 1000.",
        "for completing and passing the stage “Stage 1” of the IA 1000.",
        "Dra. Ana Ruiz Peña",
        "Directora general",
        "Director General",
        f"Código de verificación: {constancia.code}",
        f"Verification code: {constancia.code}",
        constancia.verification_url(),
    ):
        assert expected in text, expected
    # Infotec's logo, Huawei's (the stage's certifying partner), the QR code, the signature.
    assert len(images) == 4
    assert text.index("Constancia de participación") < text.index("Certificate of participation")

    english, _images = _page(render_certificate_pdf(constancia, "en"))
    assert english.index("Certificate of participation") < english.index(
        "Constancia de participación"
    )


def test_the_partner_certification_is_signed_by_the_partner(credentials):
    _constancia, partner = credentials
    text, images = _page(render_certificate_pdf(partner, "en"))
    for expected in ("Certification", "Certificación", "HCIA-AI", "Li Wei", "Head of Training"):
        assert expected in text, expected
    assert "Dra. Ana Ruiz Peña" not in text
    assert len(images) == 4


def test_without_logos_or_signature_the_certificate_still_prints(db):
    _program, stage1, _ = program_with_stages()
    participant(stage1, score=Decimal("90"), completed=True, certified=True)
    issue_certificates(stage=stage1, notify=False)
    certificate = Certificate.objects.with_document().get()
    text, images = _page(render_certificate_pdf(certificate, "es-mx"))
    assert "Red de Talentos Mexicanos" in text
    assert len(images) == 1  # the QR code


def test_only_program_staff_see_a_signature_image(client, partners):
    centre, _huawei = partners
    url = reverse("media_private", args=[centre.signature.name])
    assert client.get(url).status_code == 200  # the staff client of the fixture
    from tests.factories import member

    client.force_login(member())
    assert client.get(url).status_code == 404


def test_a_signature_missing_from_the_store_leaves_the_certificate_printable(credentials):
    constancia, _partner = credentials
    issuer = constancia.issuer
    issuer.signature.storage.delete(issuer.signature.name)
    text, images = _page(render_certificate_pdf(constancia, "es-mx"))
    assert "Dra. Ana Ruiz Peña" in text  # the name and role, without the image
    assert len(images) == 3
