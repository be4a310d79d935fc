"""csv_safe and csv_safe_sql: one rule for formulas, in Python and in PostgreSQL."""

import pytest
from django.db import connection

from core.spreadsheets import FORMULA_PREFIXES, csv_safe, csv_safe_sql

pytestmark = pytest.mark.django_db

NASTY = [
    *(prefix + "x" for prefix in FORMULA_PREFIXES),
    *FORMULA_PREFIXES,
    '=HYPERLINK("http://evil.example","clic")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r\n=1",
    "\n=1",  # a newline is not a prefix
    " =1",  # nor a leading space
    "'=1",  # already quoted
    "x=1",
    "--",
    "",
    "normal",
    "Muñoz, Peña",
    "ñandú",
    "Ελληνικά",
    "日本語",
    "🚀=1",
    "\uff1d1",  # full-width equals sign: not a prefix
    "\u22121",  # minus sign: not a prefix
    "\u00a0=1",  # no-break space
    "é",
]


def _sql_results(values):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {csv_safe_sql('v')} FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n)"  # noqa: S608
            " ORDER BY n",
            [values],
        )
        return [row[0] for row in cursor.fetchall()]


def test_csv_safe_sql_gives_what_csv_safe_gives_on_nasty_values():
    assert _sql_results(NASTY) == [csv_safe(value) for value in NASTY]


def test_csv_safe_sql_quotes_every_formula_prefix():
    assert _sql_results([p + "1" for p in FORMULA_PREFIXES]) == [
        "'" + p + "1" for p in FORMULA_PREFIXES
    ]


def test_csv_safe_sql_keeps_null_for_an_empty_cell():
    assert _sql_results([None]) == [None]
    assert csv_safe(None) == ""
