"""The member directory: verified members browse those who chose to be visible to members."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..access import member_required, mfa_if_privileged
from ..filters import DirectoryFilter
from ..models import Profile

PAGE_SIZE = 20


@never_cache
@member_required
@mfa_if_privileged
def directory(request):
    base = Profile.objects.visible_in_directory().for_listing()
    filterset = DirectoryFilter(request.GET or None, queryset=base)
    # A tampered filter value shows no one rather than ignoring the filter.
    invalid = filterset.is_bound and not filterset.is_valid()
    queryset = base.none() if invalid else filterset.qs
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/directory.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
