"""The coordinator's pipeline of their sector (issue 20): requests → invitations →
engagements → outcomes, filtered; its CSV export, audited like the member exports
(pncs.services.record_audit); and the yearly report of each PNCS as PDF and CSV. Only
coordinators of an active PNCS and IME staff, with their second factor."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache

from core.spreadsheets import csv_response, download
from pncs.models import Pncs, SearchAudit
from pncs.services import finish_audit, record_audit

from . import pipeline, report
from .forms import PipelineFilterForm
from .views import PAGE_SIZE, reviewer_required


def _filtered(request):
    form = PipelineFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, data


@never_cache
@reviewer_required
def pipeline_view(request):
    """Requests → invitations → engagements → outcomes of the coordinator's sectors, with
    the engagements listed (a fixed number of queries whatever the rows)."""
    form, data = _filtered(request)
    invalid = form.is_bound and not form.is_valid()
    engagements = pipeline.engagements_for(request.user, data)
    if invalid:
        engagements = engagements.none()
    page = Paginator(
        pipeline.for_table(engagements).order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "counterparts/pipeline.html",
        {
            "form": form,
            "stages": pipeline.stages(pipeline.funnel(request.user, data)),
            "page": page,
            "query": query.urlencode(),
            "points": Pncs.objects.coordinated_by(request.user)
            .select_related("sector")
            .order_by("sector__order"),
            "years": report.report_years(),
        },
    )


@never_cache
@reviewer_required
def pipeline_export(request):
    """The filtered engagements as CSV, streamed; who, when, which filters and how many rows
    go to the audit log (no personal data in it)."""
    form, data = _filtered(request)
    if form.is_bound and not form.is_valid():
        raise Http404
    queryset = pipeline.engagements_for(request.user, data)
    audit = record_audit(
        user=request.user,
        action=SearchAudit.Action.EXPORT_CSV,
        filters=form.audit_filters() if form.is_bound else {"export": "engagement_pipeline"},
        row_count=None,
    )
    language = translation.get_language()

    def stream():
        # The response is consumed after the view returns: the language is set again.
        with translation.override(language):
            yield from pipeline.csv_stream(
                queryset, on_done=lambda n: finish_audit(audit_id=audit.pk, row_count=n)
            )

    stamp = timezone.localdate().isoformat()
    return csv_response(stream(), filename=f"colaboraciones-{stamp}.csv")


@never_cache
@reviewer_required
def yearly_report(request, pncs_pk, year, extension):
    """The yearly report of a PNCS the user coordinates (any, for IME staff)."""
    point = get_object_or_404(
        Pncs.objects.coordinated_by(request.user).select_related("sector"), pk=pncs_pk
    )
    if extension not in ("pdf", "csv") or not 2000 <= year <= timezone.localdate().year:
        raise Http404
    name = report.filename(pncs=point, year=year, extension=extension)
    if extension == "csv":
        return csv_response(report.report_csv(pncs=point, year=year), filename=name)
    response = HttpResponse(
        report.report_pdf(pncs=point, year=year), content_type="application/pdf"
    )
    return download(response, name)
