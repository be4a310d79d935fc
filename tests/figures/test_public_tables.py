"""Every public table, page and CSV (issue 17, item 17; issue 19): for small populations
drawn by hypothesis (members in a few countries and states, a program's participants by
gender, education, state and nationality, some completing the first stage, some selected
for the second), the reader of tests/figures/reader.py attacks every table of the public
network page, its CSV downloads and the program's own page: from the shown cells and the
total they add up to (the headcount, the participants, those selected), no cell shown as
"<5" can be narrowed below 1-4 and no reserved cell pinned to one value.

Every public table must be declared below with how its cells relate to a total: a new one
fails the test until it is. Nothing here imports the code under test: it reads the pages
as any visitor would."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from figures.services import refresh_figures
from programs.models import Enrolment
from tests.factories import member, participant, program_with_stages

from .reader import assert_nothing_hidden_can_be_worked_out, total_range

pytestmark = pytest.mark.django_db

SLUG = "programa-cifras"
# How a reader relates each public table to a total: (which total, "=" or "<=") or None
# (its cells add up to nothing shown: a member counts in up to three sectors and may
# belong to several chapters; stages and the selection funnel are not a partition).
NETWORK_TABLES = {
    "countries": ("members", "<="),  # members without a country are in no row
    "states": ("members", "<="),
    "sectors": None,
    "chapters": None,
}
PROGRAM_TABLES = {
    "education": ("participants", "="),
    "states": ("participants", "="),
    "countries": ("participants", "="),
    "gender": ("participants", "="),  # "preferred not to say" is a row of its own
    "selection-gender": ("selected", "="),
    "completion": None,
    "selection": None,
    "stages": None,
    "selections": None,
}


class _Page(HTMLParser):
    """Each figure's table rows and summary (by its section id), and the headline."""

    def __init__(self):
        super().__init__()
        self.tables, self.summaries, self.headline = {}, {}, []
        self._figure = self._row = self._cell = None
        self._in_summary = self._in_headline = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ident = attrs.get("id") or ""
        if tag == "section" and ident.startswith("figure-"):
            self._figure = ident.removeprefix("figure-")
            self.tables[self._figure] = []
        elif tag == "p" and ident.endswith("-summary") and ident.startswith("figure-"):
            self._in_summary = ident.removeprefix("figure-").removesuffix("-summary")
            self.summaries[self._in_summary] = ""
        elif tag == "ul" and "figures-headline" in (attrs.get("class") or ""):
            self._in_headline = True
        elif tag == "tr" and self._figure:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and not all(c == "" for c in self._row):
                self.tables[self._figure].append(self._row)
            self._row = None
        elif tag == "p":
            self._in_summary = False
        elif tag == "ul":
            self._in_headline = False
        elif tag == "section":
            self._figure = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_summary:
            self.summaries[self._in_summary] += data
        if self._in_headline:
            self.headline.append(data.strip())


def _parse(html):
    page = _Page()
    page.feed(html)
    # Rows of data only: the header row (all th) and a "no data" row are left out.
    tables = {slug: [row for row in rows[1:] if len(row) > 1] for slug, rows in page.tables.items()}
    return tables, page.summaries, [text for text in page.headline if text]


def _csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


# The columns that hold counts of people (the others: names, seats, dates, percentages).
COUNT_COLUMNS = {"chapters": (3,), "stages": (1, 2, 4), "selections": (2, 3, 4)}


def _attack(slug, rows, declared, totals, where):
    name = slug.split("-")[-1] if slug.startswith("program-") else slug
    if declared is None:
        for column in COUNT_COLUMNS.get(name, (1,)):
            assert_nothing_hidden_can_be_worked_out([row[column] for row in rows], where=where)
        return
    texts = [row[1] for row in rows]
    which, relation = declared
    if totals.get(which) is None:
        assert not rows, f"{where}: a breakdown of a total that is not shown"
        return
    assert_nothing_hidden_can_be_worked_out(texts, totals[which], relation, where=where)


def _program_totals(tables, summaries, prefix):
    totals = {}
    summary = summaries.get(f"{prefix}stages", "")
    if match := re.search(r"(?:Personas participantes|Participants): ([^.]+)\.", summary):
        totals["participants"] = total_range(match.group(1))
    for row in tables.get(f"{prefix}selection", []):
        if row[0] in ("Seleccionadas para la etapa 2", "Selected for stage 2"):
            totals["selected"] = total_range(row[1])
    return totals


def _check_program(tables, summaries, prefix, where):
    totals = _program_totals(tables, summaries, prefix)
    found = {slug.removeprefix(prefix) for slug in tables if slug.startswith(prefix)}
    undeclared = found - set(PROGRAM_TABLES)
    assert not undeclared, f"declare how these public tables relate to a total: {undeclared}"
    for name in found:
        _attack(f"{prefix}{name}", tables[f"{prefix}{name}"], PROGRAM_TABLES[name], totals, where)
    return found


PEOPLE = st.lists(
    st.tuples(st.sampled_from(["US", "CA", "ES", "NZ", ""]), st.sampled_from(["JAL", "OAX", ""])),
    max_size=12,
)
PARTICIPANTS = st.lists(
    st.tuples(
        st.sampled_from(["woman", "man", "non_binary", ""]),
        st.sampled_from(["licenciatura", "maestria", "doctorado"]),
        st.sampled_from(["JAL", "OAX"]),
        st.sampled_from(["MX", "MX", "CO"]),
        st.booleans(),  # completed stage 1
        st.booleans(),  # selected for stage 2 (if completed)
    ),
    max_size=16,
)


def _population(people, participants):
    for country, state in people:
        member(country=country, state_of_origin=state)
    program, stage1, stage2 = program_with_stages(slug=SLUG, is_published=True)
    for gender, education, state, nationality, completed, selected in participants:
        enrolment = participant(
            stage1,
            completed=completed,
            gender=gender,
            education_level=education,
            state=state,
            nationality=nationality,
        )
        if completed and selected:
            Enrolment.objects.create(application=enrolment.application, stage=stage2)
    refresh_figures()
    return program


@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=PEOPLE, participants=PARTICIPANTS)
def test_no_suppressed_cell_of_a_public_table_can_be_derived_from_what_is_shown(
    client, people, participants
):
    # Each example in a savepoint of its own, rolled back: the next starts from nothing.
    with transaction.atomic():
        _check_every_public_table(client, _population(people, participants), people, participants)
        transaction.set_rollback(True)


def _check_every_public_table(client, program, people, participants):
    where = f"people={people} participants={participants}"
    tables, summaries, headline = _parse(client.get("/figures/").content.decode())
    totals = {"members": total_range(headline[0])}
    prefix = f"program-{program.slug}-"
    network = {slug for slug in tables if not slug.startswith(prefix)}
    undeclared = network - set(NETWORK_TABLES)
    assert not undeclared, f"declare how these public tables relate to a total: {undeclared}"
    for slug in network:
        _attack(slug, tables[slug], NETWORK_TABLES[slug], totals, where)
    assert _check_program(tables, summaries, prefix, where)
    # The CSV of every public figure: the same rows as the page.
    for slug, rows in tables.items():
        assert _csv_rows(client.get(f"/figures/{slug}.csv")) == rows, slug
    # The program's own page, under the same rule (and with the same cells).
    own = reverse("figures_program", kwargs={"slug": program.slug})
    own_tables, own_summaries, _headline = _parse(client.get(own).content.decode())
    _check_program(own_tables, own_summaries, prefix, where)
    for slug, rows in own_tables.items():
        if slug in tables:
            assert rows == tables[slug], slug


def test_the_parser_reads_the_published_tables(client):
    """The walk above reads real tables (not an empty page it would pass by default)."""
    program = _population(
        [("US", "JAL")] * 7 + [("CA", "OAX")] * 2,
        [("woman", "licenciatura", "JAL", "MX", True, True)] * 9
        + [("man", "maestria", "OAX", "CO", True, False)] * 2,
    )
    tables, summaries, headline = _parse(client.get("/figures/").content.decode())
    assert headline[0] == "menos de 100"
    assert ["Estados Unidos", "18"] in tables["countries"]  # participants are members too
    assert ["Canadá", "<5"] in tables["countries"]
    prefix = f"program-{program.slug}-"
    assert _program_totals(tables, summaries, prefix) == {
        "participants": (11, 11),
        "selected": (9, 9),
    }
    # 11 participants: 9 women and 2 men; the men's "<5" beside the exact total would be
    # 11 - 9, so the women's count is reserved too (and then the men could be 1 to 4).
    assert {row[0]: row[1] for row in tables[f"{prefix}gender"]} == {"Mujer": "≥5", "Hombre": "<5"}
    # Those selected: 9 women and nobody else, shown exactly (no small cell).
    assert tables[f"{prefix}selection-gender"] == [["Mujer", "9", "100.0 %"]]
