"""The messages section of the member dashboard (/me/), plugged in by members'
`{% dashboard_sections %}` through templates/messaging/_dashboard.html."""

from django import template

from ..models import Thread

register = template.Library()

DASHBOARD_THREADS = 3


@register.inclusion_tag("messaging/_dashboard_section.html")
def messaging_dashboard(user):
    """The person's latest threads (none: no section)."""
    threads = list(Thread.objects.for_inbox(user)[:DASHBOARD_THREADS])
    return {"threads": threads}


@register.inclusion_tag("messaging/_write_to_member_button.html")
def write_to_member_button(profile):
    """The "send a message" button of a profile page (plugged into members' profile page
    through templates/messaging/_profile_actions.html): absent when its owner turned
    contact from other members off."""
    from ..services import accepts_member_contact

    return {"profile": profile, "accepts": accepts_member_contact(profile.user)}
