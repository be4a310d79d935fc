"""The import of known people (issue 26): a CSV or XLSX IME, a consulate or a PNCS already
holds, read and checked line by line before anything is written (the same all-or-nothing
rule as the results import of programs, and the same reader, core.spreadsheets).

Columns (header on line 1, Spanish or English names, any order):
    nombre | name             required
    correo | email            required, a valid address
    pais | país | country     optional: an ISO code or a name in Spanish or English
    sector                    optional: one of the nine PNCS sectors (slug or name)
    fuente | source           optional: where the line comes from (blank: the import's)

Each valid line says what confirming would do: invite a new person, or nothing because
the address is already a member's, already invited, refused an earlier invitation, or
appeared on an earlier line of the same file. Any error (a line's or the file's) and
nothing can be confirmed.
"""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from core.spreadsheets import ImportFileError
from members.countries import country_code
from members.models import Sector, User

from .models import InvitationRefusal, Invitee

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024
COLUMNS = {
    "name": ("nombre", "name"),
    "email": ("correo", "email", "correo electrónico", "correo electronico", "e-mail"),
    "country": ("pais", "país", "country"),
    "sector": ("sector",),
    "source": ("fuente", "source"),
}
REQUIRED = ("name", "email")


class Outcome:
    """What confirming does with a valid line."""

    NEW = "new"
    MEMBER = "member"
    INVITED = "invited"
    REFUSED = "refused"
    DUPLICATE = "duplicate"


OUTCOME_LABELS = {
    Outcome.NEW: gettext_lazy("Nueva: recibirá una invitación"),
    Outcome.MEMBER: gettext_lazy("Ya es miembro: no se invita"),
    Outcome.INVITED: gettext_lazy("Ya invitada: no se invita otra vez"),
    Outcome.REFUSED: gettext_lazy("Rechazó una invitación anterior: no se invita"),
    Outcome.DUPLICATE: gettext_lazy("Repetida en el archivo: no se invita otra vez"),
}


@dataclass
class Line:
    """One data line of the file: its number, what was read, and its outcome or errors."""

    number: int
    name: str = ""
    email: str = ""
    country: str = ""
    sector: str = ""  # the sector's slug
    source: str = ""
    outcome: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def outcome_label(self):
        return OUTCOME_LABELS.get(self.outcome, "")


@dataclass
class Plan:
    """The dry run: every line, the file's own errors, and the counts per outcome."""

    lines: list[Line] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(line.errors for line in self.lines) and bool(self.lines)

    def counts(self) -> dict:
        counts = dict.fromkeys(OUTCOME_LABELS, 0)
        for line in self.lines:
            if line.outcome:
                counts[line.outcome] += 1
        counts["errors"] = sum(1 for line in self.lines if line.errors)
        return counts


def email_digest(email: str) -> str:
    """The keyed digest of an address (InvitationRefusal): HMAC-SHA256 with the site's key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def read_upload(uploaded) -> list[list[str]]:
    """The table of an uploaded file; ImportFileError (a bilingual reason) when it is too
    big, not a CSV or XLSX, not UTF-8 or damaged."""
    if uploaded.size is not None and uploaded.size > MAX_BYTES:
        raise ImportFileError(
            _("El archivo pesa más de %(max)s MB. Divídelo en archivos más pequeños.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    return spreadsheets.read_table(uploaded, max_rows=MAX_ROWS)


def _header_index(header: list[str]) -> tuple[dict, list[str]]:
    cells = [(cell or "").strip().lower() for cell in header]
    index, errors = {}, []
    known = {name for names in COLUMNS.values() for name in names}
    for key, names in COLUMNS.items():
        for position, cell in enumerate(cells):
            if cell in names:
                index[key] = position
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in index]
    if missing:
        errors.append(
            _("Línea 1: faltan las columnas %(columns)s (se esperan: %(expected)s).")
            % {
                "columns": ", ".join(missing),
                "expected": "nombre, correo, pais, sector, fuente",
            }
        )
    unknown = [cell for cell in cells if cell and cell not in known]
    if unknown:
        errors.append(
            _("Línea 1: columnas desconocidas: %(columns)s (se esperan: %(expected)s).")
            % {
                "columns": ", ".join(unknown),
                "expected": "nombre, correo, pais, sector, fuente",
            }
        )
    return index, errors


def _sector_lookup() -> dict:
    lookup = {}
    for slug, name_es, name_en in Sector.objects.values_list("slug", "name_es", "name_en"):
        for text in (slug, name_es, name_en):
            lookup[text.strip().lower()] = slug
    return lookup


def plan_import(table: list[list[str]], *, source: str) -> Plan:
    """Check every line of `table` (header first) and say what confirming would do with
    it; reads the database, writes nothing."""
    plan = Plan()
    if not table or not any((cell or "").strip() for cell in table[0]):
        plan.errors.append(
            _("Línea 1: falta el encabezado (nombre, correo, pais, sector, fuente).")
        )
        return plan
    if len(table) - 1 > MAX_ROWS:
        plan.errors.append(_("El archivo tiene más de %(max)s filas.") % {"max": MAX_ROWS})
        return plan
    index, header_errors = _header_index(table[0])
    if header_errors:
        plan.errors.extend(header_errors)
        return plan

    def cell(values, key):
        position = index.get(key)
        if position is None or position >= len(values):
            return ""
        return (values[position] or "").strip()

    sectors = _sector_lookup()
    countries = {}
    seen: dict[str, int] = {}
    for number, values in enumerate(table[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue  # blank lines are ignored
        line = Line(number=number, source=(cell(values, "source") or source)[:200])
        line.name = cell(values, "name")[:200]
        if not line.name:
            line.errors.append(_("falta el nombre"))
        email = cell(values, "email").lower()
        if not email:
            line.errors.append(_("falta el correo"))
        else:
            try:
                validate_email(email)
                if len(email) > 254:
                    raise ValidationError("too long")
            except ValidationError:
                line.errors.append(_("«%(value)s» no es un correo válido") % {"value": email})
            else:
                line.email = email
        raw_country = cell(values, "country")
        if raw_country:
            if raw_country not in countries:
                countries[raw_country] = country_code(raw_country)
            line.country = countries[raw_country]
            if not line.country:
                line.errors.append(_("país desconocido: «%(value)s»") % {"value": raw_country})
        raw_sector = cell(values, "sector")
        if raw_sector:
            line.sector = sectors.get(raw_sector.lower(), "")
            if not line.sector:
                line.errors.append(
                    _("sector desconocido: «%(value)s» (usa uno de los nueve sectores PNCS)")
                    % {"value": raw_sector}
                )
        if line.email and line.email in seen:
            line.outcome = Outcome.DUPLICATE
        elif line.email:
            seen[line.email] = number
        plan.lines.append(line)
    if not plan.lines:
        plan.errors.append(_("El archivo no tiene ninguna persona (solo el encabezado)."))
    decide_outcomes(plan.lines)
    return plan


def decide_outcomes(lines: list[Line]) -> None:
    """The outcome of each line not yet decided, from the database as it is now."""
    emails = [line.email for line in lines if line.email and not line.outcome]
    members = set(
        User.objects.annotate(lower=Lower("email"))
        .filter(lower__in=emails)
        .values_list("lower", flat=True)
    )
    invited = set(
        Invitee.objects.annotate(lower=Lower("email"))
        .filter(lower__in=emails)
        .values_list("lower", flat=True)
    )
    refused = set(
        InvitationRefusal.objects.filter(digest__in=[email_digest(e) for e in emails]).values_list(
            "digest", flat=True
        )
    )
    for line in lines:
        if line.outcome or not line.email:
            continue
        if line.email in members:
            line.outcome = Outcome.MEMBER
        elif line.email in invited:
            line.outcome = Outcome.INVITED
        elif email_digest(line.email) in refused:
            line.outcome = Outcome.REFUSED
        else:
            line.outcome = Outcome.NEW
