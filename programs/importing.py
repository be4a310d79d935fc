"""Results import (CSV or XLSX): parsed and validated row by row before anything is written.

Columns (header on line 1, Spanish or English names, any order):
    correo | email            the participant's account email (required)
    calificacion | score      0 to 100, at most two decimals (blank: no score yet)
    concluyo | completed      sí/no (yes/no, 1/0, x)
    certificado | certified   sí/no; a certified participant must have completed

Every problem is reported with its line number; if there is any, nothing is imported.
"""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import Enrolment, Stage
from .services import ResultRow

MAX_ROWS = 20_000
COLUMNS = {
    "email": ("correo", "email", "correo electrónico", "correo electronico"),
    "score": ("calificacion", "calificación", "score"),
    "completed": ("concluyo", "concluyó", "completed"),
    "certified": ("certificado", "certified"),
}
TRUE = {"sí", "si", "yes", "y", "true", "1", "x", "s"}
FALSE = {"no", "n", "false", "0", ""}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header)."""


def read_table(uploaded) -> list[list[str]]:
    """Rows of cells as text from an uploaded .csv or .xlsx file (header included)."""
    name = (uploaded.name or "").lower()
    data = uploaded.read()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
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


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("No se pudo leer el archivo XLSX.")) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_bool(raw: str):
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def validate_rows(*, stage: Stage, table: list[list[str]]) -> tuple[list[ResultRow], list[str]]:
    """Validate every data line; returns (rows, errors). Errors name their line number."""
    errors: list[str] = []
    if not table or not any(cell.strip() for cell in table[0]):
        return [], [
            _("Línea 1: falta el encabezado (correo, calificacion, concluyo, certificado).")
        ]
    header = [cell.strip().lower() for cell in table[0]]
    index = {}
    for key, names in COLUMNS.items():
        for position, cell in enumerate(header):
            if cell in names:
                index[key] = position
                break
    if "email" not in index:
        return [], [_("Línea 1: falta la columna «correo».")]
    if len(table) - 1 > MAX_ROWS:
        return [], [_("El archivo tiene más de %(max)s filas.") % {"max": MAX_ROWS}]

    enrolments = {
        email.lower(): pk
        for pk, email in Enrolment.objects.filter(stage=stage)
        .enrolled()
        .values_list("pk", "application__user__email")
    }
    seen: dict[str, int] = {}
    rows: list[ResultRow] = []

    def cell(values, key):
        position = index.get(key)
        if position is None or position >= len(values):
            return ""
        return (values[position] or "").strip()

    for line, values in enumerate(table[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue  # blank lines are ignored
        line_errors = []
        email = cell(values, "email").lower()
        if not email:
            line_errors.append(_("falta el correo"))
        elif email in seen:
            line_errors.append(
                _("el correo %(email)s ya aparece en la línea %(line)s")
                % {"email": email, "line": seen[email]}
            )
        elif email not in enrolments:
            line_errors.append(_("%(email)s no participa en esta etapa") % {"email": email})
        raw_score = cell(values, "score").replace(",", ".")
        score = None
        if raw_score:
            try:
                score = Decimal(raw_score)
            except InvalidOperation:
                score = None
                line_errors.append(
                    _("la calificación «%(value)s» no es un número") % {"value": raw_score}
                )
            else:
                if not score.is_finite() or score < 0 or score > 100:
                    line_errors.append(_("la calificación debe estar entre 0 y 100"))
                    score = None
                elif score != score.quantize(Decimal("0.01")):
                    line_errors.append(_("la calificación tiene más de dos decimales"))
                    score = None
                else:
                    score = score.quantize(Decimal("0.01"))
        completed = _parse_bool(cell(values, "completed"))
        if completed is None:
            line_errors.append(_("«concluyó» debe ser sí o no"))
        certified = _parse_bool(cell(values, "certified"))
        if certified is None:
            line_errors.append(_("«certificado» debe ser sí o no"))
        if certified and completed is False:
            line_errors.append(_("no se puede certificar a quien no concluyó la etapa"))
        if completed and score is None and not line_errors:
            line_errors.append(_("quien concluyó la etapa necesita una calificación"))
        if email and email not in seen:
            seen[email] = line
        if line_errors:
            errors.append(
                _("Línea %(line)s: %(problems)s.")
                % {"line": line, "problems": "; ".join(line_errors)}
            )
            continue
        rows.append(
            ResultRow(
                line=line,
                enrolment_id=enrolments[email],
                score=score,
                completed=bool(completed),
                certified=bool(certified),
            )
        )
    if not rows and not errors:
        errors.append(_("El archivo no tiene filas de resultados."))
    return rows, errors
