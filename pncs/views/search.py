"""The coordinators' member search, a member's page as PNCS may see it, and the exports."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_countries import countries

from core.access import is_ime_staff
from core.forms_cache import form_html, query_pairs
from core.replica import replica_reads
from core.spreadsheets import csv_response
from members import messages as member_messages
from members.choices import EducationLevel
from members.models import Profile, ProfileView
from members.services import record_read

from ..access import coordinator_required
from ..exports import (
    ERROR_LABELS,
    INVALID_SEARCH_MESSAGE,
    QUEUED_MESSAGE,
    csv_stream,
    exceeds_sync_limit,
    exports_storage,
    link_hours,
    request_export,
    sync_max_rows,
    xlsx_file,
)
from ..filters import SHORT_LISTS, MemberSearchFilter
from ..models import MemberExport, SearchAudit
from ..search import SearchResult, base_queryset, index_queryset, run_search
from ..services import finish_audit, record_audit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MY_EXPORTS_SHOWN = 20
FACET_LIMIT = 12
FACETS = ("sector", "country", "education")


def _filterset(request):
    """The filters of an export: over `base_queryset`, checked against the members' own
    tables in the export's query."""
    return MemberSearchFilter(request.GET, queryset=base_queryset())


def _refused(request):
    """An export of a search the form refuses (tampered or invalid values) exports nothing
    and audits nothing: back to the search, which shows what to correct, with a message
    saying why nothing was exported."""
    messages.error(request, INVALID_SEARCH_MESSAGE)
    return redirect(f"{reverse('pncs:search')}?{request.GET.urlencode()}")


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _facet_links(base: list, name, counts, labels):
    """Each facet value with its count and a link narrowing the current search to it
    (`base`: the current query's pairs without the page)."""
    kept = [item for item in counts.items() if item[0] in labels]
    kept.sort(key=lambda item: (-item[1], str(item[0])))
    others = [(key, value) for key, value in base if key != name]
    return [
        {"label": labels[value], "count": n, "query": urlencode([*others, (name, value)])}
        for value, n in kept[:FACET_LIMIT]
    ]


@never_cache
@coordinator_required
@replica_reads
def member_search(request):
    """Search the members who allowed PNCS contact; every search is audited. A search the
    form refuses (a text too long, an unknown country) shows why, and no result."""
    filterset = MemberSearchFilter(request.GET, queryset=index_queryset())
    if filterset.is_valid():
        result = run_search(
            filterset.filtered,
            sort=filterset.sort_order,
            page=_page_number(request),
            text=filterset.text,
            viewer=request.user,
        )
        record_audit(
            user=request.user,
            action=SearchAudit.Action.SEARCH,
            filters=filterset.applied(),
            row_count=result.count,
            capped=result.capped,
        )
    else:
        result = SearchResult(rows=[], count=0, capped=False, page=1, has_next=False)
    # Names of the countries on the page only (~250 translated names sorted per request
    # otherwise).
    shown_countries = {row.country for row in result.rows} | set(result.facets.get("country", {}))
    labels = {
        "sector": dict(filterset.form.fields["sector"].choices),
        "country": {code: countries.name(code) for code in shown_countries if code in countries},
        "education": dict(EducationLevel.choices),
    }
    base = query_pairs(request.GET)
    facets = {
        name: _facet_links(base, name, result.facets.get(name, {}), labels[name]) for name in FACETS
    }
    for row in result.rows:  # primary sector first
        row.country_name = labels["country"].get(row.country, "")
        row.education_name = labels["education"].get(row.education_level, "")
        row.sector_names = [
            labels["sector"][slug]
            for slug in sorted(row.sectors, key=row.sectors.get)
            if slug in labels["sector"]
        ]
    return render(
        request,
        "pncs/member_search.html",
        {
            "filter": filterset,
            "form": filterset.form,
            # ~130 options: more CPU than the search itself, so rendered once per query.
            "search_form": form_html(
                filterset.form,
                template="pncs/member_search.html#search-form",
                query=request.GET,
                dynamic=SHORT_LISTS,
            ),
            "result": result,
            "facets": facets,
            "query": urlencode(base),
        },
    )


@never_cache
@coordinator_required
def member_detail(request, pk):
    """What the member allowed PNCS to see (everything for IME staff); daily cap, audited."""
    profile = get_object_or_404(
        Profile.objects.contactable_by_pncs()
        .select_related("user")
        .prefetch_related("profile_sectors__sector", "expertise", "contributions", "languages"),
        pk=pk,
    )
    # A read of one member's data: counted against the reader's daily cap of these pages
    # and logged (who, when, which member), one rule with the directory and profiles.
    if not record_read(reader=request.user, kind=ProfileView.Kind.PNCS_MEMBER, profile_id=pk):
        return render(
            request,
            "members/profile_limit.html",
            {
                "message": member_messages.PNCS_MEMBER_CAP_REACHED,
                "back_url": reverse("pncs:search"),
                "back_label": _("Volver a la búsqueda"),
            },
            status=429,
        )
    full = is_ime_staff(request.user) or profile.directory_visibility in (
        Profile.Visibility.MEMBERS,
        Profile.Visibility.PNCS,
    )
    return render(request, "pncs/member_detail.html", {"profile": profile, "full": full})


def _filename(extension):
    return f"miembros-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def _export(request, format):
    """The current search as a file: refused when the search is invalid (nothing is
    exported, nothing audited: the coordinator corrects it on the search page); up to a
    page's worth streamed in this request; more written by a worker (pncs.exports), the
    coordinator sent to their exports page. Audited either way with the filters applied."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _refused(request)
    filters = filterset.applied()
    queryset = filterset.qs
    if exceeds_sync_limit(queryset):
        request_export(
            user=request.user,
            format=format,
            query=request.GET.urlencode(),
            filters=filters,
            language=translation.get_language(),
        )
        messages.success(
            request, QUEUED_MESSAGE % {"n": f"{sync_max_rows():,}", "hours": link_hours()}
        )
        return redirect("pncs:exports")
    if format == MemberExport.Format.CSV:
        return _stream_csv(request, queryset, filters)
    return _send_xlsx(request, queryset, filters)


def _stream_csv(request, queryset, filters):
    audit = record_audit(
        user=request.user,
        action=SearchAudit.Action.EXPORT_CSV,
        filters=filters,
        row_count=None,
    )
    stream = csv_stream(
        queryset,
        on_done=lambda n: finish_audit(audit_id=audit.pk, row_count=n),
        language=translation.get_language(),
    )
    return csv_response(stream, filename=_filename("csv"))


def _send_xlsx(request, queryset, filters):
    handle, count = xlsx_file(queryset)
    record_audit(
        user=request.user,
        action=SearchAudit.Action.EXPORT_XLSX,
        filters=filters,
        row_count=count,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type=XLSX_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@coordinator_required
@replica_reads
def export_csv(request):
    """The current result as CSV (UTF-8 with BOM): streamed (COPY) up to a page's worth,
    else written by a worker; audited with its filters and row count."""
    return _export(request, MemberExport.Format.CSV)


@never_cache
@coordinator_required
@replica_reads
def export_xlsx(request):
    """The current result as XLSX (XlsxWriter in constant-memory mode, flat memory): in the request
    up to a page's worth, else written by a worker; audited with its filters and rows."""
    return _export(request, MemberExport.Format.XLSX)


def _filter_summary(filters: dict) -> list[tuple[str, str]]:
    """(label, values) of the filters an export applied, for the coordinator's list."""
    declared = MemberSearchFilter(queryset=Profile.objects.none()).filters
    summary = []
    for name, value in filters.items():
        label = getattr(declared.get(name), "label", None) or name
        values = value if isinstance(value, list) else [value]
        summary.append((str(label), ", ".join(str(v) for v in values)))
    return summary


@never_cache
@coordinator_required
def my_exports(request):
    """The exports this coordinator asked for (their own only), newest first, with their
    state and, while it lasts, the link to download each one."""
    now = timezone.now()
    exports = list(MemberExport.objects.of_user(request.user)[:MY_EXPORTS_SHOWN])
    for export in exports:
        export.summary = _filter_summary(export.filters)
        export.expired_now = export.is_expired(now)
        export.downloadable = export.status == MemberExport.Status.READY and not export.expired_now
        export.error_label = ERROR_LABELS.get(export.error, "")
    return render(
        request,
        "pncs/my_exports.html",
        {"exports": exports, "hours": link_hours(), "shown": MY_EXPORTS_SHOWN},
    )


@never_cache
@coordinator_required
def export_download(request, public_id):
    """The file of a written export: only for the coordinator who asked (anyone else gets
    404, even IME staff), with their second factor (coordinator_required), until it
    expires (then 410 Gone: the file is deleted)."""
    export = get_object_or_404(MemberExport.objects.of_user(request.user), public_id=public_id)
    if export.is_expired():
        return render(request, "pncs/export_gone.html", {"export": export}, status=410)
    if export.status != MemberExport.Status.READY or not export.file_name:
        raise Http404
    try:
        handle = exports_storage().open(export.file_name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    MemberExport.objects.filter(pk=export.pk).update(
        downloads=F("downloads") + 1, last_downloaded_at=timezone.now()
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=XLSX_TYPE if export.format == MemberExport.Format.XLSX else "text/csv",
    )
    response["Cache-Control"] = "no-store"
    return response
