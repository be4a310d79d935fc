"""What a profile page reads: the profile the viewer may open, and its four lists."""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import caches
from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

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
    `seen_today`), or Http404. One statement; its lists come from `page_lists`."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such profile") from None
    return get_object_or_404(
        Profile.objects.visible_to(viewer).for_page().with_seen_today(viewer.pk), pk=pk
    )


LISTS_CACHE_SECONDS = 10 * 60


@dataclass
class ProfileLists:
    """Names in the active language, in the order the page shows them."""

    sectors: list[dict] = field(default_factory=list)  # {"name", "primary"}, primary first
    expertise: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    contributions: list[str] = field(default_factory=list)


def _list_annotations() -> dict:
    """The sectors (primary first, then in their order), expertise (by name), languages and
    contributions (in their order) of each profile, as arrays in the active language: four
    small indexed subqueries of the profile's own statement, whatever the lists' lengths."""
    name = translated_name_field()
    sectors = ProfileSector.objects.filter(profile=OuterRef("pk")).order_by(
        "-is_primary", "sector__order"
    )
    return {
        "list_sector_names": ArraySubquery(sectors.values(f"sector__{name}")),
        "list_sector_primary": ArraySubquery(sectors.values("is_primary")),
        "list_expertise": ArraySubquery(
            ExpertiseTag.objects.filter(profiles=OuterRef("pk")).order_by("name").values("name")
        ),
        "list_languages": ArraySubquery(
            Language.objects.filter(profiles=OuterRef("pk")).values(name)
        ),
        "list_contributions": ArraySubquery(
            Contribution.objects.filter(profiles=OuterRef("pk")).order_by("order").values(name)
        ),
    }


def page_lists(profile) -> ProfileLists:
    """The lists a profile page shows, kept whole in the shared cache under the profile's
    last change and the active language (a profile form saves the profile with its lists,
    which changes the key); LISTS_CACHE_SECONDS bound what a rename of a sector or a tag
    made elsewhere leaves on the page. On a miss, one statement (`profile_lists`)."""
    cache = caches["answers"]
    key = f"profile-lists:{profile.pk}:{profile.updated_at.timestamp()}:{get_language()}"
    lists = cache.get(key)
    if lists is None:
        lists = profile_lists(profile.pk)
        cache.set(key, lists, LISTS_CACHE_SECONDS)
    return lists


def lists_of(profile) -> ProfileLists:
    """The lists loaded with the profile (annotated with `_list_annotations()`)."""
    return ProfileLists(
        sectors=[
            {"name": sector, "primary": primary}
            for sector, primary in zip(
                profile.list_sector_names, profile.list_sector_primary, strict=True
            )
        ],
        expertise=list(profile.list_expertise),
        languages=sorted(profile.list_languages, key=collation_key),
        contributions=list(profile.list_contributions),
    )


def profile_lists(profile_id) -> ProfileLists:
    """The four lists of one profile (the page's reading of them), in one statement."""
    return lists_of(Profile.objects.annotate(**_list_annotations()).get(pk=profile_id))
