"""The one disclosure rule (figures.disclosure), as a property: whatever the counts and
however the total is shown, no hidden cell can be worked out from the shown cells and
the total (checked by tests/figures/reader.py, a solver written apart from the module);
and what is shown is true (exact cells exact, "<5" only for 1-4, "≥5" only for 5 or more).

Every public page and CSV is checked the same way in test_public_tables.py."""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from figures.disclosure import (
    AT_MOST,
    EQUAL,
    RESERVED,
    SMALL,
    breakdown,
    count,
    percent,
    rounded_total,
    shown,
    small,
)

from .reader import assert_nothing_hidden_can_be_worked_out, possible_values, total_range

COUNTS = st.lists(st.one_of(st.integers(0, 4), st.integers(0, 40)), min_size=1, max_size=7)


def _texts(table):
    return [cell.text for cell in table.cells]


def _assert_truthful(pairs, table):
    truth = dict(pairs)
    for label, cell in table.rows:
        value = truth[label]
        if cell.text == SMALL:
            assert 1 <= value <= 4
        elif cell.text == RESERVED:
            assert value >= 5
        else:
            assert int(cell.text) == value
    # Left out: zeros only.
    assert all(truth[label] == 0 for label in table.omitted_zeros)


@settings(max_examples=400, deadline=None)
@given(counts=COUNTS, blanks=st.integers(0, 6))
def test_no_hidden_cell_can_be_solved_from_an_exact_total(counts, blanks):
    pairs = [(f"g{n}", value) for n, value in enumerate(counts)]
    relation = EQUAL if not blanks else AT_MOST
    total = count(sum(counts) + blanks, public=True)
    table = breakdown(pairs, public=True, total=total, relation=relation)
    _assert_truthful(pairs, table)
    if total.small:
        assert table.withheld and not table.rows
        return
    # The reader knows the total exactly and how the cells relate to it; the strongest
    # reader also assumes they add up to it exactly.
    for assumed in {relation, EQUAL}:
        if assumed == EQUAL and relation == AT_MOST:
            continue  # a false assumption gives wrong values, not disclosed ones
        assert_nothing_hidden_can_be_worked_out(
            _texts(table), total_range(total.text), assumed, where=f"{pairs} / {total.text}"
        )


@settings(max_examples=300, deadline=None)
@given(counts=COUNTS, others=st.integers(0, 250))
def test_no_hidden_cell_can_be_solved_from_a_rounded_total(counts, others):
    pairs = [(f"g{n}", value) for n, value in enumerate(counts)]
    with translation.override("es-mx"):
        total = rounded_total(sum(counts) + others)
    table = breakdown(pairs, public=True, total=total, relation=AT_MOST)
    _assert_truthful(pairs, table)
    assert_nothing_hidden_can_be_worked_out(
        _texts(table), total_range(total.text), AT_MOST, where=f"{pairs} / {total.text}"
    )


def test_the_issues_subtraction_no_longer_works():
    # 107 selected: 46 women, 48 men, 11 who preferred not to say, 2 non-binary.
    pairs = [("Mujer", 46), ("Hombre", 48), ("No binaria", 2), ("Prefirió no indicarlo", 11)]
    table = breakdown(pairs, public=True, total=shown(107), relation=EQUAL)
    assert {label: cell.text for label, cell in table.rows} == {
        "Mujer": "46",
        "Hombre": "48",
        "No binaria": SMALL,
        "Prefirió no indicarlo": RESERVED,
    }
    values = possible_values(_texts(table), (107, 107))
    assert values[2] == {1, 2, 3, 4}


def test_without_a_total_only_small_cells_are_hidden():
    table = breakdown([("a", 3), ("b", 5), ("c", 0)], public=True)
    assert [(label, cell.text) for label, cell in table.rows] == [("a", SMALL), ("b", "5")]
    assert table.omitted_zeros == ["c"]


def test_staff_tables_are_exact():
    table = breakdown([("a", 3), ("b", 5)], public=False, total=shown(8))
    assert [cell.text for cell in table.cells] == ["3", "5"]


def test_a_breakdown_of_fewer_than_five_people_is_withheld():
    table = breakdown([("a", 2), ("b", 1)], public=True, total=small(3))
    assert table.withheld and table.rows == []


def test_percentages_only_of_what_is_shown_exactly():
    assert percent(shown(46), shown(107)) == "43.0 %"
    assert percent(small(2), shown(107)) == "—"
    assert percent(shown(46), rounded_total(120)) == "—"
    assert percent(shown(0), shown(0)) == "—"


def test_ranking_puts_hidden_cells_last_in_name_order():
    pairs = [("b", 1), ("a", 4), ("z", 30), ("m", 9)]
    table = breakdown(pairs, public=True, total=shown(44)).ranked()
    assert [label for label, _cell in table.rows][:2] == ["z", "m"] or table.withheld


@pytest.mark.parametrize(
    ("text", "expected"),
    [("menos de 100", (0, 99)), ("1,200 o más", (1200, 1299)), ("14", (14, 14)), ("<5", (1, 4))],
)
def test_the_reader_reads_totals_as_published(text, expected):
    assert total_range(text) == expected
