"""The network in figures: the public page and the IME staff dashboard, with CSV downloads,
and each program's own figures (public, and exact for program staff).

Both network pages read the newest snapshot (one query) and say as of when; they never
compute one: when there is none of this release's shape (or the beat is late) they queue a
refresh for a worker and say the figures are being computed. A filtered
staff view is computed live with the same bounded set of aggregate queries and cached for
the snapshot interval (FILTERED_CACHE_SECONDS), keyed by the filters. A program's page is
computed live from programs.figures (a fixed number of queries). Every public figure goes
through figures.disclosure (figures.pages).
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from core.access import (
    ime_staff_required,
    lacks_second_factor,
    mfa_setup_redirect,
)
from core.forms_cache import form_html
from core.replica import replica_reads
from core.spreadsheets import csv_response, csv_safe
from programs.access import is_program_staff
from programs.figures import program_aggregates
from programs.models import Program
from surveys.figures import survey_aggregates
from surveys.models import Survey

from . import charts, pages, survey_pages
from .forms import FiguresFilterForm
from .services import compute_figures, current_snapshot, needs_refresh
from .tasks import queue_refresh, refresh_figures_task

FILTERED_CACHE_SECONDS = 15 * 60
# The rendered figures are cached as a template fragment keyed by the snapshot (or the
# filters and their computation time) and the language: building and rendering ~15
# charts and the map is most of a page's time, and a snapshot never changes.
FRAGMENT_SECONDS = 15 * 60
# A refresh on demand within this many seconds of the newest snapshot is not queued again.
REFRESH_MIN_SECONDS = 60
REFRESH_QUEUED = gettext_lazy(
    "Recalculando las cifras. En un momento esta página mostrará las nuevas (la fecha de "
    "arriba cambia); recarga la página para verlas."
)
REFRESH_TOO_SOON = gettext_lazy(
    "Las cifras se calcularon hace menos de un minuto: ya están al día."
)
REFRESH_UNAVAILABLE = gettext_lazy(
    "No pudimos pedir el recálculo ahora; las cifras se actualizan solas cada 15 minutos. "
    "Inténtalo de nuevo en unos minutos."
)


def _snapshot():
    """The snapshot the pages show (None while the first one is computed); a missing or
    late one is queued for a worker, never computed in the request."""
    snapshot = current_snapshot()
    if needs_refresh(snapshot):
        queue_refresh()
    return snapshot


def _computing(request, template):
    """The page of a network without figures yet: says so and when to come back."""
    return render(request, template, {"computing": True})


def _csv_computing():
    response = HttpResponse(
        _("Las cifras se están calculando; inténtalo de nuevo en unos minutos."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "120"
    return response


@require_GET
@replica_reads
def public(request):
    """La red en cifras: aggregate counts only, under the disclosure rule."""
    snapshot = _snapshot()
    if snapshot is None:
        return _computing(request, "figures/public.html")
    return render(
        request,
        "figures/public.html",
        {
            "figures": SimpleLazyObject(lambda: pages.public_figures(snapshot.data)),
            "fragment_key": snapshot.pk,
            "fragment_seconds": FRAGMENT_SECONDS,
            "computed_at": snapshot.computed_at,
            "note": pages.SUPPRESSION_NOTE,
        },
    )


def _all_figures(figures):
    found = list(figures.get("figures", []))
    for section in figures.get("sections", []):
        found.extend(section["figures"])
    for program in figures["programs"]:
        found.extend(program["figures"])
    if figures.get("census"):
        found.extend(figures["census"]["figures"])
    return found


@require_GET
@replica_reads
def public_csv(request, slug):
    """One figure of the public page as CSV (the same cells as the page)."""
    snapshot = _snapshot()
    if snapshot is None:
        return _csv_computing()
    figures = pages.public_figures(snapshot.data)
    return _csv_response(slug, _all_figures(figures))


def _staff_context(request, snapshot):
    data = snapshot.data
    form = FiguresFilterForm(
        request.GET or None,
        countries=pages.country_choices(data),
        sectors=pages.sector_choices(data),
        chapters=pages.chapter_choices(data),
    )
    computed_at = snapshot.computed_at
    filtered = False
    fragment_key = str(snapshot.pk)
    if form.is_bound and form.is_valid() and not form.filters().is_empty:
        filters = form.filters()
        cached = caches["answers"].get(filters.cache_key())
        if cached is None:
            cached = {"computed_at": timezone.now(), "data": compute_figures(filters=filters)}
            caches["answers"].set(filters.cache_key(), cached, FILTERED_CACHE_SECONDS)
        computed_at = cached["computed_at"]
        # Program figures are not a slice of the member base: they stay the snapshot's.
        data = {**cached["data"], "programs": data.get("programs")}
        filtered = True
        fragment_key = f"{snapshot.pk}:{filters.cache_key()}:{computed_at.timestamp()}"
    return form, data, computed_at, filtered, fragment_key


@never_cache
@require_GET
@ime_staff_required
@replica_reads
def staff(request):
    """The IME staff dashboard: exact figures, filters applying to the whole page."""
    snapshot = _snapshot()
    if snapshot is None:
        return _computing(request, "figures/staff.html")
    form, data, computed_at, filtered, fragment_key = _staff_context(request, snapshot)
    return render(
        request,
        "figures/staff.html",
        {
            "form": form,
            # The country, sector and chapter lists: rendered once per language, query and
            # snapshot's choices (core.forms_cache).
            "filter_fields": form_html(
                form,
                template="figures/staff.html#filter-fields",
                query=request.GET,
                dynamic=("country", "sector", "chapter"),
            ),
            "figures": SimpleLazyObject(lambda: pages.staff_figures(data)),
            "fragment_key": fragment_key,
            "fragment_seconds": FRAGMENT_SECONDS,
            "computed_at": computed_at,
            "filtered": filtered,
            "query": request.GET.urlencode() if filtered else "",
        },
    )


@never_cache
@ime_staff_required
@require_POST
def staff_refresh(request):
    """Recompute the network's figures now (the same task the schedule runs), unless the
    newest snapshot is under a minute old; back to the dashboard with a message."""
    newest = current_snapshot()
    age = (timezone.now() - newest.computed_at).total_seconds() if newest else None
    if age is not None and age < REFRESH_MIN_SECONDS:
        messages.info(request, REFRESH_TOO_SOON)
        return redirect("figures_staff")
    try:
        refresh_figures_task.delay()
    except KombuOperationalError:
        messages.error(request, REFRESH_UNAVAILABLE)
    else:
        messages.success(request, REFRESH_QUEUED)
    return redirect("figures_staff")


@never_cache
@require_GET
@ime_staff_required
@replica_reads
def staff_csv(request, slug):
    """One figure of the staff dashboard as CSV, with the page's filters."""
    snapshot = _snapshot()
    if snapshot is None:
        return _csv_computing()
    _form, data, _computed_at, _filtered, _key = _staff_context(request, snapshot)
    return _csv_response(slug, _all_figures(pages.staff_figures(data)))


def _csv_response(slug, figures):
    figure = charts.by_slug(figures).get(slug)
    if figure is None:
        raise Http404
    buffer = io.StringIO()
    buffer.write("\ufeff")  # spreadsheets read UTF-8 (accents) with the byte-order mark
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in figure.headers])
    for row in figure.rows:
        writer.writerow([csv_safe(value) for value in row])
    return csv_response(buffer.getvalue(), filename=f"{slug}.csv")


def _program_page(request, slug, *, public):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).prefetch_related("stages"), slug=slug
    )
    figures = pages.program_figures(program_aggregates(program), public=public)
    return render(
        request,
        "figures/program.html",
        {"program": program, "figures": figures, "public": public, "note": pages.PROGRAM_NOTE},
    )


@require_GET
@replica_reads
def program_public(request, slug):
    """/programs/<slug>/figures/: a program's aggregate figures, under the disclosure rule."""
    return _program_page(request, slug, public=True)


@never_cache
@require_GET
@login_required
def program_staff(request, slug):
    """/programs/<slug>/staff/figures/: the exact figures, for program staff."""
    if not is_program_staff(request.user):
        raise Http404
    if lacks_second_factor(request.user):
        return mfa_setup_redirect(request)
    return _program_page(request, slug, public=False)


def _survey_results(survey_id):
    survey = get_object_or_404(Survey.objects.filter(is_template=False), pk=survey_id)
    return survey, survey_pages.survey_results(survey_aggregates(survey, with_texts=True))


@never_cache
@require_GET
@ime_staff_required
def survey_staff(request, pk):
    """/staff/surveys/<pk>/results/: one survey's results for IME staff, as aggregates
    under the disclosure rule (small groups hidden here too), free text without names."""
    survey, results = _survey_results(pk)
    return render(
        request,
        "figures/survey.html",
        {"survey": survey, "results": results, "note": survey_pages.SURVEY_NOTE},
    )


@never_cache
@require_GET
@ime_staff_required
def survey_staff_csv(request, pk, slug):
    """One question's aggregate counts as CSV: the same cells as the page, no free text."""
    _survey, results = _survey_results(pk)
    return _csv_response(slug, results["figures"])
