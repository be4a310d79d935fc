"""Calendars (issue 17, item 11): a line break in a Jornada's title made its .ics answer 500
(the icalendar library refuses raw line breaks with an `assert`, which `python -O` would
remove, letting a title write its own properties). Every text that reaches iCalendar goes
through one helper that strips control characters; every .ics endpoint of the project is
served with nasty titles, descriptions and places, and parsed back with icalendar.

Also: app code never relies on `assert` for safety (ruff S101 is on outside tests/)."""

import ast
import unicodedata
from pathlib import Path

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chapters.exports import ical_text
from chapters.models import Jornada
from tests.factories import JornadaFactory
from tests.test_architecture import APPS

from .urlwalk import walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = (*APPS, "talentnet", "scripts")  # every app (the architecture test's list)

NASTY = st.sampled_from(
    [
        "Jornada\nDos",
        "Jornada\r\nDTSTART:20000101T000000Z\r\nSUMMARY:falsa",
        "Fin\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:inyectado",
        "Campana\x07 y escape\x1b[31m y NUL-ish \x01\x02",
        "Separadores\u2028de\u2029línea\x85y\x0bvertical\x0c",
        'Tab\tcoma, punto; barra\\ comillas " <b>',
        "Ciencia «abierta» & datos",
        "\r\n",
        " ",
    ]
) | st.text(
    # PostgreSQL text cannot hold NUL (and RefuseNulMiddleware refuses it at the door):
    # every other control character can reach a stored title.
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=80,
)

# The .ics endpoints of the project (a new one must be added here and served below).
ICS_ROUTES = {"chapters:jornada_ics", "chapters:jornada_feed"}
EVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"}
EVENT_PROPERTIES |= {"LOCATION", "URL", "LAST-MODIFIED"}


def _no_control_characters(text, *, multiline=False):
    allowed = {"\n"} if multiline else set()
    return not any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def test_the_walk_knows_every_ics_endpoint():
    found = {route.name for route in walk() if route.route.endswith(".ics")}
    assert found == ICS_ROUTES


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=NASTY, description=NASTY, venue=NASTY, city=NASTY)
def test_every_ics_endpoint_serves_nasty_text_as_a_valid_calendar(
    client, title, description, venue, city
):
    Jornada.objects.all().delete()  # the feed lists this example's Jornada only
    jornada = JornadaFactory(
        title_es=title[:200] or "x",
        title_en=title[:200],
        description_es=description,
        description_en=description,
        venue=venue[:200],
        city=city[:100],
    )
    with translation.override("es-mx"):
        urls = [
            reverse("chapters:jornada_ics", args=[jornada.slug]),
            reverse("chapters:jornada_feed"),
        ]
    for prefix in ("", "/en"):
        for url in urls:
            response = client.get(prefix + url)
            assert response.status_code == 200, (prefix + url, title)
            assert response["Content-Type"].startswith("text/calendar")
            calendar = icalendar.Calendar.from_ical(response.content)
            events = calendar.walk("VEVENT")
            assert len(events) == 1, "a text wrote its own event"
            event = events[0]
            assert set(event.keys()) <= EVENT_PROPERTIES, set(event.keys())
            assert str(event["UID"]) == f"jornada-{jornada.pk}@talentnet"
            summary = str(event["SUMMARY"])
            expected = jornada.title_en if prefix and jornada.title_en else jornada.title_es
            assert summary == ical_text(expected)
            assert _no_control_characters(summary)
            assert _no_control_characters(str(event.get("LOCATION", "")))
            assert _no_control_characters(str(event.get("DESCRIPTION", "")), multiline=True)
            assert _no_control_characters(str(calendar.get("X-WR-CALNAME", "")))


def test_ical_text_keeps_words_and_drops_every_control_character():
    assert ical_text("Cuarta\r\nJornada\x00\x07 2009") == "Cuarta Jornada 2009"
    assert ical_text("a\u2028b\x85c\td") == "a b c d"
    assert ical_text("Agenda:\r\n\r\n- uno\x1b\n- dos", multiline=True) == "Agenda:\n\n- uno\n- dos"
    assert ical_text(None) == ""


def test_app_code_has_no_assert_statements():
    found = []
    for directory in APP_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)
            ]
    assert not found, f"assert is not a guard (python -O removes it): {found}"
