"""Merging two accounts of one person (issue 26): a member names their other address, and
each address confirms through the signed link mailed to it (members.services.merging)."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.cache import caches
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .. import messages as msg
from ..access import member_required
from ..forms import MergeStartForm
from ..services.merging import (
    KEPT,
    MergeLinkError,
    confirm_merge,
    merge_link_hours,
    read_merge_token,
    start_self_merge,
)

MERGE_DAILY_CAP = 5


def _over_daily_cap(user) -> bool:
    """At most MERGE_DAILY_CAP requests a day per member (each may mail an address)."""
    cache = caches["default"]
    key = f"members:merge-requests:{user.pk}"
    cache.add(key, 0, timeout=24 * 3600)
    try:
        return cache.incr(key) > MERGE_DAILY_CAP
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=24 * 3600)
        return False


@never_cache
@member_required
@reauthentication_required(allow_get=True)
def merge_start(request):
    """Ask to merge another account into this one. The answer is the same whether or not
    the address belongs to an account (no enumeration); only a real one gets a link."""
    if request.method == "POST":
        form = MergeStartForm(request.POST, user=request.user)
        if form.is_valid():
            if _over_daily_cap(request.user):
                messages.error(request, msg.MERGE_DAILY_CAP)
                return redirect("members:my_data")
            start_self_merge(user=request.user, other_email=form.cleaned_data["email"])
            messages.success(request, msg.MERGE_LINK_SENT % {"hours": merge_link_hours()})
            return redirect("members:my_data")
        messages.error(request, msg.FIX_ERRORS)
    else:
        form = MergeStartForm(user=request.user)
    return render(request, "members/merge_start.html", {"form": form})


@never_cache
def merge_confirm(request, token):
    """The link mailed to an address: GET explains, POST confirms. The signed token is the
    authority (the person may be signed out, or signed in to the other account)."""
    try:
        merge, side = read_merge_token(token)
    except MergeLinkError as error:
        return render(request, "members/merge_confirm.html", {"error": error.message}, status=400)
    if request.method == "POST":
        try:
            merge = confirm_merge(token=token)
        except MergeLinkError as error:
            return render(
                request, "members/merge_confirm.html", {"error": error.message}, status=400
            )
        done = merge.status == merge.Status.DONE
        return render(
            request,
            "members/merge_confirm.html",
            {
                "confirmed": True,
                "done": done,
                "message": msg.MERGE_DONE if done else msg.MERGE_WAITING,
            },
        )
    return render(
        request,
        "members/merge_confirm.html",
        {"merge": merge, "keeps": side == KEPT, "by_staff": merge.kind == merge.Kind.STAFF},
    )
