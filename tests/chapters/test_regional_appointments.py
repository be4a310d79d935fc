"""Regional coordinators appoint and end the officers of the chapters of their region, with
the same rules as a president: approved members only, IME's roles only, never another
region's chapters, never through a suspended coordination or a suspended chapter."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chapters import services
from chapters.models import AppointableRole, Officer, RegionalCoordinator
from chapters.services import grant_officer_access
from tests.factories import ChapterFactory, MembershipFactory, OfficerFactory, member, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def houston():
    return ChapterFactory(slug="houston-r", region="north-america")


@pytest.fixture
def madrid():
    return ChapterFactory(slug="madrid-r", region="europe")


@pytest.fixture
def regional(houston):
    """The coordinator of North America (IME appointed them: officer tools, TOTP)."""
    person = member(preferred_name="Rita Regional")
    RegionalCoordinator.objects.create(
        user=person,
        region="north-america",
        term_start=timezone.localdate() - datetime.timedelta(days=30),
    )
    grant_officer_access(user=person)
    with_totp(person)
    return person


def _officers(chapter):
    return reverse("chapters:officers", kwargs={"slug": chapter.slug})


def test_a_regional_coordinator_appoints_an_officer_in_a_chapter_of_their_region(
    client, houston, regional
):
    candidate = MembershipFactory(chapter=houston).user
    client.force_login(regional)
    page = client.get(_officers(houston))
    assert page.status_code == 200 and page.context["form"] is not None
    response = client.post(
        _officers(houston),
        {"user": candidate.pk, "role": "secretary", "term_start": timezone.localdate()},
    )
    assert response.status_code == 302
    officer = Officer.objects.get(chapter=houston, user=candidate)
    assert officer.appointed_by == regional and officer.role == "secretary"
    assert officer.history.get().history_user == regional


def test_a_regional_coordinator_ends_a_term_in_their_region(client, houston, regional):
    officer = OfficerFactory(chapter=houston, role="treasurer")
    client.force_login(regional)
    response = client.post(
        reverse("chapters:officer_end", kwargs={"slug": houston.slug, "pk": officer.pk})
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.term_end == timezone.localdate() - datetime.timedelta(days=1)
    assert officer.history.first().history_user == regional


def test_a_regional_coordinator_stays_within_imes_roles(client, houston, regional):
    candidate = MembershipFactory(chapter=houston).user
    client.force_login(regional)
    response = client.post(
        _officers(houston),
        {"user": candidate.pk, "role": "president", "term_start": timezone.localdate()},
    )
    assert response.status_code == 400  # the presidency is IME's to appoint
    AppointableRole.objects.filter(role="secretary").delete()
    with pytest.raises(services.ChapterActionError) as refused:
        services.appoint_officer(
            chapter=houston,
            appointed_by=regional,
            user=candidate,
            role="secretary",
            term_start=timezone.localdate(),
        )
    assert refused.value.message == services.ROLE_NOT_APPOINTABLE_MESSAGE
    assert not Officer.objects.filter(user=candidate).exists()


def test_a_regional_coordinator_appoints_only_approved_members_of_the_chapter(
    client, houston, regional
):
    outsider = member()
    client.force_login(regional)
    response = client.post(
        _officers(houston),
        {"user": outsider.pk, "role": "secretary", "term_start": timezone.localdate()},
    )
    assert response.status_code == 400
    assert not Officer.objects.filter(user=outsider).exists()


def test_another_regions_chapter_is_404_and_unchanged(client, madrid, regional):
    officer = OfficerFactory(chapter=madrid, role="treasurer")
    candidate = MembershipFactory(chapter=madrid).user
    client.force_login(regional)
    assert client.get(_officers(madrid)).status_code == 404
    response = client.post(
        _officers(madrid),
        {"user": candidate.pk, "role": "secretary", "term_start": timezone.localdate()},
    )
    assert response.status_code == 404
    end = client.post(
        reverse("chapters:officer_end", kwargs={"slug": madrid.slug, "pk": officer.pk})
    )
    assert end.status_code == 404
    officer.refresh_from_db()
    assert officer.term_end is None
    assert not Officer.objects.filter(user=candidate).exists()


def test_a_suspended_coordination_or_chapter_cannot_appoint(houston, regional):
    candidate = MembershipFactory(chapter=houston).user
    assert services.may_appoint(user=regional, chapter=houston)
    houston.suspended_at = timezone.now()
    houston.save(update_fields=["suspended_at"])
    assert not services.may_appoint(user=regional, chapter=houston)
    houston.suspended_at = None
    houston.save(update_fields=["suspended_at"])
    RegionalCoordinator.objects.filter(user=regional).update(suspended_at=timezone.now())
    assert not services.may_appoint(user=regional, chapter=houston)
    with pytest.raises(services.ChapterActionError):
        services.appoint_officer(
            chapter=houston,
            appointed_by=regional,
            user=candidate,
            role="secretary",
            term_start=timezone.localdate(),
        )


def test_a_coordination_whose_term_ended_cannot_appoint(houston, regional):
    RegionalCoordinator.objects.filter(user=regional).update(
        term_end=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert not services.may_appoint(user=regional, chapter=houston)
