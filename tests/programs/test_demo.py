"""The demo data: an IA 1000 cohort (results, credentials, the selection for the upcoming
stage abroad) and an open program, shown by every page; seeding twice changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demo.management.commands.seed_demo import Command as SeedDemo
from demo.programs import IA1000_SLUG, OPEN_SLUG
from programs.models import (
    Application,
    Certificate,
    Enrolment,
    Program,
    Selection,
    TravelDetails,
)
from programs.services import purge_travel_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=20)


def _counts():
    return (
        Program.objects.count(),
        Application.objects.count(),
        Enrolment.objects.count(),
        Certificate.objects.count(),
        Selection.objects.count(),
    )


def test_seeding_twice_creates_everything_once(seeded):
    first = _counts()
    call_command(SeedDemo(), members=20)
    assert _counts() == first


def test_demo_has_a_completed_selected_and_certified_ia1000_cohort(seeded):
    program = Program.objects.get(slug=IA1000_SLUG)
    assert {p.name for p in program.partners.all()} == {"Infotec", "Huawei Technologies"}
    stage1, stage2 = program.stages.order_by("order")
    assert stage1.mode == "virtual" and stage2.mode == "in_person" and stage2.seats == 107
    assert program.capacity == 1000 and program.call_opens_at.year == 2024
    participants = program.applications.filter(status="accepted").count()
    assert participants == 18  # every demo member but the two kept free
    selection = Selection.objects.get(target_stage=stage2)
    assert stage2.enrolments.filter(status="enrolled").count() == selection.selected_count > 0
    # A seat was declined and passed to the next in rank, who confirmed it (issue 23).
    declined = stage2.enrolments.get(status="declined")
    assert declined.rank <= selection.selected_count and declined.decline_reason
    replacement = stage2.enrolments.get(rank=selection.selected_count + 1)
    assert replacement.status == "enrolled" and replacement.seat_confirmed_at is not None
    assert stage2.collects_travel_data and stage2.offer_days == 7
    certified = stage1.enrolments.filter(certified=True).count()
    assert certified > 0
    # Two credentials per certified participant: Infotec's constancia, Huawei's certification.
    constancias = Certificate.objects.filter(enrolment__stage=stage1, kind="constancia")
    assert constancias.count() == certified
    assert set(constancias.values_list("issuer_name", flat=True)) == {"Infotec"}
    partner = Certificate.objects.filter(enrolment__stage=stage1, kind="partner")
    assert partner.count() == certified
    assert set(partner.values_list("issuer_name", flat=True)) == {"Huawei Technologies"}
    assert partner.exclude(external_id__startswith="HCIA-AI-2024-").count() == 0
    # Averages are computed from three weighted modules and ten sessions.
    assert stage1.modules.count() == 3 and stage1.sessions.count() == 10
    assert stage1.enrolments.filter(score__isnull=False, attendance__isnull=False).exists()
    # The stage abroad is upcoming: offers still open for a few, travel data for others,
    # nothing purged and no stage-2 certificate yet.
    assert stage2.starts_on > timezone.localdate()
    assert stage2.enrolments.filter(status="enrolled", seat_confirmed_at__isnull=True).exists()
    assert stage2.enrolments.filter(status="waitlisted").exists()
    assert TravelDetails.objects.filter(enrolment__stage=stage2).exists()
    assert purge_travel_details() == 0
    assert not Certificate.objects.filter(enrolment__stage=stage2).exists()
    assert Program.objects.get(slug=OPEN_SLUG).call_is_open()


def test_demo_pages_show_everything(seeded, client):
    certificate = Certificate.objects.filter(enrolment__stage__order=1).first()
    pages = {
        reverse("programs:list"): "Programa de Desarrollo de Talento IA 1000",
        "/programs/ia-1000/": "Huawei Technologies",
        "/en/programs/ia-1000/": "IA 1000 Talent Development Program",
        reverse("figures_program", kwargs={"slug": IA1000_SLUG}): "<svg",
        f"/certificates/{certificate.code}/": certificate.holder_name,
        f"/programs/{OPEN_SLUG}/": "Convocatoria abierta",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_a_demo_participant_downloads_their_certificate(seeded, client):
    # A participant without a staff role (those need a second factor first).
    certificate = (
        Certificate.objects.select_related("enrolment__application__user")
        .filter(enrolment__application__user__groups__isnull=True)
        .order_by("pk")
        .first()
    )
    client.force_login(certificate.enrolment.application.user)
    html = client.get(reverse("programs:mine")).content.decode()
    assert certificate.code in html
    response = client.get(reverse("programs:certificate_pdf", kwargs={"code": certificate.code}))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
