"""The member dashboard's surveys box (surveys/_dashboard.html, members' extension point)."""

from django import template
from django.utils import timezone

from ..models import Survey

register = template.Library()


@register.inclusion_tag("surveys/_dashboard_section.html")
def surveys_dashboard(user):
    """How many open surveys (the census included) the member may answer and has not yet:
    one statement; the box shows only when there is one."""
    waiting = (
        Survey.objects.answerable_by(user, timezone.now()).exclude(responses__user=user).count()
    )
    return {"waiting": waiting}
