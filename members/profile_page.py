"""What a profile page reads: the profile the viewer may open, and its four lists."""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404

from core.language import collation_key

from .models import (
    Contribution,
    ExpertiseTag,
    Language,
    Profile,
    ProfileSector,
    translated_name_field,
)


def profile_for_page(*, viewer, pk):
    """The profile `viewer` opens (Profile.objects.visible_to(viewer), with its user and
    `seen_today`), or Http404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such profile") from None
    return get_object_or_404(
        Profile.objects.visible_to(viewer).for_page().with_seen_today(viewer.pk), pk=pk
    )


@dataclass
class ProfileLists:
    """Names in the active language, in the order the page shows them."""

    sectors: list[dict] = field(default_factory=list)  # {"name", "primary"}, primary first
    expertise: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    contributions: list[str] = field(default_factory=list)


def profile_lists(profile_id) -> ProfileLists:
    """The sectors (primary first, then in their order), expertise (by name), languages
    (by name) and contributions (in their order) of one profile: four small indexed reads,
    whatever the length of each list."""
    name = translated_name_field()
    sectors = (
        ProfileSector.objects.filter(profile_id=profile_id)
        .order_by("-is_primary", "sector__order")
        .values_list(f"sector__{name}", "is_primary")
    )
    return ProfileLists(
        sectors=[{"name": sector, "primary": primary} for sector, primary in sectors],
        expertise=list(
            ExpertiseTag.objects.filter(profiles=profile_id)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        languages=sorted(
            Language.objects.filter(profiles=profile_id).values_list(name, flat=True),
            key=collation_key,
        ),
        contributions=list(
            Contribution.objects.filter(profiles=profile_id)
            .order_by("order")
            .values_list(name, flat=True)
        ),
    )
