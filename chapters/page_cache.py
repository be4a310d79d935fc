"""The chapter page's public sections, rendered once per chapter and language, then cached.

Everything on a chapter page but the visitor's own box (their membership, the officers'
tools) is the same for every visitor: name, member count, areas, officers, upcoming events,
and what other apps plug into the page (`{% plugged "chapter_page" %}`: the chapter's news).
Rendering it costs a COUNT over the chapter's memberships (thousands of rows at national
scale), three more queries and most of the template; the cached copy costs one cache read.

Invalidation: one generation token for every chapter page (core.answers), replaced
whenever something a chapter page shows changes (receivers in chapters/signals.py:
chapters, their areas, officers, memberships, Jornadas, sectors, an officer's public name;
`invalidate()` from code that writes with `QuerySet.update()` and from the apps that plug
into the page, such as news when a chapter's post is published or withdrawn). Entries
also expire on their own: when the first upcoming event shown ends, at midnight
(officers' terms) and after MAX_SECONDS anyway.

Whatever the cache does (Redis down, evicted keys), the page is rendered from the database.

The chapter list's member counts (`member_counts`) and the list itself (`list_section`,
per language and filter) follow the same generation.
"""

import datetime
import re

from django.core.cache import caches
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from core.answers import Generation

GENERATION_KEY = "chapters:page:generation"
GENERATION = Generation(GENERATION_KEY)
# A safety net: every change we know of invalidates at once, but one made while Redis was
# unreachable could not (its new generation was lost); its page is outdated this long at most.
MAX_SECONDS = 600
UPCOMING_SHOWN = 20
TEMPLATE = "chapters/chapter_detail.html"


def _entry_key(slug, language):
    return f"chapters:page:{language}:{slug}"


def invalidate() -> None:
    """Forget every cached chapter page, the list and the member counts (core.answers)."""
    GENERATION.invalidate()


def public_page(slug):
    """The cached public part of the chapter page `slug` in the active language, rendered
    when missing or outdated: a dict with `name`, `is_public` (whether anonymous visitors
    may see it: Chapter.objects.public()), `head` and `sections` (HTML). None when no
    chapter has that slug. Callers decide who may see it (visible_to) before showing it."""
    language = get_language()
    key = _entry_key(slug, language)
    found = caches["answers"].get_many([GENERATION_KEY, key])
    generation = GENERATION.current(found)
    entry = found.get(key)
    if entry is not None and generation is not None and entry["generation"] == generation:
        return entry
    entry, expiry = _render(slug)
    if entry is not None and generation is not None:
        entry["generation"] = generation
        seconds = (expiry - timezone.now()).total_seconds()
        caches["answers"].set(key, entry, timeout=max(1, int(seconds)))
    return entry


MEMBER_COUNTS_KEY = "chapters:member-counts"
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def list_section(region: str, country: str, *, render) -> str:
    """The chapter list's section (filters, map, cards) for these filter values in the
    active language: cached under the chapter pages' generation (a chapter, its areas or a
    membership changing forgets it at once) and for MAX_SECONDS at most. `render()` makes
    it from the database when missing or outdated. Only known values are cached (a region
    of the list, a two-letter country code, or none): anything else is rendered each time,
    so the cache holds a bounded number of entries whatever visitors type. A copy read on
    the read replica is kept apart and for a few seconds only (core.answers)."""
    from .models import Chapter

    known = (not region or region in Chapter.Region.values) and (
        not country or COUNTRY_CODE.fullmatch(country)
    )
    if not known:
        return render()
    key = f"chapters:list:{get_language()}:{region}:{country}"
    return GENERATION.cached(key, render, seconds=MAX_SECONDS)


def member_counts() -> dict:
    """{chapter id: approved members} for every chapter: one GROUP BY over the index of
    memberships by chapter and status (~30 ms at 300,000 memberships), cached under the
    chapter pages' generation, so every change that invalidates a chapter page's member
    count (chapters/signals.py, `invalidate()`) invalidates these counts too."""
    from django.db.models import Count

    from .models import Membership

    def counts():
        return dict(
            Membership.objects.approved()
            .order_by()
            .values_list("chapter_id")
            .annotate(n=Count("pk"))
            .values_list("chapter_id", "n")
        )

    return GENERATION.cached(MEMBER_COUNTS_KEY, counts, seconds=MAX_SECONDS)


def _render(slug):
    """The public sections of the chapter `slug`, from the database, and when they expire."""
    from .models import Chapter, Jornada, Officer

    chapter = (
        Chapter.objects.with_member_count()
        .annotate(is_public=Exists(Chapter.objects.public().filter(pk=OuterRef("pk"))))
        .prefetch_related("sectors")
        .filter(slug=slug)
        .first()
    )
    if chapter is None:
        return None, None
    now = timezone.now()
    officers = list(
        Officer.objects.current()
        .active()
        .filter(chapter=chapter)
        .select_related("user__profile")
        .order_by("role", "term_start")
    )
    # The chapter's own events and the network-wide Jornadas its members can attend.
    upcoming = list(
        Jornada.objects.published()
        .upcoming(now)
        .filter(Q(chapter=chapter) | Q(chapter__isnull=True))
        .select_related("chapter")[:UPCOMING_SHOWN]
    )
    context = {"chapter": chapter, "officers": officers, "upcoming": upcoming}
    entry = {
        "name": chapter.name,
        "slug": chapter.slug,
        "is_public": chapter.is_public,
        "head": render_to_string(f"{TEMPLATE}#chapter-head", context),
        "sections": render_to_string(f"{TEMPLATE}#chapter-sections", context),
    }
    return entry, expires_at(now, upcoming)


def expires_at(now, upcoming):
    """The earliest of: MAX_SECONDS from now, the next local midnight (an officer's term
    starts or ends with the day), the end of the first upcoming event shown (it leaves
    the list then)."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(
        tomorrow, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    candidates = [now + datetime.timedelta(seconds=MAX_SECONDS), midnight]
    candidates += [jornada.ends_at for jornada in upcoming]
    return min(candidates)
