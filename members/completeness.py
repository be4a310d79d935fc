"""What a complete profile is: defined once, for the member's own page (what is missing)
and for the network's figures (how many profiles have how many items filled, in SQL).

Each item counts the same. An item is filled when all of its fields are (or any, for
`any_of` items), or, for a list, when it has at least one entry.
"""

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    label: str
    fields: tuple = ()
    any_of: bool = False  # filled when any of `fields` is (else all of them)
    relation: str = ""  # a list of the profile: filled when it has an entry


ITEMS = (
    Item(_("Nombre y apellido"), fields=("given_names", "paternal_surname")),
    Item(_("Foto"), fields=("photo",)),
    Item(_("Titular"), fields=("headline",)),
    Item(_("Semblanza"), fields=("bio",)),
    Item(_("País y ciudad de residencia"), fields=("country", "city")),
    Item(_("Estado de origen"), fields=("state_of_origin",)),
    Item(_("Estudios"), fields=("education_level", "education_field")),
    Item(_("Empleo"), fields=("employer", "position"), any_of=True),
    Item(_("Sectores"), relation="profile_sectors"),
    Item(_("Especialidades"), relation="expertise"),
    Item(_("Idiomas"), relation="languages"),
    Item(_("Cómo puedes aportar"), relation="contributions"),
    Item(_("Enlaces"), fields=("linkedin_url", "orcid", "website"), any_of=True),
)


def _filled(profile, item) -> bool:
    if item.relation:
        return bool(getattr(profile, item.relation).all())  # prefetched when the caller did
    values = [bool(getattr(profile, name)) for name in item.fields]
    return any(values) if item.any_of else all(values)


def profile_completeness(profile) -> tuple[int, list[str]]:
    """How complete a profile is (percent) and the labels of what is missing.

    Uses prefetched relations when the caller provided them (no query per item)."""
    missing = [item.label for item in ITEMS if not _filled(profile, item)]
    done = len(ITEMS) - len(missing)
    return round(100 * done / len(ITEMS)), missing


def _condition(item):
    from .models import Profile

    if item.relation:
        return Exists(
            Profile.objects.filter(pk=OuterRef("pk"), **{f"{item.relation}__isnull": False})
        )
    conditions = [~Q(**{name: ""}) for name in item.fields]
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = (combined | condition) if item.any_of else (combined & condition)
    return combined


def completeness_score():
    """An expression for a Profile queryset: how many ITEMS the profile has filled."""
    score = Value(0, output_field=IntegerField())
    for item in ITEMS:
        score = score + Case(
            When(_condition(item), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return score
