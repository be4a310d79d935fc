"""The profile page at scale: its lists in one statement, a constant number of queries, and
the daily view cap kept exact without locking on a second look."""

from functools import partial

import pytest
from django.db import connection
from django.urls import reverse

from members.models import Contribution, ExpertiseTag, Language, Profile, ProfileView
from members.profile_page import profile_lists
from members.services import record_profile_view
from tests.factories import ProfileFactory, member
from tests.parallel import run_at_once

pytestmark = pytest.mark.django_db
MEMBERS = Profile.Visibility.MEMBERS


def _rich_profile(n):
    """A visible profile with n of each list (sectors: up to three, the first primary)."""
    profile = ProfileFactory(
        directory_visibility=MEMBERS, sectors=["salud", "tic", "energia"][: max(1, min(n, 3))]
    )
    profile.expertise.set(
        [ExpertiseTag.objects.create(name=f"tema {i:02d}", slug=f"tema-{i:02d}") for i in range(n)]
    )
    profile.languages.set(Language.objects.order_by("name_es")[:n])
    profile.contributions.set(Contribution.objects.order_by("order")[:n])
    return profile


def test_the_lists_come_in_page_order_and_in_the_active_language():
    from django.utils import translation

    profile = ProfileFactory(sectors=["salud", "cooperacion"])
    profile.expertise.set(
        [ExpertiseTag.objects.create(name=n, slug=n) for n in ("zinc", "agua", "metro")]
    )
    profile.contributions.set(Contribution.objects.filter(slug__in=["promocion", "alianzas"]))
    profile.languages.set(Language.objects.filter(code__in=["en", "es"]))
    lists = profile_lists(profile.pk)
    # The primary sector first (Salud), then the others in their order.
    assert lists.sectors == [
        {"name": "Salud", "primary": True},
        {"name": "Cooperación Internacional para el Desarrollo", "primary": False},
    ]
    assert lists.expertise == ["agua", "metro", "zinc"]
    assert lists.contributions == [
        "Promoción de las capacidades de México",
        "Establecimiento de alianzas estratégicas",
    ]
    assert lists.languages == ["Español", "Inglés"]
    with translation.override("en"):
        english = profile_lists(profile.pk)
    assert english.sectors[0] == {"name": "Health", "primary": True}
    assert english.languages == ["English", "Spanish"]


def test_a_profile_without_lists_shows_a_dash_for_sectors(client, me):
    other = ProfileFactory(directory_visibility=MEMBERS, sectors=[])
    assert profile_lists(other.pk).sectors == []
    html = client.get(reverse("members:profile", args=[other.pk])).content.decode()
    assert "<li>—</li>" in html and "Especialidades" not in html


@pytest.mark.parametrize("size", [1, 3])
def test_the_profile_page_query_count_does_not_grow_with_the_lists(
    client, me, size, django_assert_num_queries
):
    other = _rich_profile(size)
    url = reverse("members:profile", args=[other.pk])
    assert client.get(url).status_code == 200  # the first look: recorded
    # A second look: session, user (with its roles: members.auth_backends), the profile
    # (visible_to, whether it was seen today), whether its owner takes messages from
    # members (the messaging app's button, issue 26); its four lists (one statement on the
    # first look) and the privacy notice answered from the cache; no lock, no write.
    with django_assert_num_queries(4):
        response = client.get(url)
    html = response.content.decode()
    assert "tema 00" in html and f"tema {size - 1:02d}" in html
    assert ProfileView.objects.filter(viewer=me, profile=other).count() == 1


def test_a_second_look_the_same_day_takes_no_lock_and_writes_nothing(me):
    other = ProfileFactory(directory_visibility=MEMBERS)
    assert record_profile_view(viewer=me, profile=other)
    with connection.execute_wrapper(_refuse_locks_and_writes):
        assert record_profile_view(viewer=me, profile=other)
    assert ProfileView.objects.filter(viewer=me).count() == 1


def _refuse_locks_and_writes(execute, sql, params, many, context):
    statement = sql.lstrip().upper()
    assert "FOR UPDATE" not in statement and not statement.startswith(("INSERT", "UPDATE"))
    return execute(sql, params, many, context)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_first_looks_never_overshoot_the_daily_cap(settings):
    settings.MEMBERS_DAILY_PROFILE_VIEW_CAP = 2
    viewer = member()
    others = [ProfileFactory(directory_visibility=MEMBERS) for _ in range(4)]
    answers, errors = run_at_once(
        [partial(record_profile_view, viewer=viewer, profile=profile) for profile in others]
    )
    assert errors == []
    assert sorted(answers) == [False, False, True, True]
    assert ProfileView.objects.filter(viewer=viewer).count() == 2


def test_the_cached_lists_follow_a_change_of_the_profile(client, me):
    other = _rich_profile(1)
    url = reverse("members:profile", args=[other.pk])
    assert "tema 00" in client.get(url).content.decode()
    # The profile form saves the profile with its lists: the next look reads them again.
    other.expertise.set([ExpertiseTag.objects.create(name="hidrología", slug="hidrologia")])
    other.save()
    html = client.get(url).content.decode()
    assert "hidrología" in html and "tema 00" not in html
