"""The organisations section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/counterparts/_dashboard.html."""

from django import template

from pncs.access import can_use_pncs_area

from ..models import (
    Engagement,
    ExpertiseRequest,
    MemberInvitation,
    Organization,
    OrganizationMember,
)

register = template.Library()


@register.inclusion_tag("counterparts/_dashboard_section.html")
def counterparts_dashboard(user):
    """The organisations the person acts for and the invitations waiting for the member's
    answer; for a coordinator, how many organisations and requests wait for review, and how
    many requests are overdue (10 business days)."""
    people = list(
        OrganizationMember.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__legal_name")
    )
    waiting = requests_waiting = requests_overdue = None
    if can_use_pncs_area(user):
        waiting = Organization.objects.reviewable_by(user).filter(status="pending").count()
        triageable = ExpertiseRequest.objects.triageable_by(user)
        requests_waiting = triageable.awaiting_triage().count()
        requests_overdue = triageable.overdue().count()
    invitations = MemberInvitation.objects.of_member(user).pending().count()
    engagements = Engagement.objects.involving(user).count()
    return {
        "engagements": engagements,
        "people": people,
        "waiting": waiting,
        "requests_waiting": requests_waiting,
        "requests_overdue": requests_overdue,
        "invitations": invitations,
    }


@register.inclusion_tag("counterparts/_coordinator_summary.html")
def counterparts_coordinator_summary(user):
    """For the coordinator's PNCS area and IME's dashboard (plugged in by template name):
    the requests waiting for triage, how many are overdue (10 business days), and the open
    engagements of their sectors, with links to the triage list and the pipeline."""
    if not can_use_pncs_area(user):
        return {"shown": False}
    triageable = ExpertiseRequest.objects.triageable_by(user)
    return {
        "shown": True,
        "requests_waiting": triageable.awaiting_triage().count(),
        "requests_overdue": triageable.overdue().count(),
        "engagements_open": Engagement.objects.followed_by(user).open().count(),
    }
