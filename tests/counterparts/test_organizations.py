"""Organisations: the RFC rule, registration, the public list and page, verification by the
PNCS of the main sector (with e-mails), people and invitations, the data export."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counterparts import personal_data
from counterparts.forms import REASON_REQUIRED, RFC_TAKEN
from counterparts.models import Organization, OrganizationInvitation, OrganizationMember
from counterparts.validators import (
    RFC_CHECK_DIGIT_MESSAGE,
    RFC_DATE_MESSAGE,
    RFC_FORMAT_MESSAGE,
    validate_rfc,
)
from tests.factories import ProfileFactory, coordinator, member

from .factories import fictitious_rfc, organization

pytestmark = pytest.mark.django_db


# --- the RFC -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rfc",
    ["SAT970701NN3", "PME380607P35", "UNA2907227Y5", "GODE561231GR8", "sat-970701 nn3"],
)
def test_real_rfcs_pass_shape_date_and_check_digit(rfc):
    validate_rfc(rfc)


@pytest.mark.parametrize(
    ("rfc", "message"),
    [
        ("SAT97070NN3", RFC_FORMAT_MESSAGE),
        ("12345678901", RFC_FORMAT_MESSAGE),
        ("SAT971301NN3", RFC_DATE_MESSAGE),
        ("SAT970231NN3", RFC_DATE_MESSAGE),
        ("SAT970701NN4", RFC_CHECK_DIGIT_MESSAGE),
        ("XAXX010101000", RFC_CHECK_DIGIT_MESSAGE),
    ],
)
def test_a_wrong_rfc_is_refused_with_the_reason(rfc, message):
    with pytest.raises(ValidationError) as refused:
        validate_rfc(rfc)
    assert refused.value.messages == [str(message)]


# --- registration ------------------------------------------------------------------------

FORM = {
    "legal_name": "Universidad Ficticia del Noreste",
    "kind": "university",
    "rfc": "",
    "state": "NLE",
    "city": "Monterrey",
    "main_sector": "",
    "sectors": [],
    "size": "large",
    "website": "https://unf.example.org",
    "description_es": "Universidad pública ficticia.",
    "description_en": "",
    "contact_name": "Laura Ficticia",
    "contact_email": "vinculacion@unf.example.org",
    "contact_phone": "",
}


def _form(**changes):
    from members.models import Sector

    data = dict(FORM, rfc=fictitious_rfc(901), main_sector=Sector.objects.get(slug="tic").pk)
    data.update(changes)
    return data


def test_a_person_registers_an_organisation_and_becomes_its_owner(client):
    person = member()
    client.force_login(person)
    typed = " " + fictitious_rfc(901).lower()[:6] + "-" + fictitious_rfc(901).lower()[6:]
    response = client.post(reverse("counterparts:register"), _form(rfc=typed))
    organization = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("counterparts:manage", args=[organization.pk])
    assert organization.status == Organization.Status.PENDING
    assert organization.rfc == fictitious_rfc(901)
    assert organization.slug == "universidad-ficticia-del-noreste"
    assert OrganizationMember.objects.get().role == "owner"
    # Not public before the PNCS verifies it.
    assert client.get(reverse("counterparts:detail", args=[organization.slug])).status_code == 404


@pytest.mark.parametrize(
    ("rfc", "message"),
    [("SAT970701NN4", RFC_CHECK_DIGIT_MESSAGE), ("ABC", RFC_FORMAT_MESSAGE)],
)
def test_a_bad_rfc_shows_its_message_and_saves_nothing(client, rfc, message):
    client.force_login(member())
    response = client.post(reverse("counterparts:register"), _form(rfc=rfc))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not Organization.objects.exists()


def test_an_rfc_already_registered_is_refused(client):
    organization(rfc=fictitious_rfc(902))
    client.force_login(member())
    response = client.post(reverse("counterparts:register"), _form(rfc=fictitious_rfc(902)))
    assert str(RFC_TAKEN) in response.content.decode()
    assert Organization.objects.count() == 1


# --- public list and page -----------------------------------------------------------------


def test_the_public_list_shows_verified_organisations_with_filters(client):
    organization(legal_name="Verificada TIC", sector="tic", state="NLE", kind="university")
    organization(legal_name="Verificada Salud", sector="salud", state="JAL", kind="company")
    organization(legal_name="Pendiente", status="pending")
    organization(legal_name="Rechazada", status="declined")
    url = reverse("counterparts:list")

    content = client.get(url).content.decode()
    assert "Verificada TIC" in content and "Verificada Salud" in content
    assert "Pendiente" not in content and "Rechazada" not in content
    only_health = client.get(url, {"sector": "salud"}).content.decode()
    assert "Verificada Salud" in only_health and "Verificada TIC" not in only_health
    assert "Verificada TIC" in client.get(url, {"state": "NLE"}).content.decode()
    assert "Verificada TIC" not in client.get(url, {"kind": "company"}).content.decode()


def test_a_tampered_filter_shows_an_error_and_no_result(client):
    organization(legal_name="Verificada TIC")
    response = client.get(reverse("counterparts:list"), {"sector": "nope", "kind": "x"})
    assert response.status_code == 200
    assert "Verificada TIC" not in response.content.decode()
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_the_public_list_costs_the_same_queries_whatever_its_length(
    client, count, django_assert_num_queries
):
    for _ in range(count):
        organization()
    client.get(reverse("counterparts:list"))
    # The sector choices, the sector asked for, the count, the page, the sectors of its rows.
    with django_assert_num_queries(5):
        response = client.get(reverse("counterparts:list"), {"sector": "tic"})
    assert response.content.decode().count('class="card"') == count


def test_a_verified_organisation_has_a_public_page_in_both_languages(client):
    org = organization(legal_name="Centro Ficticio", description_es="Hola", description_en="Hello")
    es = client.get(reverse("counterparts:detail", args=[org.slug])).content.decode()
    assert "Centro Ficticio" in es and "Hola" in es and "Verificada por el PNCS" in es
    en = client.get("/en" + reverse("counterparts:detail", args=[org.slug])).content.decode()
    assert "Hello" in en and "Verified by the PNCS" in en


# --- verification by the PNCS -------------------------------------------------------------


def test_the_coordinator_of_the_sector_verifies_and_the_owner_is_told(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner, status="pending", legal_name="Empresa Ficticia TIC")
    client.force_login(coordinator("tic"))
    assert (
        "Empresa Ficticia TIC" in client.get(reverse("counterparts:review_list")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("counterparts:review", args=[org.pk]), {"status": "verified"}
        )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == "verified" and org.decided_at is not None
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Verificada" in mail.outbox[0].subject


def test_asking_for_information_needs_a_reason_and_editing_sends_it_back(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner, status="pending")
    coord = coordinator("tic")
    client.force_login(coord)
    url = reverse("counterparts:review", args=[org.pk])
    refused = client.post(url, {"status": "info", "reason": " "})
    assert str(REASON_REQUIRED) in refused.content.decode()
    assert Organization.objects.get(pk=org.pk).status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "info", "reason": "Falta el acta constitutiva."})
    assert "Falta el acta constitutiva." in mail.outbox[0].body

    client.force_login(owner)
    page = client.get(reverse("counterparts:manage", args=[org.pk])).content.decode()
    assert "Falta el acta constitutiva." in page
    from members.models import Sector

    data = _form(rfc=org.rfc, legal_name=org.legal_name)
    data["main_sector"] = Sector.objects.get(slug="tic").pk
    client.post(reverse("counterparts:edit", args=[org.pk]), data)
    assert Organization.objects.get(pk=org.pk).status == "pending"


def test_a_coordinator_of_another_sector_gets_404_and_changes_nothing(client):
    org = organization(status="pending", sector="tic")
    client.force_login(coordinator("salud"))
    assert org.legal_name not in client.get(reverse("counterparts:review_list")).content.decode()
    url = reverse("counterparts:review", args=[org.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "verified"}).status_code == 404
    assert Organization.objects.get(pk=org.pk).status == "pending"


def test_a_member_cannot_review(client):
    client.force_login(member())
    assert client.get(reverse("counterparts:review_list")).status_code == 403


# --- people and invitations ---------------------------------------------------------------


def test_an_owner_invites_by_email_and_the_invited_person_joins(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("counterparts:manage", args=[org.pk]),
            {"email": "Colega@Example.org", "role": "member"},
        )
    assert response.status_code == 302
    invitation = OrganizationInvitation.objects.get()
    assert mail.outbox[0].to == ["colega@example.org"]
    assert invitation.token in mail.outbox[0].body

    url = reverse("counterparts:invitation", args=[invitation.token])
    stranger = member()
    client.force_login(stranger)
    assert client.post(url).status_code == 403
    assert not OrganizationMember.objects.filter(user=stranger).exists()

    colleague = member(user__email="colega@example.org")
    client.force_login(colleague)
    assert client.post(url).status_code == 302
    assert OrganizationMember.objects.get(user=colleague).role == "member"
    # Used once: the link is gone afterwards.
    assert client.get(url).status_code == 404


def test_an_expired_invitation_answers_404(client):
    org = organization(owner=member())
    person = member(user__email="tarde@example.org")
    invitation = OrganizationInvitation.objects.create(
        organization=org,
        email="tarde@example.org",
        role="member",
        token="t" * 40,
        created_at=timezone.now(),
        expires_at=timezone.now(),
    )
    client.force_login(person)
    assert (
        client.post(reverse("counterparts:invitation", args=[invitation.token])).status_code == 404
    )
    assert not OrganizationMember.objects.filter(user=person).exists()


def test_a_member_of_the_organisation_cannot_invite_and_outsiders_get_404(client):
    owner, colleague = member(), member()
    org = organization(owner=owner)
    OrganizationMember.objects.create(
        organization=org, user=colleague, role="member", created_at=timezone.now()
    )
    client.force_login(colleague)
    manage = reverse("counterparts:manage", args=[org.pk])
    assert client.get(manage).status_code == 200
    assert client.post(manage, {"email": "x@example.org", "role": "owner"}).status_code == 404
    assert client.get(reverse("counterparts:edit", args=[org.pk])).status_code == 404
    client.force_login(member())
    assert client.get(manage).status_code == 404
    assert not OrganizationInvitation.objects.exists()


def test_the_last_owner_cannot_be_removed(client):
    owner = member()
    org = organization(owner=owner)
    person = OrganizationMember.objects.get(user=owner)
    client.force_login(owner)
    client.post(reverse("counterparts:remove_person", args=[org.pk, person.pk]))
    assert OrganizationMember.objects.filter(pk=person.pk).exists()


def test_the_export_lists_the_persons_organisations_and_erase_removes_them():
    owner = member()
    organization(owner=owner, legal_name="Empresa Exportada")
    assert personal_data.export(owner)["organizations"][0]["organization"] == "Empresa Exportada"
    personal_data.erase(owner)
    assert not OrganizationMember.objects.filter(user=owner).exists()
    assert Organization.objects.filter(legal_name="Empresa Exportada").exists()


def test_the_dashboard_shows_the_persons_organisations_and_the_coordinators_queue(client):
    owner = member()
    organization(owner=owner, legal_name="Empresa del Tablero", status="pending")
    client.force_login(owner)
    page = client.get(reverse("members:me")).content.decode()
    assert "Empresa del Tablero" in page and "En revisión" in page
    coord = coordinator("tic")
    ProfileFactory(user=coord)  # a coordinator who is also a member of the network
    client.force_login(coord)
    dashboard = client.get(reverse("members:me")).content.decode()
    assert "Organizaciones que esperan verificación: 1" in dashboard


def test_the_list_pages_keep_the_filters(client):
    for _ in range(21):
        organization(state="NLE")
    page = client.get(reverse("counterparts:list"), {"state": "NLE"}).content.decode()
    next_link = page.split("page=2")[0].rsplit('href="', 1)[1]
    assert "state=NLE" in next_link


def test_a_person_who_acts_only_for_an_organisation_lands_on_it_not_on_the_onboarding(client):
    """An organisation's contact is no diaspora member: signing in (and /me/) take them to
    their organisations (counterparts.landing), not to the member's onboarding."""
    from django.test import RequestFactory

    from members.adapter import AccountAdapter
    from tests.factories import UserFactory

    person = UserFactory()
    organization(owner=person)
    request = RequestFactory().get("/")
    request.user = person
    assert AccountAdapter().get_login_redirect_url(request) == reverse("counterparts:mine")
    client.force_login(person)
    assert client.get(reverse("members:me"))["Location"] == reverse("counterparts:mine")
    assert client.get(reverse("counterparts:mine")).status_code == 200
