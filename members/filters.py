"""The member directory's filters, applied to an already scoped queryset.

A directory card shows a member's name (as they want to be called), headline, city,
country, sectors and expertise: the directory filters on exactly that and nothing else.
A filter on anything else (state of origin, contributions, chapters, employer, studies...)
would let a series of requests recover what the cards hide; such parameters are ignored.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.choices import FilterForm

from .countries import country_code
from .listing import search_terms, words_query
from .models import Profile, ProfileSector, Sector

UNKNOWN_COUNTRY = _("Escribe el nombre de un país (por ejemplo, México o Canadá).")


class CountryNameField(forms.CharField):
    """A country typed by name (Spanish or English, accents and case ignored) or by its
    two-letter code; cleans to the code. A text field with suggestions (a datalist filled
    from members:country_suggestions), not a select of 250 options."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "country-options",
                    "autocomplete": "off",
                    "data-suggest": reverse_lazy("members:country_suggestions"),
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = country_code(value)
        if not code:
            raise forms.ValidationError(UNKNOWN_COUNTRY, code="unknown_country")
        return code


class CountryNameFilter(django_filters.CharFilter):
    field_class = CountryNameField


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Buscar"),
        method="filter_text",
        max_length=100,
        help_text=_("Nombre, titular, ciudad o especialidad."),
    )
    country = CountryNameFilter(label=_("País de residencia"), field_name="country")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_sector",
        empty_label=_("Todos"),
    )

    class Meta:
        model = Profile
        fields = []
        form = FilterForm

    @property
    def words(self) -> list[str]:
        """The words of the text search ([] without one, or when the filters are invalid)."""
        if not self.is_bound or not self.is_valid():
            return []
        return search_terms(self.form.cleaned_data.get("q", ""))

    @property
    def chosen_sector(self):
        """The chosen sector (None without one, or when the filters are invalid)."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.form.cleaned_data.get("sector")

    def text_queryset(self):
        """The listed rows matching the text and the country, not yet the sector (the
        directory checks the sector on a bounded window of these: members.directory)."""
        queryset = self.queryset
        for name in ("q", "country"):
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def applied(self) -> dict:
        """The filters applied, as text (for the audit of reads): no personal data of the
        members found, only what the reader asked."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.form.cleaned_data
        applied = {}
        if self.words:
            applied["q"] = " ".join(self.words)
        if data.get("country"):
            applied["country"] = data["country"]
        if data.get("sector"):
            applied["sector"] = data["sector"].slug
        return applied

    def filter_text(self, queryset, name, value):
        """Every word must be a word of the card: name, headline, city or expertise
        (accents and case ignored), read from one GIN index with the country."""
        words = search_terms(value)
        if not words:
            return queryset
        return queryset.filter(card_words=words_query(words))

    def filter_sector(self, queryset, name, value):
        return queryset.filter(
            Exists(ProfileSector.objects.filter(profile=OuterRef("pk"), sector=value))
        )
