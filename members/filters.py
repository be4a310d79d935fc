"""The member directory's filters, applied to an already scoped queryset."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .choices import MexicanState
from .models import Contribution, ExpertiseTag, Profile, ProfileSector, Sector


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Buscar"), method="filter_text", max_length=100)
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_sector",
        empty_label=_("Todos"),
    )
    country = django_filters.ChoiceFilter(
        label=_("País de residencia"), choices=lambda: list(countries), empty_label=_("Todos")
    )
    state = django_filters.ChoiceFilter(
        label=_("Estado de origen"),
        field_name="state_of_origin",
        choices=MexicanState.choices,
        empty_label=_("Todos"),
    )
    contribution = django_filters.ModelChoiceFilter(
        label=_("Forma de aportar"),
        queryset=Contribution.objects.all(),
        to_field_name="slug",
        method="filter_contribution",
        empty_label=_("Todas"),
    )
    expertise = django_filters.CharFilter(
        label=_("Especialidad"), method="filter_expertise", max_length=60
    )

    class Meta:
        model = Profile
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters of other apps (e.g. chapters: members of a chapter), by extension point.
        from .plugins import app_modules

        for _label, module in app_modules("directory"):
            for name, extra in module.directory_filters().items():
                extra.parent = self
                self.filters[name] = extra

    def filter_text(self, queryset, name, value):
        """Every word must match a name, the headline, the employer or an expertise tag."""
        for word in value.split()[:8]:
            tags = ExpertiseTag.objects.filter(profiles=OuterRef("pk"), name__icontains=word)
            queryset = queryset.filter(
                Q(given_names__icontains=word)
                | Q(paternal_surname__icontains=word)
                | Q(maternal_surname__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(headline__icontains=word)
                | Q(employer__icontains=word)
                | Q(institution__icontains=word)
                | Q(education_field__icontains=word)
                | Exists(tags)
            )
        return queryset

    def filter_sector(self, queryset, name, value):
        return queryset.filter(
            Exists(ProfileSector.objects.filter(profile=OuterRef("pk"), sector=value))
        )

    def filter_contribution(self, queryset, name, value):
        through = Profile.contributions.through
        return queryset.filter(
            Exists(through.objects.filter(profile_id=OuterRef("pk"), contribution=value))
        )

    def filter_expertise(self, queryset, name, value):
        from .services import normalise_tag

        tag = normalise_tag(value)
        if not tag:
            return queryset
        return queryset.filter(
            Exists(ExpertiseTag.objects.filter(profiles=OuterRef("pk"), name__icontains=tag))
        )
