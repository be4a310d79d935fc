"""The coordinators' member search, a member's page as PNCS may see it, and the exports."""

from urllib.parse import urlencode

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django_countries import countries

from members.access import is_ime_staff
from members.choices import EducationLevel
from members.models import Profile

from ..access import coordinator_required
from ..exports import csv_stream, xlsx_file
from ..filters import MemberSearchFilter
from ..models import SearchAudit
from ..search import SearchResult, base_queryset, index_queryset, run_search
from ..services import finish_audit, record_audit

FACET_LIMIT = 12
FACETS = ("sector", "country", "education")


def _filterset(request):
    """The filters of an export: over `base_queryset`, checked against the members' own
    tables in the export's query."""
    return MemberSearchFilter(request.GET, queryset=base_queryset())


def _refused(request):
    """An export of a search the form refuses (tampered or invalid values) exports nothing:
    back to the search, which shows what to correct."""
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
    labels = {
        "sector": dict(filterset.form.fields["sector"].choices),
        "country": dict(countries),
        "education": dict(EducationLevel.choices),
    }
    base = [(key, v) for key, values in request.GET.lists() if key != "page" for v in values]
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
            "result": result,
            "facets": facets,
            "query": urlencode(base),
        },
    )


@never_cache
@coordinator_required
def member_detail(request, pk):
    """What the member allowed PNCS to see (everything for IME staff)."""
    profile = get_object_or_404(
        Profile.objects.contactable_by_pncs()
        .select_related("user")
        .prefetch_related("profile_sectors__sector", "expertise", "contributions", "languages"),
        pk=pk,
    )
    full = is_ime_staff(request.user) or profile.directory_visibility in (
        Profile.Visibility.MEMBERS,
        Profile.Visibility.PNCS,
    )
    return render(request, "pncs/member_detail.html", {"profile": profile, "full": full})


def _filename(extension):
    return f"miembros-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@never_cache
@coordinator_required
def export_csv(request):
    """The current result as CSV (UTF-8 with BOM), streamed; audited with its row count."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _refused(request)
    audit = record_audit(
        user=request.user,
        action=SearchAudit.Action.EXPORT_CSV,
        filters=filterset.applied(),
        row_count=None,
    )
    stream = csv_stream(
        filterset.qs,
        on_done=lambda n: finish_audit(audit_id=audit.pk, row_count=n),
        language=translation.get_language(),
    )
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@coordinator_required
def export_xlsx(request):
    """The current result as XLSX (openpyxl write-only mode, flat memory); audited."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _refused(request)
    handle, count = xlsx_file(filterset.qs)
    record_audit(
        user=request.user,
        action=SearchAudit.Action.EXPORT_XLSX,
        filters=filterset.applied(),
        row_count=count,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
