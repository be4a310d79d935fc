"""Parsing the coordinators' search and the public opportunity list (django-filter).

A value outside the allowed set is dropped before filtering: it is ignored, and it never
removes the other values of its parameter (so a tampered URL can only narrow the result).
"""

import copy
import itertools
import time
import uuid
from functools import lru_cache
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from chapters.models import Chapter, Membership
from members.choices import EducationLevel, MexicanState
from members.models import Contribution, ExpertiseTag, Language, Profile, Sector
from members.widgets import (
    ChoiceList,
    FastCheckboxInput,
    FastSelect,
    FastSelectMultiple,
    FastTextInput,
)

from .models import Opportunity
from .search import apply_text

SORT_CHOICES = [
    ("relevance", _("Relevancia")),
    ("name", _("Nombre")),
    ("updated", _("Última actualización")),
]


class SharedChoicesField(django_filters.fields.MultipleChoiceField):
    """Its choice list is shared, not deep-copied, when the form is built: the lists are
    resolved once per request and never changed (a deep copy of ~470 choices cost more
    than the search's SQL). Drawn by the fast select (no template per option)."""

    widget = FastSelectMultiple

    @staticmethod
    def iterator(field, choices):
        """The ChoiceList itself (django-filter wraps choices to add a "null" option, which
        these fields do not offer), so the field validates and the select draws from its
        prepared sets."""
        if isinstance(choices, ChoiceList) and field.null_label is None:
            return choices
        return django_filters.fields.ChoiceIterator(field, choices)

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result

    def valid_value(self, value):
        """A set lookup, not Django's walk through every choice for every value (these
        lists have no option groups)."""
        return str(value) in self.choices.allowed


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = SharedChoicesField


def _filter_copy(flt):
    """A filter for one request: the declared one with its own `extra` (where the request's
    choice list goes) and no field built yet. django-filter deep-copies every declared
    filter, lazy labels and choice callables included, on every request."""
    clone = copy.copy(flt)
    clone.extra = dict(flt.extra)
    clone.__dict__.pop("_field", None)
    clone.method = flt.method  # a FilterMethod bound to the copy, which gets the parent
    return clone


class _DeclaredFilters(dict):
    """A FilterSet's declared filters, copied per request by `_filter_copy`."""

    def __deepcopy__(self, memo):
        return {name: _filter_copy(flt) for name, flt in self.items()}


_form_classes: dict[tuple[type, str], tuple[tuple, type]] = {}
_form_serials = itertools.count(1)
_declared_lists: dict[tuple[int, str], tuple[list, ChoiceList]] = {}


def _declared_list(source) -> ChoiceList:
    """A choice list declared on a filter (a constant such as SORT_CHOICES) as a ChoiceList,
    built once per language."""
    key = (id(source), translation.get_language() or "")
    cached = _declared_lists.get(key)
    if cached is not None and cached[0] is source:
        return cached[1]
    choices = ChoiceList(source)
    _declared_lists[key] = (source, choices)
    return choices


class SanitizingFilterSet(django_filters.FilterSet):
    """Resolves every choice list once per request and drops values outside it."""

    def __init__(self, data=None, *args, **kwargs):
        declared = type(self).__dict__.get("base_filters")
        if declared is not None and not isinstance(declared, _DeclaredFilters):
            type(self).base_filters = _DeclaredFilters(declared)
        super().__init__(data, *args, **kwargs)
        allowed = {}
        version = None
        for name, flt in self.filters.items():
            choices = flt.extra.get("choices")
            if choices is None:
                continue
            if isinstance(choices, ReferenceChoices):
                if version is None:
                    version = reference_version()
                choices = choices.resolve(version)
            elif callable(choices):
                choices = choices()
            if isinstance(choices, ChoiceList):
                pass
            elif choices is flt.extra["choices"]:  # a list declared on the filter
                choices = _declared_list(choices)
            else:
                choices = ChoiceList(choices)
            flt.extra["choices"] = choices
            allowed[name] = choices.allowed
        if self.data is not None and self.is_bound:
            clean = self.data.copy()
            for name, values in allowed.items():
                if name in clean:
                    kept = [v for v in clean.getlist(name) if v in values]
                    if kept:
                        clean.setlist(name, kept)
                    else:
                        del clean[name]
            self.data = clean

    def get_form_class(self):
        """One form class per filterset and language while its choice lists are the same
        objects (they are built once per language and reference version), instead of a new
        class and a field per filter on every request."""
        choices = tuple(flt.extra.get("choices") for flt in self.filters.values())
        key = (type(self), translation.get_language() or "")
        cached = _form_classes.get(key)
        if (
            cached is not None
            and len(cached[0]) == len(choices)
            and all(mine is theirs for mine, theirs in zip(cached[0], choices, strict=True))
        ):
            return cached[1]
        form_class = super().get_form_class()
        form_class.serial = next(_form_serials)  # never reused, unlike an id()
        _form_classes[key] = (choices, form_class)  # holds the lists: `is` stays meaningful
        return form_class

    @property
    def form_key(self) -> str:
        """Everything the drawn form depends on: its class (language and choice lists, see
        `get_form_class`) and the values it was given (after sanitising; the page aside).
        The key of its cached fragment."""
        form, data = self.form, self.data
        values = [(n, v) for n in form.fields for v in data.getlist(n)] if data is not None else []
        return f"{type(form).serial}?{urlencode(values)}"

    def applied(self) -> dict:
        """The filters in force, as plain data (for the audit and the export links)."""
        form = self.form
        if not form.is_valid():
            return {}
        result = {}
        for name, value in form.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            result[name] = list(value) if isinstance(value, (list, tuple)) else value
        return result


# Reference lists edited in the admin (and expertise tags members create): kept in each
# process per language, valid while the version every process reads from the cache is the
# one they were built under (pncs.signals draws a new version when a row changes, so one
# cache read per search checks all five). The timeout only bounds how long a bulk update
# (which sends no signal) can go unseen; without the cache, every search reads the tables.
CHOICES_CACHE_SECONDS = 600
CHOICES_VERSION_KEY = "pncs:choices:version"
REFERENCE_CHOICES = {
    "sector": lambda: [(s.slug, s.name) for s in Sector.objects.all()],
    "contribution": lambda: [(c.slug, c.name) for c in Contribution.objects.all()],
    "language": lambda: [(lang.code, lang.name) for lang in Language.objects.all()],
    "expertise": lambda: list(ExpertiseTag.objects.values_list("slug", "name")),
    "chapter": lambda: list(Chapter.objects.order_by("name").values_list("slug", "name")),
}
_built: dict[tuple[str, str], tuple[str, float, ChoiceList]] = {}


def reference_version() -> str | None:
    """The reference lists' current version (None when the cache does not answer)."""
    version = cache.get(CHOICES_VERSION_KEY)
    if version is None:
        cache.add(CHOICES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(CHOICES_VERSION_KEY)
    return version


class ReferenceChoices:
    """One reference list as a ChoiceList in the active language (a choices callable for
    django-filter; `SanitizingFilterSet` resolves all five under one version read)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self) -> ChoiceList:
        return self.resolve(reference_version())

    def resolve(self, version: str | None) -> ChoiceList:
        key = (self.kind, translation.get_language() or "")
        now = time.monotonic()
        built = _built.get(key)
        if version is not None and built and built[0] == version and built[1] > now:
            return built[2]
        choices = ChoiceList(REFERENCE_CHOICES[self.kind]())
        if version is not None:
            _built[key] = (version, now + CHOICES_CACHE_SECONDS, choices)
        return choices


def _new_reference_version() -> None:
    cache.set(CHOICES_VERSION_KEY, uuid.uuid4().hex, None)


def forget_reference_choices(kind: str) -> None:
    """Every process builds its lists again at its next search: at once (so this very
    transaction sees its change) and after commit (a process that rebuilt in between read
    the tables before the change was visible)."""
    _new_reference_version()
    transaction.on_commit(_new_reference_version)


_sector_choices = ReferenceChoices("sector")
_contribution_choices = ReferenceChoices("contribution")
_language_choices = ReferenceChoices("language")
_expertise_choices = ReferenceChoices("expertise")
_chapter_choices = ReferenceChoices("chapter")


@lru_cache(maxsize=8)
def _static_choices(kind: str, language: str) -> ChoiceList:
    """Choice lists that change only with the code: translated and sorted once per
    language and process (about 300 labels that would otherwise be translated, sorted
    and deep-copied as lazy strings on every search)."""
    source = {
        "country": countries,
        "state": MexicanState.choices,
        "education": EducationLevel.choices,
    }[kind]
    return ChoiceList(source)


def _country_choices():
    return _static_choices("country", translation.get_language() or "")


def _state_choices():
    return _static_choices("state", translation.get_language() or "")


def _education_choices():
    return _static_choices("education", translation.get_language() or "")


class MemberSearchFilter(SanitizingFilterSet):
    q = django_filters.CharFilter(
        widget=FastTextInput,
        method="filter_text",
        label=_("Texto libre"),
        help_text=_("Nombre, titular, semblanza, empleador o especialidad."),
        max_length=200,
    )
    sector = MultipleChoiceFilter(
        choices=_sector_choices,
        method="filter_sector",
        label=_("Sectores"),
    )
    country = MultipleChoiceFilter(
        field_name="country",
        choices=_country_choices,
        label=_("País de residencia"),
        distinct=False,  # a column of the index row: no join, no duplicates
    )
    state = MultipleChoiceFilter(
        field_name="state_of_origin",
        choices=_state_choices,
        label=_("Estado de origen"),
        distinct=False,  # a column of the index row: no join, no duplicates
    )
    education = MultipleChoiceFilter(
        field_name="education_level",
        choices=_education_choices,
        label=_("Nivel de estudios"),
        distinct=False,  # a column of the index row: no join, no duplicates
    )
    chapter = MultipleChoiceFilter(
        choices=_chapter_choices,
        method="filter_chapter",
        label=_("Capítulo"),
    )
    contribution = MultipleChoiceFilter(
        choices=_contribution_choices,
        method="filter_contribution",
        label=_("Tipo de aportación"),
    )
    expertise = MultipleChoiceFilter(
        choices=_expertise_choices,
        method="filter_expertise",
        label=_("Especialidad"),
    )
    language = MultipleChoiceFilter(
        choices=_language_choices,
        method="filter_language",
        label=_("Idiomas"),
    )
    travel = django_filters.BooleanFilter(
        method="filter_travel",
        label=_("Solo quienes pueden viajar a México"),
        widget=FastCheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES,
        method="filter_noop",
        label=_("Ordenar por"),
        empty_label=None,
        widget=FastSelect,
    )

    class Meta:
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # sorting is applied by the search, after the filters

    def filter_text(self, queryset, name, value):
        return queryset  # applied last by `qs` (the text match reads the GIN indexes)

    def filter_sector(self, queryset, name, value):
        return queryset.filter(sectors__has_any_keys=list(value))

    def filter_chapter(self, queryset, name, value):
        """Approved members of the chosen chapters (a pending request is not membership)."""
        return queryset.filter(
            Exists(
                Membership.objects.approved().filter(
                    user_id=OuterRef("profile_id"), chapter__slug__in=value
                )
            )
        )

    def filter_contribution(self, queryset, name, value):
        through = Profile.contributions.through
        return queryset.filter(
            Exists(
                through.objects.filter(
                    profile_id=OuterRef("profile_id"), contribution__slug__in=value
                )
            )
        )

    def filter_expertise(self, queryset, name, value):
        through = Profile.expertise.through
        return queryset.filter(
            Exists(
                through.objects.filter(
                    profile_id=OuterRef("profile_id"), expertisetag__slug__in=value
                )
            )
        )

    def filter_language(self, queryset, name, value):
        through = Profile.languages.through
        return queryset.filter(
            Exists(
                through.objects.filter(profile_id=OuterRef("profile_id"), language__code__in=value)
            )
        )

    def filter_travel(self, queryset, name, value):
        return queryset.filter(willing_to_travel=True) if value else queryset

    @property
    def text(self) -> str:
        return (self.form.cleaned_data.get("q") or "") if self.form.is_valid() else ""

    @property
    def filtered(self):
        """Narrowed by every filter but the free text (the search applies the text itself,
        in the order its indexes answer fastest)."""
        if not hasattr(self, "_filtered"):
            queryset = self.queryset.all()
            if self.is_bound:
                self.errors  # noqa: B018 - validates the form before filtering
                queryset = self.filter_queryset(queryset)
            self._filtered = queryset
        return self._filtered

    @property
    def qs(self):
        """Every filter and the free text: the rows an export writes."""
        if not hasattr(self, "_qs"):
            self._qs = apply_text(self.filtered, self.text)
        return self._qs

    @property
    def narrowed(self) -> bool:
        """Whether a filter other than the text and the order applies (without one,
        `filtered` is the queryset it was given)."""
        return bool(set(self.applied()) - {"q", "sort"})

    @property
    def by_sector(self) -> tuple[str, str] | None:
        """(sector, country or "") when the only filters are one sector and at most one
        country (the order aside): the search can read its window from the index by sector
        (`pncs.search.window`)."""
        applied = self.applied()
        sectors, countries = applied.get("sector", []), applied.get("country", [])
        if set(applied) - {"sector", "country", "sort"} or len(sectors) != 1 or len(countries) > 1:
            return None
        return sectors[0], (countries[0] if countries else "")

    @property
    def sort_order(self) -> str:
        """Relevance needs a text to be relevant to; without one, names in order."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        chosen = data.get("sort")
        if not data.get("q"):
            return chosen if chosen in ("name", "updated") else "name"
        return chosen if chosen in dict(SORT_CHOICES) else "relevance"


class OpportunityFilter(SanitizingFilterSet):
    sector = django_filters.ChoiceFilter(
        choices=_sector_choices, field_name="sector__slug", label=_("Sector")
    )
    kind = django_filters.ChoiceFilter(choices=Opportunity.Kind.choices, label=_("Tipo"))
    remote = django_filters.BooleanFilter(
        field_name="is_remote",
        label=_("Solo a distancia"),
        method="filter_remote",
        widget=FastCheckboxInput,
    )

    class Meta:
        model = Opportunity
        fields = []

    def filter_remote(self, queryset, name, value):
        return queryset.filter(is_remote=True) if value else queryset
