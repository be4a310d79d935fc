"""Cells a spreadsheet will not run as formulas (SECURITY.md C7), for every CSV and XLSX
the site writes: the member's data download, staff exports, participants, search
exports, figures."""

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The value as text, prefixed with a quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
