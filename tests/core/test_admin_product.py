"""The admin as a product for staff (issue 22): branded, one button per decision on an
object's page, no "Save" where nothing can be typed, Jornada times in the Jornada's own
zone with the zone printed, and a confirmation with the exact audience before sending."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from announcements.models import Announcement
from chapters.models import Membership
from core.access import IME_STAFF
from tests.factories import (
    AnnouncementFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    UserFactory,
    subscriber,
    with_totp,
)

pytestmark = pytest.mark.django_db
ACTION = "CHANGE_FORM-action"


@pytest.fixture
def officer(client):
    officer = OfficerFactory()
    client.force_login(officer.user)
    return officer


@pytest.fixture
def ime_staff(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    client.force_login(user)
    return user


def _change(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_the_admin_carries_the_sites_name_colours_logo_and_a_way_to_the_workbench(client, officer):
    html = client.get("/admin/").content.decode()
    assert "Red de Talentos Mexicanos" in html
    assert "/static/css/admin.css" in html and "/static/img/logo.svg" in html
    assert 'href="/staff/todo/"' in html
    assert "Django" not in html
    english = client.get("/en/admin/").content.decode()
    assert 'href="/en/"' in english and "View site" in english


def test_a_join_request_page_has_approve_and_reject_buttons_and_no_save(
    client, officer, django_capture_on_commit_callbacks
):
    pending = MembershipFactory(chapter=officer.chapter, status="pending")
    html = client.get(_change(pending)).content.decode()
    assert f'name="{ACTION}" value="approve_selected"' in html
    assert f'name="{ACTION}" value="reject_selected"' in html
    assert 'name="_save"' not in html and "Run" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change(pending),
            {ACTION: "approve_selected", "_selected_action": pending.pk},
        )
    assert response.status_code == HTTPStatus.FOUND
    pending.refresh_from_db()
    assert pending.status == Membership.Status.APPROVED
    assert [m.to for m in mail.outbox] == [[pending.user.email]]


def test_rejecting_from_the_request_page_asks_the_reason_and_posts_back_there(client, officer):
    pending = MembershipFactory(chapter=officer.chapter, status="pending")
    page = client.post(
        _change(pending), {ACTION: "reject_selected", "_selected_action": pending.pk}
    )
    html = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert f'name="{ACTION}" value="reject_selected"' in html
    client.post(
        _change(pending),
        {ACTION: "reject_selected", "_selected_action": pending.pk, "reason": "Sin cupo."},
    )
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (Membership.Status.REJECTED, "Sin cupo.")


def test_a_page_where_nothing_can_be_typed_offers_close_not_save(client, ime_staff):
    decided = MembershipFactory(status="approved")
    html = client.get(_change(decided)).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert 'class="closelink"' in html
    # A page with fields to edit keeps its Save.
    assert 'name="_save"' in client.get(_change(ChapterFactory())).content.decode()


def test_jornada_times_are_shown_in_its_own_zone_with_the_zone_printed(client, ime_staff):
    jornada = JornadaFactory(timezone="America/Los_Angeles")
    html = client.get(_change(jornada)).content.decode()
    assert "Hora de America/Los_Angeles" in html
    listing = client.get(reverse("admin:chapters_jornada_changelist")).content.decode()
    assert "(America/Los_Angeles)" in listing


def test_a_send_is_confirmed_with_the_exact_number_of_recipients(
    client, ime_staff, django_capture_on_commit_callbacks
):
    chapter = ChapterFactory()
    subscriber(chapter=chapter)
    subscriber(chapter=chapter)
    subscriber(chapter=chapter, notify_chapter=False)  # opted out: not counted
    announcement = AnnouncementFactory(chapter=chapter, audience_chapters=[chapter])
    assert (
        "Personas que lo recibirían hoy: 2." in client.get(_change(announcement)).content.decode()
    )

    send = reverse("admin:announcements_announcement_send", args=[announcement.pk])
    confirm = client.post(send, {"when": ""})
    assert confirm.status_code == HTTPStatus.OK
    assert "Personas que lo recibirán: 2." in confirm.content.decode()
    stale = client.post(send, {"when": "", "confirmed": "5"})
    assert "El público cambió" in stale.content.decode()
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.DRAFT and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(send, {"when": "", "confirmed": "2"})
    assert sent.status_code == HTTPStatus.FOUND
    announcement.refresh_from_db()
    assert announcement.status != Announcement.Status.DRAFT
