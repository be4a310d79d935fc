"""A coordinator's announcement to their sector (issue 21): written in the PNCS area, it waits
for IME's approval; approved, it goes through the outbox to the sector's members who accept
announcements of PNCS opportunities; declined, the author learns why."""

import pytest
from django.core import mail
from django.urls import reverse

from announcements import services
from announcements.models import Announcement, Delivery
from pncs.views.manage import ANNOUNCEMENT_SUBMITTED
from tests.factories import ProfileFactory, coordinator, member

pytestmark = pytest.mark.django_db


def write(client, coord, **overrides):
    data = {
        "pncs": coord.coordinated_pncs.get().pk,
        "subject_es": "Convocatoria de mentoría",
        "subject_en": "Mentoring call",
        "body_es": "Buscamos **mentores**.",
        "body_en": "We are looking for **mentors**.",
    }
    data.update(overrides)
    return client.post(reverse("pncs:announcements"), data, follow=True)


def test_a_coordinators_announcement_waits_for_ime_and_sends_nothing(client, coord):
    ProfileFactory(sectors=["tic"], notify_opportunities=True)
    client.force_login(coord)
    response = write(client, coord)
    assert str(ANNOUNCEMENT_SUBMITTED) in [str(m) for m in response.context["messages"]]
    announcement = Announcement.objects.get()
    assert announcement.status == Announcement.Status.AWAITING_APPROVAL
    assert announcement.kind == Announcement.Kind.OPPORTUNITIES
    assert list(announcement.audience_sectors.values_list("slug", flat=True)) == ["tic"]
    assert announcement.created_by == coord
    assert not Delivery.objects.exists()
    assert "En espera de aprobación del IME" in response.content.decode()


def test_ime_approves_and_it_reaches_the_opted_in_members_of_the_sector_only(
    coord, ime_staff, django_capture_on_commit_callbacks
):
    wants = ProfileFactory(sectors=["tic"], notify_opportunities=True).user
    ProfileFactory(sectors=["tic"], notify_opportunities=False)
    ProfileFactory(sectors=["salud"], notify_opportunities=True)
    announcement = services.submit_for_approval(
        by=coord,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[coord.coordinated_pncs.get().sector_id],
        subject_es="Convocatoria",
        subject_en="Call",
        body_es="Hola",
        body_en="Hello",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_announcement(announcement_id=announcement.pk, by=ime_staff, approve=True)
    announcement.refresh_from_db()
    assert announcement.reviewed_by == ime_staff and announcement.reviewed_at is not None
    assert announcement.status in (Announcement.Status.SENDING, Announcement.Status.SENT)
    assert list(Delivery.objects.values_list("user_id", flat=True)) == [wants.pk]
    assert coord.email in [m.to[0] for m in mail.outbox]


def test_declining_needs_a_reason_and_the_author_learns_it(
    coord, ime_staff, django_capture_on_commit_callbacks
):
    announcement = services.submit_for_approval(
        by=coord,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[coord.coordinated_pncs.get().sector_id],
        subject_es="Convocatoria",
        subject_en="Call",
        body_es="Hola",
        body_en="Hello",
    )
    with pytest.raises(services.AnnouncementError):
        services.review_announcement(announcement_id=announcement.pk, by=ime_staff, approve=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_announcement(
            announcement_id=announcement.pk, by=ime_staff, approve=False, reason="Duplicado."
        )
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.DECLINED
    assert not Delivery.objects.exists()
    assert "Duplicado." in mail.outbox[-1].body
    with pytest.raises(services.AnnouncementError):
        services.review_announcement(announcement_id=announcement.pk, by=ime_staff, approve=True)


def test_only_ime_staff_review(coord):
    announcement = services.submit_for_approval(
        by=coord,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[coord.coordinated_pncs.get().sector_id],
        subject_es="Convocatoria",
        subject_en="Call",
        body_es="Hola",
        body_en="Hello",
    )
    with pytest.raises(services.AnnouncementError):
        services.review_announcement(announcement_id=announcement.pk, by=coord, approve=True)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.AWAITING_APPROVAL


def test_ime_can_not_send_an_announcement_awaiting_review_as_a_draft(coord, ime_staff):
    announcement = services.submit_for_approval(
        by=coord,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[coord.coordinated_pncs.get().sector_id],
        subject_es="Convocatoria",
        subject_en="Call",
        body_es="Hola",
        body_en="Hello",
    )
    with pytest.raises(services.AnnouncementError):
        services.send_announcement(announcement_id=announcement.pk, by=ime_staff)


def test_another_sectors_pncs_is_refused_and_nothing_saved(client, coord):
    theirs = coordinator("salud").coordinated_pncs.get()
    client.force_login(coord)
    response = client.post(
        reverse("pncs:announcements"),
        {
            "pncs": theirs.pk,
            "subject_es": "x",
            "subject_en": "x",
            "body_es": "x",
            "body_en": "x",
        },
    )
    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_a_missing_english_subject_is_refused_clearly(client, coord):
    client.force_login(coord)
    response = client.post(
        reverse("pncs:announcements"),
        {
            "pncs": coord.coordinated_pncs.get().pk,
            "subject_es": "x",
            "body_es": "x",
            "body_en": "x",
        },
    )
    assert response.status_code == 400
    assert "Este campo es obligatorio." in response.content.decode()
    assert not Announcement.objects.exists()


def test_a_member_or_ime_staff_without_a_pncs_may_not_write_to_a_sector(client, ime_staff):
    client.force_login(member())
    assert client.get(reverse("pncs:announcements")).status_code == 403
    client.force_login(ime_staff)
    assert client.get(reverse("pncs:announcements")).status_code == 403


def test_ime_declines_in_the_admin_with_a_reason(
    client, coord, ime_staff, django_capture_on_commit_callbacks
):
    announcement = services.submit_for_approval(
        by=coord,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[coord.coordinated_pncs.get().sector_id],
        subject_es="Convocatoria",
        subject_en="Call",
        body_es="Hola",
        body_en="Hello",
    )
    client.force_login(ime_staff)
    url = reverse("admin:announcements_announcement_changelist")
    data = {"action": "decline_selected", "_selected_action": [announcement.pk]}
    assert client.post(url, data).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "reason": "Fuera de tema."})
    announcement.refresh_from_db()
    assert (announcement.status, announcement.review_reason) == ("declined", "Fuera de tema.")


def test_the_coordinators_announcement_list_costs_the_same_for_one_or_many(client, coord):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coord)
    counts = []
    for size in (1, 6):
        Announcement.objects.all().delete()
        for n in range(size):
            services.submit_for_approval(
                by=coord,
                kind=Announcement.Kind.OPPORTUNITIES,
                sector_ids=[coord.coordinated_pncs.get().sector_id],
                subject_es=f"Aviso {n}",
                subject_en=f"Notice {n}",
                body_es="Hola",
                body_en="Hello",
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("pncs:announcements"))
        assert response.status_code == 200
        assert len(response.context["announcements"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
