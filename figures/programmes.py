"""The public summary of a PNCS's work programme (issue 21), /pncs/<slug>/programa/: its
lines of action by heading, each with its target and the progress computed from what the
PNCS did (pncs.programme). A page of figures because some measures count people (members
accepted, participants): those are published under the disclosure rule, and a line whose
count is hidden shows no percentage (it would give the count back)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from members.progress import parse_year, year_message, year_range
from pncs import programme
from pncs.models import Pncs, WorkLine

from . import disclosure


def _publish(lines) -> None:
    for line in lines:
        people = line.measure_def is not None and line.measure_def.people
        line.shown = disclosure.count(line.achieved, public=people)
        if line.shown.hidden:
            line.percent = None


@require_GET
def pncs_programme(request, slug):
    """A PNCS's programme of a year (this year unless `?year=`), for everyone."""
    point = get_object_or_404(Pncs.objects.active().select_related("sector"), sector__slug=slug)
    year = parse_year(request.GET.get("year"))
    context = {"point": point, "years": year_range(), "year": year, "groups": []}
    if year is None:
        return render(
            request,
            "figures/pncs_programme.html",
            {**context, "year_error": year_message()},
            status=400,
        )
    lines = programme.programme_lines(WorkLine.objects.public().filter(pncs=point), year)
    _publish(lines)
    return render(
        request, "figures/pncs_programme.html", {**context, "groups": programme.by_heading(lines)}
    )
