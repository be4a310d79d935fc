"""A coordinator's pages of one member count against a daily cap and are logged (who,
when, which member), like the directory and profiles: nobody reads /pncs/members/1..N/
unnoticed (issue 17 item 5)."""

import pytest
from django.urls import reverse

from members import messages as member_messages
from members.models import ProfileView

from .conftest import contactable

pytestmark = pytest.mark.django_db


def test_each_member_page_is_logged_with_the_member_and_no_personal_data(coord_client, coord):
    target = contactable(given_names="Leída", paternal_surname="Auditada")
    assert coord_client.get(reverse("pncs:member_detail", args=[target.pk])).status_code == 200
    read = ProfileView.objects.get(viewer=coord)
    assert read.kind == ProfileView.Kind.PNCS_MEMBER
    assert read.profile_id == target.pk and read.row_count == 1
    stored = repr(ProfileView.objects.filter(pk=read.pk).values().get())
    for personal in ("Leída", "Auditada", target.user.email):
        assert personal not in stored


def test_the_member_page_past_the_daily_cap_is_refused_with_a_clear_message(
    coord_client, coord, settings
):
    settings.MEMBERS_DAILY_PNCS_MEMBER_PAGE_CAP = 2
    first, second, third = (contactable(paternal_surname=f"Miembro{n}") for n in range(3))
    for profile in (first, second, first):  # a second look the same day is free
        assert coord_client.get(reverse("pncs:member_detail", args=[profile.pk])).status_code == 200
    refused = coord_client.get(reverse("pncs:member_detail", args=[third.pk]))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert str(member_messages.PNCS_MEMBER_CAP_REACHED) in html
    assert third.user.email not in html and "Miembro2" not in html
    english = coord_client.get("/en" + reverse("pncs:member_detail", args=[third.pk]))
    assert english.status_code == 429
    assert "maximum number of member pages" in english.content.decode()
    assert ProfileView.objects.filter(viewer=coord).count() == 2


def test_a_member_page_that_does_not_exist_is_not_counted(coord_client, coord):
    refused_contact = contactable(pncs_contact=False)
    assert (
        coord_client.get(reverse("pncs:member_detail", args=[refused_contact.pk])).status_code
        == 404
    )
    assert coord_client.get(reverse("pncs:member_detail", args=[999999])).status_code == 404
    assert not ProfileView.objects.filter(viewer=coord).exists()


def test_coordinator_pages_and_profile_views_are_separate_caps(coord_client, coord, settings):
    settings.MEMBERS_DAILY_PNCS_MEMBER_PAGE_CAP = 1
    settings.MEMBERS_DAILY_PROFILE_VIEW_CAP = 1
    target = contactable(directory_visibility="pncs")
    other = contactable(directory_visibility="pncs")
    assert coord_client.get(reverse("pncs:member_detail", args=[target.pk])).status_code == 200
    assert coord_client.get(reverse("members:profile", args=[target.pk])).status_code == 200
    assert coord_client.get(reverse("pncs:member_detail", args=[other.pk])).status_code == 429
