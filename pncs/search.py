"""The coordinators' member search: the denormalised index, full-text and fuzzy matching,
capped counts, facets and pages.

PostgreSQL does the work: tsvector in Spanish, English and 'simple' configurations,
unaccent, pg_trgm.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from members.directory import initials
from members.models import Profile, display_name

from .models import MemberSearchIndex

PAGE_SIZE = 25
COUNT_CAP = 1000  # "más de 1 000": never a COUNT over the whole table
MAX_PAGE = COUNT_CAP // PAGE_SIZE
QUERY_MAX_LENGTH = 200
REBUILD_BATCH = 2000


def strip_accents(text: str) -> str:
    """Accents removed, case and spacing kept ("Energía Solar" -> "Energia Solar")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return unicodedata.normalize(
        "NFKC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def normalize(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed ("Energía  Solar" -> "energia solar")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


class Unaccent(Func):
    function = "UNACCENT"
    output_field = TextField()


# --- Keeping the index in sync --------------------------------------------------------


def _row_for(profile, contactable: bool) -> MemberSearchIndex:
    names = " ".join(
        p
        for p in (
            profile.given_names,
            profile.paternal_surname,
            profile.maternal_surname,
            profile.preferred_name,
        )
        if p
    )
    expertise = " ".join(tag.name for tag in profile.expertise.all())
    body = " ".join(p for p in (profile.bio, profile.employer, profile.position) if p)
    sort_name = normalize(
        " ".join(p for p in (profile.paternal_surname, profile.maternal_surname) if p)
        + " "
        + (profile.given_names or profile.preferred_name)
    )
    return MemberSearchIndex(
        profile_id=profile.pk,
        contactable=contactable,
        sort_name=sort_name[:320],
        names=normalize(names)[:400],
        headline=profile.headline,
        body=body,
        expertise_text=expertise,
        country=str(profile.country or ""),
        state_of_origin=profile.state_of_origin,
        education_level=profile.education_level,
        willing_to_travel=profile.willing_to_travel,
        sectors={
            ps.sector.slug: 0 if ps.is_primary else 1 + ps.sector.order
            for ps in profile.profile_sectors.all()
        },
        updated_at=profile.updated_at or timezone.now(),
    )


UPDATE_FIELDS = [
    "contactable",
    "sort_name",
    "names",
    "headline",
    "body",
    "expertise_text",
    "country",
    "state_of_origin",
    "education_level",
    "willing_to_travel",
    "sectors",
    "updated_at",
]


def _document():
    """Names weigh most, then headline and expertise, then bio and employer."""
    return (
        SearchVector(Unaccent(F("names")), config="simple", weight="A")
        + SearchVector(
            Unaccent(F("headline")), Unaccent(F("expertise_text")), config="spanish", weight="B"
        )
        + SearchVector(
            Unaccent(F("headline")), Unaccent(F("expertise_text")), config="english", weight="B"
        )
        + SearchVector(Unaccent(F("body")), config="spanish", weight="C")
        + SearchVector(Unaccent(F("body")), config="english", weight="C")
    )


def reindex_profiles(*, profile_ids) -> int:
    """Write the index rows of these profiles (insert or update); returns how many.
    A cancelled account (deleted_at set) has no row at all."""
    ids = sorted(set(profile_ids))
    if len(ids) > REBUILD_BATCH:  # e.g. a renamed expertise tag: bounded batches
        return sum(
            reindex_profiles(profile_ids=ids[start : start + REBUILD_BATCH])
            for start in range(0, len(ids), REBUILD_BATCH)
        )
    if not ids:
        return 0
    with transaction.atomic():
        cancelled = Profile.objects.filter(pk__in=ids, user__deleted_at__isnull=False)
        MemberSearchIndex.objects.filter(profile_id__in=cancelled.values("pk")).delete()
        contactable = set(
            Profile.objects.contactable_by_pncs().filter(pk__in=ids).values_list("pk", flat=True)
        )
        rows = [
            _row_for(profile, profile.pk in contactable)
            for profile in Profile.objects.filter(
                pk__in=ids, user__deleted_at__isnull=True
            ).prefetch_related("expertise", "profile_sectors__sector")
        ]
        MemberSearchIndex.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["profile"], update_fields=UPDATE_FIELDS
        )
        if rows:
            written = [r.profile_id for r in rows]
            MemberSearchIndex.objects.filter(pk__in=written).update(document=_document())
    return len(rows)


def rebuild_index(*, batch_size: int = REBUILD_BATCH) -> int:
    """Rebuild every row, in bounded batches (memory stays flat); returns the row count."""
    MemberSearchIndex.objects.exclude(profile_id__in=Profile.objects.values("pk")).delete()
    done = 0
    last = None
    while True:
        batch = Profile.objects.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        ids = list(batch.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        done += reindex_profiles(profile_ids=ids)
        last = ids[-1]


# --- Querying -------------------------------------------------------------------------


def index_queryset():
    """The index rows flagged contactable: what a search counts, facets and pages through.

    The flag is kept in step by the signal receivers; the rows a search shows are checked
    against the members' own tables again (`run_search`), so a stale flag can at most
    count one row too many, never show it."""
    return MemberSearchIndex.objects.filter(contactable=True)


def base_queryset():
    """The index rows of members PNCS may contact, checked against the members' own tables
    in the same query: the boundary of every export."""
    return index_queryset().filter(
        profile_id__in=Profile.objects.contactable_by_pncs().values("pk"),
    )


TEXT_CONFIGS = ("spanish", "english", "simple")


@lru_cache(maxsize=512)
def _tsquery_text(text: str) -> str:
    """`text` as one tsquery: its Spanish, English and 'simple' readings OR-ed, each
    reading once ("python" reads the same in all three: the GIN index scans its posting
    list once, not three times). Deterministic, so kept per process."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT websearch_to_tsquery(cfg::regconfig, %s)::text "
            "FROM unnest(%s::text[]) AS cfg",
            [text, list(TEXT_CONFIGS)],
        )
        readings = sorted(reading for (reading,) in cursor.fetchall() if reading)
    return " | ".join(f"( {reading} )" for reading in readings)


def tsquery_text(text: str) -> str:
    """The full-text query of `text` as tsquery text, "" when no word of it can match
    (empty, or only stop words)."""
    text = (text or "").strip()[:QUERY_MAX_LENGTH]
    if not text:
        return ""
    # Accents stripped here, not by UNACCENT() in SQL: a constant query lets PostgreSQL
    # build the tsquery once at planning, not once per row it filters.
    return _tsquery_text(strip_accents(text))


def _search_query(combined: str) -> SearchQuery:
    return SearchQuery(combined, config="simple", search_type="raw")


def text_query(text: str):
    """The full-text query of `text`, or None when no word of it can match."""
    combined = tsquery_text(text)
    return _search_query(combined) if combined else None


def apply_text(queryset, text: str):
    """Filter by free text: a full-text match, or a name close to it (pg_trgm word
    similarity, for misspelt names)."""
    text = (text or "").strip()[:QUERY_MAX_LENGTH]
    if not text:
        return queryset
    condition = Q(names__trigram_word_similar=normalize(text))
    query = text_query(text)
    if query is not None:
        condition |= Q(document=query)
    return queryset.filter(condition)


def _zero():
    return Value(0.0, output_field=FloatField())


SORTS = {
    "relevance": ("-strong", "-rank", "-similarity", "profile_id"),
    "name": ("sort_name", "profile_id"),
    "updated": ("-updated_at", "profile_id"),
}

# The sectors come as the stored JSON text: its keys are read with a pattern (slugs hold
# no quotes, the values are numbers), ~50 times faster than decoding 1,000 objects.
WINDOW_FIELDS = ("pk", "country", "education_level", "sector_text")
SECTOR_KEYS = re.compile(r'"([^"]+)"\s*:')


@dataclass
class SearchResult:
    rows: list
    count: int
    capped: bool
    page: int
    has_next: bool
    facets: dict = field(default_factory=dict)
    facets_capped: bool = False


def window(queryset, *, sort: str, text: str = "") -> tuple[list, bool]:
    """The first COUNT_CAP rows of `queryset` (filtered, not yet by text) matching `text`,
    in the order they are shown, as (pk, country, education level, sectors as JSON text)
    tuples, and whether more match.

    One window gives the capped count, the sample the facets are computed over and every
    page: a page is a slice of it, so the last page costs what the first does (no OFFSET,
    and never a COUNT(*) over the whole match). Listed by name, the window is read in the
    order of a covering index.

    Relevance ranks a bounded candidate set (`_ranked`): when fewer than COUNT_CAP match,
    that is every match, ranked exactly; a term too common to show every match (the count
    reads "more than 1,000") ranks the best-weighted matches first and the page asks to
    narrow the search.
    """
    text = (text or "").strip()[:QUERY_MAX_LENGTH]
    if sort == "relevance" and text:
        ordered = _ranked(queryset, names=normalize(text), words=tsquery_text(text))
    else:
        ordered = apply_text(queryset, text)
        if sort == "relevance":  # no text to rank by: every rank is zero
            ordered = ordered.annotate(strong=Value(False), rank=_zero(), similarity=_zero())
        ordered = ordered.order_by(*SORTS.get(sort, SORTS["name"]))
    rows = list(_window_rows(ordered))
    return rows[:COUNT_CAP], len(rows) > COUNT_CAP


def _window_rows(ordered):
    """The columns of the window, at most COUNT_CAP + 1 rows of `ordered`."""
    with_text = ordered.annotate(sector_text=Cast("sectors", TextField()))
    return with_text.values_list(*WINDOW_FIELDS)[: COUNT_CAP + 1]


class StrongTerms(Func):
    """The lexemes of the search document from the names (weight A), the headline and the
    expertise (B): `ts_filter(document, '{a,b}')`. A GIN index over this very expression
    (migration 0009) yields the matches in those fields without the bio's."""

    template = "ts_filter(%(expressions)s, '{a,b}'::\"char\"[])"
    output_field = SearchVectorField()


class Matches(Func):
    """`vector @@ query`, as a value (the ORM's `@@` is a lookup, for filters only)."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _ranked(queryset, *, names: str, words: str):
    """The word matches (of the tsquery text `words`, if any) and the close names, each
    bounded, ranked together in one statement.

    Candidates: the first COUNT_CAP + 1 matches in the names, headline or expertise
    (through the GIN index of `StrongTerms`), then as many matches anywhere (the bio
    included) and as many names close to the text (trigrams). However common the word,
    every strong match the window can show is among the candidates before any bio-only
    one. Order: strong matches first, then by full-text rank (names weigh more than the
    headline and expertise, which weigh more than the bio), then name similarity, so a
    misspelt name only the trigram match finds (rank 0) comes after every word match."""
    candidates = queryset.filter(names__trigram_word_similar=names).values("pk")
    candidates = candidates.order_by()[: COUNT_CAP + 1]
    rank = _zero()
    strong = Value(False)
    if words:
        query = _search_query(words)
        strong = Matches(StrongTerms("document"), query)
        strong_matches = queryset.filter(strong).values("pk").order_by()[: COUNT_CAP + 1]
        matches = queryset.filter(document=query).values("pk").order_by()[: COUNT_CAP + 1]
        candidates = strong_matches.union(matches, candidates)
        rank = SearchRank(F("document"), query)
        strong = Coalesce(strong, Value(False))
    return (
        MemberSearchIndex.objects.filter(pk__in=candidates)
        .annotate(strong=strong, rank=rank, similarity=TrigramWordSimilarity(names, "names"))
        .order_by(*SORTS["relevance"])
    )


@lru_cache(maxsize=4096)
def _sector_keys(text: str) -> tuple[str, ...]:
    """The slugs of a stored sectors JSON text ('{"tic": 0, "salud": 4}' -> tic, salud)."""
    return tuple(SECTOR_KEYS.findall(text))


def facets(rows) -> dict:
    """Per sector (slug), country and education level: how many rows of the window fall
    there."""
    # The window holds few distinct sector sets (~60 in 1,000 rows): each distinct JSON
    # text is counted, then its keys read once (kept per process); columns read by
    # itemgetter (C), not a generator per row.
    by_sector = Counter()
    for text, n in Counter(map(itemgetter(3), rows)).items():
        for key in _sector_keys(text):
            by_sector[key] += n
    by_country = Counter(map(itemgetter(1), rows))
    by_education = Counter(map(itemgetter(2), rows))
    by_country.pop("", None)
    by_education.pop("", None)
    return {"sector": dict(by_sector), "country": dict(by_country), "education": dict(by_education)}


SHOWN_FIELDS = (
    "pk",
    "country",
    "education_level",
    "sectors",
    "profile__preferred_name",
    "profile__given_names",
    "profile__paternal_surname",
    "profile__maternal_surname",
    "profile__headline",
)


@dataclass
class ShownProfile:
    """What a result row shows of the member's profile (read with the row, no Profile
    instance: 25 model instances per page cost more than the page's SQL)."""

    preferred_name: str
    given_names: str
    paternal_surname: str
    maternal_surname: str
    headline: str

    @property
    def display_name(self) -> str:
        return display_name(self.preferred_name, self.given_names, self.paternal_surname)


@dataclass
class ShownRow:
    profile_id: int
    country: str
    education_level: str
    sectors: dict
    profile: ShownProfile
    photo_url: str = ""  # only when the viewer may open the profile (members.files checks)

    @property
    def initials(self) -> str:
        return initials(self.profile.display_name)


def shown_rows(page_ids: list, viewer=None) -> list:
    """The index rows of one page, in order, each checked against the members' own tables
    (the boundary): a row whose contactable flag is stale is left out, never shown (the
    signal receivers rewrite it; a search only reads).

    With `viewer`, a row carries the member's photo when the photos' access check would
    serve it to the viewer (Profile.objects.visible_to, members.files): a contactable
    member hidden from the directory shows initials, never a refused photo. Read in the
    same statement (a condition per row)."""
    if not page_ids:
        return []
    rows = base_queryset().filter(pk__in=page_ids)
    if viewer is None:
        rows = rows.annotate(photo_shown=Value(False, output_field=BooleanField()))
    else:
        visible = Profile.objects.visible_to(viewer).filter(pk=OuterRef("profile_id"))
        rows = rows.annotate(photo_shown=Exists(visible))
    storage = Profile._meta.get_field("photo").storage
    by_id = {}
    for pk, country, education, sectors, *names, photo, photo_shown in rows.values_list(
        *SHOWN_FIELDS, "profile__photo", "photo_shown"
    ):
        by_id[pk] = ShownRow(
            pk,
            country,
            education,
            sectors,
            ShownProfile(*names),
            photo_url=storage.url(photo) if photo and photo_shown else "",
        )
    return [by_id[pk] for pk in page_ids if pk in by_id]


def run_search(queryset, *, sort: str, page: int, text: str = "", viewer=None) -> SearchResult:
    """One page of results (25), a capped count and the facets of the current result;
    `viewer` (the searcher) gets the photos they may see on the cards."""
    page = max(1, min(page, MAX_PAGE))
    rows, capped = window(queryset, sort=sort, text=text)
    offset = (page - 1) * PAGE_SIZE
    return SearchResult(
        rows=shown_rows([row[0] for row in rows[offset : offset + PAGE_SIZE]], viewer),
        count=len(rows),
        capped=capped,
        page=page,
        has_next=offset + PAGE_SIZE < len(rows) and page < MAX_PAGE,
        facets=facets(rows),
        facets_capped=capped,
    )
