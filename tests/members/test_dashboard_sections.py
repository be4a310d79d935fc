"""The member dashboard (/me/) shows what the other apps hold for the member, through
their `<app>/_dashboard.html` sections (members imports none of them)."""

import pytest

from pncs.models import Interest
from programs.services import issue_certificates
from tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OpportunityFactory,
    RegistrationFactory,
    member,
    participant,
    program_with_stages,
)

pytestmark = pytest.mark.django_db


def _footprint(user, n=1):
    """n memberships, registrations, answers and applications of `user`."""
    for i in range(n):
        MembershipFactory(chapter=ChapterFactory(name=f"Capítulo Tablero {i}"), user=user)
        RegistrationFactory(jornada=JornadaFactory(title_es=f"Jornada Tablero {i}"), user=user)
        Interest.objects.create(
            opportunity=OpportunityFactory(title_es=f"Oportunidad Tablero {i}"), member=user
        )
        ApplicationFactory(user=user)


def test_the_dashboard_shows_chapters_jornadas_opportunities_and_programs(client, me):
    _footprint(me)
    _program, stage1, _stage2 = program_with_stages(name_es="Programa Tablero")
    participant(stage1, user=me, score=90, completed=True, certified=True)
    issue_certificates(stage=stage1)
    html = client.get("/me/").content.decode()
    for text in (
        "Mis capítulos y Jornadas",
        "Capítulo Tablero 0",
        "Jornada Tablero 0",
        "Oportunidad Tablero 0",
        "Programa Tablero",
        "verificar",
    ):
        assert text in html, text


def test_the_dashboard_shows_nothing_of_other_members(client, me):
    _footprint(member())
    html = client.get("/me/").content.decode()
    assert "Capítulo Tablero" not in html
    assert "Jornada Tablero" not in html
    assert "Aún no perteneces a ningún capítulo." in html
    # Their opportunity may be suggested to me, but their answer is not mine.
    assert "Aún no has respondido a ninguna oportunidad." in html
    assert "Aún no te has postulado a ningún programa." in html


def test_the_dashboard_sections_are_in_english_under_en(client, me):
    html = client.get("/en/me/").content.decode()
    assert "My chapters and Jornadas" in html
    assert "Training programs" in html


def test_the_dashboard_query_count_does_not_grow_with_rows(client, onboarded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for rows in (1, 6):
        user = onboarded()
        _footprint(user, rows)
        client.force_login(user)
        client.get("/me/")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
