"""The cached public sections of the chapter page (chapters/page_cache.py): served without
a query, and never outdated after a change of anything the page shows."""

import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone

from chapters import page_cache, services
from chapters.models import Membership
from members.models import Profile, Sector
from members.services import delete_account
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    member,
)

pytestmark = pytest.mark.django_db


def _page(client, chapter):
    response = client.get(chapter.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_member_count_follows_approvals_departures_and_deleted_accounts(
    client, chapter_a, officer_a
):
    first, second = member(), member()
    MembershipFactory(chapter=chapter_a, user=first)
    assert "Miembros: 1" in _page(client, chapter_a)
    pending = services.request_membership(chapter=chapter_a, user=second)
    services.decide_membership(membership_id=pending.pk, decided_by=officer_a, approve=True)
    assert "Miembros: 2" in _page(client, chapter_a)
    services.leave_chapter(chapter=chapter_a, user=second)
    assert "Miembros: 1" in _page(client, chapter_a)
    delete_account(user=first)  # chapters.personal_data.erase writes with update()
    assert Membership.objects.get(user=first).status == Membership.Status.LEFT
    assert "Miembros: 0" in _page(client, chapter_a)


def test_edits_of_the_chapter_its_areas_and_events_show_at_once(client, chapter_a):
    assert "Texto nuevo" not in _page(client, chapter_a)
    chapter_a.description_es = "Texto nuevo"
    chapter_a.save()
    assert "Texto nuevo" in _page(client, chapter_a)
    sector = Sector.objects.order_by("order").first()
    chapter_a.sectors.add(sector)
    assert sector.name_es in _page(client, chapter_a)
    jornada = JornadaFactory(chapter=chapter_a, title_es="Reunión recién publicada")
    assert "Reunión recién publicada" in _page(client, chapter_a)
    jornada.delete()
    assert "Reunión recién publicada" not in _page(client, chapter_a)


def test_a_new_officer_and_an_officers_new_name_show_at_once(client, chapter_a):
    assert "Sin mesa directiva registrada" in _page(client, chapter_a)
    officer = OfficerFactory(chapter=chapter_a, user=member(preferred_name="Lucía Antes"))
    assert "Lucía Antes" in _page(client, chapter_a)
    profile = Profile.objects.get(user=officer.user)
    profile.preferred_name = "Lucía Después"
    profile.save(update_fields=["preferred_name"])
    html = _page(client, chapter_a)
    assert "Lucía Después" in html and "Lucía Antes" not in html


def test_a_chapter_made_inactive_is_404_for_anonymous_visitors_at_once(client, chapter_a):
    _page(client, chapter_a)
    chapter_a.status = "inactive"
    chapter_a.save()
    assert client.get(chapter_a.get_absolute_url()).status_code == 404


def test_an_inactive_chapter_cached_for_its_officer_stays_hidden_from_others(client, a_member):
    chapter = ChapterFactory(slug="dormido", status="inactive")
    officer = OfficerFactory(chapter=chapter).user
    client.force_login(officer)
    assert client.get(chapter.get_absolute_url()).status_code == 200  # cached now
    client.force_login(a_member)
    assert client.get(chapter.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(chapter.get_absolute_url()).status_code == 404


def test_each_language_has_its_own_cached_page(client, chapter_a):
    url = chapter_a.get_absolute_url()  # before /en/ leaves English active in this thread
    assert "Acerca del capítulo" in client.get(url).content.decode()
    english = client.get("/en" + url).content.decode()
    assert "Acerca del capítulo" not in english and "Description in English." in english
    assert "Acerca del capítulo" in client.get(url).content.decode()


def test_a_page_rendered_before_the_commit_is_not_served_after_it(
    chapter_a, django_capture_on_commit_callbacks
):
    """Another process may render between the change (first new generation) and the
    commit, from the old data: the second new generation, after commit, forgets it."""
    with django_capture_on_commit_callbacks(execute=True):
        chapter_a.description_es = "Cambio"
        chapter_a.save()
        rendered_meanwhile = page_cache.public_page(chapter_a.slug)
        assert caches["answers"].get(page_cache.GENERATION_KEY) == rendered_meanwhile["generation"]
    assert caches["answers"].get(page_cache.GENERATION_KEY) != rendered_meanwhile["generation"]
    assert (
        page_cache.public_page(chapter_a.slug)["generation"] != (rendered_meanwhile["generation"])
    )


def test_the_page_works_without_the_cache(client, chapter_a, settings):
    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        **settings.CACHES,
        "answers": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": dead,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    MembershipFactory(chapter=chapter_a)
    assert "Miembros: 1" in _page(client, chapter_a)
    MembershipFactory(chapter=chapter_a)
    assert "Miembros: 2" in _page(client, chapter_a)


def test_an_entry_expires_when_its_first_event_ends_or_at_midnight():
    now = timezone.now()
    soon = JornadaFactory.build(ends_at=now + datetime.timedelta(seconds=90))
    assert page_cache.expires_at(now, [soon]) == soon.ends_at
    expiry = page_cache.expires_at(now, [])
    assert expiry <= now + datetime.timedelta(seconds=page_cache.MAX_SECONDS)
    assert timezone.localtime(expiry).date() <= timezone.localdate(now) + datetime.timedelta(1)
    late_evening = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time(23, 58))
    )
    midnight = page_cache.expires_at(late_evening, [])
    assert timezone.localtime(midnight).time() == datetime.time.min
    assert midnight - late_evening == datetime.timedelta(minutes=2)
