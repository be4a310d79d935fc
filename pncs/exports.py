"""Streaming exports of a search result: an explicit allow-list of fields, formula
injection neutralised, flat memory however many rows match.

On PostgreSQL the CSV is written by the database itself (`COPY (SELECT ...) TO STDOUT`,
streamed block by block into the response): seven times the rows per second of building
each line in Python (`make bench`). Its four list cells (sectors, expertise,
contributions, languages) are read from `MemberExportLists`, written when a member's
lists or the names in them change (`refresh_export_lists`), not gathered from four
tables per row at every export. `iter_rows` is the same export in Python, for the
XLSX and for SQLite (`make run`); tests/pncs/test_exports.py checks that both give the
same cells.
"""

import csv
import json
import tempfile
from contextlib import closing

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from members.choices import EducationLevel, MexicanState
from members.models import Profile, ProfileSector
from members.spreadsheets import csv_safe, csv_safe_sql

BATCH = 1000
CHUNK_ROWS = 500  # lines per chunk of the streamed CSV (bounded memory)
BOM = "\ufeff"
LIST_SEPARATOR = "; "


def header() -> list[str]:
    """The allow-list, as column titles in the active language."""
    return [
        _("Nombre(s)"),
        _("Apellido paterno"),
        _("Apellido materno"),
        _("Correo"),
        _("Titular"),
        _("País de residencia"),
        _("Ciudad"),
        _("Estado de origen"),
        _("Nivel de estudios"),
        _("Sectores"),
        _("Especialidades"),
        _("Tipos de aportación"),
        _("Idiomas"),
        _("Dispuesto a viajar"),
        _("Actualizado"),
    ]


FIELDS = [
    "pk",
    "given_names",
    "paternal_surname",
    "maternal_surname",
    "user__email",
    "headline",
    "country",
    "city",
    "state_of_origin",
    "education_level",
    "willing_to_travel",
    "updated_at",
]


def _names(through, owner_ids, label):
    result = {}
    for owner_id, name in (
        through.objects.filter(profile_id__in=owner_ids)
        .order_by(label)
        .values_list("profile_id", label)
    ):
        result.setdefault(owner_id, []).append(name)
    return result


LISTS = ("sector_list", "expertise_list", "contribution_list", "language_list")


def _array(through_rows, label):
    """ARRAY(SELECT label FROM ... WHERE profile_id = the outer profile), in order."""
    return ArraySubquery(through_rows.filter(profile_id=OuterRef("pk")).values(label))


# The languages every list name has a column for (name_es, name_en): the keys of
# MemberExportLists.cells.
LIST_LANGUAGES = ("es", "en")


def _list_language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "es"


def iter_rows(queryset):
    """Yield one list of cell values per member, in batches of BATCH ids (keyset by id)."""
    from django_countries import countries

    country_names = dict(countries)
    states = dict(MexicanState.choices)
    levels = dict(EducationLevel.choices)
    lang_en = _list_language() == "en"
    sector_label = "sector__name_en" if lang_en else "sector__name_es"
    contribution_label = "contribution__name_en" if lang_en else "contribution__name_es"
    language_label = "language__name_en" if lang_en else "language__name_es"
    last = None
    ids_query = queryset.order_by("profile_id").values_list("profile_id", flat=True)
    while True:
        batch = ids_query.filter(profile_id__gt=last) if last is not None else ids_query
        ids = list(batch[:BATCH])
        if not ids:
            return
        last = ids[-1]
        profiles = Profile.objects.filter(pk__in=ids).order_by("pk")
        if connection.vendor == "postgresql":
            # One query per batch: each list is an ARRAY(...) subquery of the row.
            profiles = list(
                profiles.annotate(
                    sector_list=_array(
                        ProfileSector.objects.order_by("-is_primary", "sector__order"),
                        sector_label,
                    ),
                    expertise_list=_array(
                        Profile.expertise.through.objects.order_by("expertisetag__name"),
                        "expertisetag__name",
                    ),
                    contribution_list=_array(
                        Profile.contributions.through.objects.order_by(contribution_label),
                        contribution_label,
                    ),
                    language_list=_array(
                        Profile.languages.through.objects.order_by(language_label),
                        language_label,
                    ),
                ).values(*FIELDS, *LISTS)
            )
            sectors, expertise, contributions, languages = (
                {p["pk"]: p[name] for p in profiles} for name in LISTS
            )
        else:
            profiles = profiles.values(*FIELDS)
            sectors = {}
            for owner_id, name in (
                ProfileSector.objects.filter(profile_id__in=ids)
                .order_by("-is_primary", "sector__order")
                .values_list("profile_id", sector_label)
            ):
                sectors.setdefault(owner_id, []).append(name)
            expertise = _names(Profile.expertise.through, ids, "expertisetag__name")
            contributions = _names(Profile.contributions.through, ids, contribution_label)
            languages = _names(Profile.languages.through, ids, language_label)
        for p in profiles:
            pk = p["pk"]
            yield [
                csv_safe(v)
                for v in (
                    p["given_names"],
                    p["paternal_surname"],
                    p["maternal_surname"],
                    p["user__email"],
                    p["headline"],
                    str(country_names.get(p["country"], p["country"] or "")),
                    p["city"],
                    str(states.get(p["state_of_origin"], "")),
                    str(levels.get(p["education_level"], "")),
                    LIST_SEPARATOR.join(sectors.get(pk, [])),
                    LIST_SEPARATOR.join(expertise.get(pk, [])),
                    LIST_SEPARATOR.join(contributions.get(pk, [])),
                    LIST_SEPARATOR.join(languages.get(pk, [])),
                    _("Sí") if p["willing_to_travel"] else _("No"),
                    timezone.localtime(p["updated_at"]).strftime("%Y-%m-%d"),
                )
            ]


class _Echo:
    def write(self, value):
        return value


def _labels(pairs) -> str:
    """{code: label} in the active language, each label already through csv_safe, as
    JSON: a parameter of the COPY."""
    return json.dumps({str(code): csv_safe(str(label)) for code, label in pairs})


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _joined_names(field_name: str, name: str, *order: str) -> str:
    """The `; `-joined `name`s of one many-to-many list of the profile `p`, sorted by the
    `order` expressions over the through row `m` and the named row `r`, then by name, as
    `iter_rows` sorts them; NULL when the list is empty."""
    field = Profile._meta.get_field(field_name)
    through = field.remote_field.through._meta
    by = ", ".join([*order, f"r.{_quote(name)}"])
    return (
        f"(SELECT string_agg(r.{_quote(name)}, '{LIST_SEPARATOR}' ORDER BY {by})"  # noqa: S608 - our identifiers
        f" FROM {_quote(through.db_table)} m"
        f" JOIN {_quote(field.related_model._meta.db_table)} r"
        f" ON r.id = m.{_quote(field.m2m_reverse_name())}"
        f" WHERE m.{_quote(field.m2m_column_name())} = p.{_quote(Profile._meta.pk.column)})"
    )


def export_lists_sql(where: str) -> str:
    """INSERT ... ON CONFLICT writing the MemberExportLists row of every profile `p`
    matching the SQL condition `where` (with its own parameters, if any): one statement,
    the lists gathered by PostgreSQL, so its sort order is the ORM's (`iter_rows`)."""
    from .models import MemberExportLists

    languages = []
    for language in LIST_LANGUAGES:
        name = f"name_{language}"
        cells = [
            _joined_names("sectors", name, "NOT m.is_primary", 'r."order"'),
            _joined_names("expertise", "name"),
            _joined_names("contributions", name),
            _joined_names("languages", name),
        ]
        languages.append(f"'{language}', jsonb_build_array({', '.join(cells)})")
    table = _quote(MemberExportLists._meta.db_table)
    pk = _quote(Profile._meta.pk.column)
    return (
        f"INSERT INTO {table} (profile_id, cells)"  # noqa: S608 - our identifiers
        f" SELECT p.{pk}, jsonb_build_object({', '.join(languages)})"
        f" FROM {_quote(Profile._meta.db_table)} p WHERE {where}"
        " ON CONFLICT (profile_id) DO UPDATE SET cells = EXCLUDED.cells"
    )


def refresh_export_lists(profile_ids) -> int:
    """Write the export lists of these profiles (ids, or a queryset of profile ids);
    PostgreSQL only (the Python export gathers its lists itself). Returns the rows
    written."""
    if connection.vendor != "postgresql":
        return 0
    if hasattr(profile_ids, "query"):
        ids_sql, params = profile_ids.query.sql_with_params()
    else:
        ids = list(profile_ids)
        if not ids:
            return 0
        ids_sql, params = "SELECT unnest(%s::bigint[])", [ids]
    pk = _quote(Profile._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(export_lists_sql(f"p.{pk} IN ({ids_sql})"), params)
        return cursor.rowcount


def copy_sql(queryset) -> tuple[str, list]:
    """The COPY statement (with its parameters) writing, in the active language, what
    `iter_rows` writes: the same rows, cells, labels, order and neutralisation.

    The rows are those of `queryset`, the search's filtered, contactable-only queryset:
    its own SQL (one row per index row, i.e. per profile) is the FROM, nothing is
    filtered again here. Empty cells are NULL, which COPY leaves bare as the csv module
    does (it would quote an empty string)."""
    from django_countries import countries

    from .models import MemberExportLists

    pk = _quote(Profile._meta.pk.column)  # a profile's key is its user's
    user_table = Profile._meta.get_field("user").related_model._meta.db_table
    result_sql, result_params = queryset.order_by().values("profile_id").query.sql_with_params()

    def cell(column):
        return f"NULLIF({csv_safe_sql(column)}, '')"

    columns = [
        cell("p.given_names"),
        cell("p.paternal_surname"),
        cell("p.maternal_surname"),
        cell("u.email"),
        cell("p.headline"),
        # An unknown country code is written as it is, like `iter_rows` does.
        f"NULLIF(COALESCE(%s::jsonb ->> p.country, {csv_safe_sql('p.country')}), '')",
        cell("p.city"),
        "%s::jsonb ->> p.state_of_origin",
        "%s::jsonb ->> p.education_level",
        # The lists as MemberExportLists holds them (the primary sector first).
        *(cell(f"(lists.cells -> '{_list_language()}' ->> {n})") for n in range(4)),
        "CASE WHEN p.willing_to_travel THEN %s ELSE %s END",
        # An ISO date starts with a digit: nothing for csv_safe to do.
        "to_char(p.updated_at AT TIME ZONE %s, 'YYYY-MM-DD')",
    ]
    select = (
        f"SELECT {', '.join(columns)}"  # noqa: S608 - our identifiers, the compiled queryset
        f" FROM ({result_sql}) AS result"
        f" JOIN {_quote(Profile._meta.db_table)} p ON p.{pk} = result.profile_id"
        f" JOIN {_quote(user_table)} u ON u.id = p.{pk}"
        f" LEFT JOIN {_quote(MemberExportLists._meta.db_table)} lists"
        f" ON lists.profile_id = p.{pk}"
        f" ORDER BY result.profile_id"
    )
    params = [
        _labels(countries),
        _labels(MexicanState.choices),
        _labels(EducationLevel.choices),
        csv_safe(_("Sí")),
        csv_safe(_("No")),
        timezone.get_current_timezone_name(),
        *result_params,
    ]
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params


def _copy_chunks(queryset):
    """The CSV as PostgreSQL writes it (`copy_sql`): (bytes, rows) per chunk of CHUNK_ROWS
    lines, the header first. Lines end in LF, as COPY writes them.

    libpq hands over one row per read (PQgetCopyData), however many newlines its quoted
    cells hold, so counting reads counts rows. If the download stops half way (the
    generator is closed), psycopg cancels the COPY and drains what was sent, and the
    transaction (a savepoint when inside another) is rolled back: the connection is
    left idle and usable."""
    sql, params = copy_sql(queryset)
    yield (BOM + csv.writer(_Echo(), lineterminator="\n").writerow(header())).encode(), 0
    with connection.wrap_database_errors, transaction.atomic(), connection.cursor() as cursor:
        # A large export's estimate passes jit_above_cost: JIT compiling cost seconds
        # per export on the bench and speeds up nothing in a plan of joins on keys.
        cursor.execute("SET LOCAL jit = off")
        with cursor.copy(sql, params) as copy:
            rows = []
            for row in copy:
                rows.append(row)
                if len(rows) == CHUNK_ROWS:
                    yield b"".join(rows), len(rows)
                    rows = []
            if rows:
                yield b"".join(rows), len(rows)


def _python_chunks(queryset):
    """The same CSV from `iter_rows` and the csv module (lines end in CRLF), for SQLite."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow(header())).encode(), 0
    lines = []
    for row in iter_rows(queryset):
        lines.append(writer.writerow(row))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines).encode(), len(lines)
            lines = []
    if lines:
        yield "".join(lines).encode(), len(lines)


def csv_stream(queryset, *, on_done, language):
    """The CSV, UTF-8 with a BOM, in chunks of CHUNK_ROWS lines (one write to the socket
    per chunk, not per line); `on_done(n)` gets the number of rows sent, also when the
    download stops half way.

    It runs after the view has returned, so it sets its own language."""
    chunks = _copy_chunks if connection.vendor == "postgresql" else _python_chunks
    count = 0
    try:
        # closing(): a download stopped half way ends the COPY (and its transaction)
        # here, before on_done writes on the same connection.
        with translation.override(language), closing(chunks(queryset)) as stream:
            for chunk, rows in stream:
                count += rows
                yield chunk
    finally:
        on_done(count)


def xlsx_file(queryset):
    """Write the workbook in write-only mode to a temporary file; returns (file, row count)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Miembros")[:31])
    sheet.append(header())
    count = 0
    for row in iter_rows(queryset):
        count += 1
        sheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    workbook.save(handle)
    handle.seek(0)
    return handle, count
