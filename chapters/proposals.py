"""The PNCS coordinators' part in IME's Jornadas (issue 21), under /pncs/manage/jornadas/:
the upcoming Jornadas they may propose for, their sector's proposals with IME's decisions,
and the proposal forms (an agenda item, a speaker, a material). IME decides in the admin
(chapters.admin.JornadaProposalAdmin). Coordinators are known through members.plugins
(`coordinated_sector_ids`, provided by pncs): this app never imports pncs."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from core.access import role_required
from core.storage import STORAGE_UNAVAILABLE, storage_errors
from members.plugins import coordinated_sector_ids

from . import services
from .forms import ProposalForm
from .models import Jornada, JornadaProposal

PROPOSAL_SENT_MESSAGE = _("Propuesta enviada. El IME la revisará y te avisará por correo.")
PROPOSALS_PER_PAGE = 100


def coordinates_a_sector(user) -> bool:
    """A coordinator of at least one active PNCS today (checked on every request)."""
    return bool(coordinated_sector_ids(user))


coordinator_required = role_required(coordinates_a_sector)


@never_cache
@coordinator_required
def proposal_list(request):
    """The upcoming Jornadas of IME, and the proposals of the coordinator's sectors (newest
    first) with their status and IME's reason."""
    jornadas = Jornada.objects.open_to_proposals().select_related("chapter")
    proposals = (
        JornadaProposal.objects.visible_to(request.user)
        .select_related("jornada", "sector", "agenda_item", "member__profile")
        .order_by("-created_at", "-pk")[:PROPOSALS_PER_PAGE]
    )
    return render(
        request,
        "chapters/proposal_list.html",
        {"jornadas": jornadas, "proposals": proposals, "kinds": JornadaProposal.Kind},
    )


@never_cache
@coordinator_required
def proposal_create(request, slug, kind):
    """Propose an agenda item, a speaker or a material for an upcoming Jornada of IME."""
    if kind not in JornadaProposal.Kind.values:
        raise Http404
    jornada = get_object_or_404(Jornada.objects.open_to_proposals(), slug=slug)
    sector_ids = coordinated_sector_ids(request.user)
    form = ProposalForm(
        request.POST or None,
        request.FILES or None,
        jornada=jornada,
        kind=kind,
        sector_ids=sector_ids,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_proposal(proposal=form.save(commit=False), by=request.user)
            except services.ChapterActionError as exc:
                form.add_error(None, exc.message)
            except storage_errors():
                form.add_error(None, STORAGE_UNAVAILABLE)
            else:
                messages.success(request, PROPOSAL_SENT_MESSAGE)
                return redirect("chapters:proposal_list")
        status = 400
    return render(
        request,
        "chapters/proposal_form.html",
        {"form": form, "jornada": jornada, "kind": JornadaProposal.Kind(kind)},
        status=status,
    )
