"""The chapters section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/chapters/_dashboard.html."""

from django import template
from django.utils import timezone

from ..models import Membership, Registration

register = template.Library()


@register.inclusion_tag("chapters/_dashboard_section.html")
def chapters_dashboard(user):
    """The member's chapters (and pending requests) and their upcoming Jornadas."""
    memberships = (
        Membership.objects.filter(user=user, status__in=["approved", "pending"])
        .select_related("chapter")
        .order_by("-is_home", "chapter__name")
    )
    registrations = (
        Registration.objects.filter(user=user, jornada__ends_at__gte=timezone.now())
        .active()
        .select_related("jornada")
        .order_by("jornada__starts_at")
    )
    return {"memberships": memberships, "registrations": registrations}
