"""The disclosure rules of every public figure: one module, used by every public page and CSV.

Counts of people are published so that nobody can be singled out, and so that no hidden
count can be worked out from the ones shown:

1. Minimum cell. A count from 1 to MIN_CELL - 1 is shown as SMALL ("<5"): a reader learns
   only that it is between 1 and 4. Zero is a count like any other.
2. Totals. A table's total is shown exactly (a program's participants), rounded down to
   hundreds (the network's headcount: "1,200 o más", "menos de 100") or not at all; a
   total under MIN_CELL is itself SMALL and its breakdown is withheld.
3. Secondary suppression. When a table's cells add up to a total that is shown, exactly
   or as a range, the hidden cells could be solved from it: 107 - 46 - 48 - 11 = 2. So each
   such table is checked the way a reader would attack it (`possible_values`): for every
   cell shown as "<5", the values still possible given everything shown must be all of
   1 to 4. While they are not, the smallest shown cell is hidden too, as RESERVED ("≥5":
   at least five, the exact value withheld); when no cell is left to hide, the whole
   breakdown is withheld.
4. Percentages only of what may be shown: a percentage needs its count and its base both
   shown exactly (a percentage of a hidden count, or of a rounded total, gives it back).

A reader is assumed to know these rules: a "<5" cell holds 1-4, a "≥5" cell at least 5, a
rounded total its hundred, and how the cells of a table relate to its total (they add up
to it, EQUAL, or to at most it, AT_MOST, when some people are in no row). The same reader
is played by the property test over every public page and CSV (tests/figures/).

Staff pages publish exact counts: `public=False` everywhere below.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext

MIN_CELL = 5
SMALL = "<5"
RESERVED = "≥5"
NOT_SHOWN = "—"
ROUNDING = 100

EQUAL = "="  # the cells add up to the total
AT_MOST = "<="  # the cells add up to at most the total (some people are in no row)


@dataclass(frozen=True)
class Count:
    """A count as published: its true value (never rendered unless exact), the text shown,
    and what a reader learns from that text: value in [low, high] (high None: unbounded)."""

    value: int
    text: str
    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def hidden(self) -> bool:
        return not self.exact

    @property
    def small(self) -> bool:
        return self.text == SMALL

    def __str__(self):
        return self.text


def shown(value: int) -> Count:
    return Count(value, f"{value}", value, value)


def small(value: int) -> Count:
    return Count(value, SMALL, 1, MIN_CELL - 1)


def reserved(value: int) -> Count:
    return Count(value, RESERVED, MIN_CELL, None)


def count(value: int, *, public: bool) -> Count:
    """One count under the minimum-cell rule (exact on staff pages)."""
    if public and 0 < value < MIN_CELL:
        return small(value)
    return shown(value)


def rounded_total(value: int) -> Count:
    """A headcount rounded down to hundreds: "menos de 100", "1,200 o más"."""
    floor = value - value % ROUNDING
    if floor == 0:
        return Count(value, gettext("menos de %(count)s") % {"count": ROUNDING}, 0, ROUNDING - 1)
    text = gettext("%(count)s o más") % {"count": f"{floor:,}"}
    return Count(value, text, floor, floor + ROUNDING - 1)


def percent(part: Count, base: Count) -> str:
    """`part` as a percentage of `base`, only when both are shown exactly."""
    if not (part.exact and base.exact) or not base.value:
        return NOT_SHOWN
    return f"{100 * part.value / base.value:.1f} %"


def possible_values(
    cells: list[Count], total: Count | None, relation: str = EQUAL
) -> list[tuple[int, int | None]]:
    """For each cell, the range of values a reader can still give it from what is shown:
    each cell's own bounds and the total's (one linear constraint over boxes, so the
    extremes of each cell are reached with the others at theirs)."""
    if total is None:
        return [(cell.low, cell.high) for cell in cells]
    lows = sum(cell.low for cell in cells)
    unbounded = sum(1 for cell in cells if cell.high is None)
    highs = sum(cell.high for cell in cells if cell.high is not None)
    ranges = []
    for cell in cells:
        others_low = lows - cell.low
        high = cell.high
        if total.high is not None:
            ceiling = total.high - others_low
            high = ceiling if high is None else min(high, ceiling)
        low = cell.low
        others_unbounded = unbounded - (1 if cell.high is None else 0)
        if relation == EQUAL and not others_unbounded:
            others_high = highs - (cell.high if cell.high is not None else 0)
            low = max(low, total.low - others_high)
        ranges.append((low, high))
    return ranges


def is_protected(cells: list[Count], total: Count | None, relation: str = EQUAL) -> bool:
    """True when no cell shown as "<5" can be narrowed below 1-4 from what is shown."""
    ranges = possible_values(cells, total, relation)
    return all(
        (low, high) == (1, MIN_CELL - 1)
        for cell, (low, high) in zip(cells, ranges, strict=True)
        if cell.small
    )


@dataclass
class Breakdown:
    """A table of labelled counts as published, with the total they relate to."""

    rows: list[tuple[str, Count]]
    total: Count | None = None
    relation: str = EQUAL
    withheld: bool = False  # no breakdown can be shown without giving a small cell away
    omitted_zeros: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[Count]:
        return [cell for _label, cell in self.rows]

    def ranked(self) -> "Breakdown":
        """Largest shown counts first; hidden ones after them in name order, so their order
        does not tell which is larger."""

        def key(row):
            label, cell = row
            return (1, 0, label) if cell.hidden else (0, -cell.value, label)

        self.rows = sorted(self.rows, key=key)
        return self


def breakdown(
    pairs,
    *,
    public: bool,
    total: Count | None = None,
    relation: str = EQUAL,
    keep_zeros: bool = False,
) -> Breakdown:
    """(label, count) pairs as published. Staff: exact. Public: small cells hidden, then
    secondary suppression until nothing hidden can be solved from the total; zero rows
    left out unless `keep_zeros` (a zero is exact either way)."""
    pairs = [(str(label), int(n)) for label, n in pairs]
    if not public:
        return Breakdown([(label, shown(n)) for label, n in pairs], total, relation)
    rows = [(label, count(n, public=True)) for label, n in pairs]
    table = Breakdown(rows, total, relation)
    if total is not None and total.small:
        table.rows, table.withheld = [], True  # a breakdown of fewer than five people
        return table
    while not is_protected(table.cells, total, relation):
        candidates = [
            index for index, (label, cell) in enumerate(table.rows) if cell.exact and cell.value
        ]
        if not candidates:
            table.rows, table.withheld = [], True
            return table
        index = min(candidates, key=lambda i: (table.rows[i][1].value, table.rows[i][0]))
        label, cell = table.rows[index]
        table.rows[index] = (label, reserved(cell.value))
    if not keep_zeros:
        table.omitted_zeros = [label for label, cell in table.rows if cell.exact and not cell.value]
        table.rows = [(label, cell) for label, cell in table.rows if not cell.exact or cell.value]
    return table
