"""Public pages: the contact points, a sector's page, open opportunities and their detail."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms_cache import form_html
from core.replica import replica_reads
from members.models import Profile, ProfileSector

from ..filters import OpportunityFilter
from ..forms import InterestForm
from ..listing import results_section
from ..models import Interest, Opportunity, Pncs
from ..services import PncsError, express_interest

INTEREST_SENT = _("¡Listo! La coordinación del PNCS recibió tu interés.")
OPPORTUNITIES_PER_PAGE = 20
SECTOR_COUNT_SECONDS = 600


def _open_count():
    today = timezone.localdate()
    return Count(
        "opportunities",
        filter=Q(opportunities__status=Opportunity.Status.OPEN)
        & (Q(opportunities__deadline__isnull=True) | Q(opportunities__deadline__gte=today)),
    )


@replica_reads
def pncs_list(request):
    """The nine contact points, with how many open opportunities each has."""
    from ..access import can_use_pncs_area

    points = Pncs.objects.active().select_related("sector").annotate(open_count=_open_count())
    return render(
        request,
        "pncs/pncs_list.html",
        {"points": points, "can_manage": can_use_pncs_area(request.user)},
    )


def sector_member_count(sector_id: int) -> int:
    """Members in a sector (aggregate only), cached: a public page never counts per hit."""
    key = f"pncs:sector-members:{sector_id}"
    count = caches["answers"].get(key)
    if count is None:
        count = ProfileSector.objects.filter(
            sector_id=sector_id, profile__in=Profile.objects.active().values("pk")
        ).count()
        caches["answers"].set(key, count, SECTOR_COUNT_SECONDS)
    return count


def pncs_sector(request, slug):
    """A contact point: its sector, description, open opportunities and network size."""
    point = get_object_or_404(Pncs.objects.active().select_related("sector"), sector__slug=slug)
    opportunities = (
        Opportunity.objects.open().filter(pncs=point).select_related("sector").order_by("deadline")
    )
    return render(
        request,
        "pncs/pncs_sector.html",
        {
            "point": point,
            "opportunities": opportunities,
            "member_count": sector_member_count(point.sector_id),
        },
    )


@replica_reads
def opportunity_list(request):
    """Open opportunities, filtered by sector, kind and remote."""
    filterset = OpportunityFilter(
        request.GET or None,
        queryset=Opportunity.objects.open()
        .select_related("sector", "pncs")
        .order_by("deadline", "-created_at", "pk"),
    )
    query = request.GET.copy()
    query.pop("page", None)

    def results():
        page = Paginator(filterset.qs, OPPORTUNITIES_PER_PAGE).get_page(request.GET.get("page"))
        return render_to_string(
            "pncs/opportunity_list.html#results",
            {"page_obj": page, "query": query.urlencode()},
        )

    return render(
        request,
        "pncs/opportunity_list.html",
        {
            "filter": filterset,
            "filter_form": form_html(
                filterset.form,
                template="pncs/opportunity_list.html#filter-form",
                query=request.GET,
                dynamic=["sector"],
            ),
            "results": results_section(request, filterset, render=results),
        },
    )


def opportunity_detail(request, pk):
    """An opportunity; a signed-in member can express interest in it."""
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("sector", "pncs"), pk=pk
    )
    interest = None
    if request.user.is_authenticated:
        interest = Interest.objects.of_member(request.user).filter(opportunity=opportunity).first()
    form = InterestForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                express_interest(
                    opportunity_id=opportunity.pk,
                    member=request.user,
                    message=form.cleaned_data["message"],
                )
            except PncsError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, INTEREST_SENT)
            return redirect("pncs:opportunity_detail", pk=opportunity.pk)
    is_open = Opportunity.objects.open().filter(pk=opportunity.pk).exists()
    return render(
        request,
        "pncs/opportunity_detail.html",
        {"opportunity": opportunity, "interest": interest, "form": form, "is_open": is_open},
    )
