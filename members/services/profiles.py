"""Profile services: expertise tags, saving the profile, completeness, the daily
cap on profile views."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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


def profile_completeness(profile) -> tuple[int, list[str]]:
    """How complete a profile is (percent) and the labels of what is missing.

    Uses prefetched relations when the caller provided them (no query per item)."""
    from django.utils.translation import gettext as _

    checks = [
        (bool(profile.given_names and profile.paternal_surname), _("Nombre y apellido")),
        (bool(profile.photo), _("Foto")),
        (bool(profile.headline), _("Titular")),
        (bool(profile.bio), _("Semblanza")),
        (bool(profile.country and profile.city), _("País y ciudad de residencia")),
        (bool(profile.state_of_origin), _("Estado de origen")),
        (bool(profile.education_level and profile.education_field), _("Estudios")),
        (bool(profile.employer or profile.position), _("Empleo")),
        (bool(profile.profile_sectors.all()), _("Sectores")),
        (bool(profile.expertise.all()), _("Especialidades")),
        (bool(profile.languages.all()), _("Idiomas")),
        (bool(profile.contributions.all()), _("Cómo puedes aportar")),
        (bool(profile.linkedin_url or profile.orcid or profile.website), _("Enlaces")),
    ]
    done = sum(1 for ok, _label in checks if ok)
    return round(100 * done / len(checks)), [label for ok, label in checks if not ok]


# --- Directory ------------------------------------------------------------------------

DAILY_PROFILE_VIEW_CAP = 50


def daily_profile_view_cap() -> int:
    return int(getattr(settings, "MEMBERS_DAILY_PROFILE_VIEW_CAP", DAILY_PROFILE_VIEW_CAP))


def record_profile_view(*, viewer, profile, seen_today: bool | None = None) -> bool:
    """Log that `viewer` opened `profile` today; False when the daily cap is reached.

    Seeing one's own profile is free; a second look at the same profile the same day
    costs nothing. The cap counts distinct profiles per viewer per day.

    A second look takes no lock and writes nothing: `seen_today` when the caller's query
    already told (ProfileQuerySet.with_seen_today), else one indexed read. Only a first look
    takes the viewer's lock (parallel tabs cannot overshoot the cap) and writes."""
    from django.db.models import Count, Q

    from ..models import ProfileView, User

    if viewer.pk == profile.pk:
        return True
    today = timezone.localdate()
    if seen_today is None:
        seen_today = ProfileView.objects.filter(
            viewer_id=viewer.pk, profile_id=profile.pk, viewed_on=today
        ).exists()
    if seen_today:
        return True
    todays = ProfileView.objects.filter(viewer=viewer, viewed_on=today)
    with transaction.atomic():
        # Serialise one viewer's first looks so parallel tabs cannot overshoot the cap.
        list(User.objects.select_for_update().filter(pk=viewer.pk).values_list("pk"))
        counts = todays.aggregate(total=Count("pk"), this=Count("pk", filter=Q(profile=profile)))
        if counts["this"]:
            return True  # another tab recorded it meanwhile
        if counts["total"] >= daily_profile_view_cap():
            logger.info("profile view refused (daily cap) viewer=%s", viewer.pk)
            return False
        ProfileView.objects.create(viewer=viewer, profile=profile, viewed_on=today)
    logger.info("profile view viewer=%s profile=%s", viewer.pk, profile.pk)
    return True
