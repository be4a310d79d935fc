"""The internships section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/internships/_dashboard.html."""

from django import template

from pncs.access import can_use_pncs_area

from ..models import Placement

register = template.Library()


@register.inclusion_tag("internships/_dashboard_section.html")
def internships_dashboard(user):
    """How many placements the member hosts; for a coordinator, how many wait for review."""
    hosted = Placement.objects.hosted_by(user).count()
    waiting = None
    if can_use_pncs_area(user):
        waiting = Placement.objects.reviewable_by(user).filter(status="submitted").count()
    return {"hosted": hosted, "waiting": waiting}
