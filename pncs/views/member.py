"""A member's side: their answers with their state, "opportunities for you", affiliations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.models import Profile

from ..forms import AffiliationForm
from ..matching import opportunities_for
from ..models import Affiliation, Interest
from ..services import add_affiliation, remove_affiliation

AFFILIATION_ADDED = _("Afiliación guardada.")
AFFILIATION_REMOVED = _("Afiliación eliminada.")


@never_cache
@login_required
def my_opportunities(request):
    """The member's answers and their state, and the open opportunities that fit them."""
    interests = (
        Interest.objects.of_member(request.user)
        .select_related("opportunity", "opportunity__sector")
        .order_by("-created_at")
    )
    profile = Profile.objects.filter(user=request.user).first()
    suggestions = opportunities_for(profile) if profile else []
    return render(
        request,
        "pncs/my_opportunities.html",
        {"interests": interests, "suggestions": suggestions},
    )


@never_cache
@login_required
def affiliations(request):
    """Institutions the member is tied to: they are not suggested for committees judging them."""
    form = AffiliationForm()
    if request.method == "POST":
        form = AffiliationForm(request.POST)
        if form.is_valid():
            add_affiliation(member=request.user, **form.cleaned_data)
            messages.success(request, AFFILIATION_ADDED)
            return redirect("pncs:affiliations")
    return render(
        request,
        "pncs/affiliations.html",
        {"form": form, "affiliations": Affiliation.objects.of_member(request.user)},
    )


@login_required
@require_POST
def affiliation_delete(request, pk):
    """Withdraw one of the member's own affiliations (another's: nothing happens, 404)."""
    from django.http import Http404

    if not remove_affiliation(member=request.user, affiliation_id=pk):
        raise Http404
    messages.success(request, AFFILIATION_REMOVED)
    return redirect("pncs:affiliations")
