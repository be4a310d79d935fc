"""A holder is told by mail when a certificate is issued or revoked, in their language;
staff download a certificate PDF from the admin (issue 22's items owned by issue 23)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from programs.models import Certificate
from programs.services import issue_certificates, revoke_certificates
from tests.factories import member, participant, program_staff_user, program_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified():
    _program, stage1, _stage2 = program_with_stages(name_es="Programa IA", name_en="AI program")
    return participant(stage1, score=Decimal("90"), completed=True, certified=True)


def test_issuing_mails_each_new_holder_once(certified, mailoutbox, run_on_commit):
    with run_on_commit():
        assert issue_certificates(stage=certified.stage) == 1
    with run_on_commit():
        assert issue_certificates(stage=certified.stage) == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [certified.application.user.email]
    assert "Tu constancia: Etapa 1" in message.subject
    code = Certificate.objects.get().code
    assert f"/certificates/{code}/" in message.body
    assert "Se emitió tu constancia" in message.body


def test_seeded_history_is_not_mailed(certified, mailoutbox, run_on_commit):
    with run_on_commit():
        issue_certificates(stage=certified.stage, notify=False)
    assert Certificate.objects.count() == 1
    assert mailoutbox == []


def test_revoking_mails_the_holder_in_their_language_with_the_reason(
    certified, mailoutbox, run_on_commit
):
    user = certified.application.user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    issue_certificates(stage=certified.stage, notify=False)
    certificate = Certificate.objects.get()
    with run_on_commit():
        assert revoke_certificates(certificate_ids=[certificate.pk], reason="Duplicada") == 1
    with run_on_commit():
        assert revoke_certificates(certificate_ids=[certificate.pk]) == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("Your certificate was revoked")
    assert "Reason: Duplicada" in message.body
    assert f"/en/certificates/{certificate.code}/" in message.body


def test_staff_download_a_certificate_pdf_from_the_admin(client, certified):
    issue_certificates(stage=certified.stage, notify=False)
    certificate = Certificate.objects.get()
    client.force_login(program_staff_user())
    changelist = client.get(reverse("admin:programs_certificate_changelist")).content.decode()
    url_en = reverse("admin:programs_certificate_pdf", args=[certificate.pk]) + "?language=en"
    assert url_en in changelist
    response = client.get(url_en)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Certificate of participation" in text
    es = client.get(reverse("admin:programs_certificate_pdf", args=[certificate.pk]))
    assert (
        "Constancia de participación" in PdfReader(io.BytesIO(es.content)).pages[0].extract_text()
    )
    assert (
        client.get(
            reverse("admin:programs_certificate_pdf", args=[certificate.pk]) + "?language=fr"
        ).status_code
        == 403
    )
    assert (
        client.get(
            reverse("admin:programs_certificate_pdf", args=[certificate.pk + 999])
        ).status_code
        == 404
    )


def test_a_member_cannot_download_from_the_admin(client, certified):
    issue_certificates(stage=certified.stage, notify=False)
    certificate = Certificate.objects.get()
    client.force_login(member())
    response = client.get(reverse("admin:programs_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
