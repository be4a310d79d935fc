"""Spreadsheets the site writes: cells a spreadsheet will not run as formulas (SECURITY.md
C7), for every CSV and XLSX (the member's data download, staff exports, participants,
search exports, figures), and the one way a CSV download is answered."""

from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets. One character each: `csv_safe_sql` compares code points.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The value as text, prefixed with a quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_safe_sql(expression: str) -> str:
    """`csv_safe` as a PostgreSQL expression over `expression` (SQL text of type text),
    generated from the same FORMULA_PREFIXES, for exports written by the database itself
    (COPY). NULL stays NULL. `expression` appears three times: give a column or an
    aggregate (PostgreSQL computes identical aggregates once), not a subquery.

    `ascii()` is the code point of the first character (0 for an empty string), so the
    test is exactly `str.startswith` with one-character prefixes."""
    codes = ", ".join(str(ord(prefix)) for prefix in FORMULA_PREFIXES)
    return (
        f"CASE WHEN ascii({expression}) IN ({codes}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


class Echo:
    """A file whose `write` returns what it is given: `csv.writer(Echo()).writerow(row)`
    is then one formatted line, for CSV streamed a row at a time."""

    def write(self, value):
        return value


def download(response, filename: str):
    """Mark `response` a download named `filename`, never stored by a cache on the way
    (exports hold personal data)."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_response(content, *, filename: str):
    """A CSV download: `content` is the whole file (str or bytes) or an iterator of its
    parts (streamed as they come)."""
    if isinstance(content, str | bytes):
        response = HttpResponse(content, content_type=CSV_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE)
    return download(response, filename)
