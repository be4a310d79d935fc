"""Which posts a caller may see, write or review: the permission boundary of the news app."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from chapters.models import Chapter
from core.access import is_ime_staff
from pncs.models import Pncs


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        """What the public reads: approved posts whose publication date has come, of a
        sector with an active PNCS or a public chapter (or the whole network)."""
        return self.filter(
            Q(scope=self.model.Scope.NETWORK)
            | Q(
                scope=self.model.Scope.SECTOR,
                sector_id__in=Pncs.objects.active().values("sector_id"),
            )
            | Q(
                scope=self.model.Scope.CHAPTER, chapter_id__in=Chapter.objects.public().values("pk")
            ),
            status=self.model.Status.PUBLISHED,
            published_at__lte=now or timezone.now(),
        )

    def authored_by(self, user):
        """The user's own posts, whatever their state (none for anonymous visitors)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user)

    def visible_to(self, user):
        """Published posts for everyone; their own posts for authors; every post for IME
        staff (who review them). The permission boundary of the post page and its image."""
        if is_ime_staff(user):
            return self.all()
        if not user.is_authenticated:
            return self.published()
        return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))

    def awaiting_review(self):
        """Submitted and waiting for IME, oldest first."""
        return self.filter(status=self.model.Status.PENDING).order_by("submitted_at", "pk")

    def for_listing(self):
        """What a list of posts shows: the sector, chapter and tags joined, newest first."""
        return (
            self.select_related("sector", "chapter")
            .prefetch_related("tags")
            .order_by("-published_at", "-pk")
        )
