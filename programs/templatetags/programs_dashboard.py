"""The training programs section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/programs/_dashboard.html."""

from django import template

from ..models import Application, Certificate

register = template.Library()


@register.inclusion_tag("programs/_dashboard_section.html")
def programs_dashboard(user):
    """The member's applications with their state, and their certificates."""
    applications = (
        Application.objects.filter(user=user).select_related("program").order_by("-created_at")
    )
    certificates = (
        Certificate.objects.filter(enrolment__application__user=user, revoked_at__isnull=True)
        .select_related("enrolment__stage__program")
        .order_by("-issued_on")
    )
    return {"applications": applications, "certificates": certificates}
