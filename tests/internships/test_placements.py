"""Placements: a member offers one, the PNCS of its sector reviews it (dated, mailed), the
public sees only published ones, with filters."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from counterparts.forms import TITLE_REQUIRED
from internships.forms import DEADLINE_IN_PAST, REASON_REQUIRED, STIPEND_REQUIRED
from internships.models import DEADLINE_AFTER_START, SEATS_RANGE, Placement
from members.models import Language, Sector
from tests.factories import ProfileFactory, UserFactory, coordinator, member

from .factories import placement

pytestmark = pytest.mark.django_db


def _offer_data(**changes):
    today = timezone.localdate()
    data = {
        "title_es": "Estancia en visión por computadora",
        "description_es": "Un proyecto con imágenes médicas.",
        "title_en": "",
        "description_en": "",
        "institution": "Universidad Ficticia de Toronto",
        "country": "CA",
        "city": "Toronto",
        "field": "Visión por computadora",
        "sector": Sector.objects.get(slug="tic").pk,
        "language": Language.objects.get(code="en").pk,
        "starts_on": (today + timedelta(days=90)).isoformat(),
        "duration_weeks": "12",
        "paid": "on",
        "stipend": "2,000 CAD al mes",
        "seats": "2",
        "deadline": (today + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_member_offers_a_placement_and_the_sectors_coordinator_is_told(
    client, django_capture_on_commit_callbacks
):
    host = member()
    coord = coordinator("tic")
    client.force_login(host)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("internships:offer"), _offer_data())
    placement_row = Placement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("internships:host_placement", args=[placement_row.pk])
    assert placement_row.host == host
    assert placement_row.status == "submitted"
    assert list(placement_row.events.values_list("action", flat=True)) == ["submitted"]
    assert [m.to for m in mail.outbox] == [[coord.email]]
    assert "Estancia en visión por computadora" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"seats": "0"}, "seats", SEATS_RANGE),
        ({"seats": "-3"}, "seats", SEATS_RANGE),
        ({"seats": "51"}, "seats", SEATS_RANGE),
        (
            {"deadline": (timezone.localdate() + timedelta(days=120)).isoformat()},
            "deadline",
            DEADLINE_AFTER_START,
        ),
        (
            {"deadline": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "deadline",
            DEADLINE_IN_PAST,
        ),
        ({"stipend": ""}, "stipend", STIPEND_REQUIRED),
        ({"title_es": "", "description_es": ""}, "title_es", TITLE_REQUIRED),
    ],
    ids=[
        "seats-0",
        "seats-negative",
        "seats-51",
        "deadline-after-start",
        "deadline-past",
        "no-stipend",
        "no-title",
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client, changes, field, message
):
    client.force_login(member())
    response = client.post(reverse("internships:offer"), _offer_data(**changes))
    assert response.status_code == 200
    assert str(message) in response.context["form"].errors[field]
    assert str(message) in response.content.decode()
    assert not Placement.objects.exists()


def test_bad_input_is_refused_in_english_under_en(client):
    client.force_login(member())
    response = client.post("/en/internships/offer/", _offer_data(seats="0"))
    assert "Give between 1 and 50 seats." in response.content.decode()
    assert not Placement.objects.exists()


def test_an_account_without_a_member_profile_cannot_offer(client):
    client.force_login(UserFactory())
    response = client.post(reverse("internships:offer"), _offer_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("members:onboarding")
    assert not Placement.objects.exists()


def test_the_coordinator_publishes_and_the_host_is_mailed(
    client, django_capture_on_commit_callbacks
):
    host = member()
    row = placement(host=host, status="submitted")
    client.force_login(coordinator("tic"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("internships:review", args=[row.pk]), {"decision": "published", "reason": ""}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "published"
    assert row.decided_at is not None
    assert list(row.events.values_list("action", flat=True)) == ["published"]
    assert [m.to for m in mail.outbox] == [[host.email]]


def test_asking_for_changes_needs_a_reason_and_the_host_corrects(
    client, django_capture_on_commit_callbacks
):
    host = member()
    row = placement(host=host, status="submitted")
    coord = coordinator("tic")
    client.force_login(coord)
    url = reverse("internships:review", args=[row.pk])
    response = client.post(url, {"decision": "changes", "reason": " "})
    assert str(REASON_REQUIRED) in response.content.decode()
    row.refresh_from_db()
    assert row.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "changes", "reason": "Aclara el monto del apoyo."})
    row.refresh_from_db()
    assert row.status == "changes"
    assert "Aclara el monto del apoyo." in mail.outbox[-1].body

    client.force_login(host)
    data = _offer_data(title_es="Estancia corregida")
    response = client.post(reverse("internships:host_edit", args=[row.pk]), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "submitted"
    assert row.title_es == "Estancia corregida"
    assert list(row.events.values_list("action", flat=True)) == ["changes", "resubmitted"]


def test_a_coordinator_of_another_sector_gets_404_and_nothing_changes(client):
    row = placement(host=member(), status="submitted")
    client.force_login(coordinator("salud"))
    url = reverse("internships:review", args=[row.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "published"}).status_code == 404
    row.refresh_from_db()
    assert row.status == "submitted"


def test_the_public_list_shows_published_placements_only(client):
    host = member()
    published = placement(host=host, title_es="Publicada")
    placement(host=host, title_es="En revisión", status="submitted")
    placement(host=host, title_es="Rechazada", status="declined")
    response = client.get(reverse("internships:list"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [published.pk]
    assert client.get(reverse("internships:detail", args=[published.pk])).status_code == 200
    hidden = Placement.objects.exclude(pk=published.pk)
    for row in hidden:
        assert client.get(reverse("internships:detail", args=[row.pk])).status_code == 404


def test_the_list_filters_by_sector_country_field_language_and_open(client):
    host = member()
    today = timezone.localdate()
    tic_us = placement(host=host, title_es="TIC", field="Ciencia de datos")
    salud_de = placement(
        host=host,
        sector="salud",
        country="DE",
        field="Genómica",
        language=Language.objects.get(code="de"),
    )
    closed = placement(host=host, title_es="Cerrada", deadline=today - timedelta(days=1))
    url = reverse("internships:list")

    def ids(**query):
        return {p.pk for p in client.get(url, query).context["page"].object_list}

    assert ids(sector="salud") == {salud_de.pk}
    assert ids(country="DE") == {salud_de.pk}
    assert ids(field="datos") == {tic_us.pk, closed.pk}
    assert ids(language="de") == {salud_de.pk}
    assert ids(open_only="on") == {tic_us.pk, salud_de.pk}
    assert ids() == {tic_us.pk, salud_de.pk, closed.pk}
    response = client.get(url, {"sector": "no-such-sector"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert response.context["form"].errors["sector"]


def test_a_placement_with_every_seat_taken_is_not_open(client):
    from .factories import application, student

    row = placement(host=member(), seats=1)
    application(placement=row, student=student(), status="accepted")
    response = client.get(reverse("internships:list"), {"open_only": "on"})
    assert list(response.context["page"].object_list) == []
    detail = client.get(reverse("internships:detail", args=[row.pk]))
    assert detail.context["is_open"] is False


def test_the_list_reads_the_same_number_of_statements_for_2_and_12_placements(
    client, django_assert_num_queries
):
    host = member()
    for n in range(2):
        placement(host=host, title_es=f"Estancia {n}")
    url = reverse("internships:list")
    client.get(url)  # warm the caches of reference data
    # The countries offered, the sectors and languages of the filters, the count and the page.
    with django_assert_num_queries(5):
        client.get(url)
    for n in range(10):
        placement(host=host, title_es=f"Otra {n}", country="CA" if n % 2 else "DE")
    with django_assert_num_queries(5):
        client.get(url)


def test_the_pages_are_in_english_under_en(client):
    row = placement(host=member(), title_es="Estancia", title_en="Internship")
    response = client.get(f"/en/internships/{row.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Internship" in body
    assert "Application deadline" in body


def test_the_dashboard_shows_the_hosts_placements_and_the_coordinators_queue(client):
    host = member()
    placement(host=host)
    client.force_login(host)
    html = client.get(reverse("members:me")).content.decode()
    assert "Pasantías que ofreces: 1" in html
    assert "Pasantías por revisar" not in html
    coord = coordinator("tic")
    ProfileFactory(user=coord)  # a coordinator who is also a member (the dashboard is /me/)
    placement(host=host, status="submitted")
    placement(host=host, status="submitted", sector="salud")
    client.force_login(coord)
    html = client.get(reverse("members:me")).content.decode()
    assert "Pasantías por revisar: 1" in html
