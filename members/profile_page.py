"""The lists a profile page shows, read in one plain statement.

The profile page is the busiest member page. Its four lists (sectors, expertise, languages,
contributions) cost four prefetch queries, or four ARRAY subqueries in the profile's query,
and most of that is Python building SQL (about 2 ms of CPU a request, more than the rest of
the view). The statement below is built once per language from the models' metadata and
runs in ~0.1 ms. It only reads the lists of a profile the caller already found through
`Profile.objects.visible_to(viewer)` (the permission boundary), by its id.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db import connection
from django.http import Http404
from django.utils import timezone

from talentnet.db.compiled import CompiledQuery

from .models import (
    Contribution,
    ExpertiseTag,
    Language,
    Profile,
    ProfileSector,
    Sector,
    translated_name_field,
)


def _page_query(visibility: str) -> CompiledQuery:
    return CompiledQuery(
        lambda pk, viewer_id, today: (
            Profile.objects.visible_at(visibility, viewer_id=viewer_id)
            .for_page()
            .with_seen_today(viewer_id, today=today)
            .filter(pk=pk)
        ),
        pk=-1,
        viewer_id=-2,
        today=date(2000, 1, 1),
    )


# One compiled statement per kind of viewer (members.querysets.profile_visibility).
PAGE_QUERIES = {}


def profile_for_page(*, viewer, pk):
    """The profile `viewer` opens (Profile.objects.visible_to(viewer), with its user and
    `seen_today`), or Http404: the busiest member page's main query, compiled once per kind
    of viewer rather than built and compiled on every request."""
    from .querysets import NOTHING, profile_visibility

    visibility = profile_visibility(viewer)
    if visibility == NOTHING:
        raise Http404("no such profile")
    query = PAGE_QUERIES.get(visibility)
    if query is None:
        query = PAGE_QUERIES[visibility] = _page_query(visibility)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such profile") from None
    found = query.instances(pk=pk, viewer_id=viewer.pk, today=timezone.localdate())
    if not found:
        raise Http404("no such profile")
    return found[0]


@dataclass
class ProfileLists:
    """Names in the active language, in the order the page shows them."""

    sectors: list[dict] = field(default_factory=list)  # {"name", "primary"}, primary first
    expertise: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    contributions: list[str] = field(default_factory=list)


def profile_lists(profile_id) -> ProfileLists:
    """The sectors (primary first, then in their order), expertise (by name), languages
    (by name) and contributions (in their order) of one profile."""
    lists = ProfileLists()
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, translated_name_field()), [profile_id] * 4)
        for kind, name, primary, _rank in cursor.fetchall():
            if kind == "sector":
                lists.sectors.append({"name": name, "primary": bool(primary)})
            else:
                getattr(lists, kind).append(name)
    return lists


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _through(field_name):
    """The M2M table of Profile.<field_name>, its profile column and its target column."""
    m2m = Profile._meta.get_field(field_name)
    quote = connection.ops.quote_name
    return quote(m2m.m2m_db_table()), quote(m2m.m2m_column_name()), quote(m2m.m2m_reverse_name())


@cache
def _statement(vendor, name_field):
    """UNION ALL of the four lists: (kind, name, primary 0/1, rank within the kind),
    ordered by kind and rank. Built once per database vendor and language column."""
    sector_name = _column(Sector, name_field)
    sector_order = _column(Sector, "order")
    primary = _column(ProfileSector, "is_primary")
    parts = [
        f"SELECT 'sector' AS kind, s.{sector_name} AS name, "  # noqa: S608 - our identifiers
        f"CASE WHEN ps.{primary} THEN 1 ELSE 0 END AS is_primary, "
        f"ROW_NUMBER() OVER (ORDER BY ps.{primary} DESC, s.{sector_order}) AS rank "
        f"FROM {_table(ProfileSector)} ps JOIN {_table(Sector)} s "
        f"ON s.{_column(Sector, 'id')} = ps.{_column(ProfileSector, 'sector')} "
        f"WHERE ps.{_column(ProfileSector, 'profile')} = %s"
    ]
    for kind, field_name, target, name, order in (
        ("expertise", "expertise", ExpertiseTag, "name", "name"),
        ("languages", "languages", Language, name_field, name_field),
        ("contributions", "contributions", Contribution, name_field, "order"),
    ):
        table, profile_column, target_column = _through(field_name)
        parts.append(
            f"SELECT '{kind}', t.{_column(target, name)}, 0, "  # noqa: S608 - our identifiers
            f"ROW_NUMBER() OVER (ORDER BY t.{_column(target, order)}) "
            f"FROM {table} m JOIN {_table(target)} t "
            f"ON t.{_column(target, 'id')} = m.{target_column} "
            f"WHERE m.{profile_column} = %s"
        )
    return " UNION ALL ".join(parts) + " ORDER BY kind, rank"
