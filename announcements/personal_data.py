"""What announcements stores about a member: the invitation they accepted when they joined
through an import of known people (issue 26). Part of the data download; erased with the
account. Called by members' services through the `<app>.personal_data` hook."""

from members.services.merging import MergeRule, move_rows

from .models import (
    Announcement,
    Delivery,
    InvitationImport,
    Invitee,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """Where the member's address came from and when they were invited and joined."""
    invitation = Invitee.objects.filter(user=user).first()
    if invitation is None:
        return {"invitation": None}
    return {
        "invitation": {
            "source": invitation.source,
            "invited_at": _iso(invitation.invited_at),
            "accepted_at": _iso(invitation.accepted_at),
        }
    }


def erase(user) -> None:
    """Account cancellation: the accepted invitation goes (its address among them)."""
    Invitee.objects.filter(user=user).delete()


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): the record of announcements sent and the
    invitation the closing account joined through move to the kept account (an
    announcement both received stays counted once); what it wrote as staff keeps a name."""
    return move_rows(
        [
            MergeRule(Delivery, "user", unique_with=("announcement",)),
            MergeRule(Invitee, "user"),
            MergeRule(Announcement, "created_by"),
            MergeRule(InvitationImport, "created_by"),
        ],
        kept=kept,
        merged=merged,
    )
