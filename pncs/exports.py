"""Exports of a search result: an explicit allow-list of fields, formula injection
neutralised, flat memory however many rows match.

On PostgreSQL the CSV is written by the database itself (`COPY (SELECT ...) TO STDOUT`),
streamed block by block into the response or into a file: several times the rows per
second of building each line in Python (`make bench`). Its four list cells (sectors,
expertise, contributions, languages) are aggregated once per list for the exported
members. The XLSX is written from the same SELECT (COPY in text format into XlsxWriter):
one source of the cells for both files.

A request streams a page's worth (`sync_max_rows()`); a larger export is a
`MemberExport` written by a worker (`write_export`, pncs.tasks) into private storage and
downloaded by the coordinator who asked, within `link_hours()` hours.
"""

import csv
import json
import logging
import tempfile
from contextlib import closing, contextmanager
from datetime import timedelta

import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import InterfaceError, OperationalError, connection, connections, router, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as KombuOperationalError

from core.emails import render_subject
from core.replica import heavy_reads
from core.spreadsheets import Echo, csv_safe, csv_safe_sql
from members.choices import EducationLevel, MexicanState
from members.models import Profile
from members.services import queue_email_to_user

from .services import finish_audit, record_audit

logger = logging.getLogger(__name__)

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


def _list_language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "es"


def _labels(pairs) -> str:
    """{code: label} in the active language, each label already through csv_safe, as
    JSON: a parameter of the COPY."""
    return json.dumps({str(code): csv_safe(str(label)) for code, label in pairs})


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# The four list cells, in column order: (Profile many-to-many field, name column of the
# listed row ("{lang}" is the active language), sort keys before the name).
LIST_CELLS = (
    ("sectors", "name_{lang}", ("NOT m.is_primary", 'r."order"')),
    ("expertise", "name", ()),
    ("contributions", "name_{lang}", ()),
    ("languages", "name_{lang}", ()),
)


def _list_cells_sql(field_name: str, name: str, order) -> str:
    """(profile id, the `; `-joined names) of every member of the export holding one
    of this list, sectors by primary first then the sectors' order, the rest by name: one aggregate over the list's table,
    restricted to the exported members (the `result` of `copy_sql`), joined to them by a
    hash join instead of one subquery per row."""
    field = Profile._meta.get_field(field_name)
    through = field.remote_field.through._meta
    profile_column = _quote(field.m2m_column_name())
    by = ", ".join([*order, f"r.{_quote(name)}"])
    return (
        f"SELECT m.{profile_column} AS profile_id,"  # noqa: S608 - our identifiers
        f" string_agg(r.{_quote(name)}, '{LIST_SEPARATOR}' ORDER BY {by}) AS cell"
        f" FROM {_quote(through.db_table)} m"
        f" JOIN {_quote(field.related_model._meta.db_table)} r"
        f" ON r.id = m.{_quote(field.m2m_reverse_name())}"
        f" WHERE m.{profile_column} IN (SELECT profile_id FROM result)"
        f" GROUP BY m.{profile_column}"
    )


def select_sql(queryset) -> tuple[str, list]:
    """The SELECT (with its parameters) of the export's rows in the active language: the
    cells of `header()`, labels resolved and every cell neutralised (csv_safe_sql); both
    files are written from it (`copy_sql` for the CSV, `_copied_rows` for the XLSX).

    The rows are those of `queryset`, the search's filtered, contactable-only queryset:
    its own SQL (one row per index row, i.e. per profile) is the `result`, nothing is
    filtered again here. The four lists are aggregated once per list for the exported
    members, not looked up row by row. Empty cells are NULL, which COPY leaves bare as
    the csv module does (it would quote an empty string)."""
    from django_countries import countries

    pk = _quote(Profile._meta.pk.column)  # a profile's key is its user's
    user_table = Profile._meta.get_field("user").related_model._meta.db_table
    result_sql, result_params = queryset.order_by().values("profile_id").query.sql_with_params()
    language = _list_language()
    lists = [
        (f"list{n}", _list_cells_sql(field, name.format(lang=language), order))
        for n, (field, name, order) in enumerate(LIST_CELLS)
    ]

    def cell(column):
        return f"NULLIF({csv_safe_sql(column)}, '')"

    columns = [
        cell("p.given_names"),
        cell("p.paternal_surname"),
        cell("p.maternal_surname"),
        cell("u.email"),
        cell("p.headline"),
        # An unknown country code is written as it is.
        f"NULLIF(COALESCE(%s::jsonb ->> p.country, {csv_safe_sql('p.country')}), '')",
        cell("p.city"),
        "%s::jsonb ->> p.state_of_origin",
        "%s::jsonb ->> p.education_level",
        *(cell(f"{alias}.cell") for alias, _sql in lists),
        "CASE WHEN p.willing_to_travel THEN %s ELSE %s END",
        # An ISO date starts with a digit: nothing for csv_safe to do.
        "to_char(p.updated_at AT TIME ZONE %s, 'YYYY-MM-DD')",
    ]
    ctes = ", ".join(
        [f"result AS MATERIALIZED ({result_sql})"] + [f"{alias} AS ({sql})" for alias, sql in lists]
    )
    joins = "".join(f" LEFT JOIN {alias} ON {alias}.profile_id = p.{pk}" for alias, _sql in lists)
    select = (
        f"WITH {ctes}"  # noqa: S608 - our identifiers, the compiled queryset
        f" SELECT {', '.join(columns)}"
        f" FROM result"
        f" JOIN {_quote(Profile._meta.db_table)} p ON p.{pk} = result.profile_id"
        f" JOIN {_quote(user_table)} u ON u.id = p.{pk}"
        f"{joins}"
        f" ORDER BY result.profile_id"
    )
    params = [
        *result_params,
        _labels(countries),
        _labels(MexicanState.choices),
        _labels(EducationLevel.choices),
        csv_safe(_("Sí")),
        csv_safe(_("No")),
        timezone.get_current_timezone_name(),
    ]
    return select, params


def copy_sql(queryset) -> tuple[str, list]:
    """The COPY statement (with its parameters) writing the export as CSV."""
    select, params = select_sql(queryset)
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params


@contextmanager
def _reading_cursor():
    """A cursor, in a transaction, on the database the export reads: the read replica
    inside `heavy_reads()` when one is configured and healthy (core.replica; the worker's
    exports, `write_export`), the primary otherwise. Raw SQL is not routed by itself."""
    using = router.db_for_read(Profile)
    conn = connections[using]
    with conn.wrap_database_errors, transaction.atomic(using=using), conn.cursor() as cursor:
        yield cursor


def _copied_rows(queryset):
    """The export's rows as lists of strings ("" for an empty cell), read from the same
    SELECT by COPY in text format: PostgreSQL formats every cell, Python only hands the
    strings on (several times the rows per second of building the rows with the ORM)."""
    select, params = select_sql(queryset)
    columns = len(header())
    with _reading_cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as in _copy_chunks
        with cursor.copy(f"COPY ({select}) TO STDOUT", params) as copy:
            copy.set_types(["text"] * columns)
            for row in copy.rows():
                yield ["" if cell is None else cell for cell in row]


def _copy_chunks(queryset):
    """The CSV as PostgreSQL writes it (`copy_sql`): (bytes, rows) per chunk of CHUNK_ROWS
    lines, the header first. Lines end in LF, as COPY writes them.

    libpq hands over one row per read (PQgetCopyData), however many newlines its quoted
    cells hold, so counting reads counts rows. If the download stops half way (the
    generator is closed), psycopg cancels the COPY and drains what was sent, and the
    transaction (a savepoint when inside another) is rolled back: the connection is
    left idle and usable."""
    sql, params = copy_sql(queryset)
    yield (BOM + csv.writer(Echo(), lineterminator="\n").writerow(header())).encode(), 0
    with _reading_cursor() as cursor:
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


def csv_stream(queryset, *, on_done, language):
    """The CSV, UTF-8 with a BOM, in chunks of CHUNK_ROWS lines (one write to the socket
    per chunk, not per line); `on_done(n)` gets the number of rows sent, also when the
    download stops half way.

    It runs after the view has returned, so it sets its own language."""
    count = 0
    try:
        # closing(): a download stopped half way ends the COPY (and its transaction)
        # here, before on_done writes on the same connection.
        with translation.override(language), closing(_copy_chunks(queryset)) as stream:
            for chunk, rows in stream:
                count += rows
                yield chunk
    finally:
        on_done(count)


def write_csv(queryset, handle) -> int:
    """Write the CSV of `queryset` (as `csv_stream` sends it) into the binary file
    `handle`, chunk by chunk; returns the number of rows."""
    count = 0
    with closing(_copy_chunks(queryset)) as stream:
        for chunk, rows in stream:
            handle.write(chunk)
            count += rows
    return count


# Every cell is text as the member wrote it: never read as a formula, a number or a link.
XLSX_OPTIONS = {
    "constant_memory": True,  # each row goes to a temporary file once written
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def write_xlsx(queryset, handle) -> int:
    """Write the workbook of `queryset` into the binary file `handle`: XlsxWriter in
    constant-memory mode fed by the export's COPY (`_copied_rows`), so memory stays flat
    however many rows; returns the number of rows."""
    workbook = xlsxwriter.Workbook(handle, XLSX_OPTIONS)
    sheet = workbook.add_worksheet(_("Miembros")[:31])
    sheet.write_row(0, 0, header())
    count = 0
    for count, row in enumerate(_copied_rows(queryset), start=1):
        sheet.write_row(count, 0, row)
    workbook.close()
    return count


def xlsx_file(queryset):
    """The workbook in a temporary file, ready to send; returns (file, row count)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    count = write_xlsx(queryset, handle)
    handle.seek(0)
    return handle, count


# --- Exports written by a worker -----------------------------------------------------------

INVALID_SEARCH_MESSAGE = gettext_lazy(
    "No exportamos nada: la búsqueda tiene errores. Corrígela y vuelve a exportar."
)
QUEUED_MESSAGE = gettext_lazy(
    "Preparamos tu exportación de más de %(n)s filas. Te avisaremos por correo cuando esté "
    "lista; la descargas desde «Mis exportaciones» durante %(hours)s horas."
)
ERROR_SEARCH_CHANGED = "search-changed"
ERROR_FAILED = "failed"
ERROR_TOO_LONG = "too-long"
ERROR_LABELS = {
    ERROR_SEARCH_CHANGED: gettext_lazy(
        "La búsqueda cambió desde que la pediste (un filtro ya no existe): vuelve a exportar."
    ),
    ERROR_FAILED: gettext_lazy("No pudimos generarla. Vuelve a intentarlo más tarde."),
    ERROR_TOO_LONG: gettext_lazy("Tardó demasiado. Afina la búsqueda y vuelve a exportar."),
}
MAX_ATTEMPTS = 3


def sync_max_rows() -> int:
    """The most rows an export streams inside the request; more are written by a worker."""
    return int(getattr(settings, "PNCS_EXPORT_SYNC_MAX_ROWS", 5000))


def link_hours() -> int:
    """How long a written export can be downloaded before its file is deleted."""
    return int(getattr(settings, "PNCS_EXPORT_LINK_HOURS", 24))


def stuck_after() -> timedelta:
    """How long a written export may stay queued or running before the sweeper acts:
    longer than the task's time limit, so a live worker is never second-guessed."""
    return timedelta(seconds=int(getattr(settings, "PNCS_EXPORT_STUCK_AFTER", 900)))


def exports_storage():
    """Where written exports live (settings.STORAGES["exports"]): never a public URL."""
    return storages["exports"]


def exceeds_sync_limit(queryset) -> bool:
    """Whether `queryset` has more rows than a request streams (counted up to the limit
    plus one: never a COUNT over every match)."""
    limit = sync_max_rows()
    return queryset.order_by().values("pk")[: limit + 1].count() > limit


def request_export(*, user, format: str, query: str, filters: dict, language: str):
    """Queue an export for a worker: the MemberExport row and its audit row (who, when,
    which filters; the rows once written) in one transaction, the task enqueued after
    commit. With the broker down the row waits: the sweeper enqueues it later."""
    from .models import MemberExport, SearchAudit

    action = {
        MemberExport.Format.CSV: SearchAudit.Action.EXPORT_CSV,
        MemberExport.Format.XLSX: SearchAudit.Action.EXPORT_XLSX,
    }[format]
    with transaction.atomic():
        audit = record_audit(user=user, action=action, filters=filters, row_count=None)
        export = MemberExport.objects.create(
            user=user,
            format=format,
            query=query,
            filters=filters,
            language=language,
            audit=audit,
        )
        export_id = export.pk
        transaction.on_commit(lambda: enqueue_export(export_id=export_id))
    return export


def enqueue_export(*, export_id: int) -> bool:
    """Hand a queued export to the broker; False (logged) when it is unreachable."""
    from .models import MemberExport
    from .tasks import write_export_task

    try:
        write_export_task.apply_async(args=[export_id])
    except KombuOperationalError:
        logger.warning("broker unavailable: export %s waits in the queue", export_id)
        return False
    MemberExport.objects.filter(pk=export_id, status=MemberExport.Status.QUEUED).update(
        enqueued_at=timezone.now()
    )
    return True


def write_export(*, export_id: int) -> int | None:
    """Write a queued export into the exports storage: claimed first (queued → running,
    one conditional UPDATE, so a task delivered twice writes it once), the search rebuilt
    from the query the coordinator sent and refused when it no longer applies the same
    filters (a filter value that vanished would widen it), then the file written with
    flat memory (CSV by COPY, XLSX by XlsxWriter in constant-memory mode), the export made ready
    for `link_hours()` and the audit completed with the row count. The coordinator is told
    by email. Returns the row count (None when there was nothing to do)."""
    from .filters import MemberSearchFilter
    from .models import MemberExport
    from .search import base_queryset

    claimed = MemberExport.objects.filter(
        pk=export_id, status=MemberExport.Status.QUEUED, attempts__lt=MAX_ATTEMPTS
    ).update(
        status=MemberExport.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    export = MemberExport.objects.select_related("user").get(pk=export_id)
    storage = exports_storage()
    stored = ""
    try:
        # The search's reads (the filters' choices, the rows) may come from the read
        # replica, which is at most DATABASE_REPLICA_MAX_LAG seconds behind; the export's
        # own row is claimed and completed on the primary, outside this block.
        with translation.override(export.language), heavy_reads():
            filterset = MemberSearchFilter(QueryDict(export.query), queryset=base_queryset())
            if not filterset.is_valid() or filterset.applied() != export.filters:
                _fail(export_id, ERROR_SEARCH_CHANGED)
                return None
            write = write_csv if export.format == MemberExport.Format.CSV else write_xlsx
            with tempfile.TemporaryFile() as handle:
                count = write(filterset.qs, handle)
                handle.seek(0)
                stored = storage.save(f"{export.public_id}.{export.format}", File(handle))
        now = timezone.now()
        with transaction.atomic():
            ready = MemberExport.objects.filter(
                pk=export_id, status=MemberExport.Status.RUNNING
            ).update(
                status=MemberExport.Status.READY,
                row_count=count,
                file_name=stored,
                error="",
                finished_at=now,
                expires_at=now + timedelta(hours=link_hours()),
            )
            if not ready:  # the sweeper gave up on it meanwhile: keep nothing
                storage.delete(stored)
                return None
            if export.audit_id:
                finish_audit(audit_id=export.audit_id, row_count=count)
            transaction.on_commit(lambda: _tell_ready(export_id))
    except (OperationalError, InterfaceError):
        # The database went away: the task retries (the row back in the queue first; if
        # that fails too, the sweeper puts it back once it is stuck).
        if stored:
            storage.delete(stored)
        MemberExport.objects.filter(pk=export_id, status=MemberExport.Status.RUNNING).update(
            status=MemberExport.Status.QUEUED
        )
        raise
    except Exception:
        logger.exception("export %s failed", export_id)
        if stored:
            storage.delete(stored)
        _fail(export_id, ERROR_FAILED)
        raise
    logger.info("export %s written: %s rows", export_id, count)
    return count


def _fail(export_id: int, error: str) -> None:
    from .models import MemberExport

    MemberExport.objects.filter(
        pk=export_id, status__in=[MemberExport.Status.QUEUED, MemberExport.Status.RUNNING]
    ).update(status=MemberExport.Status.FAILED, error=error, finished_at=timezone.now())


def _tell_ready(export_id: int) -> None:
    """Email the coordinator that their export is ready (a link to their exports page,
    never to the file, and nothing about the members in it)."""
    from django.urls import reverse

    from .models import MemberExport

    export = MemberExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != MemberExport.Status.READY:
        return

    def context():
        return {
            "export": export,
            "url": settings.SITE_URL + reverse("pncs:exports"),
            "expires_at": timezone.localtime(export.expires_at),
        }

    queue_email_to_user(
        user=export.user,
        subject=lambda: render_subject("pncs/email/export_ready_subject.txt", context()),
        template="pncs/email/export_ready_body.txt",
        context=context,
    )


def sweep_exports(*, now=None) -> dict:
    """The periodic pass (Celery beat): delete the files of expired exports, put exports
    stuck in a dead worker back in the queue (or fail them after MAX_ATTEMPTS), and
    enqueue the queued ones the broker never took. Returns what it did."""
    from .models import MemberExport

    now = now or timezone.now()
    storage = exports_storage()
    expired = 0
    for export_id, name in MemberExport.objects.due_to_expire(now).values_list("pk", "file_name"):
        if name:
            storage.delete(name)
        expired += MemberExport.objects.filter(
            pk=export_id, status=MemberExport.Status.READY
        ).update(status=MemberExport.Status.EXPIRED, file_name="")
    stale = now - stuck_after()
    running = MemberExport.objects.filter(status=MemberExport.Status.RUNNING, started_at__lt=stale)
    failed = running.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=MemberExport.Status.FAILED, error=ERROR_TOO_LONG, finished_at=now
    )
    requeued = running.update(status=MemberExport.Status.QUEUED, enqueued_at=None)
    waiting = MemberExport.objects.filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale),
        status=MemberExport.Status.QUEUED,
    ).values_list("pk", flat=True)
    enqueued = sum(enqueue_export(export_id=pk) for pk in list(waiting))
    return {"expired": expired, "failed": failed, "requeued": requeued, "enqueued": enqueued}
