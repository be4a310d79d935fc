"""What news counts for work programmes (members.progress): posts a PNCS published for its
sector ("página web" in the seed), and posts a chapter published, in a year."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.progress import CHAPTER, PNCS, Item, Measure

from .models import Post


def _published(year):
    """Published posts by their publication date (a post scheduled later in the year counts
    from the day it appears)."""
    return Post.objects.published().filter(published_at__year=year)


def _count_sector_posts(ids, year):
    rows = _published(year).filter(scope=Post.Scope.SECTOR, sector__pncs__in=ids)
    return dict(rows.values_list("sector__pncs").annotate(n=Count("pk")).order_by())


def _sector_post_items(pncs_id, year):
    rows = (
        _published(year)
        .filter(scope=Post.Scope.SECTOR, sector__pncs=pncs_id)
        .order_by("published_at", "pk")
    )
    return [Item(timezone.localdate(p.published_at), p.title, p.get_absolute_url()) for p in rows]


def _count_chapter_posts(ids, year):
    rows = _published(year).filter(scope=Post.Scope.CHAPTER, chapter_id__in=ids)
    return dict(rows.values_list("chapter_id").annotate(n=Count("pk")).order_by())


def _chapter_post_items(chapter_id, year):
    rows = (
        _published(year)
        .filter(scope=Post.Scope.CHAPTER, chapter_id=chapter_id)
        .order_by("published_at", "pk")
    )
    return [Item(timezone.localdate(p.published_at), p.title, p.get_absolute_url()) for p in rows]


MEASURES = [
    Measure(
        key="news.sector_posts",
        label=_("Noticias publicadas del sector"),
        subject=PNCS,
        count=_count_sector_posts,
        items=_sector_post_items,
    ),
    Measure(
        key="news.chapter_posts",
        label=_("Noticias publicadas del capítulo"),
        subject=CHAPTER,
        count=_count_chapter_posts,
        items=_chapter_post_items,
    ),
]
