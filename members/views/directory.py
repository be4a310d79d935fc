"""The member directory: verified members browse those who chose to be visible to members.

Every page is bounded work (members.directory) and is a read of other members' data: it
counts against the reader's daily cap of directory pages and is logged (who, when, which
filters, how many cards), like a profile view (members.services.record_read).
"""

import hashlib
import json

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from core.access import second_factor_required
from core.replica import replica_reads

from .. import directory as pages
from .. import messages as msg
from ..access import member_required
from ..filters import DirectoryFilter
from ..models import Profile, ProfileView, Sector
from ..services import record_read

POSITION_PARAMETERS = ("after", "before")


def _position(request, name):
    """A page position (a profile id) from the query string, or None when absent or not a
    positive number (a bad value starts from the beginning)."""
    value = request.GET.get(name, "")
    if value.isascii() and value.isdigit() and 0 < len(value) <= 18:
        return int(value)
    return None


def _page_key(applied: dict, after, before) -> str:
    """The digest of a page (its filters and position): the same page read twice the same
    day counts once against the cap."""
    canonical = json.dumps({**applied, "after": after, "before": before}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@never_cache
@member_required
@second_factor_required
@replica_reads
def directory(request):
    filterset = DirectoryFilter(request.GET or None, queryset=Profile.objects.listed())
    after, before = _position(request, "after"), _position(request, "before")
    query = request.GET.copy()
    for name in (*POSITION_PARAMETERS, "page"):
        query.pop(name, None)
    context = {
        "filter": filterset,
        "query": query.urlencode(),
        "page": None,
        "window": pages.WINDOW,
        "sectors": [(sector.slug, sector.name) for sector in Sector.objects.all()],
        # The cards link to members:profile (`members/<id>/`): reversed once, not per card.
        "profile_url": reverse("members:profile", kwargs={"pk": 0}).removesuffix("0/"),
    }
    # A tampered filter value shows no one rather than ignoring the filter.
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "members/directory.html", context)
    if filterset.words:
        page = pages.search(
            filterset.text_queryset(), sector=filterset.chosen_sector, after=after, before=before
        )
    else:
        page = pages.browse(
            filterset.qs, after=after, before=before, count=filterset.chosen_sector is None
        )
    applied = filterset.applied()
    allowed = record_read(
        reader=request.user,
        kind=ProfileView.Kind.DIRECTORY,
        page=_page_key(applied, after, before),
        filters={**applied, **{k: v for k, v in (("after", after), ("before", before)) if v}},
        row_count=len(page.profiles),
    )
    if not allowed:
        return render(
            request,
            "members/profile_limit.html",
            {"message": msg.DIRECTORY_CAP_REACHED},
            status=429,
        )
    context["page"] = page
    return render(request, "members/directory.html", context)
