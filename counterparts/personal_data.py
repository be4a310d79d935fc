"""What counterparts stores about a person: the organisations they act for and the
invitations sent to their address, and a member's invitations to answer an organisation's
request, and the engagements of a member or student with their milestones, sessions,
outcomes and history (the `<app>.personal_data` hook of members.plugins).
The organisation's own data (name, RFC, its contact line) belongs to the organisation and
stays with it."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from members.services.merging import MergeRule, move_rows

from .models import (
    Engagement,
    EngagementEvent,
    EngagementOutcome,
    ExpertiseRequest,
    MemberInvitation,
    MentoringSession,
    Organization,
    OrganizationInvitation,
    OrganizationMember,
    RequestEvent,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The person's places in organisations and the invitations addressed to them."""
    return {
        "organizations": [
            {
                "organization": p.organization.legal_name,
                "role": p.role,
                "since": _iso(p.created_at),
            }
            for p in OrganizationMember.objects.filter(user=user).select_related("organization")
        ],
        "invitations": [
            {
                "organization": i.organization.legal_name,
                "role": i.role,
                "sent_at": _iso(i.created_at),
                "accepted_at": _iso(i.accepted_at),
            }
            for i in OrganizationInvitation.objects.filter(email__iexact=user.email).select_related(
                "organization"
            )
        ],
        "requests_invited_to": [
            {
                "organization": i.request.organization.legal_name,
                "request": i.request.title,
                "why_suggested": i.reasons,
                "status": i.status,
                "reason": i.answer_reason,
                "sent_at": _iso(i.created_at),
                "answered_at": _iso(i.answered_at),
            }
            for i in MemberInvitation.objects.of_member(user).select_related(
                "request__organization"
            )
        ],
        "engagements": [_engagement(e, user) for e in _own_engagements(user)],
    }


def _own_engagements(user):
    """The engagements of the member (or of the student), with what they hold."""
    return (
        Engagement.objects.filter(Q(member__user=user) | Q(student=user))
        .select_related("organization", "sector")
        .prefetch_related("milestones", "sessions", "outcomes", "events")
        .order_by("created_at", "pk")
    )


def _engagement(engagement, user) -> dict:
    return {
        "title": engagement.title,
        "kind": engagement.kind,
        "sector": engagement.sector.slug,
        "organization": engagement.organization.legal_name if engagement.organization else None,
        "role": "member" if engagement.member_id == user.pk else "student",
        "state": engagement.state,
        "starts_on": _iso(engagement.starts_on),
        "ends_on": _iso(engagement.ends_on),
        "started_at": _iso(engagement.started_at),
        "completed_at": _iso(engagement.completed_at),
        "cancelled_at": _iso(engagement.cancelled_at),
        "cancel_reason": engagement.cancel_reason,
        "goals": engagement.goals,
        "milestones": [
            {"title": m.title, "due_on": _iso(m.due_on), "done": m.done}
            for m in engagement.milestones.all()
        ],
        "sessions": [
            {"held_on": _iso(s.held_on), "minutes": s.minutes, "topic": s.topic, "notes": s.notes}
            for s in engagement.sessions.all()
        ],
        "outcomes": [
            {
                "side": o.side,
                "hours_given": o.hours_given,
                "students_hosted": o.students_hosted,
                "agreements_signed": o.agreements_signed,
                "projects_started": o.projects_started,
                "rating": o.rating,
                "story": o.story,
                "share_story": o.share_story,
                "recorded_at": _iso(o.recorded_at),
            }
            for o in engagement.outcomes.all()
        ],
        "history": [
            {"step": e.action, "reason": e.reason, "at": _iso(e.at)}
            for e in engagement.events.all()
        ],
    }


def erase(user) -> None:
    """Account cancellation: the person leaves every organisation; invitations to their
    address and to answer requests go. Their engagements stay as coarse facts for the
    figures (kind, sector, state, dates, the numbers of the outcomes), without the text they
    wrote: an open one is cancelled (the organisation reads "account closed"), the member's
    story, the sessions' notes and the reasons they gave are emptied, and no story of theirs
    is published any longer."""
    own = Engagement.objects.filter(Q(member__user=user) | Q(student=user))
    now = timezone.now()
    Engagement.objects.filter(pk__in=own.open().values("pk")).update(
        state=Engagement.State.CANCELLED,
        cancelled_at=now,
        updated_at=now,
        cancel_reason=gettext("La cuenta del miembro se cerró."),
    )
    EngagementOutcome.objects.filter(engagement__in=own, side="member").update(
        story="", share_story=False
    )
    EngagementOutcome.objects.filter(recorded_by=user).update(story="", share_story=False)
    MentoringSession.objects.filter(Q(engagement__in=own) | Q(created_by=user)).update(notes="")
    Engagement.objects.filter(
        pk__in=EngagementEvent.objects.filter(action="cancelled", by=user).values("engagement")
    ).update(cancel_reason="")
    EngagementEvent.objects.filter(by=user).update(reason="")
    OrganizationInvitation.objects.filter(email__iexact=user.email).delete()
    MemberInvitation.objects.filter(member=user).delete()
    OrganizationMember.objects.filter(user=user).delete()


INVITATION_ADVANCE = {
    MemberInvitation.Status.ACCEPTED: 0,
    MemberInvitation.Status.PENDING: 1,
    MemberInvitation.Status.DECLINED: 2,
    MemberInvitation.Status.EXPIRED: 3,
}


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): places in organisations and invitations
    to answer requests move to the kept account. Both in one organisation: the
    responsible's place stays (else the earlier); both invited to one request: the
    accepted invitation stays (else pending, declined, expired)."""
    return move_rows(
        [
            MergeRule(
                OrganizationMember,
                "user",
                unique_with=("organization",),
                rank=lambda p: (p.role != OrganizationMember.Role.OWNER, p.created_at, p.pk),
                describe=lambda p: p.organization.legal_name,
            ),
            MergeRule(
                MemberInvitation,
                "member",
                unique_with=("request",),
                rank=lambda i: (INVITATION_ADVANCE.get(i.status, 9), i.created_at, i.pk),
                describe=lambda i: i.request.title,
            ),
            MergeRule(MemberInvitation, "invited_by"),
            MergeRule(OrganizationInvitation, "invited_by"),
            MergeRule(Organization, "decided_by"),
            MergeRule(ExpertiseRequest, "created_by"),
            MergeRule(RequestEvent, "by"),
            # Engagements (issue 20): the member's and the student's move whole, with
            # their history; what the closing account recorded keeps a name.
            MergeRule(Engagement, "member"),
            MergeRule(Engagement, "student"),
            MergeRule(Engagement, "created_by"),
            MergeRule(EngagementEvent, "by"),
            MergeRule(MentoringSession, "created_by"),
            MergeRule(EngagementOutcome, "recorded_by"),
        ],
        kept=kept,
        merged=merged,
    )
