"""What the lines of action of a work programme count (issue 21): one registry of measures,
contributed by the apps that hold the things counted, without the programmes' apps
importing them.

A line of action (a PNCS's, pncs.models.WorkLine; a chapter's, chapters.models.ChapterLine)
names ONE measure by its key and a numeric target for a year. Its progress is computed,
never typed: the measure counts the rows of its app that belong to the line's PNCS or
chapter in the line's year (opportunities published, requests triaged, posts published,
events held...). Each app declares its measures in a module named `work_progress`
(members.plugins extension point) as `MEASURES`, a list of `Measure`.

A measure's `count(ids, year)` answers for many PNCS or chapters at once ({id: count},
ids missing mean zero) so a page of programmes costs one query per measure used, whatever
the number of lines. `people` marks counts of people: public pages publish them under the
disclosure rule (figures.disclosure). `items(id, year)` (optional) lists what was counted,
for the yearly reports.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .plugins import app_modules

PNCS = "pncs"
CHAPTER = "chapter"
# The network's first meeting was held in 2005: no work programme before it.
FIRST_YEAR = 2005
YEAR_MESSAGE = _("Elige un año entre %(first)s y %(last)s.")


def last_year() -> int:
    """Programmes may be written for next year, not further."""
    return timezone.localdate().year + 1


def year_message() -> str:
    """The error of a year out of range, with the range."""
    return YEAR_MESSAGE % {"first": FIRST_YEAR, "last": last_year()}


def parse_year(value) -> int | None:
    """The year asked for in a query string (this year when absent), or None when it is
    not a year a programme may have."""
    if value in (None, ""):
        return timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if FIRST_YEAR <= year <= last_year() else None


def year_range() -> list[int]:
    """The years offered by the year selectors, newest first."""
    return list(range(last_year(), FIRST_YEAR - 1, -1))


@dataclass(frozen=True)
class Item:
    """One thing a measure counted, as a report lists it."""

    date: object  # a date
    title: str
    url: str = ""


@dataclass(frozen=True)
class Measure:
    key: str  # stable: stored on the lines ("news.sector_posts")
    label: str  # lazy translation
    subject: str  # PNCS or CHAPTER
    count: Callable  # (ids: list[int], year: int) -> dict[int, int]
    people: bool = False
    items: Callable | None = None  # (id: int, year: int) -> list[Item]


def measures(subject: str) -> dict[str, Measure]:
    """The measures available to the lines of a PNCS (`PNCS`) or a chapter (`CHAPTER`), by
    key, in INSTALLED_APPS order."""
    found = {}
    for _label, module in app_modules("work_progress"):
        for measure in getattr(module, "MEASURES", []):
            if measure.subject == subject:
                found[measure.key] = measure
    return found


def measure_choices(subject: str) -> list[tuple[str, str]]:
    """(key, label) of the measures of `subject`, for a form's select."""
    return [(key, measure.label) for key, measure in measures(subject).items()]


def compute_progress(lines, *, subject: str, owner_attr: str) -> None:
    """Set `achieved` (int), `measure_def` (the Measure, None if unknown) and `percent` (0-100, capped) on
    each line, counting each (measure, year) once for every owner among the lines.

    `owner_attr` names the line's owner id (`pncs_id`, `chapter_id`)."""
    lines = list(lines)
    available = measures(subject)
    wanted: dict[tuple[str, int], set[int]] = {}
    for line in lines:
        if line.measure in available:
            wanted.setdefault((line.measure, line.year), set()).add(getattr(line, owner_attr))
    counted = {
        (key, year): available[key].count(sorted(ids), year) for (key, year), ids in wanted.items()
    }
    for line in lines:
        line.measure_def = available.get(line.measure)
        line.achieved = counted.get((line.measure, line.year), {}).get(getattr(line, owner_attr), 0)
        line.percent = min(100, round(100 * line.achieved / line.target)) if line.target else 0
