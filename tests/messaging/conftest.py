"""A thread between a member (their own side) and an organisation's two people."""

import pytest

from messaging.services import PartySpec, open_thread, person_party
from tests.factories import member


@pytest.fixture
def ana(db):
    return member(given_names="Ana", user__preferred_language="es-mx")


@pytest.fixture
def org_people(db):
    return member(given_names="Olga"), member(given_names="Omar")


@pytest.fixture
def thread(ana, org_people):
    return open_thread(
        topic="Mentoría para el laboratorio",
        parties=[
            person_party(ana, "Ana P."),
            PartySpec(key="org:1", label="Universidad Ficticia del Norte", users=org_people),
        ],
        context="tests.request:1",
    )
