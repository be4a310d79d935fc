"""Mexican business days (días hábiles): Monday to Friday, except the mandatory rest days of
the Ley Federal del Trabajo (art. 74: 1 January, the first Monday of February, the third
Monday of March, 1 May, 16 September, the third Monday of November, 1 October of the
presidential handover, 25 December), from the `holidays` library's calendar for Mexico.

Legal and service deadlines count in these days: the answer to an ARCO request (LFPDPPP,
20 días hábiles), the PNCS's triage of an organisation's request (10)."""

import functools
from datetime import date, timedelta

import holidays


@functools.cache
def _holidays_of(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("MX", years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Mexican mandatory rest day."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (start itself not counted)."""
    day, added = start, 0
    while added < days:
        day += timedelta(days=1)
        if is_business_day(day):
            added += 1
    return day


def business_days_between(start: date, end: date) -> int:
    """How many business days come after `start` up to and including `end` (0 if end is
    not after start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count
