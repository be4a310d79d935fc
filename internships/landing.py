"""Where a Mexican student lands (members.plugins `<app>.landing` hook): their own page,
never the diaspora member's onboarding."""

from django.urls import reverse

from .models import StudentProfile


def landing_url(user) -> str | None:
    """The student's page for an account with a student profile, else None."""
    if user.is_authenticated and StudentProfile.objects.filter(user=user).exists():
        return reverse("internships:student_home")
    return None
