"""Matching on a small hand-built population whose answers are known in advance."""

import pytest

from members.models import Contribution, ExpertiseTag, Sector
from pncs.matching import opportunities_for, suggest_members
from pncs.models import Affiliation, Interest
from tests.factories import OpportunityFactory, PncsFactory

from .conftest import contactable

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    return {
        "ml": ExpertiseTag.objects.create(name="machine learning", slug="machine-learning"),
        "py": ExpertiseTag.objects.create(name="python", slug="python"),
        "bio": ExpertiseTag.objects.create(name="biotecnología", slug="biotecnologia"),
    }


@pytest.fixture
def mentoring():
    return Contribution.objects.get(slug="mentoria-empresas")


def person(name, *, sectors, tags=(), contributions=(), **fields):
    profile = contactable(given_names=name, paternal_surname="Prueba", sectors=sectors, **fields)
    profile.expertise.set(tags)
    profile.contributions.set(contributions)
    return profile


@pytest.fixture
def population(tags, mentoring):
    """Scores for a TIC, in-person (Mexico) opportunity wanting ML, Python and mentoring."""
    ml, py = tags["ml"], tags["py"]
    return {
        # 3 sector + 2x2 expertise + 1 contribution + 1 travel = 9
        "A": person(
            "A",
            sectors=["tic"],
            tags=[ml, py],
            contributions=[mentoring],
            willing_to_travel=True,
            country="US",
        ),
        # 3 + 2 = 5
        "B": person("B", sectors=["tic"], tags=[ml], country="US", willing_to_travel=False),
        # 0 + 4 + 1 + 1 = 6
        "C": person(
            "C",
            sectors=["salud"],
            tags=[ml, py],
            contributions=[mentoring],
            willing_to_travel=True,
            country="DE",
        ),
        # 3 + 1 (travel) = 4
        "D": person("D", sectors=["tic"], willing_to_travel=True, country="CA"),
        # 3 + 1 (lives in Mexico) = 4, created after D: ties go to the smaller id
        "G": person("G", sectors=["tic"], country="MX", willing_to_travel=False),
        # no shared sector, expertise or contribution: not a candidate
        "E": person("E", sectors=["salud"], tags=[tags["bio"]], willing_to_travel=True),
        # would score 9 but refused PNCS contact
        "F": person(
            "F", sectors=["tic"], tags=[ml, py], contributions=[mentoring], pncs_contact=False
        ),
    }


@pytest.fixture
def opportunity(tags, mentoring):
    opp = OpportunityFactory(
        pncs=PncsFactory(sector=Sector.objects.get(slug="tic")), is_remote=False, country="MX"
    )
    opp.expertise.set([tags["ml"], tags["py"]])
    opp.contributions.set([mentoring])
    return opp


def test_suggestions_are_ranked_by_score_with_ties_by_id(population, opportunity):
    ranked = [(m.obj.given_names, m.score) for m in suggest_members(opportunity)]
    assert ranked == [("A", 9), ("C", 6), ("B", 5), ("D", 4), ("G", 4)]


def test_suggestions_explain_themselves(population, opportunity):
    best = suggest_members(opportunity)[0]
    assert best.reasons == [
        "Comparte el sector: Tecnologías de la Información y Comunicación",
        "Especialidad: machine learning, python",
        "Puede aportar: Mentoría hacia empresas mexicanas",
        "Dispuesto a viajar a México",
    ]
    g = next(m for m in suggest_members(opportunity) if m.obj.given_names == "G")
    assert g.reasons[-1] == "Vive en México"


def test_remote_opportunities_ignore_willingness_to_travel(population, opportunity):
    opportunity.is_remote = True
    opportunity.save()
    ranked = [(m.obj.given_names, m.score) for m in suggest_members(opportunity)]
    assert ranked == [("A", 8), ("B", 5), ("C", 5), ("G", 4), ("D", 3)]  # B, C tie: smaller id


def test_members_who_already_answered_are_not_suggested(population, opportunity):
    Interest.objects.create(opportunity=opportunity, member=population["A"].user)
    assert [m.obj.given_names for m in suggest_members(opportunity)][:1] == ["C"]


def test_committee_suggestions_leave_out_conflicts_of_interest(population, opportunity):
    opportunity.kind = "comite"
    opportunity.institution = "Universidad Ficticia del Valle"
    opportunity.save()
    Affiliation.objects.create(
        member=population["A"].user,
        institution="universidad ficticia del valle.",
        relation="employee",
    )
    Affiliation.objects.create(
        member=population["B"].user, institution="Otra Institución", relation="board"
    )
    assert [m.obj.given_names for m in suggest_members(opportunity)] == ["C", "B", "D", "G"]


def test_affiliation_matters_only_for_committees(population, opportunity):
    opportunity.institution = "Universidad Ficticia del Valle"
    opportunity.save()
    Affiliation.objects.create(
        member=population["A"].user,
        institution="Universidad Ficticia del Valle",
        relation="employee",
    )
    assert suggest_members(opportunity)[0].obj.given_names == "A"


def test_opportunities_for_a_member_are_ranked_with_reasons(tags, mentoring):
    me = person(
        "Yo",
        sectors=["tic"],
        tags=[tags["ml"]],
        contributions=[mentoring],
        willing_to_travel=True,
        country="US",
    )
    tic = PncsFactory(sector=Sector.objects.get(slug="tic"))
    salud = PncsFactory(sector=Sector.objects.get(slug="salud"))
    best = OpportunityFactory(pncs=tic, title_es="Mejor", is_remote=False)  # 3 + 2 + 1 + 1
    best.expertise.set([tags["ml"]])
    best.contributions.set([mentoring])
    OpportunityFactory(pncs=tic, title_es="Sector", is_remote=True)  # 3
    other = OpportunityFactory(pncs=salud, title_es="Especialidad", is_remote=True)  # 2
    other.expertise.set([tags["ml"]])
    OpportunityFactory(pncs=salud, title_es="Nada", is_remote=False)  # travel only: not a fit
    OpportunityFactory(pncs=tic, title_es="Borrador", status="draft")
    committee = OpportunityFactory(pncs=tic, title_es="Comité", kind="comite", institution="ACME")
    Affiliation.objects.create(member=me.user, institution="Acme", relation="consultant")
    matches = opportunities_for(me)
    assert [(m.obj.title_es, m.score) for m in matches] == [
        ("Mejor", 7),
        ("Sector", 3),
        ("Especialidad", 2),
    ]
    assert matches[0].reasons == [
        "Tu sector: Tecnologías de la Información y Comunicación",
        "Tu especialidad: machine learning",
        "Lo que puedes aportar: Mentoría hacia empresas mexicanas",
        "Puedes viajar",
    ]
    assert committee.pk not in [m.obj.pk for m in matches]


def test_opportunity_manage_page_lists_suggestions(
    coord_client, coord, population, tags, mentoring
):
    opp = OpportunityFactory(pncs=coord.coordinated_pncs.get(), is_remote=False, country="MX")
    opp.expertise.set([tags["ml"], tags["py"]])
    opp.contributions.set([mentoring])
    body = coord_client.get(f"/pncs/manage/opportunities/{opp.pk}/").content.decode()
    assert body.index("A Prueba") < body.index("C Prueba") < body.index("B Prueba")
    assert "F Prueba" not in body
    assert "9 puntos" in body


def test_reasons_follow_the_active_language(population, opportunity):
    from django.utils import translation

    with translation.override("en"):
        reasons = suggest_members(opportunity)[0].reasons
    assert reasons[0] == "Shares the sector: Information and Communication Technologies"
    assert reasons[2] == "Can contribute: Mentoring of Mexican companies"
