"""Two credentials per participant (issue 23): the centre's constancia and the partner's
certification (own issuer, name, identifier, date; imported or issued here), each
verifiable; the public page lists them with their issuer and revocation date, offers a
field to type a code, and answers 404 to an unknown one; LinkedIn's add-to-profile link."""

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from programs.admin import CERTIFICATIONS_IMPORTED_MESSAGE, IMPORT_REJECTED_MESSAGE
from programs.models import Certificate
from programs.services import (
    ProgramError,
    issue_certificates,
    issue_partner_certifications,
    revoke_certificates,
)
from tests.factories import PartnerFactory, participant, program_staff_user, program_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage1():
    program, stage1, _stage2 = program_with_stages(name_es="IA 1000", name_en="IA 1000")
    program.partners.add(PartnerFactory(name="Infotec"))
    stage1.certifying_partner = PartnerFactory(name="Huawei Technologies", kind="company")
    stage1.certification_name = "HCIA-AI"
    stage1.save()
    return stage1


@pytest.fixture
def certified(stage1):
    return participant(stage1, score=Decimal("90"), completed=True, certified=True)


def _csv(text):
    return SimpleUploadedFile("huawei.csv", text.encode(), content_type="text/csv")


def test_each_participant_gets_two_credentials_from_two_issuers(
    certified, mailoutbox, run_on_commit
):
    with run_on_commit():
        assert issue_certificates(stage=certified.stage) == 1
        assert issue_partner_certifications(stage=certified.stage) == 1
        assert issue_partner_certifications(stage=certified.stage) == 0
    constancia = Certificate.objects.get(kind="constancia")
    partner = Certificate.objects.get(kind="partner")
    assert (constancia.issuer_name, constancia.display_title) == (
        "Infotec",
        "Constancia de participación",
    )
    assert (partner.issuer_name, partner.title) == ("Huawei Technologies", "HCIA-AI")
    assert constancia.code != partner.code
    assert sorted(m.subject for m in mailoutbox) == [
        "Tu certificación: HCIA-AI",
        "Tu constancia: Etapa 1",
    ]


def test_a_stage_without_a_certifying_partner_issues_no_certification(certified):
    certified.stage.certification_name = ""
    certified.stage.save(update_fields=["certification_name"])
    with pytest.raises(ProgramError):
        issue_partner_certifications(stage=certified.stage)


def test_staff_import_the_partners_certifications_with_identifier_and_date(client, certified):
    client.force_login(program_staff_user())
    email = certified.application.user.email
    text = f"correo,identificador,fecha\n{email},HW-2024-0001,03/05/2024\n"
    response = client.post(
        reverse("admin:programs_certificate_import"),
        {"stage": certified.stage.pk, "file": _csv(text)},
        follow=True,
    )
    expected = CERTIFICATIONS_IMPORTED_MESSAGE % {
        "count": 1,
        "partner": "Huawei Technologies",
        "stage": certified.stage.name,
    }
    assert str(expected) in response.content.decode()
    credential = Certificate.objects.get(kind="partner")
    assert (credential.external_id, credential.issued_on) == ("HW-2024-0001", dt.date(2024, 5, 3))


def test_a_bad_certifications_file_imports_nothing_and_names_each_line(client, certified):
    stage = certified.stage
    not_certified = participant(stage, score=Decimal("50"), completed=True, certified=False)
    client.force_login(program_staff_user())
    email = certified.application.user.email
    text = (
        "correo,identificador,fecha\n"
        f"{email},HW-1,2024-05-03\n"
        f"{not_certified.application.user.email},HW-1,ayer\n"
    )
    html = client.post(
        reverse("admin:programs_certificate_import"), {"stage": stage.pk, "file": _csv(text)}
    ).content.decode()
    assert str(IMPORT_REJECTED_MESSAGE) in html
    assert (
        f"Línea 3: {not_certified.application.user.email} no está certificada en esta etapa; "
        "el identificador HW-1 ya aparece en la línea 2; la fecha debe ser AAAA-MM-DD o "
        "DD/MM/AAAA."
    ) in html
    assert not Certificate.objects.exists()


def test_verification_lists_each_credential_with_issuer_and_revocation_date(client, certified):
    issue_certificates(stage=certified.stage, notify=False)
    issue_partner_certifications(stage=certified.stage, notify=False)
    constancia = Certificate.objects.get(kind="constancia")
    partner = Certificate.objects.get(kind="partner")
    revoke_certificates(certificate_ids=[partner.pk], reason="Examen anulado")
    html = client.get(constancia.get_absolute_url()).content.decode()
    assert "«Constancia de participación»: credencial válida" in html
    assert "Infotec" in html
    assert "HCIA-AI · emitida por Huawei Technologies" in html
    assert "revocada el" in html
    assert partner.code not in html  # another credential's code is never shown
    revoked = client.get(partner.get_absolute_url()).content.decode()
    assert "«HCIA-AI»: credencial revocada el" in revoked


def test_the_code_field_leads_to_the_credential_or_to_a_404(client, certified):
    issue_certificates(stage=certified.stage, notify=False)
    code = Certificate.objects.get().code
    page = client.get(reverse("programs:certificate_lookup"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    found = client.get(reverse("programs:certificate_lookup"), {"code": f"  {code} "})
    assert found.status_code == 302 and found["Location"] == f"/certificates/{code}/"
    missing = client.get("/en" + reverse("programs:certificate_lookup"), {"code": "nope"})
    assert missing.status_code == 404
    assert "No credential has this code." in missing.content.decode()


def test_the_holder_gets_a_linkedin_link_for_each_credential(client, certified):
    issue_certificates(stage=certified.stage, notify=False)
    issue_partner_certifications(stage=certified.stage, notify=False)
    client.force_login(certified.application.user)
    html = client.get(reverse("programs:mine")).content.decode()
    assert html.count("https://www.linkedin.com/profile/add?") == 2
    partner = Certificate.objects.get(kind="partner")
    query = parse_qs(urlsplit(partner.linkedin_add_url()).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["HCIA-AI"]
    assert query["organizationName"] == ["Huawei Technologies"]
    assert query["issueYear"] == [str(partner.issued_on.year)]
    assert query["issueMonth"] == [str(partner.issued_on.month)]
    assert query["certId"] == [partner.code]
    assert query["certUrl"] == [settings.SITE_URL + f"/certificates/{partner.code}/"]


def test_the_partners_certification_pdf_names_its_issuer_and_identifier(client, certified):
    issue_partner_certifications(stage=certified.stage, notify=False)
    partner = Certificate.objects.get(kind="partner")
    partner.external_id = "HW-2024-0042"
    partner.save(update_fields=["external_id"])
    client.force_login(certified.application.user)
    response = client.get(reverse("programs:certificate_pdf", kwargs={"code": partner.code}))
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Huawei Technologies" in text and "HCIA-AI" in text and "HW-2024-0042" in text
    assert "Certificación" in text and "Infotec" not in text
