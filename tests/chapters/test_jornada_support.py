"""Jornadas with the PNCS (issue 21): coordinators' proposals and IME's decisions, the
travel needs of participants from abroad (collected, listed, lettered, purged, exported,
erased) and the materials' downloads."""

import csv
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chapters import services
from chapters.forms import MEMBER_NOT_FOUND_MESSAGE
from chapters.models import (
    LETTER_DATA_MESSAGE,
    MATERIAL_TYPE_MESSAGE,
    SPEAKER_NAME_MESSAGE,
    AgendaItem,
    JornadaProposal,
    Material,
    Registration,
    Speaker,
    TravelNeeds,
)
from chapters.personal_data import erase, export
from chapters.proposals import PROPOSAL_SENT_MESSAGE
from chapters.views import TRAVEL_SAVED_MESSAGE
from members.models import ProfileView, Sector
from tests.factories import (
    AgendaItemFactory,
    ChapterFactory,
    JornadaFactory,
    ProfileFactory,
    RegistrationFactory,
    coordinator,
    member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%demo\n"


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def jornada():
    """IME's network-wide Jornada a month from now, with one agenda item."""
    jornada = JornadaFactory(slug="cuarta-jornada", title_es="Cuarta Jornada Informativa")
    AgendaItemFactory(jornada=jornada, title_es="Mesa de salud digital")
    return jornada


@pytest.fixture
def coord():
    return coordinator("tic")


@pytest.fixture
def coord_client(client, coord):
    client.force_login(coord)
    return client


def propose_url(jornada, kind):
    return reverse("chapters:proposal_create", args=[jornada.slug, kind])


def tic():
    return Sector.objects.get(slug="tic")


def guest_speaker(jornada, coord, **fields):
    return JornadaProposal.objects.create(
        jornada=jornada,
        sector=tic(),
        proposed_by=coord,
        kind=JornadaProposal.Kind.SPEAKER,
        agenda_item=jornada.agenda_items.first(),
        name=fields.pop("name", "Dra. Lucía Ficticia"),
        affiliation=fields.pop("affiliation", "Universidad Inventada"),
        **fields,
    )


# --- The coordinator's pages -------------------------------------------------------------


def test_coordinator_sees_imes_upcoming_jornadas_but_not_chapter_events_or_past_ones(
    coord_client, jornada
):
    JornadaFactory(chapter=ChapterFactory(), title_es="Evento de un capítulo")
    past = timezone.now() - timezone.timedelta(days=10)
    JornadaFactory(title_es="Jornada pasada", starts_at=past, ends_at=past)
    response = coord_client.get(reverse("chapters:proposal_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cuarta Jornada Informativa" in body
    assert "Evento de un capítulo" not in body
    assert "Jornada pasada" not in body


def test_coordinator_proposes_a_guest_speaker_and_sees_it_in_review(coord_client, coord, jornada):
    item = jornada.agenda_items.get()
    response = coord_client.post(
        propose_url(jornada, "speaker"),
        {
            "sector": tic().pk,
            "agenda_item": item.pk,
            "name": "Dra. Lucía Ficticia",
            "affiliation": "Universidad Inventada",
            "bio": "Investiga salud digital.",
        },
        follow=True,
    )
    assert str(PROPOSAL_SENT_MESSAGE) in texts(response)
    proposal = JornadaProposal.objects.get()
    assert (proposal.kind, proposal.status, proposal.proposed_by) == ("speaker", "pending", coord)
    assert proposal.agenda_item == item and proposal.sector == tic()
    assert "Dra. Lucía Ficticia" in response.content.decode()
    assert "En revisión" in response.content.decode()


def test_a_speaker_with_neither_a_member_nor_a_name_is_refused_and_nothing_saved(
    coord_client, jornada
):
    response = coord_client.post(
        propose_url(jornada, "speaker"),
        {"sector": tic().pk, "agenda_item": jornada.agenda_items.get().pk, "name": " "},
    )
    assert response.status_code == 400
    assert str(SPEAKER_NAME_MESSAGE) in response.content.decode()
    assert not JornadaProposal.objects.exists()


def test_a_member_speaker_must_allow_pncs_contact(coord_client, jornada):
    hidden = member(pncs_contact=False)
    response = coord_client.post(
        propose_url(jornada, "speaker"),
        {
            "sector": tic().pk,
            "agenda_item": jornada.agenda_items.get().pk,
            "member_number": hidden.pk,
        },
    )
    assert response.status_code == 400
    assert str(MEMBER_NOT_FOUND_MESSAGE) in response.content.decode()
    assert not JornadaProposal.objects.exists()


def test_a_member_speaker_who_allows_contact_is_proposed_by_their_number(coord_client, jornada):
    speaker = ProfileFactory(pncs_contact=True).user
    response = coord_client.post(
        propose_url(jornada, "speaker"),
        {
            "sector": tic().pk,
            "agenda_item": jornada.agenda_items.get().pk,
            "member_number": speaker.pk,
        },
    )
    assert response.status_code == 302
    assert JornadaProposal.objects.get().member == speaker


def test_a_material_that_is_not_a_pdf_or_slides_is_refused(coord_client, jornada):
    response = coord_client.post(
        propose_url(jornada, "material"),
        {
            "sector": tic().pk,
            "title_es": "Presentación",
            "audience": "public",
            "file": SimpleUploadedFile("programa.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert str(MATERIAL_TYPE_MESSAGE) in response.content.decode()
    assert not JornadaProposal.objects.exists()


def test_an_agenda_time_outside_the_jornada_is_refused(coord_client, jornada):
    far = timezone.localtime(jornada.starts_at, jornada.tz) + timezone.timedelta(days=20)
    response = coord_client.post(
        propose_url(jornada, "agenda"),
        {"sector": tic().pk, "title_es": "Taller", "starts_at": far.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    assert not JornadaProposal.objects.exists()


def test_another_sectors_id_is_refused(coord_client, jornada):
    salud = Sector.objects.get(slug="salud")
    response = coord_client.post(
        propose_url(jornada, "agenda"),
        {"sector": salud.pk, "title_es": "Taller", "starts_at": "2030-01-01T10:00"},
    )
    assert response.status_code == 400
    assert not JornadaProposal.objects.exists()


@pytest.mark.parametrize("kind", ["agenda", "speaker", "material"])
def test_a_chapter_event_takes_no_proposals(coord_client, kind):
    event = JornadaFactory(chapter=ChapterFactory())
    assert coord_client.get(propose_url(event, kind)).status_code == 404


def test_an_unknown_kind_is_not_found(coord_client, jornada):
    assert coord_client.get(propose_url(jornada, "banquet")).status_code == 404


def test_a_member_who_coordinates_nothing_is_forbidden(client, jornada):
    client.force_login(member())
    assert client.get(reverse("chapters:proposal_list")).status_code == 403
    assert client.get(propose_url(jornada, "speaker")).status_code == 403


def test_another_sectors_coordinator_does_not_see_the_proposal(client, coord, jornada):
    guest_speaker(jornada, coord)
    client.force_login(coordinator("salud"))
    response = client.get(reverse("chapters:proposal_list"))
    assert response.status_code == 200
    assert "Dra. Lucía Ficticia" not in response.content.decode()


# --- IME's decisions -----------------------------------------------------------------------


def test_ime_accepts_a_speaker_it_shows_on_the_jornada_page_and_the_coordinator_is_told(
    client, coord, jornada, ime_staff, django_capture_on_commit_callbacks
):
    proposal = guest_speaker(jornada, coord)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == ime_staff
    assert proposal.decided_at is not None
    speaker = Speaker.objects.get()
    assert (speaker.name, speaker.agenda_item) == ("Dra. Lucía Ficticia", proposal.agenda_item)
    assert "Dra. Lucía Ficticia" in client.get(jornada.get_absolute_url()).content.decode()
    assert [m.to for m in mail.outbox] == [[coord.email]]
    assert "aceptada" in mail.outbox[0].subject


def test_declining_needs_a_reason_and_tells_the_coordinator_why(
    coord, jornada, ime_staff, django_capture_on_commit_callbacks
):
    proposal = guest_speaker(jornada, coord)
    with pytest.raises(services.ChapterActionError) as refused:
        services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=False, reason=" ")
    assert refused.value.message == services.DECLINE_REASON_MESSAGE
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_proposal(
            proposal_id=proposal.pk, by=ime_staff, accept=False, reason="La agenda está completa."
        )
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not Speaker.objects.exists()
    assert "La agenda está completa." in mail.outbox[0].body


def test_a_proposal_is_decided_only_once(coord, jornada, ime_staff):
    proposal = guest_speaker(jornada, coord)
    services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=True)
    with pytest.raises(services.ChapterActionError):
        services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=True)
    assert Speaker.objects.count() == 1


def test_an_accepted_agenda_item_joins_the_agenda_after_the_others(coord, jornada, ime_staff):
    proposal = JornadaProposal.objects.create(
        jornada=jornada,
        sector=tic(),
        proposed_by=coord,
        kind="agenda",
        title_es="Taller de IA",
        starts_at=jornada.starts_at,
    )
    services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=True)
    items = list(AgendaItem.objects.filter(jornada=jornada).order_by("order"))
    assert [i.title_es for i in items] == ["Mesa de salud digital", "Taller de IA"]


def test_an_accepted_material_downloads_for_registrants_and_not_for_others(
    client, coord, jornada, ime_staff
):
    proposal = JornadaProposal(
        jornada=jornada, sector=tic(), proposed_by=coord, kind="material", title_es="Láminas"
    )
    proposal.file.save("laminas.pdf", SimpleUploadedFile("laminas.pdf", PDF), save=False)
    proposal.save()
    services.decide_proposal(proposal_id=proposal.pk, by=ime_staff, accept=True)
    material = Material.objects.get()
    assert material.file.name.startswith("jornadas/materials/")
    assert material.audience == Material.Audience.REGISTRANTS
    registrant = RegistrationFactory(jornada=jornada).user
    client.force_login(registrant)
    response = client.get(material.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == PDF
    client.force_login(member())
    assert client.get(material.file.url).status_code == 404
    client.logout()
    assert client.get(material.file.url).status_code in (302, 404)


def test_a_proposed_file_is_seen_by_its_sector_and_ime_only(client, coord, jornada, ime_staff):
    proposal = JornadaProposal(
        jornada=jornada, sector=tic(), proposed_by=coord, kind="material", title_es="Láminas"
    )
    proposal.file.save("laminas.pdf", SimpleUploadedFile("laminas.pdf", PDF), save=False)
    proposal.save()
    client.force_login(coord)
    assert client.get(proposal.file.url).status_code == 200
    client.force_login(ime_staff)
    assert client.get(proposal.file.url).status_code == 200
    client.force_login(coordinator("salud"))
    assert client.get(proposal.file.url).status_code == 404


def test_ime_decides_in_the_admin_with_a_reason_page(
    client, coord, jornada, ime_staff, django_capture_on_commit_callbacks
):
    proposal = guest_speaker(jornada, coord)
    client.force_login(ime_staff)
    url = reverse("admin:chapters_jornadaproposal_changelist")
    data = {"action": "decline_selected", "_selected_action": [proposal.pk]}
    asked = client.post(url, data)
    assert asked.status_code == 200 and b"reason" in asked.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "reason": "Fuera de tema."})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == ("declined", "Fuera de tema.")


# --- Travel needs of participants from abroad --------------------------------------------


@pytest.fixture
def abroad():
    """A Jornada that asks for travel needs, and a confirmed registrant."""
    jornada = JornadaFactory(slug="jornada-viaje", asks_travel_needs=True)
    registration = RegistrationFactory(jornada=jornada)
    return jornada, registration


def travel_data(jornada, **overrides):
    day = timezone.localtime(jornada.starts_at).date()
    data = {
        "arrival_on": (day - timezone.timedelta(days=1)).isoformat(),
        "departure_on": (day + timezone.timedelta(days=2)).isoformat(),
        "lodging_needed": "on",
        "invitation_letter_needed": "on",
        "passport_name": "ANA PEREZ LOPEZ",
        "nationality": "CO",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_registrant_gives_travel_needs_for_a_jornada_that_asks(client, abroad):
    jornada, registration = abroad
    client.force_login(registration.user)
    page = client.get(jornada.get_absolute_url()).content.decode()
    assert reverse("chapters:jornada_travel", args=[jornada.slug]) in page
    response = client.post(
        reverse("chapters:jornada_travel", args=[jornada.slug]), travel_data(jornada), follow=True
    )
    assert str(TRAVEL_SAVED_MESSAGE) in texts(response)
    needs = TravelNeeds.objects.get(registration=registration)
    assert needs.lodging_needed and needs.invitation_letter_needed
    assert (needs.passport_name, needs.nationality.code) == ("ANA PEREZ LOPEZ", "CO")


def test_a_letter_without_the_passport_name_is_refused_and_nothing_saved(client, abroad):
    jornada, registration = abroad
    client.force_login(registration.user)
    response = client.post(
        reverse("chapters:jornada_travel", args=[jornada.slug]),
        travel_data(jornada, passport_name=""),
    )
    assert response.status_code == 400
    assert str(LETTER_DATA_MESSAGE) in response.content.decode()
    assert not TravelNeeds.objects.exists()


def test_departure_before_arrival_is_refused(client, abroad):
    jornada, registration = abroad
    client.force_login(registration.user)
    day = timezone.localtime(jornada.starts_at).date()
    response = client.post(
        reverse("chapters:jornada_travel", args=[jornada.slug]),
        travel_data(jornada, departure_on=(day - timezone.timedelta(days=5)).isoformat()),
    )
    assert response.status_code == 400
    assert not TravelNeeds.objects.exists()


def test_without_a_letter_the_passport_data_is_not_kept(client, abroad):
    jornada, registration = abroad
    client.force_login(registration.user)
    client.post(
        reverse("chapters:jornada_travel", args=[jornada.slug]),
        travel_data(jornada, invitation_letter_needed=None),
    )
    needs = TravelNeeds.objects.get()
    assert needs.passport_name == "" and not needs.nationality


def test_travel_needs_are_not_asked_where_the_jornada_does_not_ask_or_of_non_registrants(
    client, abroad
):
    jornada, _registration = abroad
    plain = RegistrationFactory(jornada=JornadaFactory(asks_travel_needs=False))
    client.force_login(plain.user)
    assert (
        client.get(reverse("chapters:jornada_travel", args=[plain.jornada.slug])).status_code == 404
    )
    client.force_login(member())
    assert client.get(reverse("chapters:jornada_travel", args=[jornada.slug])).status_code == 404


def save_needs(registration, *, letter=True):
    day = timezone.localtime(registration.jornada.starts_at).date()
    return services.save_travel_needs(
        registration=registration,
        data={
            "arrival_on": day,
            "departure_on": day + timezone.timedelta(days=1),
            "lodging_needed": True,
            "invitation_letter_needed": letter,
            "passport_name": "ANA PEREZ LOPEZ" if letter else "",
            "nationality": "CO" if letter else "",
        },
    )


def test_travel_needs_are_purged_once_the_jornada_has_ended(abroad):
    jornada, registration = abroad
    save_needs(registration)
    assert services.purge_travel_needs() == 0
    assert services.purge_travel_needs(now=jornada.ends_at + timezone.timedelta(minutes=1)) == 1
    assert not TravelNeeds.objects.exists()


def test_travel_needs_are_in_the_members_export_and_deleted_with_the_account(abroad):
    _jornada, registration = abroad
    save_needs(registration)
    exported = export(registration.user)["jornada_registrations"][0]["travel_needs"]
    assert exported["passport_name"] == "ANA PEREZ LOPEZ" and exported["lodging_needed"] is True
    erase(registration.user)
    assert not TravelNeeds.objects.exists()
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


def test_ime_downloads_the_logistics_list_audited(client, abroad, ime_staff):
    jornada, registration = abroad
    save_needs(registration)
    client.force_login(ime_staff)
    response = client.get(reverse("admin:chapters_jornada_travel_csv", args=[jornada.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == registration.user.email
    assert "ANA PEREZ LOPEZ" in rows[1]
    read = ProfileView.objects.get(kind="jornada_travel")
    assert read.viewer == ime_staff and read.row_count == 1
    page = client.get(reverse("admin:chapters_jornada_travel", args=[jornada.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


def test_ime_generates_the_letter_of_those_who_asked_only(client, abroad, ime_staff):
    jornada, registration = abroad
    save_needs(registration)
    other = RegistrationFactory(jornada=jornada)
    save_needs(other, letter=False)
    client.force_login(ime_staff)
    url = "admin:chapters_jornada_invitation"
    letter = client.get(reverse(url, args=[jornada.pk, registration.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")
    assert client.get(reverse(url, args=[jornada.pk, other.pk])).status_code == 404


def test_an_officer_cannot_read_the_logistics_list(client, abroad, officer_a):
    jornada, registration = abroad
    save_needs(registration)
    client.force_login(officer_a)
    response = client.get(reverse("admin:chapters_jornada_travel_csv", args=[jornada.pk]))
    assert response.status_code in (302, 403)
    assert not ProfileView.objects.filter(kind="jornada_travel").exists()


def test_the_proposal_list_costs_the_same_for_one_or_many_proposals(coord_client, coord):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 6):
        JornadaProposal.objects.all().delete()
        jornada = JornadaFactory()
        item = AgendaItemFactory(jornada=jornada)
        for n in range(size):
            JornadaProposal.objects.create(
                jornada=jornada,
                sector=tic(),
                proposed_by=coord,
                kind="speaker",
                agenda_item=item,
                member=member() if n % 2 else None,
                name="" if n % 2 else f"Invitada {n}",
            )
        with CaptureQueriesContext(connection) as queries:
            response = coord_client.get(reverse("chapters:proposal_list"))
        assert response.status_code == 200
        assert len(response.context["proposals"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
