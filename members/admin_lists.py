"""Admin changelists over tables of up to millions of rows (every app's admin uses these).

A stock changelist counts the whole table twice (the filtered count and the total),
computes facet counts on request, and searches with `icontains` over joins: at a million
members each costs seconds. Here:

- `BoundedPaginator` counts at most COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (... LIMIT
  10001)`); the templates (templates/admin/pagination.html, search_form.html) then say
  "more than 10,000". Pages past the cap are not offered (no OFFSET of a million rows).
- `BigTableAdminMixin`: that paginator, no total count (`show_full_result_count`), no facets.
- `MemberSearchMixin`: the search box finds people by every word of their names, headline
  or expertise (whole words, accents and case ignored) through the
  GIN index of `Profile.search_words`, or by e-mail address (a term with "@") through the
  trigram index of the addresses; never a scan of the table.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .listing import search_terms, words_query

COUNT_CAP = 10_000

MEMBER_SEARCH_HELP = _(
    "Nombre, apellidos, titular o especialidad (sin importar acentos), o el correo con su @."
)


class BoundedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows of its queryset.

    `count` is exact up to `cap`; past it, it is `cap` + 1 and `capped` is True (the pages
    offered stop there: the rows past the cap are reached by filtering or searching)."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class BigTableAdminMixin:
    """For the ModelAdmin of a big table: bounded count and pages, no total, no facets."""

    paginator = BoundedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


def people_matching(term: str):
    """A subquery of the ids of the people (users, and their profiles: same id) a staff
    search names, or None when the term holds nothing to search for.

    A term with "@" is (part of) an e-mail address; otherwise every word must be a word
    of the person's names, headline or expertise."""
    from .models import Profile, User

    term = " ".join(str(term or "").split())
    if "@" in term:
        return User.objects.filter(email__icontains=term[:254]).values("pk")
    words = search_terms(term)
    if not words:
        return None
    profiles = Profile.objects.all()
    if connection.vendor == "postgresql":
        profiles = profiles.filter(search_words=words_query(words))
    else:  # SQLite (`make run`): substrings of the same text
        for word in words:
            profiles = profiles.filter(search_words__contains=word)
    return profiles.values("pk")


class MemberSearchMixin:
    """The admin search finds rows by the person they belong to (`member_search_path`, the
    lookup to the user or profile id: "pk", "user", "viewer"...), through the indexes of
    `people_matching`. Keep a `search_fields` (the search box shows only with one)."""

    member_search_path = "user"
    search_help_text = MEMBER_SEARCH_HELP

    def get_search_results(self, request, queryset, search_term):
        ids = people_matching(search_term)
        if ids is None:
            return queryset, False
        return queryset.filter(**{f"{self.member_search_path}__in": ids}), False
