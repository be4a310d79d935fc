"""The chapters app's aggregates for the network's figures (composed by the figures app,
which chapters never imports): chapters, memberships and Jornadas."""

import datetime as dt

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Chapter, Jornada, Membership, Officer, Registration

OFFICER_TERM_WINDOW_DAYS = 60
CHAPTER_IDLE_DAYS = 365
JORNADAS_SHOWN = 50


def membership_counts(user_ids, *, chapter_id=None) -> dict:
    """{chapter id (str): {"approved": n, "pending": n}} of the users in `user_ids` (a
    subquery of user ids)."""
    memberships = Membership.objects.filter(user_id__in=user_ids)
    if chapter_id:
        memberships = memberships.filter(chapter_id=chapter_id)
    per_chapter = {}
    for chapter, status, n in (
        memberships.filter(status__in=[Membership.Status.APPROVED, Membership.Status.PENDING])
        .order_by()
        .values_list("chapter_id", "status")
        .annotate(n=Count("pk"))
    ):
        per_chapter.setdefault(str(chapter), {"approved": 0, "pending": 0})[status] = n
    return per_chapter


def chapter_aggregates(*, now, country="", chapter_id=None) -> dict:
    """Every chapter (or those of `country`, or `chapter_id`) with its last event, the idle
    ones and the officers whose term ends soon."""
    chapters = Chapter.objects.all()
    if country:
        chapters = chapters.filter(country=country)
    if chapter_id:
        chapters = chapters.filter(pk=chapter_id)
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
        {"chapter": chapter, "role": role, "term_end": term_end.isoformat()}
        for chapter, role, term_end in Officer.objects.current(today)
        .filter(
            chapter_id__in=chapters.values("pk"),
            term_end__lte=today + dt.timedelta(days=OFFICER_TERM_WINDOW_DAYS),
        )
        .order_by("term_end", "chapter_id", "role")
        .values_list("chapter_id", "role", "term_end")
    ]
    return {"list": rows, "idle": idle, "officers_ending": ending}


def jornada_aggregates(*, now, since=None, chapter_id=None, country="") -> dict:
    """Registrations, waitlist and attendance of the latest Jornadas, and their totals."""
    jornadas = Jornada.objects.all()
    if since:
        jornadas = jornadas.filter(starts_at__gte=since)
    if chapter_id:
        jornadas = jornadas.filter(chapter_id=chapter_id)
    if country:
        jornadas = jornadas.filter(country=country)
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
