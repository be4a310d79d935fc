"""Parsing the coordinators' search and the public opportunity list (django-filter).

Plain FilterSets over the scoped querysets the views give them. A value the form cannot
accept (an unknown sector, a country or specialty nobody has, a text too long) makes the
form invalid: the page shows the message next to the field and no result, and the export
refuses it. Nothing is dropped silently, and a tampered URL never widens a result.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Value
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.choices import FilterForm
from core.language import collation_key
from members.choices import EducationLevel, MexicanState
from members.countries import country_code
from members.models import (
    Contribution,
    ExpertiseTag,
    Language,
    Profile,
    Sector,
    translated_name_field,
)
from members.plugins import app_modules

from .models import Opportunity
from .search import QUERY_MAX_LENGTH, apply_text

SORT_CHOICES = [
    ("relevance", _("Relevancia")),
    ("name", _("Nombre")),
    ("updated", _("Última actualización")),
]

SLUG = re.compile(r"[-a-z0-9_]{1,60}")
UNKNOWN_COUNTRY = _(
    "No conocemos el país «%(value)s». Escribe su nombre o su código de dos letras."
)
UNKNOWN_EXPERTISE = _(
    "Ningún miembro tiene la especialidad «%(value)s». Elige una de las sugerencias."
)


def _sector_choices():
    return [(sector.slug, sector.name) for sector in Sector.objects.all()]


SHORT_LISTS = ("sector", "contribution", "language", "chapter")


def _chapter_groups():
    """The chapters app's `member_groups` hook (None when it is not installed)."""
    return next(
        (module for _label, module in app_modules("member_groups") if module.KIND == "chapter"),
        None,
    )


def short_lists() -> dict[str, list[tuple[str, str]]]:
    """The search's four short choice lists (sectors, contributions, languages, chapters),
    labels in the active language, each in its own order, read in one query (a UNION)."""
    name = translated_name_field()

    def part(queryset, kind, value, label, position, sort_text):
        return (
            queryset.order_by()
            .annotate(kind=Value(kind), position=position, sort_text=sort_text)
            .values_list("kind", "position", "sort_text", value, label)
        )

    first, *others = (
        part(Sector.objects, "sector", "slug", name, F("order"), Value("")),
        part(Contribution.objects, "contribution", "slug", name, F("order"), Value("")),
        part(Language.objects, "language", "code", name, Value(0), F("name_es")),
    )
    chapters = _chapter_groups()
    if chapters is not None:
        label = chapters.LABEL
        others.append(part(chapters.groups(), "chapter", chapters.VALUE, label, Value(0), F(label)))
    lists = {kind: [] for kind in SHORT_LISTS}
    rows = first.union(*others, all=True).order_by("kind", "position", "sort_text")
    for kind, _position, _sort, value, label in rows:
        lists[kind].append((value, label))
    # Languages by their name in the active language, accents aside (core.language).
    lists["language"].sort(key=lambda choice: collation_key(choice[1]))
    return lists


class AutocompleteInput(forms.TextInput):
    """A text field that static/js/autocomplete.js turns into a combobox (WAI-ARIA 1.2)
    listing the suggestions of `members:suggestions` for `kind`; without JavaScript it
    stays a plain text field."""

    def __init__(self, kind: str, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "data-autocomplete": kind,
                "data-suggest-url": reverse_lazy("members:expertise_suggestions"),
                "spellcheck": "false",
                **(attrs or {}),
            }
        )


class CountryNameField(forms.CharField):
    """A country by its name (in either language) or its ISO code; cleans to the code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("widget", AutocompleteInput("country"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = country_code(value)
        if not code:
            raise ValidationError(UNKNOWN_COUNTRY, code="unknown", params={"value": value})
        return code

    def prepare_value(self, value):
        """A code (a facet link's `country=CA`) shown as its name in the active language."""
        if isinstance(value, str) and value.upper() in countries:
            return str(countries.name(value.upper()))
        return value


class ExpertiseNameField(forms.CharField):
    """An expertise tag by its name (case and accents aside) or its slug; cleans to the
    slug."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("widget", AutocompleteInput("expertise"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        tags = ExpertiseTag.objects.values_list("slug", flat=True)
        tag = tags.filter(name__iexact=value).first() or tags.filter(slug=value).first()
        if not tag:  # accents aside ("robotica")
            tag = tags.filter(name__unaccent__iexact=value).first()
        if not tag:
            raise ValidationError(UNKNOWN_EXPERTISE, code="unknown", params={"value": value})
        return tag

    def prepare_value(self, value):
        """A slug (from a link) shown as the tag's name."""
        if isinstance(value, str) and SLUG.fullmatch(value):
            name = ExpertiseTag.objects.filter(slug=value).values_list("name", flat=True).first()
            return name or value
        return value


class CountryFilter(django_filters.CharFilter):
    field_class = CountryNameField


class ExpertiseFilter(django_filters.CharFilter):
    field_class = ExpertiseNameField


class MemberSearchFilter(django_filters.FilterSet):
    """The coordinators' search over the search index rows (`pncs.search.index_queryset`,
    or `base_queryset` for an export). The free text is applied by the search itself."""

    # The short lists' choices are read per search (`short_lists`, in __init__).
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Texto libre"),
        help_text=_("Nombre, titular, semblanza, empleador o especialidad."),
        max_length=QUERY_MAX_LENGTH,
    )
    # Short lists (up to a few dozen choices) as checkboxes; the 32 states stay a list box.
    sector = django_filters.MultipleChoiceFilter(
        choices=_sector_choices,
        method="filter_sector",
        label=_("Sectores"),
        widget=forms.CheckboxSelectMultiple,
    )
    country = CountryFilter(
        field_name="country",
        label=_("País de residencia"),
        help_text=_("Nombre o código de dos letras; escribe para ver sugerencias."),
    )
    state = django_filters.MultipleChoiceFilter(
        field_name="state_of_origin", choices=MexicanState.choices, label=_("Estado de origen")
    )
    education = django_filters.MultipleChoiceFilter(
        field_name="education_level",
        choices=EducationLevel.choices,
        label=_("Nivel de estudios"),
        widget=forms.CheckboxSelectMultiple,
    )
    chapter = django_filters.MultipleChoiceFilter(
        choices=list,
        method="filter_chapter",
        label=_("Capítulo"),
        widget=forms.CheckboxSelectMultiple,
    )
    contribution = django_filters.MultipleChoiceFilter(
        choices=list,
        method="filter_contribution",
        label=_("Tipo de aportación"),
        widget=forms.CheckboxSelectMultiple,
    )
    expertise = ExpertiseFilter(
        method="filter_expertise",
        label=_("Especialidad"),
        help_text=_("Escribe para ver las especialidades de las personas integrantes."),
    )
    language = django_filters.MultipleChoiceFilter(
        choices=list,
        method="filter_language",
        label=_("Idiomas"),
        widget=forms.CheckboxSelectMultiple,
    )
    travel = django_filters.BooleanFilter(
        method="filter_travel",
        label=_("Solo quienes pueden viajar a México"),
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_noop", label=_("Ordenar por"), empty_label=None
    )

    class Meta:
        fields = []
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The four short lists in one query per search (a choices callable would be called
        # again each time the field is validated or drawn: a query each time).
        for kind, choices in short_lists().items():
            self.filters[kind].extra["choices"] = choices

    def filter_noop(self, queryset, name, value):
        return queryset  # sorting is applied by the search, after the filters

    def filter_text(self, queryset, name, value):
        return queryset  # applied by the search (`pncs.search.window`) or by `qs`

    def filter_sector(self, queryset, name, value):
        return queryset.filter(sectors__has_any_keys=list(value))

    def filter_chapter(self, queryset, name, value):
        """Approved members of the chosen chapters (a pending request is not membership)."""
        chapters = _chapter_groups()
        if chapters is None:
            return queryset.none()
        return queryset.filter(
            Exists(chapters.memberships(value).filter(user_id=OuterRef("profile_id")))
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
                through.objects.filter(profile_id=OuterRef("profile_id"), expertisetag__slug=value)
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
        return (self.form.cleaned_data.get("q") or "") if self.is_valid() else ""

    @property
    def filtered(self):
        """Narrowed by every filter but the free text (the search applies the text itself,
        in the order its indexes answer fastest); nothing at all when the form is invalid."""
        if not self.is_valid():
            return self.queryset.none()
        return self.filter_queryset(self.queryset.all())

    @property
    def qs(self):
        """Every filter and the free text: the rows an export writes (none when the form
        is invalid: an export refuses it before reading any row)."""
        if not hasattr(self, "_qs"):
            self._qs = apply_text(self.filtered, self.text)
        return self._qs

    def applied(self) -> dict:
        """The filters in force, as plain data: what the audit records (and only when the
        form is valid: an invalid form applies nothing)."""
        if not self.is_valid():
            return {}
        result = {}
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, "", [], False):
                continue
            result[name] = list(value) if isinstance(value, (list, tuple)) else value
        return result

    @property
    def sort_order(self) -> str:
        """Relevance needs a text to be relevant to; without one, names in order."""
        data = self.form.cleaned_data if self.is_valid() else {}
        chosen = data.get("sort")
        if not data.get("q"):
            return chosen if chosen in ("name", "updated") else "name"
        return chosen if chosen in dict(SORT_CHOICES) else "relevance"


class OpportunityFilter(django_filters.FilterSet):
    sector = django_filters.ChoiceFilter(
        choices=_sector_choices, field_name="sector__slug", label=_("Sector")
    )
    kind = django_filters.ChoiceFilter(choices=Opportunity.Kind.choices, label=_("Tipo"))
    remote = django_filters.BooleanFilter(
        field_name="is_remote",
        label=_("Solo a distancia"),
        method="filter_remote",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Opportunity
        fields = []
        form = FilterForm

    def filter_remote(self, queryset, name, value):
        return queryset.filter(is_remote=True) if value else queryset
