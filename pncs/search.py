"""The coordinators' member search: the denormalised index, full-text and fuzzy matching,
capped counts, facets and pages.

PostgreSQL does the real work (tsvector in Spanish, English and 'simple' configurations,
unaccent, pg_trgm); on SQLite (`make run`) a plain substring match over an unaccented copy
of the same text keeps the page usable.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Func, Q, TextField, Value
from django.utils import timezone

from members.models import Profile, ProfileSector

from .models import MemberSearchIndex

PAGE_SIZE = 25
COUNT_CAP = 1000  # "más de 1 000": never a COUNT over the whole table
MAX_PAGE = COUNT_CAP // PAGE_SIZE
FACET_CAP = COUNT_CAP  # facets are computed over at most this many rows of the result
RANK_CANDIDATES = COUNT_CAP  # a broad term: relevance ranks this many matches, not all
QUERY_MAX_LENGTH = 200
REBUILD_BATCH = 2000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


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
        plain_text=normalize(" ".join((names, profile.headline, body, expertise))),
        country=str(profile.country or ""),
        state_of_origin=profile.state_of_origin,
        education_level=profile.education_level,
        willing_to_travel=profile.willing_to_travel,
        updated_at=profile.updated_at or timezone.now(),
    )


UPDATE_FIELDS = [
    "contactable",
    "sort_name",
    "names",
    "headline",
    "body",
    "expertise_text",
    "plain_text",
    "country",
    "state_of_origin",
    "education_level",
    "willing_to_travel",
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
            ).prefetch_related("expertise")
        ]
        MemberSearchIndex.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["profile"], update_fields=UPDATE_FIELDS
        )
        if is_postgres() and rows:
            MemberSearchIndex.objects.filter(pk__in=[r.profile_id for r in rows]).update(
                document=_document()
            )
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


def base_queryset():
    """The index rows of members PNCS may contact: the boundary of every search and export."""
    return MemberSearchIndex.objects.filter(
        contactable=True,
        profile_id__in=Profile.objects.contactable_by_pncs().values("pk"),
    )


def apply_text(queryset, text: str):
    """Filter by free text and annotate `rank` (full text) and `similarity` (fuzzy names).

    Relevance orders by the full-text rank first (names weigh more than the headline and
    expertise, which weigh more than the bio), then by name similarity: a misspelt name
    that only the trigram match finds comes after every real word match.
    """
    zero = Value(0.0, output_field=FloatField())
    text = (text or "").strip()[:QUERY_MAX_LENGTH]
    if not text:
        return queryset.annotate(rank=zero, similarity=zero)
    plain = normalize(text)
    if not is_postgres():
        for term in plain.split()[:8]:
            queryset = queryset.filter(plain_text__contains=term)
        return queryset.annotate(rank=zero, similarity=zero)
    # Accents stripped here, not by UNACCENT() in SQL: a constant query lets PostgreSQL
    # build the tsquery once at planning, not once per row it filters.
    value = Value(strip_accents(text))
    query = (
        SearchQuery(value, config="spanish", search_type="websearch")
        | SearchQuery(value, config="english", search_type="websearch")
        | SearchQuery(value, config="simple", search_type="websearch")
    )
    if is_broad(queryset.filter(document=query)):
        # More word matches than the search ever shows: the fuzzy name matches would rank
        # after all of them (past the last page), so they are not looked for at all.
        matching = queryset.filter(document=query)
    else:
        matching = queryset.filter(Q(document=query) | Q(names__trigram_word_similar=plain))
    return matching.annotate(
        rank=SearchRank(F("document"), query),
        similarity=TrigramWordSimilarity(plain, "names"),
    )


def is_broad(queryset) -> bool:
    """More than COUNT_CAP rows match (reads at most COUNT_CAP + 1 of them)."""
    return queryset.order_by().values_list("pk", flat=True)[COUNT_CAP : COUNT_CAP + 1].exists()


SORTS = {
    "relevance": ("-rank", "-similarity", "profile_id"),
    "name": ("sort_name", "profile_id"),
    "updated": ("-updated_at", "profile_id"),
}


@dataclass
class SearchResult:
    rows: list
    count: int
    capped: bool
    page: int
    has_next: bool
    facets: dict = field(default_factory=dict)
    facets_capped: bool = False


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """How many rows match, counting at most cap + 1: (count, whether it went past cap)."""
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def matching_ids(queryset, cap: int | None = None) -> tuple[list, bool]:
    """The ids of at most `cap` matching rows, and whether more match: one query that
    gives both the capped count and the sample the facets are computed over."""
    cap = COUNT_CAP if cap is None else cap
    ids = list(queryset.order_by().values_list("pk", flat=True)[: cap + 1])
    return ids[:cap], len(ids) > cap


def facets(queryset=None, *, ids=None) -> dict:
    """Per sector, country and education level: how many rows of the result fall there
    (over `ids` when given, else over the first FACET_CAP rows of `queryset`)."""
    sample = ids[:FACET_CAP] if ids is not None else queryset.order_by().values("pk")[:FACET_CAP]
    by_sector = dict(
        ProfileSector.objects.filter(profile_id__in=sample)
        .values_list("sector_id")
        .annotate(n=Count("pk"))
        .values_list("sector_id", "n")
    )
    by_country = dict(
        MemberSearchIndex.objects.filter(pk__in=sample)
        .exclude(country="")
        .values_list("country")
        .annotate(n=Count("pk"))
        .values_list("country", "n")
    )
    by_education = dict(
        MemberSearchIndex.objects.filter(pk__in=sample)
        .exclude(education_level="")
        .values_list("education_level")
        .annotate(n=Count("pk"))
        .values_list("education_level", "n")
    )
    return {"sector": by_sector, "country": by_country, "education": by_education}


def run_search(queryset, *, sort: str, page: int) -> SearchResult:
    """One page of results (25), a capped count and the facets of the current result."""
    page = max(1, min(page, MAX_PAGE))
    ids, capped = matching_ids(queryset)
    count = len(ids)
    offset = (page - 1) * PAGE_SIZE
    ordered = queryset
    if capped and sort == "relevance":
        # Ranking every match of a common term reads every matching document: rank a
        # bounded candidate set instead, the RANK_CANDIDATES most recently updated matches.
        ordered = queryset.filter(
            pk__in=queryset.order_by("-updated_at", "profile_id").values("pk")[:RANK_CANDIDATES]
        )
    rows = list(
        ordered.order_by(*SORTS.get(sort, SORTS["name"]))
        .select_related("profile", "profile__user")
        .prefetch_related("profile__profile_sectors__sector")[offset : offset + PAGE_SIZE + 1]
    )
    has_next = len(rows) > PAGE_SIZE and page < MAX_PAGE
    facet_counts = facets(ids=ids)
    return SearchResult(
        rows=rows[:PAGE_SIZE],
        count=count,
        capped=capped,
        page=page,
        has_next=has_next,
        facets=facet_counts,
        facets_capped=capped,
    )
