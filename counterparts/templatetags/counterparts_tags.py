"""The organisations section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/counterparts/_dashboard.html."""

from django import template

from pncs.access import can_use_pncs_area

from ..models import ExpertiseRequest, MemberInvitation, Organization, OrganizationMember

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
    return {
        "people": people,
        "waiting": waiting,
        "requests_waiting": requests_waiting,
        "requests_overdue": requests_overdue,
        "invitations": invitations,
    }
