"""Engagements (issue 20): both sides and the PNCS of the sector follow an engagement from
planned to completed or cancelled, with milestones, mentoring goals and sessions, and the
outcomes each side records at the end. Every engagement comes through
`Engagement.objects.visible_to`: anyone else gets 404. A student of an internship reads it;
the member, the organisation's people and the PNCS act on it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.access import second_factor_required
from members.access import member_required

from . import engagements as services
from .forms import (
    CancelEngagementForm,
    GoalsForm,
    MentoringSessionForm,
    MilestoneForm,
    OutcomeForm,
)
from .models import Engagement, EngagementOutcome
from .views import PAGE_SIZE

STARTED = _("La colaboración quedó iniciada. Avisamos a la otra parte.")
COMPLETED = _("La colaboración quedó concluida. Registra ahora sus resultados.")
CANCELLED = _("La colaboración quedó cancelada. Avisamos a la otra parte.")
MILESTONE_ADDED = _("Hito agregado.")
MILESTONE_SAVED = _("Hito actualizado.")
GOALS_SAVED = _("Objetivos guardados.")
SESSION_ADDED = _("Sesión registrada.")
OUTCOME_SAVED = _("Gracias: registramos los resultados de tu lado.")
FIX_BELOW = _("Corrige lo señalado abajo; no se guardó nada.")

# Who acts on an engagement (a student reads it).
ACTORS = {"member", "organization", "pncs"}


def _engagement(request, pk):
    return get_object_or_404(
        Engagement.objects.visible_to(request.user).select_related(
            "member__user", "organization", "sector", "student", "request", "invitation"
        ),
        pk=pk,
    )


def _acting(request, pk):
    """The engagement and the user's roles in it, for a change: only its actors."""
    engagement = _engagement(request, pk)
    sides = services.sides_of(engagement, request.user)
    if not sides & ACTORS:
        raise Http404
    return engagement, sides


def _outcome_side(engagement, sides):
    """The side whose outcome the user records: the member's, else the organisation's;
    None for the PNCS or when that side has recorded it already."""
    recorded = set(engagement.outcomes.values_list("side", flat=True))
    for side in (EngagementOutcome.Side.MEMBER, EngagementOutcome.Side.ORGANIZATION):
        if side in sides and side not in recorded:
            return side
    return None


def _render(request, engagement, sides, status=200, **forms):
    outcomes = {o.side: o for o in engagement.outcomes.all()}
    can_act = bool(sides & ACTORS)
    is_open = engagement.is_open
    context = {
        "engagement": engagement,
        "sides": sides,
        "can_act": can_act,
        "events": engagement.events.select_related("by").order_by("at", "pk"),
        "milestones": engagement.milestones.all(),
        "sessions": engagement.sessions.all() if engagement.is_mentoring else [],
        # The thread of the two sides, for them only (the PNCS is not a party to it).
        "thread_id": (
            engagement.invitation.thread_id
            if engagement.invitation_id and sides & {"member", "organization"}
            else None
        ),
        "goals": [line for line in engagement.goals.splitlines() if line.strip()],
        "member_outcome": outcomes.get(EngagementOutcome.Side.MEMBER),
        "organization_outcome": outcomes.get(EngagementOutcome.Side.ORGANIZATION),
        "story_public": all(
            o is not None and o.share_story
            for o in (
                outcomes.get(EngagementOutcome.Side.MEMBER),
                outcomes.get(EngagementOutcome.Side.ORGANIZATION),
            )
        ),
    }
    if can_act and is_open:
        context["cancel_form"] = forms.get("cancel_form") or CancelEngagementForm(prefix="cancel")
        context["milestone_form"] = forms.get("milestone_form") or MilestoneForm(prefix="milestone")
        if engagement.is_mentoring:
            context["goals_form"] = forms.get("goals_form") or GoalsForm(
                prefix="goals", initial={"goals": engagement.goals}
            )
    if can_act and engagement.is_mentoring and engagement.state != Engagement.State.CANCELLED:
        context["session_form"] = forms.get("session_form") or MentoringSessionForm(
            prefix="session"
        )
    if engagement.state == Engagement.State.COMPLETED:
        side = _outcome_side(engagement, sides)
        if side:
            context["outcome_side"] = side
            context["outcome_form"] = forms.get("outcome_form") or OutcomeForm(prefix="outcome")
    return render(request, "counterparts/engagement_detail.html", context, status=status)


@member_required
@second_factor_required
def engagement_list(request):
    """The person's engagements: as a member of the network, as a person of an organisation
    and as a student."""
    queryset = Engagement.objects.involving(request.user)
    page = Paginator(
        queryset.select_related("organization", "sector", "member").order_by("-created_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "counterparts/engagement_list.html", {"page": page})


@member_required
@second_factor_required
def engagement_detail(request, pk):
    """An engagement, its history, milestones, goals, sessions and outcomes."""
    engagement = _engagement(request, pk)
    return _render(request, engagement, services.sides_of(engagement, request.user))


def _done(request, engagement, message):
    messages.success(request, message)
    return redirect("counterparts:engagement", pk=engagement.pk)


def _refused(request, engagement, error):
    messages.error(request, error.message)
    return redirect("counterparts:engagement", pk=engagement.pk)


@member_required
@second_factor_required
@require_POST
def engagement_start(request, pk):
    engagement, _sides = _acting(request, pk)
    try:
        services.start_engagement(engagement_id=engagement.pk, by=request.user)
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, STARTED)


@member_required
@second_factor_required
@require_POST
def engagement_complete(request, pk):
    engagement, _sides = _acting(request, pk)
    try:
        services.complete_engagement(engagement_id=engagement.pk, by=request.user)
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, COMPLETED)


@member_required
@second_factor_required
@require_POST
def engagement_cancel(request, pk):
    engagement, sides = _acting(request, pk)
    form = CancelEngagementForm(request.POST, prefix="cancel")
    if not form.is_valid():
        messages.error(request, FIX_BELOW)
        return _render(request, engagement, sides, cancel_form=form)
    try:
        services.cancel_engagement(
            engagement_id=engagement.pk, reason=form.cleaned_data["reason"], by=request.user
        )
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, CANCELLED)


@member_required
@second_factor_required
@require_POST
def milestone_add(request, pk):
    engagement, sides = _acting(request, pk)
    form = MilestoneForm(request.POST, prefix="milestone")
    if not form.is_valid():
        messages.error(request, FIX_BELOW)
        return _render(request, engagement, sides, milestone_form=form)
    try:
        services.add_milestone(
            engagement=engagement,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
        )
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, MILESTONE_ADDED)


@member_required
@second_factor_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    engagement, _sides = _acting(request, pk)
    try:
        found = services.set_milestone_done(
            engagement=engagement,
            milestone_id=milestone_pk,
            done=request.POST.get("done") == "1",
        )
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    if not found:
        raise Http404
    return _done(request, engagement, MILESTONE_SAVED)


@member_required
@second_factor_required
@require_POST
def engagement_goals(request, pk):
    engagement, sides = _acting(request, pk)
    form = GoalsForm(request.POST, prefix="goals")
    if not form.is_valid():
        messages.error(request, FIX_BELOW)
        return _render(request, engagement, sides, goals_form=form)
    try:
        services.set_goals(engagement=engagement, goals=form.cleaned_data["goals"])
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, GOALS_SAVED)


@member_required
@second_factor_required
@require_POST
def session_add(request, pk):
    engagement, sides = _acting(request, pk)
    form = MentoringSessionForm(request.POST, prefix="session")
    if not form.is_valid():
        messages.error(request, FIX_BELOW)
        return _render(request, engagement, sides, session_form=form)
    try:
        services.add_session(engagement=engagement, form=form, by=request.user)
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, SESSION_ADDED)


@member_required
@second_factor_required
@require_POST
def outcome_record(request, pk):
    engagement, sides = _acting(request, pk)
    side = _outcome_side(engagement, sides)
    if side is None and engagement.state == Engagement.State.COMPLETED:
        messages.error(
            request, services.OUTCOME_ALREADY if sides - {"pncs"} else services.NOT_A_SIDE
        )
        return redirect("counterparts:engagement", pk=engagement.pk)
    form = OutcomeForm(request.POST, prefix="outcome")
    if not form.is_valid():
        messages.error(request, FIX_BELOW)
        return _render(request, engagement, sides, outcome_form=form)
    try:
        services.record_outcome(engagement=engagement, side=side or "", form=form, by=request.user)
    except services.EngagementError as error:
        return _refused(request, engagement, error)
    return _done(request, engagement, OUTCOME_SAVED)
