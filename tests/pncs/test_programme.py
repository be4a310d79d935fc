"""PNCS work programmes (issue 21): coordinators keep lines of action with a target and a
responsible person; progress is computed from what the PNCS did in the year (opportunities,
requests triaged, posts, members accepted); a public summary per PNCS; IME sees them side by
side and downloads the yearly report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counterparts.services import triage_request
from members.progress import FIRST_YEAR, last_year, measures, year_message
from pncs.forms import MEASURE_MESSAGE, RESPONSIBLE_MESSAGE, TARGET_MESSAGE
from pncs.models import Interest, Opportunity, WorkLine
from pncs.views.programme import LINE_SAVED
from tests.counterparts.factories import organization
from tests.counterparts.test_requests import _request
from tests.factories import (
    OpportunityFactory,
    PncsFactory,
    PostFactory,
    UserFactory,
    coordinator,
    member,
    with_totp,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
MANAGE = reverse("pncs:programme")
CREATE = reverse("pncs:programme_line_create")


@pytest.fixture
def coord():
    return coordinator("tic")


@pytest.fixture
def tic(coord):
    return coord.coordinated_pncs.get()


@pytest.fixture
def ime():
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    return user


def _form(point, responsible, **changes):
    data = {
        "pncs": point.pk,
        "year": YEAR,
        "heading": "human-capital",
        "title_es": "Pasantías en empresas del exterior",
        "title_en": "Internships in companies abroad",
        "measure": "pncs.opportunities.pasantia",
        "target": 4,
        "responsible": responsible.pk,
    }
    data.update(changes)
    return data


def _line(point, **fields):
    defaults = {
        "year": YEAR,
        "heading": "human-capital",
        "title_es": "Línea",
        "title_en": "Line",
        "measure": "pncs.opportunities",
        "target": 10,
    }
    defaults.update(fields)
    return WorkLine.objects.create(pncs=point, **defaults)


def test_a_coordinator_adds_a_line_and_sees_progress_from_what_they_publish(client, coord, tic):
    client.force_login(coord)
    response = client.post(CREATE, _form(tic, coord), follow=True)
    assert response.status_code == 200
    assert str(LINE_SAVED) in response.content.decode()
    line = WorkLine.objects.get()
    assert (line.pncs, line.target, line.responsible, line.year) == (tic, 4, coord, YEAR)
    assert response.context["sections"][0][1][0][2][0].achieved == 0
    # Published internships count; a draft, another kind or another PNCS's do not.
    OpportunityFactory(pncs=tic, kind="pasantia")
    OpportunityFactory(pncs=tic, kind="pasantia", status="closed")
    OpportunityFactory(pncs=tic, kind="pasantia", status="draft")
    OpportunityFactory(pncs=tic, kind="mentoria")
    OpportunityFactory(pncs=PncsFactory(sector="salud"), kind="pasantia")
    page = client.get(MANAGE)
    shown = page.context["sections"][0][1][0][2][0]
    assert (shown.achieved, shown.percent) == (2, 50)
    assert 'value="50"' in page.content.decode()


def test_last_years_opportunities_count_for_last_year_only(client, coord, tic):
    old = OpportunityFactory(pncs=tic)
    Opportunity.objects.filter(pk=old.pk).update(created_at=timezone.now().replace(year=YEAR - 1))
    OpportunityFactory(pncs=tic)
    _line(tic, year=YEAR - 1)
    _line(tic, year=YEAR)
    client.force_login(coord)
    this_year = client.get(MANAGE).context["sections"][0][1][0][2]
    last = client.get(f"{MANAGE}?year={YEAR - 1}").context["sections"][0][1][0][2]
    assert [line.achieved for line in this_year] == [1]
    assert [line.achieved for line in last] == [1]


@pytest.mark.parametrize("target", ["-3", "0", "dos", "", "2.5"])
def test_a_target_that_is_not_a_positive_whole_number_is_refused(client, coord, tic, target):
    client.force_login(coord)
    response = client.post(CREATE, _form(tic, coord, target=target))
    assert response.status_code == 400
    assert str(TARGET_MESSAGE) in response.content.decode()
    assert not WorkLine.objects.exists()


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, "next+1", "2O26", "-2026"])
def test_a_year_out_of_range_is_refused(client, coord, tic, year):
    if year == "next+1":
        year = last_year() + 1
    client.force_login(coord)
    response = client.post(CREATE, _form(tic, coord, year=year))
    assert response.status_code == 400
    assert not WorkLine.objects.exists()
    assert response.context["form"].errors["year"]


def test_a_wrong_year_in_the_address_says_which_years_exist(client, coord, ime):
    client.force_login(coord)
    for url in (MANAGE, reverse("pncs_programme", args=["tic"])):
        response = client.get(f"{url}?year=1999")
        assert response.status_code == 400
        assert year_message() in response.content.decode()
    client.force_login(ime)
    for name in (
        "pncs:programme_overview",
        "pncs:programme_report_csv",
        "pncs:programme_report_pdf",
    ):
        response = client.get(f"{reverse(name)}?year=abc")
        assert response.status_code == 400
        assert year_message() in response.content.decode()


def test_an_unknown_measure_is_refused(client, coord, tic):
    client.force_login(coord)
    response = client.post(CREATE, _form(tic, coord, measure="pncs.everything"))
    assert response.status_code == 400
    assert str(MEASURE_MESSAGE) in response.content.decode()
    assert not WorkLine.objects.exists()


def test_the_responsible_person_coordinates_the_lines_pncs(client, coord, tic):
    other = coordinator("salud")
    client.force_login(coord)
    response = client.post(CREATE, _form(tic, other))
    assert response.status_code == 400
    assert str(RESPONSIBLE_MESSAGE) in response.content.decode()
    assert not WorkLine.objects.exists()


def test_a_coordinator_cannot_write_into_another_pncs(client, coord, tic):
    other = coordinator("salud")
    salud = other.coordinated_pncs.get()
    theirs = _line(salud, title_es="Suya")
    client.force_login(coord)
    response = client.post(CREATE, _form(salud, other))
    assert (
        response.status_code == 400
        and not WorkLine.objects.filter(pncs=salud).exclude(pk=theirs.pk).exists()
    )
    edit = reverse("pncs:programme_line_edit", args=[theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, _form(salud, other, title_es="Mía")).status_code == 404
    delete = reverse("pncs:programme_line_delete", args=[theirs.pk])
    assert client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title_es == "Suya"


def test_a_coordinator_edits_and_deletes_their_line(client, coord, tic):
    line = _line(tic, responsible=coord)
    client.force_login(coord)
    edit = reverse("pncs:programme_line_edit", args=[line.pk])
    assert client.post(edit, _form(tic, coord, target=7)).status_code == 302
    line.refresh_from_db()
    assert line.target == 7
    assert client.post(reverse("pncs:programme_line_delete", args=[line.pk])).status_code == 302
    assert not WorkLine.objects.exists()


def test_members_cannot_reach_the_coordinators_pages(client):
    client.force_login(member())
    assert client.get(MANAGE).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_triaged_requests_sector_posts_and_accepted_members_are_counted(coord, tic):
    from members.progress import PNCS, compute_progress

    org = organization(sector="tic", decided_at=timezone.now())
    for decision in ("accepted", "declined", "changes"):
        triage_request(
            request_id=_request(org).pk, decision=decision, reason="x", invite_only=False, by=coord
        )
    _request(org)  # still waiting: not triaged
    _request(organization(sector="salud"), status="submitted")
    PostFactory(scope="sector", sector=tic.sector)
    PostFactory(scope="sector", sector=tic.sector, status="pending")
    PostFactory(
        scope="sector", sector=tic.sector, published_at=timezone.now().replace(year=YEAR - 1)
    )
    opportunity = OpportunityFactory(pncs=tic)
    for status in ("accepted", "accepted", "declined"):
        Interest.objects.create(
            opportunity=opportunity, member=member(), status=status, decided_at=timezone.now()
        )
    lines = [
        _line(tic, measure="counterparts.requests_triaged"),
        _line(tic, measure="news.sector_posts"),
        _line(tic, measure="pncs.accepted"),
        _line(tic, measure="counterparts.organizations_verified"),
    ]
    compute_progress(lines, subject=PNCS, owner_attr="pncs_id")
    assert [line.achieved for line in lines] == [3, 1, 2, 1]


def test_every_pncs_measure_has_a_label_and_counts_nothing_on_an_empty_year(tic):
    from members.progress import PNCS

    found = measures(PNCS)
    assert {"pncs.opportunities", "counterparts.requests_triaged", "news.sector_posts"} <= set(
        found
    )
    for measure in found.values():
        assert str(measure.label)
        assert measure.count([tic.pk], FIRST_YEAR) == {}


def test_the_public_summary_shows_lines_without_names_and_small_counts_of_people_hidden(
    client, coord, tic
):
    _line(tic, title_es="Pasantías", measure="pncs.opportunities", target=4, responsible=coord)
    _line(tic, title_es="Personas aceptadas", measure="pncs.accepted", target=10)
    OpportunityFactory(pncs=tic)
    Interest.objects.create(
        opportunity=OpportunityFactory(pncs=tic),
        member=member(),
        status="accepted",
        decided_at=timezone.now(),
    )
    sector_page = client.get(reverse("pncs:sector", args=["tic"])).content.decode()
    assert reverse("pncs_programme", args=["tic"]) in sector_page
    response = client.get(reverse("pncs_programme", args=["tic"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pasantías" in page and 'value="50"' in page
    lines = {line.title_es: line for _v, _l, group in response.context["groups"] for line in group}
    assert lines["Personas aceptadas"].shown.text == "<5"
    assert lines["Personas aceptadas"].percent is None
    assert "Persona responsable" not in page  # names stay on the coordinators' pages
    english = client.get(reverse("pncs_programme", args=["tic"]).replace("/pncs/", "/en/pncs/"))
    assert "Work programme" in english.content.decode()


def test_an_inactive_pncs_has_no_public_programme(client, tic):
    tic.is_active = False
    tic.save(update_fields=["is_active"])
    assert client.get(reverse("pncs_programme", args=["tic"])).status_code == 404


def test_ime_sees_every_pncs_side_by_side_and_downloads_the_report(client, ime, coord, tic):
    salud = PncsFactory(sector="salud")
    _line(tic, title_es="Pasantías TIC", target=2, responsible=coord)
    _line(salud, title_es="=Línea de salud", heading="jornadas", target=5)
    OpportunityFactory(pncs=tic)
    client.force_login(ime)
    page = client.get(reverse("pncs:programme_overview"))
    assert page.status_code == 200
    rows = {row["pncs"].pk: row for row in page.context["table"]["rows"]}
    assert rows[tic.pk]["percent"] == 50 and rows[salud.pk]["percent"] == 0
    csv_text = client.get(reverse("pncs:programme_report_csv")).content.decode()
    assert "Pasantías TIC" in csv_text and ",1,50," in csv_text
    assert "'=Línea de salud" in csv_text  # spreadsheet formula neutralised
    pdf = client.get(reverse("pncs:programme_report_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Type"] == "application/pdf"


def test_coordinators_do_not_reach_the_side_by_side_page(client, coord):
    client.force_login(coord)
    assert client.get(reverse("pncs:programme_overview")).status_code == 403
    assert client.get(reverse("pncs:programme_report_csv")).status_code == 403


def test_the_programme_pages_cost_the_same_queries_whatever_their_length(client, coord, tic, ime):
    client.force_login(coord)
    counts = []
    for size in (2, 6):
        for n in range(size):
            _line(
                tic, measure=("pncs.opportunities", "news.sector_posts")[n % 2], responsible=coord
            )
            OpportunityFactory(pncs=tic)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MANAGE).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    client.force_login(ime)
    counts = []
    for _size in (1, 2):
        _line(PncsFactory(sector="salud"), measure="counterparts.requests_triaged")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pncs:programme_overview")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_engagements_and_accepted_jornada_contributions_are_counted(coord, tic):
    from chapters.models import JornadaProposal
    from counterparts import services as counterparts_services
    from counterparts.models import Engagement
    from members.models import Sector
    from members.progress import PNCS, compute_progress
    from tests.factories import JornadaFactory, ProfileFactory

    def engage(sector="tic"):
        return counterparts_services.open_engagement(
            kind="mentoring",
            sector=Sector.objects.get(slug=sector).pk,
            member=ProfileFactory(sectors=[sector]),
            title="Mentoría ficticia",
            organization=organization(sector=sector),
            by=coord,
        )

    engage()
    cancelled = engage()
    Engagement.objects.filter(pk=cancelled.pk).update(state="cancelled")
    done = engage()
    Engagement.objects.filter(pk=done.pk).update(state="completed", completed_at=timezone.now())
    engage("salud")
    jornada = JornadaFactory()
    for status in ("accepted", "accepted", "declined", "pending"):
        JornadaProposal.objects.create(
            jornada=jornada,
            sector=tic.sector,
            proposed_by=coord,
            kind="agenda",
            title_es="Mesa sobre datos abiertos",
            starts_at=jornada.starts_at,
            status=status,
            decision_reason="Ya hay una mesa así." if status == "declined" else "",
            decided_at=timezone.now() if status != "pending" else None,
        )
    lines = [
        _line(tic, measure="counterparts.engagements"),
        _line(tic, measure="counterparts.engagements_completed"),
        _line(tic, measure="chapters.jornada_contributions"),
    ]
    compute_progress(lines, subject=PNCS, owner_attr="pncs_id")
    assert [line.achieved for line in lines] == [2, 1, 2]
