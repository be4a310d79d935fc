"""What counterparts stores about a person: the organisations they act for and the
invitations sent to their address (the `<app>.personal_data` hook of members.plugins).
The organisation's own data (name, RFC, its contact line) belongs to the organisation and
stays with it."""

from .models import OrganizationInvitation, OrganizationMember


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
    }


def erase(user) -> None:
    """Account cancellation: the person leaves every organisation; invitations to their
    address go."""
    OrganizationInvitation.objects.filter(email__iexact=user.email).delete()
    OrganizationMember.objects.filter(user=user).delete()
