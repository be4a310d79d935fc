"""What internships stores about a person (the `<app>.personal_data` hook of
members.plugins): a student's profile (with the CV's stored name and date) and
applications; a member's placements offered abroad and their review history."""

from django.db import transaction

from members.services.merging import MergeRule, move_rows

from .models import Application, Placement, PlacementEvent, StudentProfile


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


APPLICATION_ADVANCE = {
    Application.Status.ACCEPTED: 0,
    Application.Status.SHORTLISTED: 1,
    Application.Status.APPLIED: 2,
    Application.Status.DECLINED: 3,
}


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): the student profile (the kept account's
    stays when both have one), applications (both applied to one placement: the accepted
    one stays, else shortlisted, received, the earlier), placements offered and what the
    closing account decided move to the kept account."""
    return move_rows(
        [
            MergeRule(
                StudentProfile,
                "user",
                single=True,
                rank=lambda p: (p.user_id != kept.pk, p.created_at, p.pk),
                describe=lambda p: p.university,
            ),
            MergeRule(
                Application,
                "student",
                unique_with=("placement",),
                rank=lambda a: (APPLICATION_ADVANCE.get(a.status, 9), a.created_at, a.pk),
                describe=lambda a: a.placement.title_es or a.placement.title_en,
            ),
            MergeRule(Application, "decided_by"),
            MergeRule(Placement, "host"),
            MergeRule(PlacementEvent, "by"),
        ],
        kept=kept,
        merged=merged,
    )
