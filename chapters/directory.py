"""The chapters filter of the member directory (members' `<app>.directory` extension point)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .models import Chapter, Membership


def _members_of(queryset, name, value):
    """Profiles of approved members of the chosen chapter (a pending request is not membership)."""
    return queryset.filter(
        Exists(Membership.objects.approved().filter(user_id=OuterRef("pk"), chapter=value))
    )


def directory_filters() -> dict:
    """{parameter name: filter} added to members' DirectoryFilter."""
    return {
        "chapter": django_filters.ModelChoiceFilter(
            label=_("Capítulo"),
            queryset=Chapter.objects.exclude(status=Chapter.Status.INACTIVE).order_by("name"),
            to_field_name="slug",
            method=_members_of,
            empty_label=_("Todos"),
        )
    }
