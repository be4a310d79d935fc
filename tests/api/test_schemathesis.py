"""The API tested by a client nobody here wrote: Schemathesis reads the OpenAPI document the
running application serves (/api/v1/openapi.json, through its WSGI entry point) and sends
every operation generated requests, positive and negative, with a partner's token: no 5xx,
every status, content type, header and body as the document says, invalid input refused."""

import contextlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import Scope
from members.models import Sector
from talentnet.wsgi import application
from tests.factories import ChapterFactory, participant, program_with_stages

from .conftest import register, token

# Operations whose positive (schema-valid) input is still refused by the domain: the import
# tables are valid JSON but name people who are not in the stage (422 with each line's
# problem); the schema cannot say "an email of a participant of this stage".
DOMAIN_VALIDATED = {"/api/v1/partner/program/stages/{stage_id}/results"}
DOMAIN_VALIDATED |= {"/api/v1/partner/program/stages/{stage_id}/certifications"}


# The document as the running application serves it (no database read serves it), loaded
# when the tests are collected. (Schemathesis' `from_fixture` reads a private attribute
# pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=15
)


def _domain_validated(case) -> bool:
    """The import tables (above), and the lists' `cursor`: opaque, only the server's own
    `next`/`previous` links hold valid ones (any other string is answered 422)."""
    return case.operation.path in DOMAIN_VALIDATED or bool((case.query or {}).get("cursor"))


@pytest.fixture
def generous_limits(settings):
    settings.API_ANON_RATE = "100000/m"
    settings.API_PARTNER_RATE = "100000/m"


@contextlib.contextmanager
def in_test_transaction():
    """Requests through the WSGI handler inside the test's transaction, as Django's own test
    client makes them: the connection is not closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def partner_headers(db, client):
    program, stage1, _stage2 = program_with_stages(slug="ia-1000")
    participant(stage1, score=90, completed=True, certified=True)
    chapter = ChapterFactory(slug="houston")
    partner, secret = register(
        scopes=[Scope.PROGRAM_RESULTS, Scope.CHAPTER_EVENTS, Scope.SECTOR_MEMBERS],
        program=program,
        chapter=chapter,
        sector=Sector.objects.get(slug="tic"),
    )
    # Identity: the WSGI transport hands the body over as sent (the site gzips public
    # answers for clients that accept it, core.middleware.PublicGZipMiddleware).
    return {
        "Authorization": f"Bearer {token(client, partner, secret)}",
        "Accept-Encoding": "identity",
    }


@schema.parametrize()
# The fixtures are the world the generated requests read (one set of rows for all of them,
# on purpose); a request takes as long as it takes.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_every_operation_answers_as_its_schema_says(case, generous_limits, partner_headers):
    excluded = [positive_data_acceptance] if _domain_validated(case) else []
    with in_test_transaction():
        case.call_and_validate(headers=partner_headers, excluded_checks=excluded)
