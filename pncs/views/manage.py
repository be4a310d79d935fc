"""The coordinators' area: their PNCS, publishing opportunities, answers and decisions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from announcements.models import Announcement

from ..access import coordinates_a_pncs, coordinates_a_pncs_required, coordinator_required
from ..forms import DecisionForm, OpportunityForm, SectorAnnouncementForm
from ..matching import suggest_members
from ..models import Interest, Opportunity, Pncs
from ..services import PncsError, decide_interest, save_opportunity, submit_sector_announcement

OPPORTUNITY_SAVED = _("Oportunidad guardada.")
DECISION_SAVED = _("Decisión guardada; se avisó por correo a la persona.")
DECISION_UNCHANGED = _("Esa respuesta ya tenía ese estado.")
CHOOSE_A_DECISION = _("Elige una decisión válida.")
MANAGED_PER_PAGE = 25
ANNOUNCEMENT_SUBMITTED = _(
    "Aviso enviado al IME para su aprobación. Te avisaremos por correo cuando lo revise."
)


@never_cache
@coordinator_required
def manage_home(request):
    """The coordinator's PNCS and their opportunities, newest first, a page at a time, with
    how many answers each has (counted for the page's opportunities only: a PNCS of many
    opportunities and a million members costs the same as a small one)."""
    points = Pncs.objects.coordinated_by(request.user).select_related("sector")
    opportunities = (
        Opportunity.objects.managed_by(request.user)
        .select_related("sector", "pncs__sector")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(opportunities, MANAGED_PER_PAGE).get_page(request.GET.get("page"))
    counts = {
        row["opportunity"]: row
        for row in Interest.objects.filter(opportunity__in=[o.pk for o in page])
        .values("opportunity")
        .annotate(
            answers=Count("pk"), pending=Count("pk", filter=Q(status=Interest.Status.PENDING))
        )
    }
    for opportunity in page:
        found = counts.get(opportunity.pk, {})
        opportunity.answers = found.get("answers", 0)
        opportunity.pending = found.get("pending", 0)
    return render(
        request,
        "pncs/manage_home.html",
        {
            "points": points,
            "opportunities": page,
            "page_obj": page,
            "query": "",
            # Proposals for Jornadas and sector announcements are a coordinator's (not IME's).
            "coordinates": coordinates_a_pncs(request.user),
        },
    )


def _edit(request, opportunity=None):
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = save_opportunity(form=form, user=request.user)
        messages.success(request, OPPORTUNITY_SAVED)
        return redirect("pncs:opportunity_manage", pk=saved.pk)
    return render(request, "pncs/opportunity_form.html", {"form": form, "opportunity": opportunity})


@never_cache
@coordinator_required
def opportunity_create(request):
    """Publish (or draft) an opportunity of one of the coordinator's PNCS."""
    return _edit(request)


@never_cache
@coordinator_required
def opportunity_edit(request, pk):
    """Edit an opportunity of the coordinator's own PNCS (others': 404)."""
    opportunity = get_object_or_404(Opportunity.objects.managed_by(request.user), pk=pk)
    return _edit(request, opportunity)


@never_cache
@coordinator_required
def opportunity_manage(request, pk):
    """Who answered, with decisions, and the suggested members with the reasons."""
    opportunity = get_object_or_404(
        Opportunity.objects.managed_by(request.user).select_related("sector", "pncs"), pk=pk
    )
    interests = opportunity.interests.select_related("member", "member__profile").order_by(
        "created_at", "pk"
    )
    return render(
        request,
        "pncs/opportunity_manage.html",
        {
            "opportunity": opportunity,
            "interests": interests,
            "suggestions": suggest_members(opportunity),
            "decision_form": DecisionForm(),
        },
    )


@coordinator_required
@require_POST
def interest_decide(request, pk):
    """Shortlist, accept or decline one answer to an opportunity the coordinator manages."""
    interest = get_object_or_404(Interest.objects.managed_by(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, CHOOSE_A_DECISION)
    elif decide_interest(
        interest_id=interest.pk, status=form.cleaned_data["status"], by=request.user
    ):
        messages.success(request, DECISION_SAVED)
    else:
        messages.info(request, DECISION_UNCHANGED)
    # Back where the decision was taken: the opportunity's page, or the staff workbench.
    # Only a path of this site: anything else (a view name, another host) goes to the page.
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect(back)
    return redirect("pncs:opportunity_manage", pk=interest.opportunity_id)


@never_cache
@coordinates_a_pncs_required
def announcements(request):
    """The coordinator's announcements to their sector (their status and IME's reason), and
    the form to write a new one, which waits for IME's approval before it is sent."""
    form = SectorAnnouncementForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                submit_sector_announcement(
                    pncs_id=data["pncs"].pk,
                    by=request.user,
                    subject_es=data["subject_es"],
                    subject_en=data["subject_en"],
                    body_es=data["body_es"],
                    body_en=data["body_en"],
                )
            except PncsError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, ANNOUNCEMENT_SUBMITTED)
                return redirect("pncs:announcements")
        status = 400
    written = (
        Announcement.objects.written_by(request.user)
        .filter(chapter__isnull=True)
        .prefetch_related("audience_sectors")
        .order_by("-created_at", "-pk")[:MANAGED_PER_PAGE]
    )
    return render(
        request,
        "pncs/announcements.html",
        {"form": form, "announcements": written},
        status=status,
    )
