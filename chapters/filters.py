"""The public chapter list's filters (region and country), over a scoped queryset."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.choices import FilterForm

from .models import Chapter


class ChapterFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        label=_("Región"), choices=Chapter.Region.choices, empty_label=_("Todas")
    )
    country = django_filters.ChoiceFilter(label=_("País"), choices=[], empty_label=_("Todos"))

    class Meta:
        model = Chapter
        fields = ["region", "country"]
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        present = set(Chapter.objects.public().values_list("country", flat=True).distinct())
        self.filters["country"].extra["choices"] = [
            (code, name) for code, name in countries if code in present
        ]
