"""Profile services: expertise tags, saving the profile, the daily caps on reads of other
members' data (profiles, directory pages, coordinators' pages); completeness:
members.completeness."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

# Defined once, with the figures' completeness (members.completeness); exported from here.
from ..completeness import profile_completeness  # noqa: F401

logger = logging.getLogger(__name__)


# --- Profile ------------------------------------------------------------------------


def normalise_tag(text: str) -> str:
    """Expertise keywords are lower-case, single-spaced, at most 60 characters."""
    return " ".join(str(text).replace("\x00", "").split()).lower()[:60].strip()


def get_or_create_tags(names) -> list:
    """The ExpertiseTag rows for these names (normalised, deduplicated, created if new)."""
    from django.utils.text import slugify

    from ..models import ExpertiseTag

    wanted = []
    for name in names:
        tag = normalise_tag(name)
        if tag and tag not in wanted:
            wanted.append(tag)
    existing = {t.name: t for t in ExpertiseTag.objects.filter(name__in=wanted)}
    result = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            base = slugify(name)[:60] or "tag"
            slug = base
            n = 1
            while ExpertiseTag.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            tag = ExpertiseTag.objects.create(name=name, slug=slug)
        result.append(tag)
    return result


def save_profile(*, form, user, onboarding: bool = False):
    """Save a valid ProfileForm: fields, photo, sectors (one primary), tags and lists."""
    from ..models import ProfileSector

    data = form.cleaned_data
    old_photo = ""
    with transaction.atomic():
        profile = form.save(commit=False)
        profile.user = user
        if onboarding and profile.onboarded_at is None:
            profile.onboarded_at = timezone.now()
        photo = data.get("photo")
        if photo is False or (hasattr(photo, "read") and not hasattr(photo, "url")):
            old_photo = profile.photo.name
            profile.photo = photo or ""
        profile.save()
        if old_photo and old_photo != profile.photo.name:
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
        sectors = list(data["sectors"])
        primary = data["primary_sector"]
        ProfileSector.objects.filter(profile=profile).delete()
        ProfileSector.objects.bulk_create(
            ProfileSector(profile=profile, sector=s, is_primary=(s.pk == primary.pk))
            for s in sectors
        )
        profile.expertise.set(get_or_create_tags(data["expertise"]))
        profile.languages.set(data["languages"])
        profile.contributions.set(data["contributions"])
    return profile


def update_preferred_language(*, user, language: str) -> None:
    """The language of the member's emails."""
    from ..models import User

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


def update_digest_frequency(*, user, frequency: str) -> None:
    """How often the news digest comes, when the member opted in to it (notify_digest,
    a consent purpose of its own: members.services.privacy)."""
    from ..models import Profile

    with transaction.atomic():
        Profile.objects.filter(user=user.pk).update(digest_frequency=frequency)


# --- Reads of other members' data: one daily cap rule ------------------------------------

DAILY_PROFILE_VIEW_CAP = 50
DAILY_DIRECTORY_PAGE_CAP = 100
DAILY_PNCS_MEMBER_PAGE_CAP = 100
DAILY_PROGRAM_TRAVEL_PAGE_CAP = 300
DAILY_JORNADA_TRAVEL_PAGE_CAP = 300

# The setting that overrides each kind's cap, and its default.
_CAP_SETTINGS = {
    "profile": ("MEMBERS_DAILY_PROFILE_VIEW_CAP", DAILY_PROFILE_VIEW_CAP),
    "directory": ("MEMBERS_DAILY_DIRECTORY_PAGE_CAP", DAILY_DIRECTORY_PAGE_CAP),
    "pncs_member": ("MEMBERS_DAILY_PNCS_MEMBER_PAGE_CAP", DAILY_PNCS_MEMBER_PAGE_CAP),
    "program_travel": ("MEMBERS_DAILY_PROGRAM_TRAVEL_PAGE_CAP", DAILY_PROGRAM_TRAVEL_PAGE_CAP),
    "jornada_travel": ("MEMBERS_DAILY_JORNADA_TRAVEL_PAGE_CAP", DAILY_JORNADA_TRAVEL_PAGE_CAP),
}


def daily_read_cap(kind: str) -> int:
    """How many distinct pages of this kind (ProfileView.Kind) a reader may open a day."""
    name, default = _CAP_SETTINGS[kind]
    return int(getattr(settings, name, default))


def daily_profile_view_cap() -> int:
    return daily_read_cap("profile")


def record_read(
    *,
    reader,
    kind: str,
    profile_id: int | None = None,
    page: str = "",
    filters: dict | None = None,
    row_count: int = 1,
    seen_today: bool | None = None,
) -> bool:
    """Log that `reader` opened a page of other members' data today; False when the daily
    cap of that kind is reached (the page must then not be shown).

    One rule for every kind (ProfileView.Kind): a profile page, a coordinator's page of one
    member (`profile_id`), a page of directory cards (`page`: a digest of its filters and
    position, `filters`: what was applied, `row_count`: how many cards). Each reader may
    open `daily_read_cap(kind)` distinct pages of a kind a day; a second look at the same
    page the same day is free and writes nothing; one's own profile is free. The rows are
    also the audit (who, when, which member or which filters, how many cards).

    A second look takes no lock: `seen_today` when the caller's query already told
    (ProfileQuerySet.with_seen_today), else one indexed read. Only a first look takes the
    reader's lock (parallel tabs cannot overshoot the cap) and writes."""
    from django.db.models import Count, Q

    from ..models import ProfileView, User

    if kind == ProfileView.Kind.PROFILE and profile_id == reader.pk:
        return True
    today = timezone.localdate()
    same_page = (
        Q(profile_id=profile_id) if profile_id is not None else Q(profile__isnull=True, page=page)
    )
    todays = ProfileView.objects.filter(viewer_id=reader.pk, kind=kind, viewed_on=today)
    if seen_today is None:
        seen_today = todays.filter(same_page).exists()
    if seen_today:
        return True
    with transaction.atomic():
        # Serialise one reader's first looks so parallel tabs cannot overshoot the cap.
        list(User.objects.select_for_update().filter(pk=reader.pk).values_list("pk"))
        counts = todays.aggregate(total=Count("pk"), this=Count("pk", filter=same_page))
        if counts["this"]:
            return True  # another tab recorded it meanwhile
        if counts["total"] >= daily_read_cap(kind):
            logger.info("read refused (daily cap) reader=%s kind=%s", reader.pk, kind)
            return False
        ProfileView.objects.create(
            viewer_id=reader.pk,
            kind=kind,
            profile_id=profile_id,
            page=page if profile_id is None else "",
            filters=filters or {},
            row_count=row_count,
            viewed_on=today,
        )
    logger.info("read reader=%s kind=%s profile=%s rows=%s", reader.pk, kind, profile_id, row_count)
    return True


def record_profile_view(*, viewer, profile, seen_today: bool | None = None) -> bool:
    """Log that `viewer` opened `profile` today; False when the daily cap is reached
    (record_read for a profile page)."""
    return record_read(reader=viewer, kind="profile", profile_id=profile.pk, seen_today=seen_today)
