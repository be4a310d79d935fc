"""`{% latest_news sector=... %}` / `{% latest_news chapter=... %}`: the latest published
posts of a sector or a chapter, for their pages (plugged in through news/_sector_page.html
and news/_chapter_page.html, core.templatetags.layout.plugged)."""

from django import template

from core.access import is_ime_staff

from ..access import can_write_news
from ..models import Post

register = template.Library()

LATEST = 3


@register.inclusion_tag("news/_latest.html")
def latest_news(sector=None, chapter=None):
    posts = Post.objects.published()
    if chapter is not None:
        posts = posts.filter(scope=Post.Scope.CHAPTER, chapter_id=chapter.pk)
        feed_name, slug, filter_name = "news:chapter_feed", chapter.slug, "chapter"
    else:
        posts = posts.filter(scope=Post.Scope.SECTOR, sector_id=sector.pk)
        feed_name, slug, filter_name = "news:sector_feed", sector.slug, "sector"
    return {
        "posts": list(posts.order_by("-published_at", "-pk")[:LATEST]),
        "feed_name": feed_name,
        "slug": slug,
        "filter_name": filter_name,
    }


@register.inclusion_tag("news/_dashboard_section.html")
def news_dashboard(user):
    """The member dashboard's news box: only for those who may write news."""
    can_write = can_write_news(user)
    pending = Post.objects.awaiting_review().count() if can_write and is_ime_staff(user) else None
    return {"can_write": can_write, "pending": pending}
