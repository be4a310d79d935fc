"""Mexican students: their own path (never the member's onboarding), a student profile with
a CV checked by content and size, applications (one per placement, deadline and seats
enforced), and the CV seen only by the host and the PNCS of the placement applied to."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from internships import services
from internships.forms import CONSENT_REQUIRED
from internships.models import (
    CV_SIZE_MESSAGE,
    CV_TYPE_MESSAGE,
    MAX_CV_BYTES,
    Application,
    StudentProfile,
)
from members.adapter import AccountAdapter
from members.services import delete_account, export_member_data
from tests.factories import UserFactory, coordinator, member

from .factories import PDF, application, placement, student

pytestmark = pytest.mark.django_db


def _profile_data(cv):
    return {
        "full_name": "Mariana López Ficticia",
        "university": "Universidad Ficticia de Puebla",
        "programme": "Ingeniería biomédica",
        "semester": "6",
        "state": "PUE",
        "cv": cv,
    }


def test_a_new_account_registers_as_a_student_with_a_pdf_cv(client):
    user = UserFactory()
    client.force_login(user)
    cv = SimpleUploadedFile("mi cv.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("internships:student_profile"), _profile_data(cv))
    assert response.status_code == 302
    assert response["Location"] == reverse("internships:student_home")
    profile = StudentProfile.objects.get(user=user)
    assert profile.cv.name.startswith("internships/cv/")
    assert "mi cv" not in profile.cv.name
    assert profile.cv_uploaded_at is not None


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.pdf", b"GIF89a not a pdf", "application/pdf"), CV_TYPE_MESSAGE),
        (SimpleUploadedFile("cv.docx", b"PK\x03\x04word", "application/pdf"), CV_TYPE_MESSAGE),
        (
            SimpleUploadedFile("cv.pdf", PDF + b"0" * MAX_CV_BYTES, "application/pdf"),
            CV_SIZE_MESSAGE,
        ),
    ],
    ids=["not-a-pdf", "renamed-docx", "too-big"],
)
def test_a_cv_that_is_not_a_real_pdf_or_too_big_is_refused(client, upload, message):
    client.force_login(UserFactory())
    response = client.post(reverse("internships:student_profile"), _profile_data(upload))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not StudentProfile.objects.exists()


def test_the_cv_message_is_in_english_under_en(client):
    client.force_login(UserFactory())
    upload = SimpleUploadedFile("cv.pdf", b"hello", "application/pdf")
    response = client.post("/en/internships/student/profile/", _profile_data(upload))
    assert "The CV must be a PDF file" in response.content.decode()


def test_a_student_lands_on_their_page_not_on_the_member_onboarding(client):
    user = student()
    request = RequestFactory().get("/")
    request.user = user
    assert AccountAdapter().get_login_redirect_url(request) == reverse("internships:student_home")
    client.force_login(user)
    response = client.get(reverse("members:me"))
    assert response["Location"] == reverse("internships:student_home")
    assert client.get(reverse("internships:student_home")).status_code == 200


def test_a_new_account_without_a_student_profile_still_goes_to_onboarding():
    user = UserFactory()
    request = RequestFactory().get("/")
    request.user = user
    assert AccountAdapter().get_login_redirect_url(request) == reverse("members:onboarding")


def test_the_student_pages_ask_for_the_student_profile_first(client):
    client.force_login(UserFactory())
    response = client.get(reverse("internships:student_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("internships:student_profile"))


def test_a_student_applies_once_and_the_host_is_told(client, django_capture_on_commit_callbacks):
    host = member()
    row = placement(host=host)
    user = student()
    client.force_login(user)
    url = reverse("internships:apply", args=[row.pk])
    response = client.post(url, {"motivation": "Quiero aprender visión."})
    assert str(CONSENT_REQUIRED) in response.content.decode()
    assert not Application.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"motivation": "Quiero aprender visión.", "share_cv": "on"})
    assert response.status_code == 302
    applied = Application.objects.get()
    assert applied.student == user
    assert applied.cv_consent_at is not None
    assert [m.to for m in mail.outbox] == [[host.email]]
    response = client.post(url, {"motivation": "Otra vez", "share_cv": "on"}, follow=True)
    assert str(services.ALREADY_APPLIED) in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("past_deadline", services.DEADLINE_PASSED),
        ("no_cv", services.NO_CV),
        ("full", services.NO_SEATS),
        ("own", services.OWN_PLACEMENT),
        ("unpublished", services.NOT_OPEN),
    ],
)
def test_applying_is_refused_with_a_clear_message(setup, message):
    host = member()
    user = student(cv=setup != "no_cv")
    if setup == "own":
        host = user
    row = placement(
        host=host, seats=1, status="submitted" if setup == "unpublished" else "published"
    )
    if setup == "past_deadline":
        row.deadline = timezone.localdate() - timedelta(days=1)
        row.save(update_fields=["deadline"])
    if setup == "full":
        application(placement=row, student=student(), status="accepted")
    with pytest.raises(services.InternshipError) as refused:
        services.apply(placement_id=row.pk, student=user, motivation="Hola")
    assert refused.value.message == message
    assert not Application.objects.filter(student=user).exists()


def test_the_host_and_the_sectors_pncs_see_the_application_and_the_cv(client):
    host = member()
    row = placement(host=host)
    applied = application(placement=row, student=student())
    for viewer in (host, coordinator("tic")):
        client.force_login(viewer)
        assert client.get(reverse("internships:application", args=[applied.pk])).status_code == 200
        cv = client.get(reverse("internships:application_cv", args=[applied.pk]))
        assert cv.status_code == 200
        assert b"".join(cv.streaming_content).startswith(b"%PDF-")
        assert "no-store" in cv["Cache-Control"]
        assert cv["X-Content-Type-Options"] == "nosniff"


def test_others_get_404_on_an_application_and_its_cv(client):
    host = member()
    row = placement(host=host)
    applicant = student()
    applied = application(placement=row, student=applicant)
    # Another host, whose own placement the same student did not apply to: never the CV.
    other_host = member()
    placement(host=other_host)
    outsiders = [
        member(),
        other_host,
        coordinator("salud"),
        student(full_name="Otra Estudiante"),
        applicant,  # the student reads their own page, not the host's
    ]
    for outsider in outsiders:
        client.force_login(outsider)
        for name in ("internships:application", "internships:application_cv"):
            assert client.get(reverse(name, args=[applied.pk])).status_code == 404, name
        response = client.post(
            reverse("internships:application", args=[applied.pk]), {"decision": "accepted"}
        )
        assert response.status_code == 404
    applied.refresh_from_db()
    assert applied.status == "applied"


def test_a_host_never_reaches_the_cv_of_a_student_who_applied_elsewhere(client):
    host = member()
    placement(host=host)
    elsewhere = application(placement=placement(host=member()), student=student())
    client.force_login(host)
    assert client.get(reverse("internships:application_cv", args=[elsewhere.pk])).status_code == 404
    cv_name = elsewhere.student.student_profile.cv.name
    assert client.get(f"/media/private/{cv_name}").status_code == 404


def test_the_host_shortlists_then_accepts_and_the_student_is_mailed(
    client, django_capture_on_commit_callbacks
):
    host = member()
    applied = application(placement=placement(host=host), student=student())
    client.force_login(host)
    url = reverse("internships:application", args=[applied.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "shortlisted", "reason": ""})
        client.post(url, {"decision": "accepted", "reason": "¡Bienvenida!"})
    applied.refresh_from_db()
    assert applied.status == "accepted"
    assert applied.decided_by == host
    assert [m.to for m in mail.outbox] == [[applied.student.email]] * 2
    assert "¡Bienvenida!" in mail.outbox[-1].body
    response = client.post(url, {"decision": "declined"}, follow=True)
    assert str(services.ALREADY_DECIDED) in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "accepted"


def test_an_accepted_student_and_the_host_become_one_engagement(client):
    from counterparts.models import Engagement

    host = member()
    row = placement(host=host, title_es="Estancia con colaboración")
    user = student()
    applied = application(placement=row, student=user)
    services.decide_application(application_id=applied.pk, decision="accepted", reason="", by=host)
    applied.refresh_from_db()
    engagement = Engagement.objects.get()
    assert applied.engagement == engagement
    assert (engagement.kind, engagement.member.user, engagement.student) == (
        "internship",
        host,
        user,
    )
    assert engagement.sector_id == row.sector_id
    assert engagement.state == "planned"
    assert engagement.starts_on == row.starts_on
    assert services.on_accepted(application=applied, by=host) == engagement
    assert Engagement.objects.count() == 1
    # Both sides reach it from their pages.
    for person in (host, user):
        client.force_login(person)
        response = client.get(reverse("counterparts:engagement", args=[engagement.pk]))
        assert response.status_code == 200


def test_shortlisting_or_declining_opens_no_engagement():
    from counterparts.models import Engagement

    host = member()
    row = placement(host=host)
    first = application(placement=row, student=student())
    second = application(placement=row, student=student())
    services.decide_application(application_id=first.pk, decision="shortlisted", reason="", by=host)
    services.decide_application(application_id=second.pk, decision="declined", reason="", by=host)
    assert not Engagement.objects.exists()


def test_seats_are_never_overbooked():
    host = member()
    row = placement(host=host, seats=1)
    first = application(placement=row, student=student())
    second = application(placement=row, student=student())
    services.decide_application(application_id=first.pk, decision="accepted", reason="", by=host)
    with pytest.raises(services.InternshipError) as refused:
        services.decide_application(
            application_id=second.pk, decision="accepted", reason="", by=host
        )
    assert refused.value.message == services.SEATS_FULL
    assert row.applications.accepted().count() == 1
    services.decide_application(application_id=second.pk, decision="declined", reason="", by=host)
    second.refresh_from_db()
    assert second.status == "declined"


def test_the_student_export_holds_their_profile_and_applications_and_the_hosts_placements():
    host = member()
    row = placement(host=host, title_es="Estancia exportada")
    user = student()
    application(placement=row, student=user, motivation="Mi motivación")
    data = export_member_data(user=user)["internships"]
    assert data["student_profile"]["university"] == "Universidad Autónoma Ficticia"
    assert data["student_profile"]["cv_file"].startswith("internships/cv/")
    assert data["applications"][0]["motivation"] == "Mi motivación"
    assert data["applications"][0]["cv_shared_with_host_at"]
    hosted = export_member_data(user=host)["internships"]["placements_hosted"]
    assert [p["title_es"] for p in hosted] == ["Estancia exportada"]


def test_deleting_the_account_removes_the_student_data_and_the_cv_file(
    django_capture_on_commit_callbacks,
):
    user = student()
    profile = user.student_profile
    storage, name = profile.cv.storage, profile.cv.name
    application(placement=placement(host=member()), student=user)
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=user)
    assert not StudentProfile.objects.filter(user=user).exists()
    assert not Application.objects.filter(student=user).exists()
    assert not storage.exists(name)


def test_deleting_a_hosts_account_removes_their_placements(django_capture_on_commit_callbacks):
    host = member()
    placement(host=host)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=host)
    assert not host.hosted_placements.exists()


# --- Withdrawing: the student takes back the application and the consent to share the CV --


def test_a_student_withdraws_an_application_and_with_it_the_cv_then_may_apply_again(
    client, django_capture_on_commit_callbacks
):
    host = member()
    row = placement(host=host, title_es="Visión por computadora")
    applicant = student()
    applied = application(placement=row, student=applicant, status="shortlisted")
    withdraw = reverse("internships:withdraw", args=[applied.pk])
    client.force_login(applicant)
    home = client.get(reverse("internships:student_home")).content.decode()
    assert f'action="{withdraw}"' in home
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw, follow=True)
    assert response.redirect_chain[-1][0] == reverse("internships:student_home")
    page = response.content.decode()
    assert "Retiraste tu postulación" in page and f'action="{withdraw}"' not in page
    applied.refresh_from_db()
    assert (applied.status, applied.decided_by) == ("withdrawn", applicant)
    assert [m.to for m in mail.outbox] == [[host.email]]
    assert "Visión por computadora" in mail.outbox[0].subject
    assert "retiró su postulación" in mail.outbox[0].body

    # The host still sees that there was an application, never the CV, and cannot decide it.
    client.force_login(host)
    url = reverse("internships:application", args=[applied.pk])
    page = client.get(url).content.decode()
    assert "retiró esta postulación" in page
    assert reverse("internships:application_cv", args=[applied.pk]) not in page
    assert 'name="decision"' not in page
    assert client.get(reverse("internships:application_cv", args=[applied.pk])).status_code == 404
    response = client.post(url, {"decision": "accepted", "reason": ""}, follow=True)
    assert str(services.WITHDRAWN) in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "withdrawn"

    # Applying again: the same application, received anew with a new consent.
    client.force_login(applicant)
    consent_before = applied.cv_consent_at
    response = client.post(
        reverse("internships:apply", args=[row.pk]),
        {"motivation": "Lo pensé mejor.", "share_cv": "on"},
    )
    assert response.status_code == 302
    applied.refresh_from_db()
    assert (applied.status, applied.motivation) == ("applied", "Lo pensé mejor.")
    assert applied.cv_consent_at > consent_before and applied.decided_by is None
    assert Application.objects.count() == 1
    client.force_login(host)
    assert client.get(reverse("internships:application_cv", args=[applied.pk])).status_code == 200


def test_only_the_student_withdraws_and_only_an_application_not_yet_decided(client):
    host = member()
    row = placement(host=host, seats=2)
    applicant = student()
    accepted = application(placement=row, student=applicant, status="accepted")
    other = application(placement=row, student=student(full_name="Otra Estudiante"))
    client.force_login(applicant)
    response = client.post(reverse("internships:withdraw", args=[accepted.pk]), follow=True)
    assert str(services.NOT_WITHDRAWABLE) in response.content.decode()
    # Someone else's application, a GET, the host: nothing changes.
    assert client.post(reverse("internships:withdraw", args=[other.pk])).status_code == 404
    assert client.get(reverse("internships:withdraw", args=[accepted.pk])).status_code == 405
    client.force_login(host)
    response = client.post(reverse("internships:withdraw", args=[other.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("internships:student_profile"))
    client.logout()
    response = client.post(reverse("internships:withdraw", args=[other.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert {a.status for a in Application.objects.all()} == {"accepted", "applied"}


def test_withdrawing_speaks_english_under_en(client):
    applicant = student()
    applied = application(placement=placement(host=member()), student=applicant)
    client.force_login(applicant)
    response = client.post(f"/en{reverse('internships:withdraw', args=[applied.pk])}", follow=True)
    assert "You withdrew your application" in response.content.decode()
