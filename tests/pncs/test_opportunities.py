"""Contact points, opportunities, interest and decisions, affiliations, coordinators' role."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.access import PNCS_COORDINATORS
from members.models import Sector
from pncs import listing
from pncs.forms import AFFILIATION_NAME_REQUIRED
from pncs.models import Affiliation, Interest, Opportunity, Pncs
from pncs.services import INTEREST_ALREADY_SENT, OPPORTUNITY_NOT_OPEN
from pncs.views.manage import DECISION_SAVED, MANAGED_PER_PAGE, OPPORTUNITY_SAVED
from pncs.views.member import AFFILIATION_ADDED
from pncs.views.public import INTEREST_SENT
from tests.factories import OpportunityFactory, PncsFactory, UserFactory, coordinator, member

from .conftest import contactable

pytestmark = pytest.mark.django_db


def sector(slug):
    return Sector.objects.get(slug=slug)


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- public pages ----------------------------------------------------------------------


def test_contact_point_list_shows_open_opportunity_counts(client):
    point = PncsFactory(sector=sector("salud"), host_institution="Instituto Ficticio de Salud")
    OpportunityFactory(pncs=point)
    OpportunityFactory(pncs=point, status="draft")
    PncsFactory(sector=sector("energia"), is_active=False, host_institution="Oculto")
    response = client.get("/pncs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Instituto Ficticio de Salud" in body
    assert "Oportunidades abiertas: 1" in body
    assert "Oculto" not in body


def test_sector_page_shows_description_open_opportunities_and_member_count(client):
    point = PncsFactory(sector=sector("salud"), description_es="Salud para todos")
    OpportunityFactory(pncs=point, title_es="Pasantía visible")
    OpportunityFactory(pncs=point, title_es="Borrador oculto", status="draft")
    OpportunityFactory(
        pncs=point,
        title_es="Vencida",
        deadline=timezone.localdate() - timezone.timedelta(days=1),
    )
    contactable(sectors=["salud"])
    member(sectors=["salud", "tic"])
    member(sectors=["tic"])
    body = client.get("/pncs/salud/").content.decode()
    assert "Salud para todos" in body
    assert "Pasantía visible" in body
    assert "Borrador oculto" not in body and "Vencida" not in body
    assert "Miembros de la Red en este sector: 2" in body


def test_sector_page_in_english(client):
    PncsFactory(sector=sector("salud"), description_en="Health for everyone")
    body = client.get("/en/pncs/salud/").content.decode()
    assert "Health for everyone" in body
    assert "Open opportunities" in body


def test_unknown_sector_is_404(client):
    assert client.get("/pncs/no-such-sector/").status_code == 404


def test_opportunity_list_filters_open_ones(client):
    OpportunityFactory(pncs=PncsFactory(sector=sector("salud")), title_es="Salud abierta")
    OpportunityFactory(
        pncs=PncsFactory(sector=sector("tic")), title_es="TIC remota", is_remote=True
    )
    OpportunityFactory(title_es="TIC cerrada", status="closed")
    body = client.get("/opportunities/").content.decode()
    assert "Salud abierta" in body and "TIC remota" in body and "TIC cerrada" not in body
    body = client.get("/opportunities/", {"sector": "tic", "remote": "on"}).content.decode()
    assert "TIC remota" in body and "Salud abierta" not in body
    assert client.get("/opportunities/", {"sector": "zzz", "kind": "<x>"}).status_code == 200


def _filter_form(response) -> str:
    html = response.content.decode()
    return html[html.index('<form method="get" class="card"') :].split("</form>", 1)[0]


def test_opportunity_filters_are_rendered_once_per_query_and_language(client):

    OpportunityFactory(pncs=PncsFactory(sector=sector("tic")), title_es="TIC remota")
    first = client.get("/opportunities/", {"sector": "tic"})
    again = client.get("/opportunities/", {"sector": "tic", "page": "1"})
    assert _filter_form(first) == _filter_form(again)
    assert re.search(r'<option value="tic" selected', _filter_form(first))
    assert len(caches["answers"].keys("forms:*")) == 1
    english = client.get("/en/opportunities/", {"sector": "tic"})
    assert "Remote only" in _filter_form(english)
    assert len(caches["answers"].keys("forms:*")) == 2
    # A value the form refuses is rendered with its error each time, never cached.
    refused = client.get("/opportunities/", {"sector": "zzz"})
    assert "zzz" in _filter_form(refused)
    assert len(caches["answers"].keys("forms:*")) == 2


def test_the_list_of_open_opportunities_is_cached_whole_and_forgotten_on_any_change(
    client, django_assert_num_queries
):
    point = PncsFactory(sector=sector("tic"))
    first = OpportunityFactory(pncs=point, title_es="Primera abierta")
    assert "Primera abierta" in client.get("/opportunities/").content.decode()
    with django_assert_num_queries(1):  # the filter form's sectors; the results are cached
        again = client.get("/opportunities/")
    assert "Primera abierta" in again.content.decode()
    # Published, edited, closed, a contact point deactivated: each shown at once.
    OpportunityFactory(pncs=point, title_es="Segunda abierta")
    assert "Segunda abierta" in client.get("/opportunities/").content.decode()
    first.title_es = "Primera renombrada"
    first.save()
    assert "Primera renombrada" in client.get("/opportunities/").content.decode()
    first.status = "closed"
    first.save()
    assert "Primera renombrada" not in client.get("/opportunities/").content.decode()
    point.is_active = False
    point.save()
    assert "Segunda abierta" not in client.get("/opportunities/").content.decode()
    # Per language: the English list is its own entry.
    point.is_active = True
    point.save()
    assert 'lang="en"' in client.get("/en/opportunities/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"utm_source": "newsletter"},  # a parameter the list does not know
        {"sector": "zzz"},  # a value the form refuses
        {"page": "abc"},  # not a page number
        "sector=tic&sector=tic",  # a parameter twice
    ],
)
def test_only_queries_the_list_knows_are_cached(client, query):
    OpportunityFactory(pncs=PncsFactory(sector=sector("tic")), title_es="TIC abierta")
    url = "/opportunities/?" + (query if isinstance(query, str) else urlencode(query))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert any("pncs_opportunity" in q["sql"] for q in captured.captured_queries)
    assert set(caches["answers"].keys("pncs:opportunities:*")) <= {listing.GENERATION.key}


def test_draft_is_404_for_the_public_and_visible_to_its_coordinator(client, coord):
    draft = OpportunityFactory(pncs=coord.coordinated_pncs.get(), status="draft")
    url = reverse("pncs:opportunity_detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(coord)
    assert client.get(url).status_code == 200


# --- interest --------------------------------------------------------------------------


def test_anonymous_interest_goes_to_login_and_saves_nothing(client):
    opportunity = OpportunityFactory()
    url = reverse("pncs:opportunity_detail", args=[opportunity.pk])
    assert "Inicia sesión para expresar tu interés" in client.get(url).content.decode()
    response = client.post(url, {"message": "hola"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Interest.objects.exists()


def test_member_expresses_interest_once(client):
    opportunity = OpportunityFactory()
    user = member()
    client.force_login(user)
    url = reverse("pncs:opportunity_detail", args=[opportunity.pk])
    response = client.post(url, {"message": "Tengo experiencia"}, follow=True)
    assert str(INTEREST_SENT) in texts(response)
    interest = Interest.objects.get()
    assert (interest.member, interest.message, interest.status) == (
        user,
        "Tengo experiencia",
        "pending",
    )
    assert "Recibida" in response.content.decode()
    again = client.post(url, {"message": "otra vez"}, follow=True)
    assert str(INTEREST_ALREADY_SENT) in texts(again)
    assert Interest.objects.count() == 1


def test_too_long_message_is_refused(client):
    opportunity = OpportunityFactory()
    client.force_login(member())
    response = client.post(
        reverse("pncs:opportunity_detail", args=[opportunity.pk]), {"message": "x" * 1001}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert not Interest.objects.exists()


def test_closed_opportunity_refuses_interest(client):
    opportunity = OpportunityFactory()
    url = reverse("pncs:opportunity_detail", args=[opportunity.pk])
    client.force_login(member())
    client.get(url)
    Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
    response = client.post(url, {"message": ""})
    assert response.status_code == 404
    assert not Interest.objects.exists()
    assert str(OPPORTUNITY_NOT_OPEN)


# --- coordinators: publishing and deciding ---------------------------------------------


def _form_data(point, **overrides):
    data = {
        "pncs": point.pk,
        "kind": "pasantia",
        "title_es": "Pasantía en redes 5G",
        "title_en": "5G networks internship",
        "description_es": "Tres meses en un laboratorio.",
        "description_en": "",
        "institution": "",
        "location": "Guadalajara",
        "country": "MX",
        "deadline": (timezone.localdate() + timezone.timedelta(days=30)).isoformat(),
        "places": "2",
        "status": "open",
        "contributions": [],
    }
    data.update(overrides)
    return data


def test_coordinator_publishes_an_opportunity(coord_client, coord):
    point = coord.coordinated_pncs.get()
    response = coord_client.post(reverse("pncs:opportunity_create"), _form_data(point), follow=True)
    opportunity = Opportunity.objects.get()
    assert (opportunity.pncs, opportunity.sector, opportunity.created_by) == (
        point,
        point.sector,
        coord,
    )
    assert str(OPPORTUNITY_SAVED) in texts(response)
    assert "Pasantía en redes 5G" in coord_client.get("/opportunities/").content.decode()


def test_coordinator_cannot_publish_for_another_pncs(coord_client):
    other = PncsFactory(sector=sector("salud"))
    response = coord_client.post(reverse("pncs:opportunity_create"), _form_data(other))
    assert response.status_code == 200
    assert response.context["form"].errors["pncs"]
    assert not Opportunity.objects.exists()


def test_bad_input_shows_errors_and_saves_nothing(coord_client, coord):
    point = coord.coordinated_pncs.get()
    response = coord_client.post(
        reverse("pncs:opportunity_create"),
        _form_data(point, title_es="", deadline="2001-01-01", kind="nope"),
    )
    errors = response.context["form"].errors
    assert {"title_es", "deadline", "kind"} <= set(errors)
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Opportunity.objects.exists()


def test_coordinator_of_another_pncs_gets_404_on_its_opportunities(client):
    theirs = OpportunityFactory(pncs=PncsFactory(sector=sector("salud")))
    interest = Interest.objects.create(opportunity=theirs, member=member())
    client.force_login(coordinator("tic"))
    assert client.get(reverse("pncs:opportunity_manage", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("pncs:opportunity_edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("pncs:interest_decide", args=[interest.pk]), {"status": "accepted"}
    )
    assert response.status_code == 404
    interest.refresh_from_db()
    assert interest.status == "pending"


def test_management_pages_are_not_for_members(client):
    client.force_login(member())
    assert client.get(reverse("pncs:manage")).status_code == 403
    assert client.get(reverse("pncs:opportunity_create")).status_code == 403


def test_management_list_has_constant_queries(coord_client, coord, django_assert_num_queries):
    point = coord.coordinated_pncs.get()
    for size in (1, 6):
        Opportunity.objects.all().delete()
        for _ in range(size):
            o = OpportunityFactory(pncs=point)
            Interest.objects.create(opportunity=o, member=member())
        # 10: the user comes with its roles and second factor (members.auth_backends); the
        # page counts the opportunities, reads its page, then the answers of that page;
        # whether the visitor coordinates a PNCS is read once (pncs.access: the role check,
        # the links to Jornadas and announcements, the organisations' summary); that summary
        # (counterparts, issue 20) counts the requests waiting, the overdue ones and the
        # open engagements.
        with django_assert_num_queries(10):
            response = coord_client.get(reverse("pncs:manage"))
        assert len(response.context["opportunities"]) == size


def test_management_list_pages_newest_first_with_each_page_counts(coord_client, coord):
    point = coord.coordinated_pncs.get()
    opportunities = [OpportunityFactory(pncs=point) for _ in range(MANAGED_PER_PAGE + 2)]
    oldest = opportunities[0]
    Interest.objects.create(opportunity=oldest, member=member())
    Interest.objects.create(opportunity=oldest, member=member(), status="accepted")
    first = coord_client.get(reverse("pncs:manage"))
    assert len(first.context["opportunities"]) == MANAGED_PER_PAGE
    assert oldest.pk not in {o.pk for o in first.context["opportunities"]}
    assert "page=2" in first.content.decode()
    last = coord_client.get(reverse("pncs:manage"), {"page": 2})
    shown = {o.pk: (o.answers, o.pending) for o in last.context["opportunities"]}
    assert len(shown) == 2 and shown[oldest.pk] == (2, 1)
    assert coord_client.get(reverse("pncs:manage"), {"page": "x'"}).status_code == 200


def test_coordinator_accepts_and_the_member_is_told_by_email_in_their_language(
    coord_client, coord, django_capture_on_commit_callbacks
):
    opportunity = OpportunityFactory(pncs=coord.coordinated_pncs.get(), title_en="Data mentoring")
    applicant = member(user__preferred_language="en")
    interest = Interest.objects.create(opportunity=opportunity, member=applicant, message="¡Hola!")
    page = coord_client.get(reverse("pncs:opportunity_manage", args=[opportunity.pk]))
    assert "¡Hola!" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = coord_client.post(
            reverse("pncs:interest_decide", args=[interest.pk]), {"status": "accepted"}, follow=True
        )
    assert str(DECISION_SAVED) in texts(response)
    interest.refresh_from_db()
    assert (interest.status, interest.decided_by) == ("accepted", coord)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [applicant.email]
    assert "Data mentoring" in sent.subject and "Accepted" in sent.subject
    assert "/en/opportunities/mine/" in sent.body


def test_invalid_decision_changes_nothing(coord_client, coord):
    opportunity = OpportunityFactory(pncs=coord.coordinated_pncs.get())
    interest = Interest.objects.create(opportunity=opportunity, member=member())
    coord_client.post(reverse("pncs:interest_decide", args=[interest.pk]), {"status": "pending"})
    interest.refresh_from_db()
    assert interest.status == "pending"
    assert not mail.outbox


def test_member_sees_the_state_of_their_answers(client):
    user = member()
    opportunity = OpportunityFactory(title_es="Mentoría X")
    Interest.objects.create(opportunity=opportunity, member=user, status="shortlisted")
    client.force_login(user)
    body = client.get(reverse("pncs:my_opportunities")).content.decode()
    assert "Mentoría X" in body and "Preseleccionada" in body


def test_my_opportunities_requires_login(client):
    assert client.get(reverse("pncs:my_opportunities")).status_code == 302


# --- affiliations ----------------------------------------------------------------------


def test_member_declares_and_withdraws_an_affiliation(client):
    user = member()
    client.force_login(user)
    response = client.post(
        reverse("pncs:affiliations"),
        {"institution": "Universidad Ficticia del Valle", "relation": "employee"},
        follow=True,
    )
    assert str(AFFILIATION_ADDED) in texts(response)
    affiliation = Affiliation.objects.get()
    assert affiliation.institution_key == "universidadficticiadelvalle"
    client.post(reverse("pncs:affiliation_delete", args=[affiliation.pk]))
    assert not Affiliation.objects.exists()


def test_affiliation_form_rejects_empty_names(client):
    client.force_login(member())
    response = client.post(
        reverse("pncs:affiliations"), {"institution": " ..", "relation": "employee"}
    )
    assert str(AFFILIATION_NAME_REQUIRED) in response.content.decode()
    assert not Affiliation.objects.exists()


def test_another_members_affiliation_cannot_be_removed(client):
    owner = member()
    affiliation = Affiliation.objects.create(member=owner, institution="X", relation="board")
    client.force_login(member())
    assert client.post(reverse("pncs:affiliation_delete", args=[affiliation.pk])).status_code == 404
    assert Affiliation.objects.filter(pk=affiliation.pk).exists()


# --- coordinators' role group ----------------------------------------------------------


def _in_group(user):
    return user.groups.filter(name=PNCS_COORDINATORS).exists()


def test_assigning_and_removing_coordinators_keeps_the_group_in_sync():
    user = UserFactory()
    point = PncsFactory(sector=sector("salud"))
    other = PncsFactory(sector=sector("tic"))
    point.coordinators.add(user)
    assert _in_group(user)
    other.coordinators.add(user)
    point.coordinators.remove(user)
    assert _in_group(user)  # still coordinates the other one
    other.coordinators.clear()
    assert not _in_group(user)
    user.coordinated_pncs.add(point)
    assert _in_group(user)
    point.is_active = False
    point.save()
    assert not _in_group(user)
    point.is_active = True
    point.save()
    assert _in_group(user)
    point.delete()
    assert not _in_group(user)
    assert Group.objects.filter(name=PNCS_COORDINATORS).exists()


def test_admin_assigns_coordinators(client, ime_staff):
    ime_staff.is_superuser = True
    ime_staff.save()
    user = UserFactory()
    client.force_login(ime_staff)
    point = PncsFactory(sector=sector("salud"))
    response = client.post(
        reverse("admin:pncs_pncs_change", args=[point.pk]),
        {
            "sector": point.sector_id,
            "host_institution": point.host_institution,
            "description_es": "",
            "description_en": "",
            "contact_email": "",
            "is_active": "on",
            "coordinators": [user.pk],
        },
    )
    assert response.status_code == 302
    assert list(Pncs.objects.coordinated_by(user)) == [point]
    assert _in_group(user)


def test_audit_is_visible_to_ime_staff_in_the_admin(client, ime_staff, coord_client):
    coord_client.get("/pncs/search/", {"sector": "tic"})
    ime_staff.is_superuser = True
    ime_staff.save()
    client.force_login(ime_staff)
    response = client.get(reverse("admin:pncs_searchaudit_changelist"))
    assert response.status_code == 200
    assert "Búsqueda" in response.content.decode()


def test_coordinator_edits_and_closes_an_opportunity(coord_client, coord):
    point = coord.coordinated_pncs.get()
    deadline = timezone.localdate() + timezone.timedelta(days=10)
    opportunity = OpportunityFactory(pncs=point, deadline=deadline)
    url = reverse("pncs:opportunity_edit", args=[opportunity.pk])
    assert f'value="{deadline.isoformat()}"' in coord_client.get(url).content.decode()
    response = coord_client.post(
        url, _form_data(point, title_es="Título nuevo", status="closed", deadline=deadline)
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title_es, opportunity.status) == ("Título nuevo", "closed")
    assert "Título nuevo" not in coord_client.get("/opportunities/").content.decode()


def test_a_member_still_sees_a_closed_opportunity_they_answered(client):
    opportunity = OpportunityFactory(title_es="Cerrada después")
    applicant = member()
    Interest.objects.create(opportunity=opportunity, member=applicant, status="accepted")
    Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
    url = reverse("pncs:opportunity_detail", args=[opportunity.pk])
    client.force_login(member())
    assert client.get(url).status_code == 404
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert "Aceptada" in response.content.decode()
    assert client.post(url, {"message": "otra"}).status_code == 302
    assert Interest.objects.count() == 1


@pytest.mark.parametrize("name", ["pncs:my_opportunities", "pncs:affiliations"])
def test_member_pages_with_personal_data_are_not_cached(client, name):
    client.force_login(member())
    assert "no-store" in client.get(reverse(name))["Cache-Control"]
