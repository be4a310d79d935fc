"""The scope x endpoint matrix: who calls (anonymous, the partner whose scope and reach it
is, a partner of another program/chapter/sector, a partner without the scope, an expired
token, a revoked application) and the status each partner operation answers."""

import datetime

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from api import services
from api.models import PartnerAudit, Scope
from members.models import ProfileSector, Sector
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    RegistrationFactory,
    member,
    participant,
    program_with_stages,
)

from .conftest import bearer, obtain_token, register, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    program, stage, _stage2 = program_with_stages()
    other_program, _s1, _s2 = program_with_stages()
    enrolment = participant(stage)
    chapter, other_chapter = ChapterFactory(slug="alfa"), ChapterFactory(slug="beta")
    event = JornadaFactory(chapter=chapter)
    RegistrationFactory(jornada=event, user=member(), status="confirmed")
    tic, salud = Sector.objects.get(slug="tic"), Sector.objects.get(slug="salud")
    consenting = member(pncs_contact=True)
    refusing = member(pncs_contact=False)
    for person in (consenting, refusing):
        ProfileSector.objects.filter(profile=person.profile).delete()
        ProfileSector.objects.create(profile=person.profile, sector=tic, is_primary=True)

    def partner_token(scopes, **reach):
        partner, secret = register(scopes=scopes, **reach)
        return partner, token(client, partner, secret)

    tokens = {}
    _p, tokens["results"] = partner_token([Scope.PROGRAM_RESULTS], program=program)
    _p, tokens["results_other"] = partner_token([Scope.PROGRAM_RESULTS], program=other_program)
    _p, tokens["events"] = partner_token([Scope.CHAPTER_EVENTS], chapter=chapter)
    _p, tokens["events_other"] = partner_token([Scope.CHAPTER_EVENTS], chapter=other_chapter)
    _p, tokens["members"] = partner_token([Scope.SECTOR_MEMBERS], sector=tic)
    _p, tokens["members_other"] = partner_token([Scope.SECTOR_MEMBERS], sector=salud)
    every = [Scope.PROGRAM_RESULTS, Scope.CHAPTER_EVENTS, Scope.SECTOR_MEMBERS]
    reach = {"program": program, "chapter": chapter, "sector": tic}
    expired, tokens["expired"] = partner_token(every, **reach)
    # Tokens are stored hashed (RFC 9700 §4): the partner's application finds its token.
    AccessToken.objects.filter(application=expired.oauth_application).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    revoked, tokens["revoked"] = partner_token(every, **reach)
    services.revoke_partner(partner_id=revoked.pk)
    return {
        "stage": stage,
        "email": enrolment.application.user.email,
        "event": event,
        "consenting": consenting,
        "refusing": refusing,
        "tokens": tokens,
    }


def _call(client, world, endpoint, caller):
    headers = bearer(world["tokens"][caller]) if caller != "anonymous" else {}
    stage, event = world["stage"], world["event"]
    if endpoint == "stages":
        return client.get("/api/v1/partner/program/stages", **headers)
    if endpoint == "results":
        table = {
            "columns": ["correo", "calificacion", "concluyo", "certificado"],
            "rows": [[world["email"], "80", "sí", "no"]],
        }
        return client.post(
            f"/api/v1/partner/program/stages/{stage.pk}/results",
            table,
            content_type="application/json",
            **headers,
        )
    if endpoint == "events":
        return client.get("/api/v1/partner/chapter/events", **headers)
    if endpoint == "registrations":
        return client.get(f"/api/v1/partner/chapter/events/{event.pk}/registrations", **headers)
    if endpoint == "members":
        return client.get("/api/v1/partner/sector/members", **headers)
    raise AssertionError(endpoint)


# (endpoint, caller): expected status. "own" is the partner whose scope and reach it is.
OWN = {
    "stages": "results",
    "results": "results",
    "events": "events",
    "registrations": "events",
    "members": "members",
}
OTHER = {
    "stages": "results_other",
    "results": "results_other",
    "events": "events_other",
    "registrations": "events_other",
    "members": "members_other",
}
WRONG_SCOPE = {
    "stages": "events",
    "results": "members",
    "events": "results",
    "registrations": "members",
    "members": "events",
}
MATRIX = {}
for _endpoint in OWN:
    MATRIX[(_endpoint, "anonymous")] = 401
    MATRIX[(_endpoint, OWN[_endpoint])] = 200
    MATRIX[(_endpoint, "wrong_scope")] = 403
    MATRIX[(_endpoint, "expired")] = 401
    MATRIX[(_endpoint, "revoked")] = 401
    # Another reach: an object outside it answers 404; a list of one's own reach is just
    # another list (200, checked below to hold none of the first partner's rows).
    MATRIX[(_endpoint, OTHER[_endpoint])] = (
        404 if _endpoint in ("results", "registrations") else 200
    )


@pytest.mark.parametrize(("endpoint", "caller"), sorted(MATRIX), ids=lambda v: str(v))
def test_each_caller_gets_the_status_of_its_cell(client, world, endpoint, caller):
    who = WRONG_SCOPE[endpoint] if caller == "wrong_scope" else caller
    response = _call(client, world, endpoint, who)
    assert response.status_code == MATRIX[(endpoint, caller)], response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


def test_lists_of_another_reach_hold_none_of_the_first_partners_rows(client, world):
    stages = _call(client, world, "stages", "results_other").json()
    assert world["stage"].pk not in [s["id"] for s in stages]
    events = _call(client, world, "events", "events_other").json()["results"]
    assert world["event"].pk not in [e["id"] for e in events]
    members = _call(client, world, "members", "members_other").json()["results"]
    assert world["consenting"].pk not in [m["id"] for m in members]


def test_a_sector_partner_reads_only_members_who_allowed_pncs_contact(client, world):
    members = _call(client, world, "members", "members").json()["results"]
    ids = [m["id"] for m in members]
    assert world["consenting"].pk in ids
    assert world["refusing"].pk not in ids
    assert set(members[0]) == {
        "id",
        "given_names",
        "paternal_surname",
        "maternal_surname",
        "email",
        "headline",
        "country",
        "city",
        "state_of_origin",
        "education_level",
        "sectors",
        "expertise",
        "contributions",
        "languages",
        "willing_to_travel",
        "updated_at",
    }
    assert PartnerAudit.objects.filter(action="members_read", row_count=len(members)).exists()


def test_past_the_daily_cap_a_sector_partner_is_refused_and_audited(client, world, settings):
    settings.MEMBERS_DAILY_PNCS_MEMBER_PAGE_CAP = 1
    assert _call(client, world, "members", "members").status_code == 200
    response = _call(client, world, "members", "members")
    assert response.status_code == 429
    assert response.json()["status"] == 429
    assert PartnerAudit.objects.filter(action="members_read", accepted=False).count() == 1


def test_token_requests_are_limited_per_client_address_before_any_secret_is_checked(
    client, world, settings
):
    settings.API_TOKEN_RATE = "2/m"
    partner, secret = register(scopes=[Scope.CHAPTER_EVENTS], chapter=world["event"].chapter)
    here = {"REMOTE_ADDR": "203.0.113.5"}  # an address the world's own tokens did not use
    assert obtain_token(client, partner, "not the secret", **here).status_code == 401
    assert obtain_token(client, partner, secret, **here).status_code == 200
    refused = obtain_token(client, partner, secret, **here)  # the right secret, over the rate
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert AccessToken.objects.filter(application=partner.oauth_application).count() == 1
    elsewhere = obtain_token(client, partner, secret, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 200


def test_a_token_for_a_scope_the_application_lacks_is_refused(client, world):
    partner, secret = register(scopes=[Scope.CHAPTER_EVENTS], chapter=world["event"].chapter)
    response = obtain_token(client, partner, secret, scope="pncs:members")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_revoked_application_gets_no_new_token(client, world):
    partner, secret = register(scopes=[Scope.CHAPTER_EVENTS], chapter=world["event"].chapter)
    services.revoke_partner(partner_id=partner.pk)
    assert obtain_token(client, partner, secret).status_code == 401
