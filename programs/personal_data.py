"""What the programs app stores about a member: part of their data download, erased with
their account. Called by members' services through the `<app>.personal_data` hook."""

from django.db.models import Prefetch
from django.utils import timezone

from members.services import neutralise_admin_log
from members.services.merging import MergeRule, move_rows

from .models import (
    Application,
    Attendance,
    Certificate,
    Enrolment,
    ModuleGrade,
    Selection,
    TravelDetails,
)

# Stored as the revocation reason (staff read it in the admin).
ACCOUNT_DELETED_REASON = "Cuenta eliminada por su titular (derecho de cancelación)."


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """Applications with their stage results and certificates, JSON-ready."""
    applications = (
        Application.objects.filter(user=user)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("stage", "travel").order_by(
                    "stage__order"
                ),
            ),
            Prefetch("enrolments__grades", queryset=ModuleGrade.objects.select_related("module")),
            Prefetch(
                "enrolments__attendances", queryset=Attendance.objects.select_related("session")
            ),
        )
    )
    certificates = Certificate.objects.filter(enrolment__application__user=user).select_related(
        "enrolment__stage"
    )
    return {
        "applications": [
            {
                "program": a.program.name_es,
                "status": a.status,
                "education_level": a.education_level,
                "education_field": a.education_field,
                "institution": a.institution,
                "state": a.state,
                "residence_country": a.residence_country.code,
                "nationality": a.nationality.code,
                "gender": a.gender,
                "gender_description": a.gender_description,
                "motivation": a.motivation,
                "created_at": _iso(a.created_at),
                "decided_at": _iso(a.decided_at),
                "stages": [
                    {
                        "stage": e.stage.name_es,
                        "status": e.status,
                        "score": None if e.score is None else str(e.score),
                        "attendance": None if e.attendance is None else str(e.attendance),
                        "completed_on": _iso(e.completed_on),
                        "module_grades": [
                            {"module": g.module.name_es, "grade": str(g.grade)}
                            for g in e.grades.all()
                        ],
                        "attendance_by_session": [
                            {"session": att.session.code, "attended": att.attended}
                            for att in e.attendances.all()
                        ],
                        "seat": _seat(e),
                        "travel": _travel(e),
                    }
                    for e in a.enrolments.all()
                ],
            }
            for a in applications
        ],
        "certificates": [
            {
                "code": c.code,
                "kind": c.kind,
                "title": c.title,
                "issuer": c.issuer_name,
                "issuer_identifier": c.external_id,
                "stage": c.enrolment.stage.name_es,
                "holder_name": c.holder_name,
                "issued_on": _iso(c.issued_on),
                "revoked_at": _iso(c.revoked_at),
            }
            for c in certificates
        ],
    }


def _seat(enrolment) -> dict | None:
    """The seat offer of a stage with selection: rank, deadline, answer."""
    if enrolment.rank is None:
        return None
    return {
        "rank": enrolment.rank,
        "offer_expires_at": _iso(enrolment.offer_expires_at),
        "confirmed_at": _iso(enrolment.seat_confirmed_at),
        "released_at": _iso(enrolment.released_at),
        "decline_reason": enrolment.decline_reason,
    }


def _travel(enrolment) -> dict | None:
    """The travel data of a stage abroad, while it is kept (until the stage ends)."""
    try:
        t = enrolment.travel
    except TravelDetails.DoesNotExist:
        return None
    return {
        "passport_valid_until": _iso(t.passport_valid_until),
        "visa_status": t.visa_status,
        "arrival_on": _iso(t.arrival_on),
        "departure_on": _iso(t.departure_on),
        "dietary_needs": t.dietary_needs,
        "medical_needs": t.medical_needs,
        "emergency_contact_name": t.emergency_contact_name,
        "emergency_contact_phone": t.emergency_contact_phone,
    }


def erase(user) -> None:
    """Account cancellation: pending applications are withdrawn and free text removed;
    certificates are revoked and lose the holder's name (the public verification page
    would otherwise keep showing it). Education level, state and gender stay, anonymous,
    for the program's aggregate figures; the per-module grades and the attendance record
    are deleted (the figures count stage results only), and so are the travel data and the
    reason given for declining a seat; a seat held in a stage not started yet is released
    to the next in rank."""
    now = timezone.now()
    # A seat held in a stage that has not started passes to the next in rank.
    from .services import decline_seat

    held = Enrolment.objects.enrolled().filter(
        application__user=user, rank__isnull=False, stage__starts_on__gt=timezone.localdate()
    )
    for enrolment_id in held.values_list("pk", flat=True):
        decline_seat(enrolment_id=enrolment_id, user=user)
    # The trip's data (health and contact of a third person included) goes at once.
    TravelDetails.objects.filter(enrolment__application__user=user).delete()
    Enrolment.objects.filter(application__user=user).exclude(decline_reason="").update(
        decline_reason=""
    )
    ModuleGrade.objects.filter(enrolment__application__user=user).delete()
    Attendance.objects.filter(enrolment__application__user=user).delete()
    Application.objects.filter(
        user=user, status__in=[Application.Status.APPLIED, Application.Status.WAITLISTED]
    ).update(status=Application.Status.WITHDRAWN, decided_at=now)
    Application.objects.filter(user=user).update(
        motivation="", education_field="", institution="", gender_description=""
    )
    Certificate.objects.filter(enrolment__application__user=user, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=ACCOUNT_DELETED_REASON
    )
    Certificate.objects.filter(enrolment__application__user=user).update(holder_name="—")
    # The admin's log named applications and enrolments by the member's e-mail address.
    neutralise_admin_log(Application.objects.filter(user=user))
    neutralise_admin_log(Enrolment.objects.filter(application__user=user))
    neutralise_admin_log(Certificate.objects.filter(enrolment__application__user=user))


APPLICATION_ADVANCE = {
    Application.Status.ACCEPTED: 0,
    Application.Status.WAITLISTED: 1,
    Application.Status.APPLIED: 2,
    Application.Status.REJECTED: 3,
    Application.Status.WITHDRAWN: 4,
}


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): applications move to the kept account
    with everything hanging from them (stage results, grades, attendance, travel data,
    certificates). Both applied to one program: the accepted application stays (else
    waitlisted, received, not accepted, withdrawn; the earlier when equal)."""
    return move_rows(
        [
            MergeRule(
                Application,
                "user",
                unique_with=("program",),
                rank=lambda a: (APPLICATION_ADVANCE.get(a.status, 9), a.created_at, a.pk),
                describe=lambda a: a.program.name_es,
            ),
            MergeRule(Selection, "confirmed_by"),
        ],
        kept=kept,
        merged=merged,
    )
