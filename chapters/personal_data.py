"""What the chapters app stores about a member: part of their data download (access and
portability), and erased with their account (cancellation). Called by members' services
through the `<app>.personal_data` hook; members never imports chapters."""

from django.utils import timezone

from members.services import neutralise_admin_log
from members.services.merging import MergeRule, move_rows

from . import page_cache, services
from .models import (
    ChapterLine,
    JornadaProposal,
    Membership,
    Officer,
    RegionalCoordinator,
    Registration,
    Speaker,
    TravelNeeds,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """Memberships, officer terms and Jornada registrations of `user`, JSON-ready."""
    memberships = Membership.objects.filter(user=user).select_related("chapter")
    officers = Officer.objects.filter(user=user).select_related("chapter")
    registrations = Registration.objects.filter(user=user).select_related(
        "jornada", "representing", "travel_needs"
    )
    return {
        "memberships": [
            {
                "chapter": m.chapter.name,
                "status": m.status,
                "home_chapter": m.is_home,
                "message": m.message,
                "requested_at": _iso(m.requested_at),
                "decided_at": _iso(m.decided_at),
                "decision_reason": m.decision_reason,
                "left_at": _iso(m.left_at),
            }
            for m in memberships
        ],
        "officer_terms": [
            {
                "chapter": o.chapter.name,
                "role": o.role,
                "term_start": _iso(o.term_start),
                "term_end": _iso(o.term_end),
            }
            for o in officers
        ],
        "regional_coordinations": [
            {"region": c.region, "term_start": _iso(c.term_start), "term_end": _iso(c.term_end)}
            for c in RegionalCoordinator.objects.filter(user=user)
        ],
        "jornada_registrations": [
            {
                "jornada": r.jornada.title_es,
                "status": r.status,
                "representing": r.representing.name if r.representing else None,
                "registered_at": _iso(r.registered_at),
                "confirmed_at": _iso(r.confirmed_at),
                "cancelled_at": _iso(r.cancelled_at),
                "checked_in_at": _iso(r.checked_in_at),
                "travel_needs": _travel_needs(r),
            }
            for r in registrations
        ],
        "jornada_proposals": [
            {
                "jornada": p.jornada.title_es,
                "kind": p.kind,
                "proposal": p.summary,
                "status": p.status,
                "created_at": _iso(p.created_at),
                "decided_at": _iso(p.decided_at),
                "decision_reason": p.decision_reason,
            }
            for p in JornadaProposal.objects.filter(proposed_by=user).select_related(
                "jornada", "member__profile"
            )
        ],
    }


def _travel_needs(registration) -> dict | None:
    """The travel needs given for a Jornada, while they are kept (until it ends)."""
    try:
        t = registration.travel_needs
    except TravelNeeds.DoesNotExist:
        return None
    return {
        "arrival_on": _iso(t.arrival_on),
        "departure_on": _iso(t.departure_on),
        "lodging_needed": t.lodging_needed,
        "invitation_letter_needed": t.invitation_letter_needed,
        "passport_name": t.passport_name,
        "nationality": t.nationality.code if t.nationality else "",
    }


def erase(user) -> None:
    """Account cancellation: the member leaves every chapter (their messages and the
    decisions' reasons removed, in the history too),
    their officer terms end, and their active Jornada registrations are cancelled
    (a freed place goes to the waitlist); their travel needs are deleted. The rows stay,
    anonymous, for the counts."""
    now = timezone.now()
    TravelNeeds.objects.filter(registration__user=user).delete()
    Membership.objects.filter(user=user).exclude(status=Membership.Status.LEFT).update(
        status=Membership.Status.LEFT, is_home=False, left_at=now
    )
    Membership.objects.filter(user=user).update(message="", decision_reason="")
    # Every earlier version in the membership's history copied the texts too.
    Membership.history.filter(user_id=user.pk).update(message="", decision_reason="")
    # A member who spoke at a Jornada: the agenda keeps the slot, not their words.
    Speaker.objects.filter(member=user).update(affiliation="", bio="")
    for model in (Membership, Registration, Officer):
        neutralise_admin_log(model.objects.filter(user=user))
    neutralise_admin_log(Speaker.objects.filter(member=user))
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    # current() includes the end date itself, so a term ends yesterday; one that had not
    # begun before today was never served and goes away.
    Officer.objects.filter(user=user, term_start__gt=yesterday).delete()
    Officer.objects.filter(user=user).current().update(term_end=yesterday)
    RegionalCoordinator.objects.filter(user=user, term_start__gt=yesterday).delete()
    RegionalCoordinator.objects.filter(user=user).current().update(term_end=yesterday)
    # The chapter's lines of action stay (its programme), without who wrote them.
    ChapterLine.objects.filter(created_by=user).update(created_by=None)
    ChapterLine.history.filter(created_by_id=user.pk).update(created_by=None)
    page_cache.invalidate()  # member counts and officers changed without signals
    for jornada_id in (
        Registration.objects.filter(user=user).active().values_list("jornada_id", flat=True)
    ):
        services.cancel_registration(jornada_id=jornada_id, user=user)


MEMBERSHIP_ADVANCE = {
    Membership.Status.APPROVED: 0,
    Membership.Status.PENDING: 1,
    Membership.Status.LEFT: 2,
    Membership.Status.REJECTED: 3,
}
REGISTRATION_ADVANCE = {
    Registration.Status.CONFIRMED: 0,
    Registration.Status.PENDING: 1,
    Registration.Status.WAITLISTED: 2,
    Registration.Status.CANCELLED: 3,
    Registration.Status.REJECTED: 4,
}


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): memberships, officer terms, regional
    coordinations, Jornada registrations and talks move to the kept account, with their
    histories. Both in one chapter: the approved membership stays (else the pending one,
    else the earlier); both at one Jornada: the attended registration stays, else the
    confirmed, pending, waitlisted one. The kept account's home chapter stays its home."""
    if Membership.objects.filter(user=kept, is_home=True).exists():
        Membership.objects.filter(user=merged, is_home=True).update(is_home=False)
    moved = move_rows(
        [
            MergeRule(
                Membership,
                "user",
                unique_with=("chapter",),
                rank=lambda m: (MEMBERSHIP_ADVANCE.get(m.status, 9), m.requested_at, m.pk),
                describe=lambda m: m.chapter.name,
                history=True,
            ),
            MergeRule(
                Registration,
                "user",
                unique_with=("jornada",),
                rank=lambda r: (
                    r.checked_in_at is None,
                    REGISTRATION_ADVANCE.get(r.status, 9),
                    r.registered_at,
                    r.pk,
                ),
                describe=lambda r: r.jornada.title_es,
                history=True,
            ),
            MergeRule(Officer, "user", history=True),
            MergeRule(RegionalCoordinator, "user", history=True),
            MergeRule(Speaker, "member"),
            # What the closing account did as staff or officer keeps a name.
            MergeRule(Membership, "decided_by"),
            MergeRule(Registration, "checked_in_by"),
            MergeRule(Officer, "appointed_by"),
            MergeRule(JornadaProposal, "member"),
            MergeRule(JornadaProposal, "proposed_by"),
            MergeRule(JornadaProposal, "decided_by"),
            MergeRule(ChapterLine, "created_by"),
        ],
        kept=kept,
        merged=merged,
    )
    page_cache.invalidate()
    return moved
