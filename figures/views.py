"""The network in figures: the public page and the IME staff dashboard, with CSV downloads.

Both pages read the newest snapshot (one query) and say as of when. A filtered staff
view is computed live with the same bounded set of aggregate queries and cached for
the snapshot interval (FILTERED_CACHE_SECONDS), keyed by the filters.
"""

import csv
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members.access import is_ime_staff, mfa_required
from members.spreadsheets import csv_safe

from . import charts
from .forms import FiguresFilterForm
from .services import compute_figures, current_snapshot

FILTERED_CACHE_SECONDS = 15 * 60


def ime_staff_required(view):
    """Signed in (else login), IME staff (else 403), with a second factor (else set it up)."""
    with_mfa = mfa_required(view)

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_ime_staff(request.user):
            raise PermissionDenied
        return with_mfa(request, *args, **kwargs)

    return wrapper


def _public_context():
    snapshot = current_snapshot()
    return snapshot, charts.public_figures(snapshot.data)


# The rendered figures are cached as a template fragment keyed by the snapshot (or the
# filters and their computation time) and the language: building and rendering ~15
# charts and the map is most of a page's time, and a snapshot never changes.
FRAGMENT_SECONDS = 15 * 60


@require_GET
def public(request):
    """La red en cifras: aggregate counts only, small cells suppressed."""
    snapshot = current_snapshot()
    return render(
        request,
        "figures/public.html",
        {
            "figures": SimpleLazyObject(lambda: charts.public_figures(snapshot.data)),
            "fragment_key": snapshot.pk,
            "fragment_seconds": FRAGMENT_SECONDS,
            "computed_at": snapshot.computed_at,
            "note": charts.SUPPRESSION_NOTE,
        },
    )


@require_GET
def public_csv(request, slug):
    """One figure of the public page as CSV (the same suppressed cells)."""
    _snapshot, figures = _public_context()
    groups = list(figures["figures"])
    for program in figures["programs"]:
        groups.extend(program["figures"])
    return _csv_response(slug, groups)


def _staff_context(request):
    snapshot = current_snapshot()
    data = snapshot.data
    form = FiguresFilterForm(
        request.GET or None,
        countries=charts.country_choices(data),
        sectors=[(s["id"], charts._name(s)) for s in data["reference"]["sectors"]],
        chapters=charts.chapter_choices(data),
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
def staff(request):
    """The IME staff dashboard: exact figures, filters applying to the whole page."""
    form, data, computed_at, filtered, fragment_key = _staff_context(request)
    return render(
        request,
        "figures/staff.html",
        {
            "form": form,
            "figures": SimpleLazyObject(lambda: charts.staff_figures(data)),
            "fragment_key": fragment_key,
            "fragment_seconds": FRAGMENT_SECONDS,
            "computed_at": computed_at,
            "filtered": filtered,
            "query": request.GET.urlencode() if filtered else "",
        },
    )


@never_cache
@require_GET
@ime_staff_required
def staff_csv(request, slug):
    """One figure of the staff dashboard as CSV, with the page's filters."""
    _form, data, _computed_at, _filtered, _key = _staff_context(request)
    figures = charts.staff_figures(data)
    groups = [figure for section in figures["sections"] for figure in section["figures"]]
    for program in figures["programs"]:
        groups.extend(program["figures"])
    return _csv_response(slug, groups)


def _csv_response(slug, figures):
    figure = charts.all_figures(figures).get(slug)
    if figure is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    response.write("\ufeff")  # spreadsheets read UTF-8 (accents) with the byte-order mark
    writer = csv.writer(response)
    writer.writerow([csv_safe(h) for h in figure.headers])
    for row in figure.rows:
        writer.writerow([csv_safe(value) for value in row])
    return response
