"""The figures equal counts computed by hand on a small population."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

from chapters.models import Membership, Registration
from core.worldmap import world_geometry
from figures import pages
from figures.disclosure import rounded_total
from figures.models import FigureSnapshot
from figures.services import (
    SNAPSHOTS_KEPT,
    Filters,
    compute_figures,
    current_snapshot,
    refresh_figures,
)
from figures.tasks import refresh_figures_task
from members.completeness import ITEMS
from members.models import Contribution, Sector
from pncs.models import Interest, SearchAudit
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    OpportunityFactory,
    RegistrationFactory,
    coordinator,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    """Seven members: 4 in the US, 2 in Canada, 1 in Spain; one unverified; one deleted."""
    now = timezone.now()
    people = {
        "us1": member(country="US", state_of_origin="JAL", sectors=["tic", "salud"]),
        "us2": member(country="US", state_of_origin="JAL", education_level="doctorado"),
        "us3": member(country="US", state_of_origin="OAX", sectors=["salud"]),
        "us4": member(country="US", state_of_origin="NLE"),
        "ca1": member(country="CA", state_of_origin="JAL"),
        "ca2": member(country="CA", state_of_origin="", education_level=""),
        "es1": member(country="ES", state_of_origin="CMX", sectors=["salud"]),
    }
    people["ca2"].email_verified = False
    people["ca2"].save(update_fields=["email_verified"])
    gone = member(country="US")
    gone.deleted_at = now
    gone.is_active = False
    gone.save(update_fields=["deleted_at", "is_active"])
    # Joined long ago: outside every period filter.
    people["es1"].date_joined = now - dt.timedelta(days=400)
    people["es1"].save(update_fields=["date_joined"])
    contribution = Contribution.objects.order_by("order").first()
    people["us1"].profile.contributions.add(contribution)
    people["ca1"].profile.contributions.add(contribution)
    return people


def test_member_totals_countries_states_and_education_match_hand_counts(population):
    data = compute_figures()["members"]
    assert data["total"] == 7  # the deleted account is not counted
    assert data["verified"] == 6
    assert data["by_country"] == {"US": 4, "CA": 2, "ES": 1}
    assert data["by_state"] == {"JAL": 3, "OAX": 1, "NLE": 1, "CMX": 1}
    assert data["by_education"] == {"maestria": 5, "doctorado": 1}


def test_members_count_once_in_each_of_their_sectors(population):
    data = compute_figures()
    tic = Sector.objects.get(slug="tic").pk
    salud = Sector.objects.get(slug="salud").pk
    assert data["members"]["by_sector"] == {str(tic): 5, str(salud): 3}


def test_contributions_and_growth_by_month(population):
    data = compute_figures()["members"]
    first = Contribution.objects.order_by("order").first()
    assert data["by_contribution"] == {str(first.pk): 2}
    months = dict(data["growth"])
    this_month = timezone.now().strftime("%Y-%m")
    assert months[this_month] == 6
    assert sum(months.values()) == 7


def test_completeness_counts_filled_items(population):
    data = compute_figures()["members"]
    # The items of members.completeness (the member's own page counts the same ones).
    # Factory profiles fill the name, the headline, country and city, the state and a
    # sector (education needs its field too); us1 and ca1 also a contribution; ca2 lacks
    # the state.
    assert data["completeness_items"] == len(ITEMS) == 13
    assert data["completeness"] == {"5": 4, "6": 2, "4": 1}
    buckets, average = pages.completeness_pairs(compute_figures())
    # 5/13 = 38.5 %, 6/13 = 46.2 %, 4/13 = 30.8 %
    assert dict(buckets)["25\u201349 %"] == 7
    assert average == pytest.approx(100 * (5 * 4 + 6 * 2 + 4) / 13 / 7)


def test_the_figures_and_the_members_page_count_completeness_the_same_way(population):
    from members.completeness import profile_completeness
    from members.models import Profile

    scores = {}
    for profile in Profile.objects.prefetch_related(
        "profile_sectors", "expertise", "languages", "contributions"
    ).filter(user__deleted_at__isnull=True):
        percent, missing = profile_completeness(profile)
        filled = len(ITEMS) - len(missing)
        assert percent == round(100 * filled / len(ITEMS))
        scores[str(filled)] = scores.get(str(filled), 0) + 1
    assert compute_figures()["members"]["completeness"] == scores


def test_chapter_members_pending_requests_officers_and_idle_chapters():
    now = timezone.now()
    active = ChapterFactory(name="Capítulo Activo")
    idle = ChapterFactory(name="Capítulo Quieto")
    MembershipFactory.create_batch(3, chapter=active)
    MembershipFactory(chapter=active, status=Membership.Status.PENDING)
    MembershipFactory(chapter=idle, status=Membership.Status.PENDING)
    JornadaFactory(chapter=active, starts_at=now - dt.timedelta(days=30))
    JornadaFactory(chapter=idle, starts_at=now - dt.timedelta(days=500))
    soon = timezone.localdate() + dt.timedelta(days=20)
    OfficerFactory(chapter=active, role="treasurer", term_end=soon, admin_access=False)
    OfficerFactory(
        chapter=idle,
        role="secretary",
        term_end=timezone.localdate() + dt.timedelta(days=200),
        admin_access=False,
    )
    data = compute_figures()
    assert data["members"]["by_chapter"][str(active.pk)] == {"approved": 3, "pending": 1}
    assert data["members"]["by_chapter"][str(idle.pk)] == {"approved": 0, "pending": 1}
    assert data["chapters"]["idle"] == [idle.pk]
    assert data["chapters"]["officers_ending"] == [
        {"chapter": active.pk, "role": "treasurer", "term_end": soon.isoformat()}
    ]


def test_jornada_registrations_waitlist_and_attendance():
    now = timezone.now()
    past = JornadaFactory(starts_at=now - dt.timedelta(days=10))
    upcoming = JornadaFactory()
    attended = RegistrationFactory.create_batch(3, jornada=past, checked_in_at=now)
    RegistrationFactory(jornada=past)  # confirmed, did not come
    RegistrationFactory(jornada=past, status=Registration.Status.WAITLISTED)
    RegistrationFactory(jornada=past, status=Registration.Status.CANCELLED)
    RegistrationFactory(jornada=upcoming)
    data = compute_figures()["jornadas"]
    assert len(attended) == 3
    assert data["totals"]["registrations"] == 6
    assert data["totals"]["waitlisted"] == 1
    assert data["totals"]["confirmed_past"] == 4
    assert data["totals"]["attended_past"] == 3
    row = next(r for r in data["list"] if r["id"] == past.pk)
    assert (row["registrations"], row["confirmed"], row["waitlisted"], row["attended"]) == (
        5,
        4,
        1,
        3,
    )
    figure = pages.jornada_figures(compute_figures())[0]
    assert "75.0 %" in figure.summary


def test_pncs_searches_exports_opportunities_and_interest():
    user = coordinator("tic")
    SearchAudit.objects.create(user=user, action="search", filters={})
    SearchAudit.objects.create(user=user, action="search", filters={})
    SearchAudit.objects.create(user=user, action="export_csv", filters={})
    opened = OpportunityFactory(pncs=user.coordinated_pncs.get())
    OpportunityFactory(pncs=opened.pncs, status="closed")
    Interest.objects.create(opportunity=opened, member=member(), status="accepted")
    Interest.objects.create(opportunity=opened, member=member())
    rows = {row["id"]: row for row in compute_figures()["pncs"]["list"]}
    row = rows[opened.pncs_id]
    assert (row["searches"], row["exports"]) == (2, 1)
    assert (row["opportunities_open"], row["opportunities"]) == (1, 2)
    assert (row["interests"], row["accepted"]) == (2, 1)


def test_filters_narrow_the_member_base(population):
    chapter = ChapterFactory()
    MembershipFactory(chapter=chapter, user=population["us1"])
    MembershipFactory(chapter=chapter, user=population["ca1"], status="pending")
    salud = Sector.objects.get(slug="salud").pk
    assert compute_figures(filters=Filters(country="CA"))["members"]["total"] == 2
    assert compute_figures(filters=Filters(sector=salud))["members"]["total"] == 3
    assert compute_figures(filters=Filters(chapter=chapter.pk))["members"]["total"] == 1
    # es1 joined 400 days ago: outside the last 12 months.
    assert compute_figures(filters=Filters(period="12m"))["members"]["total"] == 6
    both = compute_figures(filters=Filters(country="US", sector=salud))["members"]
    assert both["by_country"] == {"US": 2}


def test_announcements_show_sent_failed_and_unsubscribes_per_announcement():
    from announcements.models import Delivery
    from announcements.services import unsubscribe
    from tests.factories import AnnouncementFactory, subscriber

    first, second = AnnouncementFactory(subject_es="Primero"), AnnouncementFactory()
    people = [subscriber() for _ in range(4)]
    for person, status in zip(people, ["sent", "sent", "failed", "pending"], strict=True):
        Delivery.objects.create(announcement=first, user=person, status=status)
    Delivery.objects.create(announcement=second, user=people[0], status="sent")
    unsubscribe(user_id=people[1].pk, kind="chapter", announcement_id=first.pk)
    rows = {row["id"]: row for row in compute_figures()["announcements"]["list"]}
    assert rows[first.pk] == {
        "id": first.pk,
        "label": "Primero",
        "sent": 2,
        "failed": 1,
        "unsubscribes": 1,
    }
    assert (rows[second.pk]["sent"], rows[second.pk]["unsubscribes"]) == (1, 0)
    figure = pages.announcement_figures(compute_figures())[0]
    assert not figure.no_data
    assert ["Primero", "2", "1", "1"] in figure.rows  # staff only: exact


def test_refresh_keeps_only_the_latest_snapshots(population):
    for _n in range(SNAPSHOTS_KEPT + 2):
        refresh_figures()
    assert FigureSnapshot.objects.count() == SNAPSHOTS_KEPT
    assert FigureSnapshot.objects.newest().data["members"]["total"] == 7


def test_pages_never_compute_figures_they_queue_one_refresh(
    client, population, django_capture_on_commit_callbacks
):
    # What a release that changed the data's shape leaves behind: a snapshot of version 1.
    FigureSnapshot.objects.create(computed_at=timezone.now(), data={"version": 1, "total": 3})
    assert current_snapshot() is None
    with django_capture_on_commit_callbacks() as queued:
        page = client.get("/figures/")
        english = client.get("/en/figures/")
        table = client.get("/figures/countries.csv")
    assert page.status_code == 200
    assert "Las cifras de la red se están calculando" in page.content.decode()
    assert "The network's figures are being computed" in english.content.decode()
    assert table.status_code == 503 and table["Retry-After"] == "120"
    assert FigureSnapshot.objects.count() == 1  # nothing computed inside a request
    assert len(queued) == 1  # three visitors, one refresh for a worker
    queued[0]()  # the worker's turn (inline here; tests/figures/test_worker.py: a real one)
    assert current_snapshot().data["members"]["total"] == 7
    shown = client.get("/figures/")
    assert "se están calculando" not in shown.content.decode()
    assert client.get("/figures/countries.csv").status_code == 200


def test_a_late_snapshot_is_shown_while_a_newer_one_is_queued(
    client, population, django_capture_on_commit_callbacks, settings
):
    snapshot = refresh_figures()
    late = timezone.now() - dt.timedelta(seconds=2 * settings.FIGURES_REFRESH_SECONDS + 60)
    FigureSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=late)
    with django_capture_on_commit_callbacks() as queued:
        page = client.get("/figures/")
    assert page.status_code == 200
    assert "se están calculando" not in page.content.decode()
    assert len(queued) == 1
    on_time = timezone.now() - dt.timedelta(seconds=settings.FIGURES_REFRESH_SECONDS)
    FigureSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=on_time)
    caches["answers"].delete_pattern("*")  # this test's keys only (the database is shared)
    with django_capture_on_commit_callbacks() as queued:
        client.get("/figures/")
    assert queued == []  # within two intervals: the beat's schedule is trusted


def test_beat_task_and_command_refresh_the_snapshot(population, settings):
    assert "figures-refresh-snapshot" in settings.CELERY_BEAT_SCHEDULE
    entry = settings.CELERY_BEAT_SCHEDULE["figures-refresh-snapshot"]
    assert entry["task"] == refresh_figures_task.name
    refresh_figures_task.delay()
    assert FigureSnapshot.objects.count() == 1
    call_command("refresh_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert FigureSnapshot.objects.count() == 2


def test_public_figures_suppress_small_cells(population):
    figures = pages.public_figures(compute_figures())
    countries = next(f for f in figures["figures"] if f.slug == "countries")
    table = {row[0]: row[1] for row in countries.rows}
    assert table == {"Estados Unidos": "<5", "Canadá": "<5", "España": "<5"}
    assert figures["total"].text == "menos de 100"
    shapes = {shape.code: shape for shape in countries.shapes}
    assert shapes["US"].css_class == "map-small"
    assert shapes["FR"].css_class == "map-none"
    assert all(bar.width == 0 for bar in countries.bars)


def test_world_map_covers_the_members_countries():
    geometry = world_geometry()
    for code in ("US", "CA", "MX", "ES", "DE", "GB", "FR", "BR", "AU", "JP", "CN", "IN"):
        assert geometry["countries"][code].startswith("M")
    assert "AQ" not in geometry["countries"]


def test_public_total_rounds_down_to_hundreds():
    assert rounded_total(99).text == "menos de 100"
    assert (rounded_total(99).low, rounded_total(99).high) == (0, 99)
    assert rounded_total(100).text == "100 o más"
    assert (rounded_total(1_234_567).low, rounded_total(1_234_567).high) == (1_234_500, 1_234_599)
    assert rounded_total(1_234_567).text == "1,234,500 o más"
