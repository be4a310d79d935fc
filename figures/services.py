"""Computing the network's figures: each app's aggregates (`<app>/figures.py`), composed.

`compute_figures(filters)` returns plain, language-neutral data (codes, ids, counts and the
names needed to label them) that is stored in a FigureSnapshot or cached. The pages turn it
into charts under one disclosure rule (figures.pages, figures.disclosure) without querying
again. The apps never import figures; figures imports them.

Filters (period, country, sector, chapter) narrow the member base and, where it means
something, the other sections: chapters of that country or that chapter, that chapter's
Jornadas, that sector's PNCS, and activity (registrations, searches, opportunities,
interest) within the period. Program figures are not a slice of the member base: they
come whole, for the unfiltered snapshot.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from announcements.figures import announcement_aggregates
from chapters.figures import chapter_aggregates, jornada_aggregates, membership_counts
from chapters.models import Membership
from counterparts.figures import engagement_aggregates
from members.figures import member_aggregates, reference
from members.models import Profile, ProfileSector
from pncs.figures import pncs_aggregates
from programs.figures import published_program_aggregates
from surveys.figures import census_aggregates

from .models import FigureSnapshot

logger = logging.getLogger(__name__)

SNAPSHOTS_KEPT = 5
PERIODS = {"30d": 30, "90d": 90, "12m": 365}
# The shape of the data below: a snapshot of another shape (an older release) is computed
# again rather than rendered.
DATA_VERSION = 2


@dataclass(frozen=True)
class Filters:
    """The staff dashboard's filters; the default (nothing chosen) is the whole network."""

    period: str = ""
    country: str = ""
    sector: int | None = None
    chapter: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.period or self.country or self.sector or self.chapter)

    def since(self, now):
        days = PERIODS.get(self.period)
        return now - dt.timedelta(days=days) if days else None

    def cache_key(self) -> str:
        return f"figures:filtered:{self.period}:{self.country}:{self.sector}:{self.chapter}"


def member_base(filters: Filters, now):
    """Profiles of people who can use the site (active, not deleted), narrowed by filters."""
    profiles = Profile.objects.filter(user__is_active=True, user__deleted_at__isnull=True)
    since = filters.since(now)
    if since:
        profiles = profiles.filter(user__date_joined__gte=since)
    if filters.country:
        profiles = profiles.filter(country=filters.country)
    if filters.sector:
        profiles = profiles.filter(
            Exists(ProfileSector.objects.filter(profile=OuterRef("pk"), sector_id=filters.sector))
        )
    if filters.chapter:
        profiles = profiles.filter(
            Exists(
                Membership.objects.approved().filter(
                    user_id=OuterRef("user_id"), chapter_id=filters.chapter
                )
            )
        )
    return profiles


def compute_figures(*, filters: Filters | None = None, now=None) -> dict:
    """Every figure of the dashboard for `filters` (default: the whole network).

    A fixed number of aggregate queries (plus a few per published program): the count
    does not grow with members.
    """
    filters = filters or Filters()
    now = now or timezone.now()
    since = filters.since(now)
    profiles = member_base(filters, now)
    members = member_aggregates(profiles)
    members["by_chapter"] = membership_counts(
        profiles.values("user_id"), chapter_id=filters.chapter
    )
    data = {
        "version": DATA_VERSION,
        "filters": {
            "period": filters.period,
            "country": filters.country,
            "sector": filters.sector,
            "chapter": filters.chapter,
        },
        "reference": reference(),
        "members": members,
        "chapters": chapter_aggregates(
            now=now, country=filters.country, chapter_id=filters.chapter
        ),
        "jornadas": jornada_aggregates(
            now=now, since=since, chapter_id=filters.chapter, country=filters.country
        ),
        "pncs": pncs_aggregates(since=since, sector_id=filters.sector, country=filters.country),
        "announcements": announcement_aggregates(),
        "engagements": engagement_aggregates(sector_id=filters.sector),
    }
    if filters.is_empty:
        data["programs"] = published_program_aggregates()
        # The diaspora census is not a slice of the member base either: whole, unfiltered.
        data["census"] = census_aggregates()
    return data


def refresh_figures(*, now=None) -> FigureSnapshot:
    """Compute the whole network's figures and store them as the newest snapshot.

    Older snapshots beyond the last few are deleted in the same transaction.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    data = compute_figures(now=now)
    duration_ms = round((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        snapshot = FigureSnapshot.objects.create(
            computed_at=now, duration_ms=duration_ms, data=data
        )
        FigureSnapshot.objects.older_than_newest(SNAPSHOTS_KEPT).delete()
    logger.info("figures: snapshot %s computed in %s ms", snapshot.pk, duration_ms)
    return snapshot


def current_snapshot() -> FigureSnapshot | None:
    """The newest snapshot of this release's shape, or None. Never computed here: a page
    that finds none (a first deploy, or a release that changed the shape) says the figures
    are being computed while a worker computes them (`needs_refresh`)."""
    return FigureSnapshot.objects.of_version(DATA_VERSION).newest()


def needs_refresh(snapshot: FigureSnapshot | None, *, now=None) -> bool:
    """True when there is no current snapshot or the beat is late (two intervals)."""
    if snapshot is None:
        return True
    now = now or timezone.now()
    return snapshot.computed_at < now - dt.timedelta(seconds=2 * settings.FIGURES_REFRESH_SECONDS)
