"""The member's data download covers every app, and account cancellation reaches every app
(through the `<app>.personal_data` modules members discovers by name)."""

import pytest
from django.urls import reverse

from chapters.models import Membership, Officer, Registration
from members.services import delete_account, export_member_data
from pncs.models import Affiliation, Interest, MemberSearchIndex
from pncs.search import rebuild_index
from programs.models import Application, Certificate
from programs.services import issue_certificates
from tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    OpportunityFactory,
    RegistrationFactory,
    member,
    participant,
    program_with_stages,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def involved():
    """A member with a footprint in chapters, pncs and programs, and a bystander."""
    user = member(pncs_contact=True)
    other = member()
    chapter = ChapterFactory(name="Capítulo Houston")
    MembershipFactory(chapter=chapter, user=user, message="Quiero colaborar", is_home=True)
    MembershipFactory(chapter=chapter, user=other, message="Mensaje ajeno")
    OfficerFactory(chapter=chapter, user=user)
    jornada = JornadaFactory(capacity=1)
    RegistrationFactory(jornada=jornada, user=user, status="confirmed")
    RegistrationFactory(jornada=jornada, user=other, status="waitlisted")
    opportunity = OpportunityFactory()
    Interest.objects.create(opportunity=opportunity, member=user, message="Me interesa mucho")
    Affiliation.objects.create(member=user, institution="Universidad Ficticia", relation="employee")
    _program, stage1, _stage2 = program_with_stages()
    participant(
        stage1,
        user=user,
        score=95,
        completed=True,
        certified=True,
        motivation="Aprender IA para mi comunidad",
    )
    issue_certificates(stage=stage1)
    ApplicationFactory(user=user, motivation="Otra convocatoria")  # still pending
    rebuild_index()
    return {"user": user, "other": other, "jornada": jornada}


def test_the_data_download_holds_what_every_app_stores_about_the_member(involved):
    data = export_member_data(user=involved["user"])
    assert [m["message"] for m in data["chapters"]["memberships"]] == ["Quiero colaborar"]
    assert data["chapters"]["officer_terms"][0]["chapter"] == "Capítulo Houston"
    assert data["chapters"]["jornada_registrations"][0]["status"] == "confirmed"
    assert data["pncs"]["interests"][0]["message"] == "Me interesa mucho"
    assert data["pncs"]["affiliations"][0]["institution"] == "Universidad Ficticia"
    motivations = sorted(a["motivation"] for a in data["programs"]["applications"])
    assert motivations == ["Aprender IA para mi comunidad", "Otra convocatoria"]
    assert data["programs"]["certificates"][0]["revoked_at"] is None
    assert "Mensaje ajeno" not in str(data)


def test_cancellation_reaches_chapters(involved):
    user, other = involved["user"], involved["other"]
    delete_account(user=user)
    mine = Membership.objects.get(user=user)
    assert (mine.status, mine.message, mine.is_home) == ("left", "", False)
    assert Membership.objects.get(user=other).message == "Mensaje ajeno"
    assert not Officer.objects.filter(user=user).current().exists()
    assert Registration.objects.get(user=user).status == "cancelled"
    # The freed place went to the waitlist.
    assert Registration.objects.get(user=other).status == "confirmed"


def test_cancellation_reaches_pncs(involved):
    user = involved["user"]
    assert MemberSearchIndex.objects.filter(profile_id=user.pk).exists()
    delete_account(user=user)
    assert Interest.objects.get(member=user).message == ""
    assert not Affiliation.objects.filter(member=user).exists()
    assert not MemberSearchIndex.objects.filter(profile_id=user.pk).exists()


def test_cancellation_reaches_programs_and_the_public_certificate_page(client, involved):
    user = involved["user"]
    delete_account(user=user)
    statuses = sorted(Application.objects.filter(user=user).values_list("status", flat=True))
    assert statuses == ["accepted", "withdrawn"]
    assert set(Application.objects.filter(user=user).values_list("motivation", flat=True)) == {""}
    certificate = Certificate.objects.get(enrolment__application__user=user)
    assert certificate.revoked_at is not None
    assert certificate.holder_name == "—"
    page = client.get(reverse("programs:certificate_verify", args=[certificate.code]))
    assert page.status_code == 200
    assert "Aprender IA" not in page.content.decode()
