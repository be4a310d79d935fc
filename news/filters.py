"""The public news list's filters (sector, chapter, tag), over the published posts."""

import django_filters
from django.utils.translation import gettext_lazy as _

from chapters.models import Chapter
from core.choices import FilterForm
from members.models import Sector

from .models import Post, Tag


class PostFilter(django_filters.FilterSet):
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label=_("Todos"),
    )
    chapter = django_filters.ModelChoiceFilter(
        label=_("Capítulo"),
        queryset=Chapter.objects.public().order_by("name"),
        to_field_name="slug",
        empty_label=_("Todos"),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Etiqueta"),
        field_name="tags",
        queryset=Tag.objects.all(),
        to_field_name="slug",
        empty_label=_("Todas"),
    )

    class Meta:
        model = Post
        fields = ["sector", "chapter", "tag"]
        form = FilterForm
