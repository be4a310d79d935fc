"""Computing the network's figures: a bounded set of GROUP BY queries, whatever the size.

`compute_figures(filters)` returns plain, language-neutral data (codes, ids, counts and
the names needed to label them) that is stored in a FigureSnapshot or cached. The pages
turn it into charts (figures.charts) without querying again.

Filters (period, country, sector, chapter) narrow the member base and, where it means
something, the other sections: chapters of that country or that chapter, that
chapter's Jornadas, that sector's PNCS, and activity (registrations, searches,
opportunities, interest) within the period. Program figures come from programs.figures
as they are (a program's cohort is not a slice of the member base).
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from chapters.models import Chapter, Jornada, Membership, Officer, Registration
from members.models import Contribution, Profile, ProfileSector, Sector
from pncs.models import Interest, Opportunity, Pncs, SearchAudit
from programs.figures import program_figures
from programs.models import Program

from .models import FigureSnapshot

logger = logging.getLogger(__name__)

SNAPSHOTS_KEPT = 5
OFFICER_TERM_WINDOW_DAYS = 60
CHAPTER_IDLE_DAYS = 365
JORNADAS_SHOWN = 50
PERIODS = {"30d": 30, "90d": 90, "12m": 365}

# What "complete" means for the completeness figure: each item filled counts the same.
COMPLETENESS_FIELDS = (
    "given_names",
    "paternal_surname",
    "headline",
    "bio",
    "country",
    "city",
    "state_of_origin",
    "education_level",
    "education_field",
    "position",
)
COMPLETENESS_RELATIONS = ("profile_sectors", "contributions", "expertise")
COMPLETENESS_ITEMS = len(COMPLETENESS_FIELDS) + len(COMPLETENESS_RELATIONS)


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


def _grouped(queryset, column) -> dict:
    return {
        key: n
        for key, n in queryset.order_by().values_list(column).annotate(n=Count("pk"))
        if key is not None
    }


def _completeness(profiles) -> dict:
    """How many profiles have each number of the completeness items filled (one query)."""
    score = Value(0, output_field=IntegerField())
    for name in COMPLETENESS_FIELDS:
        score = score + Case(
            When(~Q(**{name: ""}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    relations = (
        ProfileSector.objects.filter(profile=OuterRef("pk")),
        Profile.contributions.through.objects.filter(profile=OuterRef("pk")),
        Profile.expertise.through.objects.filter(profile=OuterRef("pk")),
    )
    for subquery in relations:
        score = score + Case(
            When(Exists(subquery), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    rows = profiles.order_by().annotate(score=score).values_list("score").annotate(n=Count("pk"))
    return {str(s): n for s, n in rows}


def _members(filters: Filters, now) -> dict:
    profiles = member_base(filters, now)
    totals = profiles.aggregate(
        total=Count("pk"), verified=Count("pk", filter=Q(user__email_verified=True))
    )
    growth = [
        (month.strftime("%Y-%m"), n)
        for month, n in profiles.order_by()
        .annotate(month=TruncMonth("user__date_joined"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        if month is not None
    ]
    base_ids = profiles.values("pk")
    by_sector = _grouped(ProfileSector.objects.filter(profile_id__in=base_ids), "sector_id")
    by_contribution = _grouped(
        Profile.contributions.through.objects.filter(profile_id__in=base_ids), "contribution_id"
    )
    memberships = Membership.objects.filter(user_id__in=profiles.values("user_id"))
    if filters.chapter:
        memberships = memberships.filter(chapter_id=filters.chapter)
    per_chapter = {}
    for chapter_id, status, n in (
        memberships.filter(status__in=[Membership.Status.APPROVED, Membership.Status.PENDING])
        .order_by()
        .values_list("chapter_id", "status")
        .annotate(n=Count("pk"))
    ):
        per_chapter.setdefault(str(chapter_id), {"approved": 0, "pending": 0})[status] = n
    return {
        "total": totals["total"],
        "verified": totals["verified"],
        "growth": growth,
        "by_country": _grouped(profiles.exclude(country=""), "country"),
        "by_state": _grouped(profiles.exclude(state_of_origin=""), "state_of_origin"),
        "by_education": _grouped(profiles.exclude(education_level=""), "education_level"),
        "by_sector": {str(k): v for k, v in by_sector.items()},
        "by_contribution": {str(k): v for k, v in by_contribution.items()},
        "by_chapter": per_chapter,
        "completeness": _completeness(profiles),
        "completeness_items": COMPLETENESS_ITEMS,
    }


def _chapters(filters: Filters, now) -> dict:
    chapters = Chapter.objects.all()
    if filters.country:
        chapters = chapters.filter(country=filters.country)
    if filters.chapter:
        chapters = chapters.filter(pk=filters.chapter)
    rows = [
        {
            "id": row["pk"],
            "name": row["name"],
            "city": row["city"],
            "country": str(row["country"]),
            "status": row["status"],
            "public": row["status"] != Chapter.Status.INACTIVE,
            "last_event": row["last_event"].date().isoformat() if row["last_event"] else None,
        }
        for row in chapters.order_by("name")
        .values("pk", "name", "city", "country", "status")
        # Distinct name: Jornada.starts_at would clash with a lookup on the chapter itself.
        .annotate(last_event=Max("jornadas__starts_at", filter=Q(jornadas__starts_at__lte=now)))
    ]
    idle_before = now - dt.timedelta(days=CHAPTER_IDLE_DAYS)
    idle = [
        row["id"]
        for row in rows
        if row["status"] != Chapter.Status.INACTIVE
        and (row["last_event"] is None or row["last_event"] < idle_before.date().isoformat())
    ]
    today = timezone.localdate(now)
    ending = [
        {"chapter": chapter_id, "role": role, "term_end": term_end.isoformat()}
        for chapter_id, role, term_end in Officer.objects.current(today)
        .filter(
            chapter_id__in=chapters.values("pk"),
            term_end__lte=today + dt.timedelta(days=OFFICER_TERM_WINDOW_DAYS),
        )
        .order_by("term_end", "chapter_id", "role")
        .values_list("chapter_id", "role", "term_end")
    ]
    return {"list": rows, "idle": idle, "officers_ending": ending}


def _jornadas(filters: Filters, now) -> dict:
    jornadas = Jornada.objects.all()
    since = filters.since(now)
    if since:
        jornadas = jornadas.filter(starts_at__gte=since)
    if filters.chapter:
        jornadas = jornadas.filter(chapter_id=filters.chapter)
    if filters.country:
        jornadas = jornadas.filter(country=filters.country)
    status = Registration.Status
    counts = {
        "n_registrations": Count(
            "registrations", filter=~Q(registrations__status=status.CANCELLED)
        ),
        "n_confirmed": Count("registrations", filter=Q(registrations__status=status.CONFIRMED)),
        "n_waitlisted": Count("registrations", filter=Q(registrations__status=status.WAITLISTED)),
        "n_attended": Count(
            "registrations",
            filter=Q(
                registrations__status=status.CONFIRMED, registrations__checked_in_at__isnull=False
            ),
        ),
    }
    totals = Registration.objects.filter(jornada__in=jornadas).aggregate(
        registrations=Count("pk", filter=~Q(status=status.CANCELLED)),
        confirmed=Count("pk", filter=Q(status=status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=status.WAITLISTED)),
        attended=Count("pk", filter=Q(status=status.CONFIRMED, checked_in_at__isnull=False)),
        # Attendance is only meaningful for Jornadas that have already taken place.
        confirmed_past=Count("pk", filter=Q(status=status.CONFIRMED, jornada__ends_at__lt=now)),
        attended_past=Count(
            "pk",
            filter=Q(
                status=status.CONFIRMED, checked_in_at__isnull=False, jornada__ends_at__lt=now
            ),
        ),
    )
    rows = [
        {
            "id": row["pk"],
            "title_es": row["title_es"],
            "title_en": row["title_en"],
            "starts_at": row["starts_at"].date().isoformat(),
            "past": row["ends_at"] < now,
            # Annotation names must not shadow the `registrations` relation: "n_" prefixed.
            **{key[2:]: row[key] for key in counts},
        }
        for row in jornadas.order_by("-starts_at")
        .values("pk", "title_es", "title_en", "starts_at", "ends_at")
        .annotate(**counts)[:JORNADAS_SHOWN]
    ]
    return {"list": rows, "count": jornadas.count(), "totals": totals}


def _pncs(filters: Filters, now) -> dict:
    pncs = Pncs.objects.all()
    if filters.sector:
        pncs = pncs.filter(sector_id=filters.sector)
    since = filters.since(now)
    audits = SearchAudit.objects.all()
    opportunities = Opportunity.objects.filter(pncs__in=pncs)
    interests = Interest.objects.filter(opportunity__pncs__in=pncs)
    if since:
        audits = audits.filter(created_at__gte=since)
        opportunities = opportunities.filter(created_at__gte=since)
        interests = interests.filter(created_at__gte=since)
    if filters.country:
        opportunities = opportunities.filter(country=filters.country)
        interests = interests.filter(opportunity__country=filters.country)
    # A search is counted for every PNCS its author coordinates (SearchAudit has no PNCS).
    searches = {}
    for pncs_id, action, n in (
        audits.order_by().values_list("user__coordinated_pncs", "action").annotate(n=Count("pk"))
    ):
        kind = "searches" if action == SearchAudit.Action.SEARCH else "exports"
        entry = searches.setdefault(pncs_id, {"searches": 0, "exports": 0})
        entry[kind] += n
    open_ids = Opportunity.objects.open().values("pk")
    opps = {
        pncs_id: (opened, total)
        for pncs_id, opened, total in opportunities.order_by()
        .values_list("pncs_id")
        .annotate(
            opened=Count("pk", filter=Q(pk__in=open_ids)),
            total=Count("pk"),
        )
        .values_list("pncs_id", "opened", "total")
    }
    interest = {
        pncs_id: (n, accepted)
        for pncs_id, n, accepted in interests.order_by()
        .values_list("opportunity__pncs_id")
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(status=Interest.Status.ACCEPTED)))
        .values_list("opportunity__pncs_id", "n", "accepted")
    }
    rows = []
    for row in pncs.order_by("sector__order").values(
        "pk", "sector_id", "sector__name_es", "sector__name_en"
    ):
        pk = row["pk"]
        rows.append(
            {
                "id": pk,
                "sector": row["sector_id"],
                "name_es": row["sector__name_es"],
                "name_en": row["sector__name_en"],
                "searches": searches.get(pk, {}).get("searches", 0),
                "exports": searches.get(pk, {}).get("exports", 0),
                "opportunities_open": opps.get(pk, (0, 0))[0],
                "opportunities": opps.get(pk, (0, 0))[1],
                "interests": interest.get(pk, (0, 0))[0],
                "accepted": interest.get(pk, (0, 0))[1],
            }
        )
    return {"list": rows}


def _serialise_program_figures(figures: dict) -> dict:
    return {
        "total": figures["total"],
        "total_display": figures["total_display"],
        "charts": [
            {
                "slug": chart.slug,
                "title": str(chart.title),
                "summary": str(chart.summary),
                "rows": [
                    {
                        "label": row.label,
                        "count": row.count,
                        "display": row.display,
                        "percent": row.percent,
                    }
                    for row in chart.rows
                ],
            }
            for chart in figures["charts"]
        ],
        "stages": [
            {
                "name": str(row["stage"].name),
                **{
                    key: row[key]
                    for key in (
                        "enrolled",
                        "completed",
                        "completion_rate",
                        "certified",
                        "certification_rate",
                    )
                },
            }
            for row in figures["stages"]
        ],
    }


def _programs() -> list:
    """Each published program's figures, exact and public, in every language (reused as is
    from programs.figures; its labels are translated when computed, so store both)."""
    result = []
    for program in Program.objects.filter(is_published=True).order_by("pk"):
        entry = {
            "id": program.pk,
            "slug": program.slug,
            "name_es": program.name_es,
            "name_en": program.name_en,
        }
        for code, _name in settings.LANGUAGES:
            language = code[:2]  # "es-mx" -> "es": what figures.charts looks up
            with translation.override(code):
                entry[f"public_{language}"] = _serialise_program_figures(
                    program_figures(program, public=True)
                )
                entry[f"staff_{language}"] = _serialise_program_figures(
                    program_figures(program, public=False)
                )
        result.append(entry)
    return result


def _announcements() -> dict:
    """Sent, failed and unsubscribes (through that message's link) of the latest 50."""
    from chapters.models import Announcement, Delivery

    latest = list(Announcement.objects.order_by("-pk").values_list("pk", "subject_es")[:50])
    counts = {
        row["announcement_id"]: row
        for row in Delivery.objects.filter(announcement_id__in=[pk for pk, _s in latest])
        .order_by()
        .values("announcement_id")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        )
    }
    rows = []
    for pk, subject in latest:
        row = counts.get(pk, {})
        rows.append(
            {
                "id": pk,
                "label": subject,
                "sent": row.get("sent", 0),
                "failed": row.get("failed", 0),
                "unsubscribes": row.get("unsubscribes", 0),
            }
        )
    return {"list": rows}


def _reference() -> dict:
    """Names of sectors and contribution types, so rendering needs no query."""
    return {
        "sectors": [
            {"id": pk, "name_es": es, "name_en": en}
            for pk, es, en in Sector.objects.order_by("order").values_list(
                "pk", "name_es", "name_en"
            )
        ],
        "contributions": [
            {"id": pk, "name_es": es, "name_en": en}
            for pk, es, en in Contribution.objects.order_by("order").values_list(
                "pk", "name_es", "name_en"
            )
        ],
    }


def compute_figures(*, filters: Filters | None = None, now=None) -> dict:
    """Every figure of the dashboard for `filters` (default: the whole network).

    A fixed number of aggregate queries (plus a few per published program, whose
    figures come from programs.figures): the count does not grow with members.
    """
    filters = filters or Filters()
    now = now or timezone.now()
    data = {
        "filters": {
            "period": filters.period,
            "country": filters.country,
            "sector": filters.sector,
            "chapter": filters.chapter,
        },
        "reference": _reference(),
        "members": _members(filters, now),
        "chapters": _chapters(filters, now),
        "jornadas": _jornadas(filters, now),
        "pncs": _pncs(filters, now),
        "announcements": _announcements(),
    }
    if filters.is_empty:
        data["programs"] = _programs()
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


def current_snapshot() -> FigureSnapshot:
    """The newest snapshot; computed synchronously the first time (no beat under `make run`)."""
    snapshot = FigureSnapshot.objects.newest()
    if snapshot is None:
        snapshot = refresh_figures()
    return snapshot
