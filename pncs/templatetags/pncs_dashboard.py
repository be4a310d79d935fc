"""The opportunities section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/pncs/_dashboard.html."""

from django import template

from members.models import Profile

from ..matching import opportunities_for
from ..models import Interest

register = template.Library()

DASHBOARD_SUGGESTIONS = 3


@register.inclusion_tag("pncs/_dashboard_section.html")
def pncs_dashboard(user):
    """The member's latest answers with their state, and the best-fitting open opportunities."""
    interests = (
        Interest.objects.of_member(user).select_related("opportunity").order_by("-created_at")[:5]
    )
    profile = Profile.objects.filter(user=user).first()
    suggestions = opportunities_for(profile, limit=DASHBOARD_SUGGESTIONS) if profile else []
    return {"interests": interests, "suggestions": suggestions}
