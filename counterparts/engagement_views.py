"""Engagements (issue 20): both sides and the PNCS of the sector follow an engagement from
planned to completed or cancelled, with milestones, mentoring goals and sessions, and the
outcomes each side records at the end. Every engagement comes through
`Engagement.objects.visible_to`: anyone else gets 404."""

from django.shortcuts import get_object_or_404, render

from members.access import member_required

from .engagements import sides_of
from .models import Engagement


def _engagement(request, pk):
    return get_object_or_404(
        Engagement.objects.visible_to(request.user).select_related(
            "member__user", "organization", "sector", "student", "request"
        ),
        pk=pk,
    )


@member_required
def engagement_detail(request, pk):
    """An engagement, its history, milestones, sessions and outcomes."""
    engagement = _engagement(request, pk)
    return render(
        request,
        "counterparts/engagement_detail.html",
        {"engagement": engagement, "sides": sides_of(engagement, request.user)},
    )
