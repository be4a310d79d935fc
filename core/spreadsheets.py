"""Spreadsheets the site writes: cells a spreadsheet will not run as formulas (SECURITY.md
C7), for every CSV and XLSX (the member's data download, staff exports, participants,
search exports, figures), the one way a CSV download is answered, and the one way an
uploaded CSV or XLSX is read (the importers of programs and announcements)."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

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


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header)."""


def read_table(uploaded, *, max_rows: int) -> list[list[str]]:
    """Rows of cells as text from an uploaded .csv or .xlsx file (header included; an
    XLSX is read up to `max_rows` + 2 rows, so the caller can tell it is too long).
    Raises ImportFileError, with the reason for the person, when it cannot be read."""
    name = (uploaded.name or "").lower()
    data = uploaded.read()
    if name.endswith(".xlsx"):
        return _read_xlsx(data, max_rows=max_rows)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise ImportFileError(_("Sube un archivo .csv o .xlsx."))


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("El archivo CSV debe estar en UTF-8.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("No se pudo leer el archivo CSV.")) from exc


def _read_xlsx(data: bytes, *, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("No se pudo leer el archivo XLSX.")) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
        if len(rows) > max_rows + 1:
            break
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
