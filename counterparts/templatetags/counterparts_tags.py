"""The organisations section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/counterparts/_dashboard.html."""

from django import template

from pncs.access import can_use_pncs_area

from ..models import Organization, OrganizationMember

register = template.Library()


@register.inclusion_tag("counterparts/_dashboard_section.html")
def counterparts_dashboard(user):
    """The organisations the person acts for; for a coordinator, how many wait for review."""
    people = list(
        OrganizationMember.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__legal_name")
    )
    waiting = None
    if can_use_pncs_area(user):
        waiting = Organization.objects.reviewable_by(user).filter(status="pending").count()
    return {"people": people, "waiting": waiting}
