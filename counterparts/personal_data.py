"""What counterparts stores about a person: the organisations they act for and the
invitations sent to their address, and a member's invitations to answer an organisation's
request (the `<app>.personal_data` hook of members.plugins).
The organisation's own data (name, RFC, its contact line) belongs to the organisation and
stays with it."""

from members.services.merging import MergeRule, move_rows

from .models import (
    ExpertiseRequest,
    MemberInvitation,
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
    }


def erase(user) -> None:
    """Account cancellation: the person leaves every organisation; invitations to their
    address and to answer requests go."""
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
        ],
        kept=kept,
        merged=merged,
    )
