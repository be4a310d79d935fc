"""Chapters govern themselves: the president (or the board) appoints and ends officers
within IME's roles, IME suspends chapters and officers, term alerts, regional coordinators,
and the chapter's own areas of interest."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chapters import services
from chapters.models import (
    AppointableRole,
    Chapter,
    Officer,
    OfficerTermAlert,
    RegionalCoordinator,
)
from chapters.querysets import managed_chapter_ids
from tests.factories import ChapterFactory, MembershipFactory, OfficerFactory, member, with_totp

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def candidate(chapter_a):
    return MembershipFactory(chapter=chapter_a, user=member(preferred_name="Carla Nueva")).user


def _url(chapter, name="chapters:officers", **kwargs):
    return reverse(name, kwargs={"slug": chapter.slug, **kwargs})


# --- appointing and ending --------------------------------------------------------------


def test_the_president_appoints_a_member_who_gets_the_officer_tools(
    client, chapter_a, officer_a, candidate
):
    assert not managed_chapter_ids(candidate).exists()
    client.force_login(officer_a)
    response = client.post(
        _url(chapter_a),
        {"user": candidate.pk, "role": "secretary", "term_start": timezone.localdate()},
    )
    assert response.status_code == 302
    officer = Officer.objects.get(chapter=chapter_a, user=candidate)
    assert officer.role == "secretary" and officer.appointed_by == officer_a
    candidate.refresh_from_db()
    assert candidate.is_staff and candidate.groups.filter(name="Chapter officers").exists()
    assert Chapter.objects.managed_by(candidate).get() == chapter_a
    change = officer.history.get()
    assert change.history_user == officer_a and change.history_change_reason == "appointed"
    # The new officer sees the officer area once they have a second factor (officers see
    # others' personal data), but may not appoint (not the president).
    client.force_login(candidate)
    assert "/2fa/" in client.get(_url(chapter_a))["Location"]
    with_totp(candidate)
    page = client.get(_url(chapter_a))
    assert page.status_code == 200 and b"Carla Nueva" in page.content
    assert page.context["form"] is None


def test_only_members_of_the_chapter_and_only_imes_roles(client, chapter_a, officer_a, candidate):
    outsider = member()
    client.force_login(officer_a)
    response = client.post(
        _url(chapter_a), {"user": outsider.pk, "role": "secretary", "term_start": TODAY}
    )
    assert response.status_code == 400
    response = client.post(
        _url(chapter_a), {"user": candidate.pk, "role": "president", "term_start": TODAY}
    )
    assert response.status_code == 400  # the presidency is not on IME's list
    AppointableRole.objects.filter(role="treasurer").delete()  # IME takes a role off
    with pytest.raises(services.ChapterActionError):
        services.appoint_officer(
            chapter=chapter_a,
            appointed_by=officer_a,
            user=candidate,
            role="treasurer",
            term_start=TODAY,
        )
    response = client.post(
        _url(chapter_a),
        {"user": candidate.pk, "role": "secretary", "term_start": TODAY, "term_end": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "posterior" in response.content.decode()
    assert not Officer.objects.filter(user=candidate).exists()


def test_a_non_president_officer_cannot_appoint_unless_the_board_appoints(
    client, chapter_a, candidate
):
    secretary = OfficerFactory(chapter=chapter_a, role="secretary").user
    client.force_login(secretary)
    data = {"user": candidate.pk, "role": "member", "term_start": TODAY}
    client.post(_url(chapter_a), data)
    assert not Officer.objects.filter(user=candidate).exists()
    chapter_a.appointments_by = "board"
    chapter_a.save()
    assert client.post(_url(chapter_a), data).status_code == 302
    assert Officer.objects.filter(user=candidate, role="member").exists()


def test_ending_a_term_keeps_the_person_in_the_history_not_on_the_public_page(
    client, chapter_a, officer_a, candidate
):
    officer = OfficerFactory(chapter=chapter_a, user=candidate, role="treasurer")
    client.force_login(officer_a)
    assert client.post(_url(chapter_a, "chapters:officer_end", pk=officer.pk)).status_code == 302
    officer.refresh_from_db()
    assert officer.term_end < timezone.localdate()
    assert not managed_chapter_ids(candidate).exists()
    page = client.get(_url(chapter_a))
    assert page.context["past"] == [officer]
    assert officer.history.first().history_change_reason == "ended"
    client.logout()
    public = client.get(chapter_a.get_absolute_url())
    assert "Carla Nueva" not in public.content.decode()


def test_another_chapters_officer_area_is_a_404(client, chapter_a, chapter_b, officer_b):
    officer = OfficerFactory(chapter=chapter_a, role="secretary")
    client.force_login(officer_b)
    assert client.get(_url(chapter_a)).status_code == 404
    end = client.post(_url(chapter_a, "chapters:officer_end", pk=officer.pk))
    assert end.status_code == 404
    # And a term of another chapter cannot be ended through one's own chapter's URL.
    client.post(_url(chapter_b, "chapters:officer_end", pk=officer.pk))
    officer.refresh_from_db()
    assert officer.term_end is None


# --- IME's suspensions ------------------------------------------------------------------


def test_a_suspended_officer_loses_the_powers_at_once(client, chapter_a, officer_a, ime_staff):
    term = Officer.objects.get(user=officer_a)
    services.set_officer_suspension(officer=term, suspended=True, by=ime_staff)
    assert not managed_chapter_ids(officer_a).exists()
    client.force_login(officer_a)
    assert client.get(_url(chapter_a)).status_code == 404
    assert term.history.first().history_user == ime_staff


def test_a_suspended_chapter_is_hidden_and_its_tools_read_only(
    client, chapter_a, officer_a, candidate, ime_staff
):
    services.set_chapter_suspension(chapter=chapter_a, suspended=True, by=ime_staff, reason="x")
    assert chapter_a not in Chapter.objects.public()
    assert client.get(chapter_a.get_absolute_url()).status_code == 404
    assert "Capítulo Alfa" not in client.get(reverse("chapters:list")).content.decode()
    client.force_login(officer_a)
    page = client.get(_url(chapter_a))
    assert page.status_code == 200 and page.context["read_only"] and page.context["form"] is None
    client.post(_url(chapter_a), {"user": candidate.pk, "role": "member", "term_start": TODAY})
    assert not Officer.objects.filter(user=candidate).exists()
    # The admin: the chapter is read-only for its officer.
    change = client.get(reverse("admin:chapters_chapter_change", args=[chapter_a.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]


# --- alerts -----------------------------------------------------------------------------


def test_term_alerts_at_30_and_7_days_once_each_to_the_officer_and_the_president(
    chapter_a, officer_a, candidate, django_capture_on_commit_callbacks
):
    OfficerFactory(
        chapter=chapter_a,
        user=candidate,
        role="secretary",
        term_start=TODAY - datetime.timedelta(days=300),
        term_end=TODAY + datetime.timedelta(days=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_term_alerts(today=TODAY) == 1
        assert services.send_term_alerts(today=TODAY) == 0  # idempotent
        assert services.send_term_alerts(today=TODAY + datetime.timedelta(days=1)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([candidate.email, officer_a.email])
    assert "30" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_term_alerts(today=TODAY + datetime.timedelta(days=23)) == 1
        assert services.send_term_alerts(today=TODAY + datetime.timedelta(days=24)) == 0
    assert len(mail.outbox) == 2
    assert sorted(OfficerTermAlert.objects.values_list("days_before", flat=True)) == [7, 30]


def test_a_term_found_late_gets_only_the_nearest_alert(chapter_a, candidate):
    OfficerFactory(
        chapter=chapter_a,
        user=candidate,
        role="secretary",
        term_start=TODAY - datetime.timedelta(days=300),
        term_end=TODAY + datetime.timedelta(days=5),
    )
    assert services.send_term_alerts(today=TODAY) == 1
    assert list(OfficerTermAlert.objects.values_list("days_before", flat=True)) == [7]


# --- regional coordinators --------------------------------------------------------------


def test_a_regional_coordinator_manages_the_chapters_of_their_region_only(client):
    houston = ChapterFactory(region="north-america")
    madrid = ChapterFactory(region="europe")
    person = member()
    with_totp(person)
    RegionalCoordinator.objects.create(
        user=person, region="north-america", term_start=TODAY - datetime.timedelta(days=10)
    )
    assert list(Chapter.objects.managed_by(person)) == [houston]
    client.force_login(person)
    assert client.get(_url(houston)).status_code == 200
    assert client.get(_url(madrid)).status_code == 404
    RegionalCoordinator.objects.update(suspended_at=timezone.now())
    assert not Chapter.objects.managed_by(person).exists()


# --- areas of interest ------------------------------------------------------------------


def test_the_chapter_page_shows_its_own_areas_and_its_pncs_sectors_apart(client, chapter_a):
    from members.models import Sector

    chapter_a.interests_es = "Biotecnología marina\nDivulgación"
    chapter_a.interests_en = "Marine biotechnology\nOutreach"
    chapter_a.save()
    chapter_a.sectors.add(Sector.objects.order_by("order").first())
    page = client.get(chapter_a.get_absolute_url()).content.decode()
    assert "Biotecnología marina" in page and "Sectores del PNCS" in page
    english = client.get(f"/en{chapter_a.get_absolute_url()}").content.decode()
    assert "Marine biotechnology" in english


def test_ime_suspends_from_the_admin_and_officers_have_no_such_action(
    client, chapter_a, officer_a, ime_staff
):
    term = Officer.objects.get(user=officer_a)
    client.force_login(officer_a)
    changelist = client.get(reverse("admin:chapters_officer_changelist"))
    assert "suspend_selected" not in changelist.content.decode()
    client.force_login(ime_staff)
    url = reverse("admin:chapters_officer_changelist")
    client.post(url, {"action": "suspend_selected", "_selected_action": [term.pk]})
    term.refresh_from_db()
    assert term.suspended_at is not None
    url = reverse("admin:chapters_chapter_changelist")
    client.post(url, {"action": "suspend_selected", "_selected_action": [chapter_a.pk]})
    chapter_a.refresh_from_db()
    assert chapter_a.suspended_at is not None
    assert chapter_a.history.first().history_user == ime_staff


def test_the_appointment_form_starts_today_in_the_date_inputs_format(client, chapter_a, officer_a):
    client.force_login(officer_a)
    page = client.get(_url(chapter_a)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_the_data_migration_keeps_the_sectors_and_writes_them_out_as_areas(chapter_a):
    import importlib

    from django.apps import apps

    from members.models import Sector

    migration = importlib.import_module("chapters.migrations.0010_governance_data")
    sectors = list(Sector.objects.order_by("order")[:2])
    chapter_a.sectors.set(sectors)
    written = ChapterFactory(interests_es="Propias", interests_en="Own")
    written.sectors.set(sectors)
    migration.forward(apps, None)
    chapter_a.refresh_from_db()
    written.refresh_from_db()
    assert chapter_a.interests_es.splitlines() == [s.name_es for s in sectors]
    assert chapter_a.interests_en.splitlines() == [s.name_en for s in sectors]
    assert list(chapter_a.sectors.all()) == sectors  # kept, as the PNCS sectors
    assert written.interests_es == "Propias"  # a chapter's own words are never replaced
    assert "president" not in services.appointable_roles()
    assert set(services.appointable_roles()) == {
        "vice-president",
        "secretary",
        "treasurer",
        "member",
    }


def test_a_suspended_chapters_join_requests_wait_for_ime(client, chapter_a, officer_a, ime_staff):
    pending = MembershipFactory(chapter=chapter_a, status="pending")
    services.set_chapter_suspension(chapter=chapter_a, suspended=True, by=ime_staff)
    client.force_login(officer_a)
    decide = reverse("chapters:membership_decide")
    data = {"membership": pending.pk, "decision": "approve"}
    assert client.post(decide, data).status_code == 404
    changelist = reverse("admin:chapters_membership_changelist")
    client.post(changelist, {"action": "approve_selected", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == "pending"
