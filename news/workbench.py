"""What waits for IME's news review: posts submitted by coordinators and officers (members.
workbench). Only IME staff review news (news.access.reviewer_required), so only they get
the section; each item opens the post's review page, where it is approved or returned."""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from core.access import is_ime_staff
from members.models import public_name
from members.workbench import ROWS_PER_SECTION, Item, Section

from .models import Post


def sections(user) -> list[Section]:
    if not is_ime_staff(user):
        return []
    waiting = Post.objects.awaiting_review()
    items = []
    for post in waiting.select_related("author__profile", "sector", "chapter")[:ROWS_PER_SECTION]:
        where = post.sector or post.chapter or post.get_scope_display()
        detail = gettext("%(where)s · de %(author)s, enviada el %(when)s") % {
            "where": where,
            "author": public_name(post.author),
            "when": formats.date_format(post.submitted_at, "SHORT_DATE_FORMAT")
            if post.submitted_at
            else "—",
        }
        items.append(
            Item(title=post.title, url=reverse("news:review", args=[post.pk]), detail=detail)
        )
    return [
        Section(
            key="posts",
            title=gettext("Noticias por revisar"),
            items=items,
            total=waiting.count(),
            more_url=reverse("news:review_list"),
            empty=gettext("No hay noticias por revisar."),
        )
    ]
