"""Admin changelists over tables of up to millions of rows (every app's admin uses these).

A stock changelist counts the whole table twice (the filtered count and the total),
computes facet counts on request, and searches with `icontains` over joins: at a million
members each costs seconds. Here:

- `BoundedPaginator` counts at most COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (... LIMIT
  1001)`); the templates (templates/admin/pagination.html, search_form.html) then say
  "more than 1000": filter or search. Pages past the cap are not offered (no OFFSET of a
  million rows). Big tables are listed newest first by primary key (its index), never
  sorted by an unindexed column (`sortable_by`).
- `BigTableAdminMixin`: that paginator, 50 rows a page, no total count
  (`show_full_result_count`), no facets.
- `MemberSearchMixin`: the search box finds people by every word of their names, headline
  or expertise (whole words, accents and case ignored) through the
  GIN index of `Profile.search_words`, or by e-mail address (a term with "@") through the
  trigram index of the addresses; never a scan of the table.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .listing import search_terms, words_query

COUNT_CAP = 1000

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
    list_per_page = 50  # the admin's rendering costs ~0.5 ms of CPU per row
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


def profile_condition(term: str):
    """The condition on Profile rows of a staff search (see people_matching), or None."""
    term = " ".join(str(term or "").split())
    if "@" in term:
        return Q(user__email__icontains=term[:254])
    words = search_terms(term)
    if not words:
        return None
    return Q(search_words=words_query(words))


def people_matching(term: str):
    """A subquery of the ids of the people (users, and their profiles: same id) a staff
    search names, or None when the term holds nothing to search for.

    A term with "@" is (part of) an e-mail address; otherwise every word must be a word
    of the person's names, headline or expertise."""
    from .models import Profile, User

    term = " ".join(str(term or "").split())
    if "@" in term:
        return User.objects.filter(email__icontains=term[:254]).values("pk")
    condition = profile_condition(term)
    if condition is None:
        return None
    return Profile.objects.filter(condition).values("pk")


class MemberSearchMixin:
    """The admin search finds rows by the person they belong to (`member_search_path`, the
    lookup to the user or profile id: "pk", "user", "viewer"...), through the indexes of
    `people_matching`. Keep a `search_fields` (the search box shows only with one)."""

    member_search_path = "user"
    search_help_text = MEMBER_SEARCH_HELP

    def get_search_results(self, request, queryset, search_term):
        if self.member_search_path == "pk" and queryset.model._meta.model_name == "profile":
            condition = profile_condition(search_term)  # the profile rows themselves
            return (queryset, False) if condition is None else (queryset.filter(condition), False)
        ids = people_matching(search_term)
        if ids is None:
            return queryset, False
        return queryset.filter(**{f"{self.member_search_path}__in": ids}), False
