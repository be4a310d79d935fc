"""What internships stores about a person (the `<app>.personal_data` hook of
members.plugins): a student's profile (with the CV's stored name and date) and
applications; a member's placements offered abroad and their review history."""

from django.db import transaction

from .models import Application, Placement, StudentProfile


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The student profile and applications, and the placements the person hosts."""
    profile = StudentProfile.objects.filter(user=user).first()
    return {
        "student_profile": None
        if profile is None
        else {
            "full_name": profile.full_name,
            "university": profile.university,
            "programme": profile.programme,
            "semester": profile.semester,
            "state": profile.state,
            "cv_file": profile.cv.name or None,
            "cv_uploaded_at": _iso(profile.cv_uploaded_at),
            "registered_at": _iso(profile.created_at),
        },
        "applications": [
            {
                "placement": a.placement.title,
                "institution": a.placement.institution,
                "motivation": a.motivation,
                "cv_shared_with_host_at": _iso(a.cv_consent_at),
                "status": a.status,
                "reason": a.decision_reason,
                "applied_at": _iso(a.created_at),
                "decided_at": _iso(a.decided_at),
            }
            for a in Application.objects.of_student(user).select_related("placement")
        ],
        "placements_hosted": [
            {
                "title_es": p.title_es,
                "title_en": p.title_en,
                "institution": p.institution,
                "country": str(p.country),
                "city": p.city,
                "field": p.field,
                "sector": p.sector.slug,
                "seats": p.seats,
                "deadline": _iso(p.deadline),
                "status": p.status,
                "submitted_at": _iso(p.submitted_at),
                "history": [
                    {"action": e.action, "reason": e.reason, "at": _iso(e.at)}
                    for e in p.events.all()
                ],
            }
            for p in Placement.objects.hosted_by(user)
            .select_related("sector")
            .prefetch_related("events")
        ],
    }


def erase(user) -> None:
    """Account cancellation: the student profile (its CV file removed from the store after
    commit), the student's applications, and the placements the member hosts (with the
    applications to them) go."""
    profile = StudentProfile.objects.filter(user=user).first()
    if profile is not None and profile.cv:
        storage, name = profile.cv.storage, profile.cv.name
        transaction.on_commit(lambda: storage.delete(name))
    Application.objects.filter(student=user).delete()
    Placement.objects.filter(host=user).delete()
    StudentProfile.objects.filter(user=user).delete()
