"""The member directory at national scale: every page is bounded work.

The directory lists the members who chose to be visible to other members, ordered by the
name their card shows (`Profile.listing_key`: the folded name, then the id). Half a million
people are listed at a million members, so no page counts them all and none skips rows:

- **Without text, pages are read after a key** (`?after=<id>` / `?before=<id>`): the next
  20 rows of the partial b-tree on `listing_key` (or `country, listing_key`), from the index
  alone; the last page costs what the first does. The first page also says how many match,
  counting at most WINDOW + 1 rows of the same index ("more than 1,000" past that).
- **With text, one window**: at most WINDOW + 1 matching rows from the partial GIN index
  (`country, card_words`), then of the chosen sector among those rows only, sorted by name;
  its pages are slices of it. When more than WINDOW match the text, the page says so and
  asks to narrow the search (a window is a sample then).
- A sector without text walks the name index and checks each row's sector (a sector holds
  a fifth of the members: ~100 rows for a page); that first page does not count.
- **The boundary**: the indexes hold the profile's own visibility choice; the rows a page
  shows are read through `Profile.objects.visible_in_directory()` (the account must be
  active, verified and not deleted), so a deactivated member never shows.
"""

import bisect
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django_countries.fields import Country

from .models import ExpertiseTag, Profile, ProfileSector, display_name, translated_name_field

PAGE_SIZE = 20
# What a card shows (templates/members/directory.html), read for the 20 shown rows only.
CARD_FIELDS = ("preferred_name", "given_names", "paternal_surname", "headline", "city", "country")
WINDOW = 1000  # "more than 1,000": never a COUNT(*) over the whole directory


@dataclass
class DirectoryPage:
    profiles: list = field(default_factory=list)
    count: int | None = None  # how many match, when known and at most WINDOW
    more: bool = False  # more than WINDOW match
    sampled: bool = False  # a text matched more than WINDOW: the pages show a window of them
    next_after: int | None = None
    previous_before: int | None = None


def _key_of(pk) -> str | None:
    """The listing key of the profile `pk` (a page position; whoever it is, nothing of it is
    shown), or None."""
    if pk is None:
        return None
    return Profile.objects.filter(pk=pk).values_list("listing_key", flat=True).first()


@dataclass
class Card:
    """What a directory card shows of one member."""

    pk: int
    display_name: str
    headline: str
    city: str
    country_name: str
    sectors: list  # names, the primary one first
    expertise: list  # tag names
    photo_url: str = ""  # the member's photo (its private URL: members.files checks access)

    @property
    def initials(self) -> str:
        return initials(self.display_name)


def initials(name: str) -> str:
    """Up to two letters for a member's card when there is no photo ("Ana María López":
    "AL"); shown by templates/members/_avatar.html (the directory and the PNCS search)."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def _shown(ids: list) -> list:
    """The cards of one page, in the order of `ids`, read through the boundary (the account
    active, verified, not deleted) in one statement: the sectors and tags as arrays of
    names, no model instance per row."""
    if not ids:
        return []
    rows = Profile.objects.visible_in_directory().filter(pk__in=ids).order_by()
    sector_name = f"sector__{translated_name_field()}"
    sectors = ProfileSector.objects.filter(profile=OuterRef("pk")).order_by(
        "-is_primary", "sector__order"
    )
    tags = ExpertiseTag.objects.filter(profiles=OuterRef("pk")).order_by("name")
    rows = rows.annotate(
        sector_names=ArraySubquery(sectors.values(sector_name)),
        tag_names=ArraySubquery(tags.values("name")),
    ).values_list(*CARD_FIELDS, "photo", "pk", "sector_names", "tag_names")
    found = {row[-3]: row for row in rows}
    storage = Profile._meta.get_field("photo").storage
    cards = []
    for pk in ids:
        if pk not in found:
            continue  # the account is no longer active: left out
        preferred, given, paternal, headline, city, country, photo, _pk, sectors, tags = found[pk]
        cards.append(
            Card(
                pk=pk,
                display_name=display_name(preferred, given, paternal),
                headline=headline,
                city=city,
                country_name=str(Country(code=country).name) if country else "",
                sectors=[name for name in sectors or [] if name],
                expertise=list(tags or []),
                photo_url=storage.url(photo) if photo else "",
            )
        )
    return cards


def _count(queryset) -> tuple[int | None, bool]:
    """How many rows `queryset` holds, counting at most WINDOW + 1."""
    n = queryset.order_by().values("pk")[: WINDOW + 1].count()
    return (None, True) if n > WINDOW else (n, False)


def browse(queryset, *, after=None, before=None, count=True) -> DirectoryPage:
    """A page of `queryset` (the listed profiles, filtered, no text) in name order: the 20
    after the profile `after`, or the 20 before `before`, or the first 20. The first page
    counts the matches (at most WINDOW + 1) when `count`: pass False when the filter is not
    answered by the index alone (a sector: the count would probe thousands of rows)."""
    result = DirectoryPage()
    ids = None
    if before is not None and (key := _key_of(before)) is not None:
        rows = list(
            queryset.filter(listing_key__lt=key)
            .order_by("-listing_key")
            .values_list("pk", flat=True)[: PAGE_SIZE + 1]
        )
        if len(rows) > PAGE_SIZE:  # else this is the beginning: the first page below
            ids = rows[:PAGE_SIZE][::-1]
            result.previous_before = ids[0]
            result.next_after = ids[-1]
    if ids is None:
        key = None if before is not None else _key_of(after)
        start = queryset if key is None else queryset.filter(listing_key__gt=key)
        rows = list(start.order_by("listing_key").values_list("pk", flat=True)[: PAGE_SIZE + 1])
        ids = rows[:PAGE_SIZE]
        if len(rows) > PAGE_SIZE:
            result.next_after = ids[-1]
        if key is None and count:
            result.count, result.more = _count(queryset)
        else:
            result.previous_before = ids[0] if ids else after
    result.profiles = _shown(ids)
    return result


def search(queryset, *, sector=None, after=None, before=None) -> DirectoryPage:
    """A page of `queryset` (the listed profiles matching a text, and a country if any) in
    name order: one window of at most WINDOW + 1 matches from the GIN index, of the sector
    `sector` if given (checked on the window's rows only: bounded work whatever the text),
    sorted, and the 20 after `after` (or before `before`) within it."""
    rows = list(queryset.order_by().values_list("listing_key", "pk")[: WINDOW + 1])
    more = len(rows) > WINDOW
    rows = rows[:WINDOW]
    if sector is not None and rows:
        in_sector = set(
            ProfileSector.objects.filter(
                sector=sector, profile_id__in=[pk for _key, pk in rows]
            ).values_list("profile_id", flat=True)
        )
        rows = [row for row in rows if row[1] in in_sector]
    rows.sort()
    keys = [key for key, _pk in rows]
    start = 0
    if before is not None and (key := _key_of(before)) is not None:
        start = max(0, bisect.bisect_left(keys, key) - PAGE_SIZE)
    elif after is not None and (key := _key_of(after)) is not None:
        start = bisect.bisect_right(keys, key)
    ids = [pk for _key, pk in rows[start : start + PAGE_SIZE]]
    return DirectoryPage(
        profiles=_shown(ids),
        count=None if more else len(rows),
        more=more,
        sampled=more,
        next_after=ids[-1] if ids and start + PAGE_SIZE < len(rows) else None,
        previous_before=ids[0] if ids and start > 0 else None,
    )
