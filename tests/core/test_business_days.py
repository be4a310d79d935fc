"""Mexican business days: weekends and the mandatory rest days of the LFT are skipped."""

from datetime import date

import pytest

from core.business_days import add_business_days, business_days_between, is_business_day


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 1, 1),  # Año Nuevo
        date(2027, 2, 1),  # Día de la Constitución: first Monday of February
        date(2027, 3, 15),  # Natalicio de Benito Juárez: third Monday of March
        date(2026, 9, 16),  # Independencia
        date(2026, 11, 16),  # Revolución: third Monday of November
        date(2026, 12, 25),  # Navidad
        date(2026, 12, 12),  # a Saturday
    ],
)
def test_rest_days_and_weekends_are_not_business_days(day):
    assert not is_business_day(day)


def test_an_ordinary_weekday_is_a_business_day():
    assert is_business_day(date(2026, 12, 7))


def test_adding_business_days_skips_christmas_and_new_year():
    # Friday 18 December 2026 + 20 business days: 25 Dec and 1 Jan do not count.
    assert add_business_days(date(2026, 12, 18), 20) == date(2027, 1, 19)


def test_counting_business_days_between_two_dates():
    assert business_days_between(date(2026, 12, 18), date(2027, 1, 19)) == 20
    assert business_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1
    assert business_days_between(date(2026, 12, 28), date(2026, 12, 24)) == 0
