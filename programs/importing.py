"""Results import (CSV or XLSX): parsed and validated row by row before anything is written.

Columns (header on line 1, Spanish or English names, any order):
    correo | email            the participant's account email (required)
    calificacion | score      0 to 100, at most two decimals (blank: no score yet)
    concluyo | completed      sí/no (yes/no, 1/0, x)
    certificado | certified   sí/no; a certified participant must have completed

A stage with modules or sessions is graded by module instead (the stage average,
attendance and completion are computed, programs.grading):
    correo | email            the participant's account email (required)
    <module code>             one column per module: its grade, 0 to 100 (blank: not graded yet)
    <session code>            one column per session: sí/no (blank: did not attend)
    certificado | certified   optional; sí/no (blank or absent: certified if completed)

Every problem is reported with its line number; if there is any, nothing is imported.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core import spreadsheets
from core.spreadsheets import ImportFileError  # noqa: F401 - the importers' error, here too

from .grading import stage_result
from .models import Enrolment, Stage
from .services import CertificationRow, ResultRow, stage_is_graded_by_module

MAX_ROWS = 20_000
COLUMNS = {
    "email": ("correo", "email", "correo electrónico", "correo electronico"),
    "score": ("calificacion", "calificación", "score"),
    "completed": ("concluyo", "concluyó", "completed"),
    "certified": ("certificado", "certified"),
}
TRUE = {"sí", "si", "yes", "y", "true", "1", "x", "s"}
FALSE = {"no", "n", "false", "0", ""}


def read_table(uploaded) -> list[list[str]]:
    """Rows of cells as text from an uploaded .csv or .xlsx file (header included)."""
    return spreadsheets.read_table(uploaded, max_rows=MAX_ROWS)


def _parse_bool(raw: str):
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def _parse_grade(raw: str, problems: list[str], label: str) -> Decimal | None:
    """A grade from 0 to 100 with at most two decimals ("," accepted); None if blank or bad
    (then the problem, naming `label`, is appended to `problems`)."""
    raw = raw.replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        problems.append(
            _("%(column)s: «%(value)s» no es un número") % {"column": label, "value": raw}
        )
        return None
    if not value.is_finite() or value < 0 or value > 100:
        problems.append(_("%(column)s: debe estar entre 0 y 100") % {"column": label})
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append(_("%(column)s: tiene más de dos decimales") % {"column": label})
        return None
    return value.quantize(Decimal("0.01"))


def _enrolments_by_email(stage: Stage) -> dict[str, int]:
    return {
        email.lower(): pk
        for pk, email in Enrolment.objects.filter(stage=stage)
        .enrolled()
        .values_list("pk", "application__user__email")
    }


def _email_problem(email: str, seen: dict, enrolments: dict) -> str | None:
    if not email:
        return _("falta el correo")
    if email in seen:
        return _("el correo %(email)s ya aparece en la línea %(line)s") % {
            "email": email,
            "line": seen[email],
        }
    if email not in enrolments:
        return _("%(email)s no participa en esta etapa") % {"email": email}
    return None


def validate_rows(*, stage: Stage, table: list[list[str]]) -> tuple[list[ResultRow], list[str]]:
    """Validate every data line; returns (rows, errors). Errors name their line number."""
    if table and stage_is_graded_by_module(stage):
        return _validate_module_rows(stage=stage, table=table)
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

    enrolments = _enrolments_by_email(stage)
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
        problem = _email_problem(email, seen, enrolments)
        if problem:
            line_errors.append(problem)
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


def _validate_module_rows(
    *, stage: Stage, table: list[list[str]]
) -> tuple[list[ResultRow], list[str]]:
    """The by-module format: a grade column per module, an attendance column per session."""
    modules = list(stage.modules.order_by("order", "pk"))
    sessions = list(stage.sessions.order_by("starts_at", "pk"))
    header = [cell.strip().lower() for cell in table[0]]
    email_at = next((i for i, cell in enumerate(header) if cell in COLUMNS["email"]), None)
    certified_at = next((i for i, cell in enumerate(header) if cell in COLUMNS["certified"]), None)
    module_at = {m.pk: header.index(m.code.lower()) for m in modules if m.code.lower() in header}
    session_at = {s.pk: header.index(s.code.lower()) for s in sessions if s.code.lower() in header}
    expected = [m.code for m in modules] + [s.code for s in sessions]
    missing = [m.code for m in modules if m.pk not in module_at] + [
        s.code for s in sessions if s.pk not in session_at
    ]
    known = set(COLUMNS["email"]) | set(COLUMNS["certified"]) | {c.lower() for c in expected}
    unknown = [cell for cell in header if cell and cell not in known]
    header_problems = []
    if email_at is None:
        header_problems.append(_("falta la columna «correo»"))
    if missing:
        header_problems.append(
            _("faltan las columnas %(columns)s") % {"columns": ", ".join(missing)}
        )
    if unknown:
        header_problems.append(
            _("%(columns)s no son módulos ni sesiones de esta etapa (se esperan: %(expected)s)")
            % {"columns": ", ".join(unknown), "expected": ", ".join(expected)}
        )
    if header_problems:
        return [], [
            _("Línea %(line)s: %(problems)s.") % {"line": 1, "problems": "; ".join(header_problems)}
        ]
    if len(table) - 1 > MAX_ROWS:
        return [], [_("El archivo tiene más de %(max)s filas.") % {"max": MAX_ROWS}]

    enrolments = _enrolments_by_email(stage)
    weights = {m.pk: m.weight for m in modules}
    seen: dict[str, int] = {}
    rows: list[ResultRow] = []
    errors: list[str] = []

    def cell(values, position):
        if position is None or position >= len(values):
            return ""
        return (values[position] or "").strip()

    for line, values in enumerate(table[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue  # blank lines are ignored
        problems = []
        email = cell(values, email_at).lower()
        problem = _email_problem(email, seen, enrolments)
        if problem:
            problems.append(problem)
        grades = {}
        for module in modules:
            grade = _parse_grade(cell(values, module_at[module.pk]), problems, module.code)
            if grade is not None:
                grades[module.pk] = grade
        attendance = {}
        for session in sessions:
            value = _parse_bool(cell(values, session_at[session.pk]))
            if value is None:
                problems.append(_("%(column)s: debe ser sí o no") % {"column": session.code})
            else:
                attendance[session.pk] = value
        certified = None
        raw_certified = cell(values, certified_at)
        if raw_certified:
            certified = _parse_bool(raw_certified)
            if certified is None:
                problems.append(_("«certificado» debe ser sí o no"))
        if certified and not problems:
            result = stage_result(
                grades=grades,
                weights=weights,
                attended=sum(attendance.values()),
                sessions=len(sessions),
                pass_grade=stage.pass_grade,
                min_attendance=stage.min_attendance,
            )
            if not result.completed:
                problems.append(_("no se puede certificar a quien no concluyó la etapa"))
        if email and email not in seen:
            seen[email] = line
        if problems:
            errors.append(
                _("Línea %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}
            )
            continue
        rows.append(
            ResultRow(
                line=line,
                enrolment_id=enrolments[email],
                score=None,
                completed=False,
                certified=certified,
                grades=grades,
                attendance=attendance,
            )
        )
    if not rows and not errors:
        errors.append(_("El archivo no tiene filas de resultados."))
    return rows, errors


CERTIFICATION_COLUMNS = {
    "email": COLUMNS["email"],
    "external_id": ("identificador", "id", "identifier", "certificado_id", "certificate id"),
    "issued_on": ("fecha", "date", "issued", "emitida"),
}


def _parse_date(raw: str):
    import datetime as dt

    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def validate_certification_rows(
    *, stage: Stage, table: list[list[str]]
) -> tuple[list[CertificationRow], list[str]]:
    """A partner's certifications file: correo, identificador, fecha (AAAA-MM-DD or
    DD/MM/AAAA). Each person must be certified in the stage and hold no certification
    from the partner yet; identifiers are unique in the file."""
    if not table or not any(cell.strip() for cell in table[0]):
        return [], [_("Línea 1: falta el encabezado (correo, identificador, fecha).")]
    header = [cell.strip().lower() for cell in table[0]]
    index = {
        key: next((i for i, cell in enumerate(header) if cell in names), None)
        for key, names in CERTIFICATION_COLUMNS.items()
    }
    missing = [
        name
        for name, key in (
            ("correo", "email"),
            ("identificador", "external_id"),
            ("fecha", "issued_on"),
        )
        if index[key] is None
    ]
    if missing:
        return [], [
            _("Línea %(line)s: %(problems)s.")
            % {
                "line": 1,
                "problems": _("faltan las columnas %(columns)s") % {"columns": ", ".join(missing)},
            }
        ]
    if len(table) - 1 > MAX_ROWS:
        return [], [_("El archivo tiene más de %(max)s filas.") % {"max": MAX_ROWS}]
    from .models import Certificate

    eligible = {
        email.lower(): pk
        for pk, email in Enrolment.objects.filter(stage=stage, certified=True)
        .enrolled()
        .values_list("pk", "application__user__email")
    }
    holding = set(
        Certificate.objects.filter(
            enrolment__stage=stage, kind=Certificate.Kind.PARTNER
        ).values_list("enrolment_id", flat=True)
    )
    enrolled = _enrolments_by_email(stage)
    seen: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    rows: list[CertificationRow] = []
    errors: list[str] = []
    for line, values in enumerate(table[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue

        def cell(key, values=values):
            position = index[key]
            return (values[position] or "").strip() if position < len(values) else ""

        problems = []
        email = cell("email").lower()
        problem = _email_problem(email, seen, enrolled)
        if problem:
            problems.append(problem)
        elif email not in eligible:
            problems.append(_("%(email)s no está certificada en esta etapa") % {"email": email})
        elif eligible[email] in holding:
            problems.append(_("%(email)s ya tiene esta certificación") % {"email": email})
        external_id = cell("external_id")
        if not external_id:
            problems.append(_("falta el identificador"))
        elif len(external_id) > 100:
            problems.append(_("el identificador tiene más de 100 caracteres"))
        elif external_id in seen_ids:
            problems.append(
                _("el identificador %(id)s ya aparece en la línea %(line)s")
                % {"id": external_id, "line": seen_ids[external_id]}
            )
        issued_on = _parse_date(cell("issued_on"))
        if issued_on is None:
            problems.append(_("la fecha debe ser AAAA-MM-DD o DD/MM/AAAA"))
        if email and email not in seen:
            seen[email] = line
        if external_id and external_id not in seen_ids:
            seen_ids[external_id] = line
        if problems:
            errors.append(
                _("Línea %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}
            )
            continue
        rows.append(
            CertificationRow(
                line=line,
                enrolment_id=eligible[email],
                external_id=external_id,
                issued_on=issued_on,
            )
        )
    if not rows and not errors:
        errors.append(_("El archivo no tiene filas de certificaciones."))
    return rows, errors
