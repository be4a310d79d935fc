"""Where a person who acts only for a Mexican organisation lands (members.plugins
`<app>.landing` hook): their organisations, never the diaspora member's onboarding."""

from django.urls import reverse

from .models import OrganizationMember


def landing_url(user) -> str | None:
    """The organisations page for an account that belongs to an organisation, else None
    (asked only of accounts without a completed member profile)."""
    if user.is_authenticated and OrganizationMember.objects.filter(user=user).exists():
        return reverse("counterparts:mine")
    return None
