"""Who may write news, and for what: coordinators for their PNCS's sector, officers for
their chapter, IME staff for anything (the whole network included). Computed on every
request from the roles in force (a coordinator removed from a PNCS writes no more for it)."""

from chapters.models import Chapter
from core.access import is_ime_staff, role_required
from members.models import Sector
from pncs.models import Pncs


def writable_sectors(user):
    """Sectors the user may write for: their active PNCS's (every sector for IME staff)."""
    if not user.is_authenticated:
        return Sector.objects.none()
    return Sector.objects.filter(pk__in=Pncs.objects.coordinated_by(user).values("sector_id"))


def writable_chapters(user):
    """Chapters the user may write for: the ones they officiate (all for IME staff)."""
    if not user.is_authenticated:
        return Chapter.objects.none()
    return Chapter.objects.managed_by(user)


def can_write_news(user) -> bool:
    """IME staff, coordinators of an active PNCS and current chapter officers."""
    if not user.is_authenticated:
        return False
    return is_ime_staff(user) or writable_sectors(user).exists() or writable_chapters(user).exists()


def may_write_for(user, post) -> bool:
    """Whether `user` may still write for the post's sector, chapter or the network."""
    if is_ime_staff(user):
        return True
    if post.scope == post.Scope.SECTOR:
        return writable_sectors(user).filter(pk=post.sector_id).exists()
    if post.scope == post.Scope.CHAPTER:
        return writable_chapters(user).filter(pk=post.chapter_id).exists()
    return False


# Login, then the role (403 otherwise), then the second factor (core.access.role_required).
author_required = role_required(can_write_news)
reviewer_required = role_required(is_ime_staff)
