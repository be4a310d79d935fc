"""Requests for expertise (issue 20, steps 3 and 4): filing with bilingual validation, the
PNCS's triage with a dated, mailed history, the 10-business-day overdue marker on the
coordinator's dashboard and the workbench, the coordinator being told of a registration,
invitations from the matching (consent and conflicts respected), the member's answer, the
expiry task and the thread between the organisation and the member."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from counterparts import services
from counterparts.forms import (
    END_BEFORE_START,
    NOT_VERIFIED,
    PLACE_REQUIRED,
    START_IN_PAST,
    TITLE_REQUIRED,
    TITLE_WITHOUT_DESCRIPTION,
)
from counterparts.models import ExpertiseRequest, MemberInvitation, RequestEvent
from counterparts.querysets import overdue_before, triage_due_on
from counterparts.tasks import expire_member_invitations_task
from members.models import ExpertiseTag, Sector
from messaging.models import Participant, Thread
from pncs.models import Affiliation, Opportunity
from tests.factories import ProfileFactory, coordinator, member

from .factories import organization

pytestmark = pytest.mark.django_db


def _form(**changes):
    today = timezone.localdate()
    data = {
        "kind": "mentoring",
        "title_es": "Mentoría en aprendizaje automático",
        "description_es": "Buscamos apoyo para un laboratorio de datos.",
        "title_en": "",
        "description_en": "",
        "sector": Sector.objects.get(slug="tic").pk,
        "other_sectors": [],
        "expertise": [],
        "languages": [],
        "mode": "remote",
        "place": "",
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=120)).isoformat(),
        "people_sought": "2",
    }
    data.update(changes)
    return data


def _file(client, owner, org, **changes):
    client.force_login(owner)
    return client.post(reverse("counterparts:request_create", args=[org.pk]), _form(**changes))


def _request(org, *, status="submitted", submitted_at=None, **fields):
    now = submitted_at or timezone.now()
    return ExpertiseRequest.objects.create(
        organization=org,
        kind=fields.pop("kind", "mentoring"),
        title_es=fields.pop("title_es", "Solicitud ficticia"),
        description_es="Descripción ficticia.",
        sector=Sector.objects.get(slug=fields.pop("sector", "tic")),
        mode="remote",
        starts_on=timezone.localdate() + timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=40),
        people_sought=1,
        status=status,
        created_at=now,
        submitted_at=now,
        **fields,
    )


# --- filing ------------------------------------------------------------------------------


def test_a_verified_organisation_files_a_request_and_its_people_are_told(
    client, django_capture_on_commit_callbacks
):
    owner, colleague = member(), member()
    org = organization(owner=owner)
    org.people.create(user=colleague, role="member", created_at=timezone.now())
    colleague.preferred_language = "en"
    colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(
            client,
            owner,
            org,
            title_en="Machine learning mentoring",
            description_en="We look for help with a data lab.",
        )
    created = ExpertiseRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("counterparts:request_detail", args=[org.pk, created.pk])
    assert created.status == "submitted" and created.created_by == owner
    assert list(created.events.values_list("action", flat=True)) == ["submitted"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {owner.email, colleague.email}
    assert "Presentada" in by_address[owner.email].subject
    assert "Submitted" in by_address[colleague.email].subject
    assert "/en/organizations/manage/" in by_address[colleague.email].body

    page = client.get(reverse("counterparts:request_list", args=[org.pk])).content.decode()
    assert "Mentoría en aprendizaje automático" in page and "En revisión del PNCS" in page
    en = client.get("/en" + reverse("counterparts:request_list", args=[org.pk])).content.decode()
    assert "Machine learning mentoring" in en


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title_es": "", "description_es": ""}, "title_es", TITLE_REQUIRED),
        ({"description_es": ""}, "description_es", TITLE_WITHOUT_DESCRIPTION),
        ({"mode": "in_person"}, "place", PLACE_REQUIRED),
        ({"starts_on": "2020-01-01"}, "starts_on", START_IN_PAST),
        (
            {"ends_on": (date.today() + timedelta(days=5)).isoformat()},
            "ends_on",
            END_BEFORE_START,
        ),
        ({"people_sought": "0"}, "people_sought", None),
        ({"kind": "nonsense"}, "kind", None),
        ({"starts_on": "31/31/2026"}, "starts_on", None),
    ],
)
def test_bad_input_is_refused_with_its_message_and_saves_nothing(client, changes, field, message):
    owner = member()
    org = organization(owner=owner)
    response = _file(client, owner, org, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert str(message) in errors[field]
    assert not ExpertiseRequest.objects.exists()


def test_the_messages_are_in_english_on_english_pages(client):
    owner = member()
    org = organization(owner=owner)
    client.force_login(owner)
    url = "/en" + reverse("counterparts:request_create", args=[org.pk])
    page = client.post(url, _form(mode="in_person")).content.decode()
    with translation.override("en"):
        assert str(PLACE_REQUIRED) in page
    assert "Escribe el lugar" not in page


def test_an_unverified_organisation_cannot_file(client):
    owner = member()
    org = organization(owner=owner, status="pending")
    response = _file(client, owner, org)
    assert response.status_code == 302
    assert not ExpertiseRequest.objects.exists()
    page = client.get(response.url).content.decode()
    assert str(NOT_VERIFIED) in page


def test_another_organisation_and_outsiders_get_404(client):
    owner = member()
    org = organization(owner=owner)
    filed = _request(org)
    client.force_login(member())
    for url in (
        reverse("counterparts:request_list", args=[org.pk]),
        reverse("counterparts:request_create", args=[org.pk]),
        reverse("counterparts:request_detail", args=[org.pk, filed.pk]),
    ):
        assert client.get(url).status_code == 404
    other = organization(owner=member())
    client.force_login(owner)
    assert (
        client.get(reverse("counterparts:request_detail", args=[other.pk, filed.pk])).status_code
        == 404
    )


# --- triage --------------------------------------------------------------------------------


def test_the_coordinator_accepts_and_publishes_an_invite_only_opportunity(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner, legal_name="Universidad Ficticia")
    filed = _request(org)
    filed.expertise.add(ExpertiseTag.objects.create(name="Aprendizaje automático"))
    coord = coordinator("tic")
    client.force_login(coord)
    assert "Solicitud ficticia" in client.get(reverse("counterparts:triage_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("counterparts:triage", args=[filed.pk]),
            {"decision": "accepted", "visibility": "invite_only", "reason": ""},
        )
    assert response.status_code == 302
    filed.refresh_from_db()
    opportunity = filed.opportunity
    assert filed.status == "accepted" and filed.decided_at is not None
    assert opportunity.status == "open" and opportunity.invite_only
    assert opportunity.kind == "mentoria" and opportunity.institution == "Universidad Ficticia"
    assert list(opportunity.expertise.values_list("name", flat=True)) == ["Aprendizaje automático"]
    assert not Opportunity.objects.open().filter(pk=opportunity.pk).exists()
    assert (
        client.get(reverse("pncs:opportunity_list")).content.decode().count("Solicitud ficticia")
        == 0
    )
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Aceptada y publicada" in mail.outbox[0].subject
    # A second decision changes nothing.
    client.post(
        reverse("counterparts:triage", args=[filed.pk]), {"decision": "declined", "reason": "x"}
    )
    assert ExpertiseRequest.objects.get(pk=filed.pk).status == "accepted"


def test_a_public_acceptance_is_listed_among_the_opportunities(client):
    filed = _request(organization(owner=member()))
    client.force_login(coordinator("tic"))
    client.post(
        reverse("counterparts:triage", args=[filed.pk]),
        {"decision": "accepted", "visibility": "public"},
    )
    filed.refresh_from_db()
    assert Opportunity.objects.open().filter(pk=filed.opportunity_id).exists()


def test_asking_for_changes_needs_a_reason_and_the_correction_goes_back(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner)
    filed = _request(org)
    coord = coordinator("tic")
    client.force_login(coord)
    url = reverse("counterparts:triage", args=[filed.pk])
    refused = client.post(url, {"decision": "changes", "reason": "  "})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert ExpertiseRequest.objects.get(pk=filed.pk).status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "changes", "reason": "Precisa las fechas."})
    assert "Precisa las fechas." in mail.outbox[0].body

    client.force_login(owner)
    detail = client.get(reverse("counterparts:request_detail", args=[org.pk, filed.pk]))
    assert "Precisa las fechas." in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("counterparts:request_edit", args=[org.pk, filed.pk]),
            _form(title_es="Mentoría corregida"),
        )
    filed.refresh_from_db()
    assert filed.status == "submitted" and filed.title_es == "Mentoría corregida"
    assert list(filed.events.values_list("action", flat=True)) == ["changes", "resubmitted"]
    # Only a request with changes asked can be edited.
    assert (
        client.get(reverse("counterparts:request_edit", args=[org.pk, filed.pk])).status_code == 404
    )


def test_declining_is_dated_and_mailed(client, django_capture_on_commit_callbacks):
    owner = member()
    filed = _request(organization(owner=owner))
    client.force_login(coordinator("tic"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("counterparts:triage", args=[filed.pk]),
            {"decision": "declined", "reason": "Fuera del alcance del PNCS."},
        )
    event = RequestEvent.objects.get(request=filed)
    assert event.action == "declined" and event.at is not None
    assert "Fuera del alcance del PNCS." in mail.outbox[0].body


def test_a_coordinator_of_another_sector_gets_404_and_changes_nothing(client):
    filed = _request(organization(owner=member()))
    client.force_login(coordinator("salud"))
    assert (
        "Solicitud ficticia" not in client.get(reverse("counterparts:triage_list")).content.decode()
    )
    url = reverse("counterparts:triage", args=[filed.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "declined", "reason": "x"}).status_code == 404
    assert ExpertiseRequest.objects.get(pk=filed.pk).status == "submitted"


def test_a_tampered_status_filter_falls_back_to_the_waiting_ones(client):
    client.force_login(coordinator("tic"))
    assert client.get(reverse("counterparts:triage_list") + "?status=zzz").status_code == 200


# --- overdue (10 Mexican business days) ------------------------------------------------------


def test_the_due_date_counts_mexican_business_days():
    # Thursday 12 March 2026; Monday 16 March is a rest day (Benito Juárez).
    sent = timezone.make_aware(datetime(2026, 3, 12, 10, 0))
    assert triage_due_on(sent) == date(2026, 3, 27)
    # On the 27th the request is not overdue yet; on the 30th it is.
    assert overdue_before(date(2026, 3, 27)) <= sent < overdue_before(date(2026, 3, 30))


def test_an_overdue_request_is_marked_on_the_dashboard_and_the_workbench(client):
    org = organization(owner=member())
    old = _request(
        org, title_es="Solicitud olvidada", submitted_at=timezone.now() - timedelta(days=40)
    )
    _request(org, title_es="Solicitud reciente")
    assert list(ExpertiseRequest.objects.overdue()) == [old]
    coord = coordinator("tic")
    client.force_login(coord)
    from counterparts.templatetags.counterparts_tags import counterparts_dashboard

    section = counterparts_dashboard(coord)
    assert section["requests_waiting"] == 2 and section["requests_overdue"] == 1
    page = client.get(reverse("members:workbench")).content.decode()
    assert "Solicitudes de organizaciones por revisar" in page
    assert "Solicitud olvidada" in page and "Vencida" in page
    triage_list = client.get(reverse("counterparts:triage_list")).content.decode()
    assert triage_list.count("badge-alert") == 1


def test_ime_staff_see_every_sectors_requests_on_their_workbench(client):
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF
    from tests.factories import UserFactory, with_totp

    _request(
        organization(owner=member(), sector="salud"), sector="salud", title_es="Solicitud de salud"
    )
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(staff)
    client.force_login(staff)
    assert "Solicitud de salud" in client.get(reverse("members:workbench")).content.decode()


def test_the_sectors_coordinators_are_mailed_when_an_organisation_registers(
    client, django_capture_on_commit_callbacks
):
    from tests.counterparts.test_organizations import _form as organization_form

    coord = coordinator("tic")
    coordinator("salud")
    client.force_login(member())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("counterparts:register"), organization_form())
    assert [m.to for m in mail.outbox] == [[coord.email]]
    assert "Universidad Ficticia del Noreste" in mail.outbox[0].subject
    assert "/organizations/review/" in mail.outbox[0].body


# --- invitations from the matching -------------------------------------------------------------


def _accepted(org, **fields):
    filed = _request(org, **fields)
    return services.triage_request(
        request_id=filed.pk,
        decision="accepted",
        reason="",
        invite_only=True,
        by=coordinator("tic"),
    )


def test_suggestions_respect_consent_and_conflicts_and_the_member_accepts(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    org = organization(owner=owner, legal_name="Centro Ficticio de Datos")
    willing = ProfileFactory(sectors=["tic"], pncs_contact=True, given_names="Ana")
    ProfileFactory(sectors=["tic"], pncs_contact=False, given_names="Sinconsentimiento")
    tied = ProfileFactory(sectors=["tic"], pncs_contact=True, given_names="Convinculo")
    Affiliation.objects.create(
        member=tied.user, institution="Centro Ficticio de Datos", relation="employee"
    )
    filed = _accepted(org, kind="committee")
    coord = filed.opportunity.created_by
    client.force_login(coord)
    page = client.get(reverse("counterparts:triage", args=[filed.pk])).content.decode()
    assert willing.display_name in page and "Comparte el sector" in page
    assert "Sinconsentimiento" not in page and "Convinculo" not in page

    # An id the matching did not suggest is refused.
    invite = reverse("counterparts:triage_invite", args=[filed.pk])
    refused = client.post(invite, {"members": [tied.user_id]})
    assert refused.status_code == 200 and not MemberInvitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite, {"members": [willing.user_id]})
    invitation = MemberInvitation.objects.get()
    assert invitation.member == willing.user and invitation.status == "pending"
    assert any("Comparte el sector" in reason for reason in invitation.reasons)
    assert [m.to for m in mail.outbox] == [[willing.user.email]]
    assert "Centro Ficticio de Datos" in mail.outbox[0].subject

    # The organisation does not see who was invited.
    client.force_login(owner)
    detail = client.get(reverse("counterparts:request_detail", args=[org.pk, filed.pk]))
    assert willing.display_name not in detail.content.decode()

    client.force_login(willing.user)
    url = reverse("counterparts:member_invitation", args=[invitation.pk])
    page = client.get(url).content.decode()
    assert "Centro Ficticio de Datos" in page and "Por qué te sugerimos" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "accepted", "reason": ""})
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.thread_id is not None
    assert response.url == reverse("messaging:thread", args=[invitation.thread_id])
    thread = Thread.objects.get(pk=invitation.thread_id)
    assert set(Participant.objects.filter(party__thread=thread).values_list("user", flat=True)) == {
        owner.pk,
        willing.user_id,
    }
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert willing.user.email not in mail.outbox[0].body

    client.force_login(owner)
    detail = client.get(reverse("counterparts:request_detail", args=[org.pk, filed.pk]))
    assert willing.display_name in detail.content.decode()
    assert willing.user.email not in detail.content.decode()
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    # Answering twice changes nothing.
    client.force_login(willing.user)
    assert client.post(url, {"answer": "declined"}).status_code == 404


def test_a_member_declines_with_a_reason_and_nothing_opens(client):
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed = _accepted(organization(owner=member()))
    [invitation] = services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    client.force_login(profile.user)
    client.post(
        reverse("counterparts:member_invitation", args=[invitation.pk]),
        {"answer": "declined", "reason": "No tengo tiempo este semestre."},
    )
    invitation.refresh_from_db()
    assert invitation.status == "declined" and invitation.thread_id is None
    assert invitation.answer_reason == "No tengo tiempo este semestre."
    assert not Thread.objects.exists()


def test_another_member_gets_404_on_an_invitation(client):
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed = _accepted(organization(owner=member()))
    [invitation] = services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    client.force_login(member())
    url = reverse("counterparts:member_invitation", args=[invitation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "accepted"}).status_code == 404
    assert MemberInvitation.objects.get().status == "pending"


def test_no_reply_in_n_days_expires_the_invitation_idempotently(client, settings):
    settings.COUNTERPARTS_INVITATION_DAYS = 3
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed = _accepted(organization(owner=member()))
    [invitation] = services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    assert invitation.expires_at - invitation.created_at == timedelta(days=3)
    assert expire_member_invitations_task.delay().get() == 0
    MemberInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    # Past its time, before the task ran: the member can no longer accept.
    client.force_login(profile.user)
    url = reverse("counterparts:member_invitation", args=[invitation.pk])
    assert client.post(url, {"answer": "accepted"}).status_code == 404
    assert expire_member_invitations_task.delay().get() == 1
    assert expire_member_invitations_task.delay().get() == 0
    assert MemberInvitation.objects.get().status == "expired"
    assert "Vencida" in client.get(url).content.decode()


def test_inviting_on_a_request_not_accepted_is_refused():
    filed = _request(organization(owner=member()))
    with pytest.raises(services.RequestError):
        services.invite_members(expertise_request=filed, member_ids=[1], by=None)


def test_the_members_invitations_are_in_their_export_and_erased_with_the_account():
    from counterparts import personal_data

    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed = _accepted(organization(owner=member(), legal_name="Organización Exportada"))
    services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    [row] = personal_data.export(profile.user)["requests_invited_to"]
    assert row["organization"] == "Organización Exportada" and row["status"] == "pending"
    assert row["why_suggested"]
    personal_data.erase(profile.user)
    assert not MemberInvitation.objects.exists()
