"""The list of open opportunities, its results cached whole (core.answers).

The cards and the pager of `/opportunities/` are the same for every visitor who sends the
same filters in the same language on the same day (`Opportunity.objects.open()` reads the
date), and members read them far more often than coordinators change them. So they are
rendered once and kept under one generation token, replaced whenever an opportunity, a
contact point or a sector changes (pncs/signals.py), and for SECONDS at most.

Only a query the form accepts, naming each known parameter at most once, with a page
number of a few digits, is cached: anything else is rendered each time, so the cache
holds a bounded number of entries whatever visitors type.
"""

import re

from django.utils import timezone
from django.utils.translation import get_language

from core.answers import Generation

GENERATION = Generation("pncs:opportunities:generation")
SECONDS = 600
PARAMETERS = {"sector", "kind", "remote", "page"}
PAGE = re.compile(r"[1-9][0-9]{0,4}")


def invalidate() -> None:
    GENERATION.invalidate()


def results_section(request, filterset, *, render) -> str:
    """The results of the list for this request: cached when the query is one the form
    accepts (see above), else `render()` each time."""
    pairs = list(request.GET.lists())
    page = request.GET.get("page", "")
    cacheable = (
        all(name in PARAMETERS and len(values) == 1 for name, values in pairs)
        and (not page or PAGE.fullmatch(page))
        and (not filterset.is_bound or filterset.is_valid())
    )
    if not cacheable:
        return render()
    key = f"pncs:opportunities:{get_language()}:{timezone.localdate()}:{request.GET.urlencode()}"
    return GENERATION.cached(key, render, seconds=SECONDS)
