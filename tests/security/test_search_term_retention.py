"""Issue 17, "Also": the audits of searches keep searched names no longer than they must. The
text of coordinators' searches and exports, of the exports asked for and of directory pages
read is blanked after settings.SEARCH_TERMS_RETENTION_DAYS by a daily Celery beat task; the
rows stay (who, when, the other filters, how many). The privacy notice says how long."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from members.models import ProfileView
from members.tasks import forget_old_search_terms_task
from pncs.models import MemberExport, SearchAudit
from tests.factories import coordinator, member

pytestmark = pytest.mark.django_db

NAME = "Zenobia Quetzalli"


def _age(queryset, field, days):
    queryset.update(**{field: timezone.now() - timedelta(days=days)})


def _footprints(client):
    """A coordinator searches and exports by a name, a member reads the directory by it."""
    coord = coordinator("tic")
    client.force_login(coord)
    assert client.get(reverse("pncs:search"), {"q": NAME, "sector": "tic"}).status_code == 200
    assert client.get(reverse("pncs:export_csv"), {"q": NAME}).status_code == 200
    export = MemberExport.objects.create(
        user=coord, format="csv", query=NAME, filters={"q": NAME, "sector": "tic"}, language="es"
    )
    client.force_login(member())
    assert client.get(reverse("members:directory"), {"q": NAME}).status_code == 200
    return export


def test_search_terms_older_than_the_retention_are_blanked_and_the_rows_kept(client):
    _footprints(client)
    old_days = settings.SEARCH_TERMS_RETENTION_DAYS + 1
    _age(SearchAudit.objects.all(), "created_at", old_days)
    _age(MemberExport.objects.all(), "created_at", old_days)
    _age(ProfileView.objects.all(), "viewed_at", old_days)
    recent = _footprints(client)  # the same searches today
    audits_before = SearchAudit.objects.count()
    assert audits_before == 4

    changed = forget_old_search_terms_task.apply().get()

    assert (changed["members"], changed["pncs"]) == (1, 3)
    cutoff = timezone.now() - timedelta(days=settings.SEARCH_TERMS_RETENTION_DAYS)
    old_audits = SearchAudit.objects.filter(created_at__lt=cutoff)
    assert old_audits.count() == 2
    assert all(a.filters.get("q") == "" for a in old_audits)
    assert {a.action for a in old_audits} == {"search", "export_csv"}
    assert old_audits.get(action="search").filters["sector"] == ["tic"]  # other filters stay
    old_export = MemberExport.objects.exclude(pk=recent.pk).get()
    assert (old_export.query, old_export.filters) == ("", {"q": "", "sector": "tic"})
    old_read = ProfileView.objects.get(viewed_at__lt=cutoff)
    assert old_read.filters["q"] == "" and old_read.row_count == 0
    # Today's rows keep their text; nothing was deleted.
    assert all(a.filters["q"] == NAME for a in SearchAudit.objects.filter(created_at__gte=cutoff))
    recent.refresh_from_db()
    assert recent.query == NAME
    assert recent.filters["q"] == NAME
    # The directory keeps the words it searched, as typed but lower-cased.
    assert ProfileView.objects.get(viewed_at__gte=cutoff).filters["q"] == NAME.lower()
    assert SearchAudit.objects.count() == audits_before
    # A second run changes nothing.
    assert sum(forget_old_search_terms_task.apply().get().values()) == 0


def test_the_task_runs_daily_from_beat_with_a_90_day_default():
    from talentnet.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["members-forget-old-search-terms"]
    assert entry["task"] == "members.tasks.forget_old_search_terms_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 24 * 3600
    assert settings.SEARCH_TERMS_RETENTION_DAYS == 90


@pytest.mark.parametrize(
    "prefix, text",
    [
        ("", "se borra de esos registros al cumplir 90 días"),
        ("/en", "is erased from those records after 90 days"),
    ],
)
def test_the_privacy_notice_says_how_long_search_terms_are_kept(client, prefix, text):
    response = client.get(prefix + reverse("members:privacy"))
    assert response.status_code == 200
    assert text in response.content.decode()
