"""The audience hook: apps contribute their criteria (`<app>.audiences`), announcements
never imports them; the permissions moved with the models."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from announcements import audiences
from announcements.models import Announcement
from core.access import CHAPTER_OFFICERS, IME_STAFF
from members.models import Sector
from tests.factories import AnnouncementFactory, member, subscriber

pytestmark = pytest.mark.django_db


def test_every_audience_field_of_an_announcement_has_exactly_one_contributing_app():
    many_to_many = sorted(f.name for f in Announcement._meta.many_to_many)
    contributed = sorted(a.field for a in audiences.contributed())
    assert (
        contributed
        == many_to_many
        == [
            "audience_chapters",
            "audience_digests",
            "audience_jornadas",
            "audience_programs",
            "audience_sectors",
            "audience_stages",
            "audience_stages_completed",
            "audience_stages_selected",
            "audience_stages_travelling",
        ]
    )


def test_the_sector_audience_comes_from_pncs_and_is_for_ime_staff_only():
    from pncs import audiences as pncs_audiences

    (sectors,) = pncs_audiences.AUDIENCES
    assert audiences.by_field()["audience_sectors"] is sectors
    assert "audience_sectors" in audiences.staff_only_fields()
    assert "audience_chapters" not in audiences.staff_only_fields()


def test_a_contributed_sector_audience_reaches_the_members_of_that_sector_once():
    sector, other = Sector.objects.order_by("pk")[:2]
    inside, outside = subscriber(), subscriber()
    for person, chosen in ((inside, sector), (outside, other)):
        person.profile.profile_sectors.all().delete()
        person.profile.profile_sectors.create(sector=chosen, is_primary=True)
    announcement = AnnouncementFactory(chapter=None)
    announcement.audience_sectors.set([sector])
    assert list(audiences.recipient_ids(announcement)) == [inside.pk]


def test_an_announcement_without_criteria_reaches_nobody():
    member()
    assert audiences.audience_filter(AnnouncementFactory(chapter=None)) is None


def test_the_role_groups_hold_the_announcement_permissions_under_the_announcements_app():
    officers = Group.objects.get(name=CHAPTER_OFFICERS).permissions
    assert sorted(
        officers.filter(content_type__app_label="announcements").values_list("codename", flat=True)
    ) == ["add_announcement", "change_announcement", "delete_announcement", "view_announcement"]
    assert not Permission.objects.filter(
        content_type__app_label="chapters", codename__contains="announcement"
    ).exists()
    staff = Group.objects.get(name=IME_STAFF).permissions
    assert staff.filter(content_type__app_label="announcements", codename="view_delivery").exists()


def test_the_unsubscribe_address_is_the_one_mail_already_sent_carries():
    assert reverse("announcements:unsubscribe", args=["abc"]) == "/unsubscribe/abc/"
