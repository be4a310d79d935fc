"""What the news app stores about a member: the posts they wrote (part of their data
download). Called by members' services through the `<app>.personal_data` hook."""

from members.services import neutralise_admin_log
from members.services.merging import MergeRule, move_rows

from .models import (
    DigestRecipient,
    Post,
    TrustedAuthor,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The member's posts (every state) and whether IME trusts them, JSON-ready."""
    posts = Post.objects.filter(author=user).prefetch_related("tags").order_by("created_at")
    return {
        "posts": [
            {
                "title_es": p.title_es,
                "title_en": p.title_en,
                "summary_es": p.summary_es,
                "summary_en": p.summary_en,
                "body_es": p.body_es,
                "body_en": p.body_en,
                "scope": p.scope,
                "status": p.status,
                "tags": [t.name for t in p.tags.all()],
                "published_at": _iso(p.published_at),
                "rejection_reason": p.rejection_reason,
                "created_at": _iso(p.created_at),
            }
            for p in posts
        ],
        "trusted_author": TrustedAuthor.objects.filter(user=user).exists(),
        "digests_received": DigestRecipient.objects.filter(user=user).count(),
    }


def erase(user) -> None:
    """Account cancellation: published posts stay as the sector's, chapter's or network's
    (they speak for them, not for the person) without their author; unpublished ones
    (drafts, under review, returned) are deleted with their images; trust is removed, and
    so is the record of which digests they were sent (the deliveries keep their counts)."""
    mine = Post.objects.filter(author=user)
    neutralise_admin_log(mine)
    for post in mine.exclude(status=Post.Status.PUBLISHED).exclude(image=""):
        post.image.delete(save=False)
    mine.exclude(status=Post.Status.PUBLISHED).delete()
    mine.update(author=None)
    TrustedAuthor.objects.filter(user=user).delete()
    DigestRecipient.objects.filter(user=user).delete()


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): the closing account's posts, the trust
    IME gave it and the digests it was sent move to the kept account."""
    return move_rows(
        [
            MergeRule(Post, "author"),
            MergeRule(Post, "reviewed_by"),
            MergeRule(TrustedAuthor, "user", single=True),
            MergeRule(TrustedAuthor, "granted_by"),
            MergeRule(DigestRecipient, "user", unique_with=("run",)),
        ],
        kept=kept,
        merged=merged,
    )
