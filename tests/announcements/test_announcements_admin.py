"""The announcements admin per role, and the public unsubscribe page."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from announcements import admin as announcement_admin
from announcements import delivery as outbox
from announcements import services
from announcements.mail import unsubscribe_token
from announcements.models import Announcement, Delivery
from announcements.views import UNSUBSCRIBED_MESSAGE
from members.models import Profile
from tests.factories import AnnouncementFactory, JornadaFactory, member, subscriber

pytestmark = pytest.mark.django_db


def _url(action, *args):
    return reverse(f"admin:announcements_announcement_{action}", args=args)


def _confirmed_send(client, pk, data, **kwargs):
    """Press "send" (the confirmation step answers with the exact number of recipients),
    then confirm with that number, as the staff member does."""
    step = client.post(_url("send", pk), data)
    assert step.status_code == 200
    recipients = step.context["recipients"]
    return client.post(_url("send", pk), {**data, "confirmed": str(recipients)}, **kwargs)


@pytest.fixture
def two_announcements(chapter_a, chapter_b, officer_a, officer_b):
    subscriber(chapter=chapter_a, preferred_name="Lucía")
    subscriber(chapter=chapter_b)
    own = AnnouncementFactory(
        chapter=chapter_a, audience_chapters=[chapter_a], subject_es="Aviso de Alfa"
    )
    other = AnnouncementFactory(
        chapter=chapter_b, audience_chapters=[chapter_b], subject_es="Aviso de Beta"
    )
    return own, other


# --- Scope -----------------------------------------------------------------------------


def test_an_officer_lists_only_their_chapters_announcements(client, officer_a, two_announcements):
    own, _other = two_announcements
    client.force_login(officer_a)
    response = client.get(_url("changelist"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["cl"].result_list] == [own.pk]
    assert "Aviso de Beta" not in response.content.decode()


@pytest.mark.parametrize("action", ["change", "preview", "send", "cancel", "test"])
def test_an_officer_gets_404_on_another_chapters_announcement(
    client, officer_a, two_announcements, action
):
    _own, other = two_announcements
    client.force_login(officer_a)
    response = client.post(_url(action, other.pk)) if action != "change" else None
    response = response or client.get(_url(action, other.pk))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "draft"
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_member_without_a_role_cannot_reach_the_announcements_admin(client, two_announcements):
    client.force_login(member())
    response = client.get(_url("changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_officer_picks_only_their_chapters_and_events_and_no_network_audience(
    client, officer_a, chapter_a, chapter_b
):
    own_event = JornadaFactory(chapter=chapter_a, title_es="Evento Alfa")
    JornadaFactory(chapter=chapter_b, title_es="Evento Beta")
    client.force_login(officer_a)
    response = client.get(_url("add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["chapter"].queryset) == [chapter_a]
    assert list(form.fields["audience_chapters"].queryset) == [chapter_a]
    assert list(form.fields["audience_jornadas"].queryset) == [own_event]
    assert "audience_all_members" not in form.fields
    assert {value for value, _label in form.fields["kind"].choices} == {"chapter", "jornadas"}


def test_an_officer_creates_an_announcement_for_their_chapter(client, officer_a, chapter_a):
    client.force_login(officer_a)
    response = client.post(
        _url("add"),
        {
            "kind": "chapter",
            "chapter": chapter_a.pk,
            "subject_es": "Reunión mensual",
            "subject_en": "Monthly meeting",
            "body_es": "Nos vemos el **jueves**.",
            "body_en": "See you on **Thursday**.",
            "audience_chapters": [chapter_a.pk],
        },
    )
    assert response.status_code == 302
    created = Announcement.objects.get(subject_es="Reunión mensual")
    assert (created.chapter, created.created_by, created.status) == (chapter_a, officer_a, "draft")


def test_a_form_missing_the_english_subject_saves_nothing(client, ime_staff):
    client.force_login(ime_staff)
    response = client.post(
        _url("add"),
        {"kind": "chapter", "subject_es": "Solo español", "body_es": "x", "body_en": "y"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subject_en"]
    assert not Announcement.objects.exists()


# --- Preview, test, send, cancel, progress --------------------------------------------------


def test_preview_shows_both_languages_as_the_recipient_sees_them(client, ime_staff):
    announcement = AnnouncementFactory(
        subject_es="Convocatoria", subject_en="Call", body_es="**Hola** <script>x()</script>"
    )
    client.force_login(ime_staff)
    response = client.get(_url("preview", announcement.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Convocatoria" in html and "Call" in html
    assert "<strong>Hola</strong>" in html
    assert "<script>x()" not in html
    assert "Hello <strong>everyone</strong>" in html


def test_send_a_test_to_myself(client, ime_staff, django_capture_on_commit_callbacks):
    announcement = AnnouncementFactory(subject_es="Prueba de envío")
    client.force_login(ime_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("test", announcement.pk))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[ime_staff.email]]
    assert mail.outbox[0].subject == "[PRUEBA / TEST] Prueba de envío"
    assert not Delivery.objects.exists()


def test_sending_from_the_admin_shows_progress(
    client, officer_a, two_announcements, django_capture_on_commit_callbacks
):
    own, _other = two_announcements
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _confirmed_send(client, own.pk, {"when": ""})
    assert response.status_code == 302
    response = client.get(response["Location"])
    own.refresh_from_db()
    assert own.status == "sent"
    assert len(mail.outbox) == 1
    assert str(announcement_admin.SENT_MESSAGE) in response.content.decode()
    assert response.context["progress"]["sent"] == 1
    assert response.context["progress"]["recipients"] == 1
    # Sent: no more editing, sending again is refused.
    response = client.post(_url("send", own.pk), {"when": ""}, follow=True)
    assert str(services.NOT_DRAFT_MESSAGE) in response.content.decode()
    assert len(mail.outbox) == 1


def test_after_send_now_the_admin_shows_the_recipients_being_prepared_and_can_cancel(
    client, ime_staff, two_announcements
):
    own, _other = two_announcements
    client.force_login(ime_staff)
    response = _confirmed_send(client, own.pk, {"when": ""}, follow=True)  # no commit hook

    assert response.status_code == 200
    assert str(announcement_admin.SENT_MESSAGE) in response.content.decode()
    assert response.context["progress"]["preparing"] is True
    assert "Preparando la lista de destinatarios" in response.content.decode()
    assert not Delivery.objects.exists()

    response = client.post(_url("cancel", own.pk), follow=True)
    own.refresh_from_db()
    assert own.status == "cancelled"
    assert outbox.create_deliveries(announcement_id=own.pk) == 0  # the task, late
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_the_progress_page_in_english_says_the_recipients_are_being_prepared(
    client, ime_staff, two_announcements
):
    own, _other = two_announcements
    client.force_login(ime_staff)
    _confirmed_send(client, own.pk, {"when": ""})
    response = client.get("/en" + _url("change", own.pk))
    assert response.status_code == 200
    assert "Preparing the list of recipients" in response.content.decode()


def test_scheduling_then_cancelling_from_the_admin(client, ime_staff, two_announcements):
    own, _other = two_announcements
    client.force_login(ime_staff)
    when = timezone.localtime(timezone.now() + timezone.timedelta(days=2))
    response = _confirmed_send(client, own.pk, {"when": when.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "scheduled" and own.scheduled_for is not None
    response = client.post(_url("cancel", own.pk), follow=True)
    own.refresh_from_db()
    assert own.status == "cancelled"
    assert str(announcement_admin.CANCELLED_MESSAGE % {"n": 0}) in response.content.decode()


def test_a_malformed_schedule_date_is_reported_and_nothing_changes(
    client, ime_staff, two_announcements
):
    own, _other = two_announcements
    client.force_login(ime_staff)
    response = client.post(_url("send", own.pk), {"when": "mañana"}, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.status == "draft"
    assert not Delivery.objects.exists()


def test_progress_lists_failure_and_skip_reasons(client, ime_staff, chapter_a):
    announcement = AnnouncementFactory(audience_chapters=[chapter_a], status="sent")
    Delivery.objects.create(announcement=announcement, user=member(), status="sent")
    Delivery.objects.create(
        announcement=announcement, user=member(), status="skipped", reason="opted-out"
    )
    Delivery.objects.create(
        announcement=announcement, user=member(), status="failed", reason="refused (550)"
    )
    client.force_login(ime_staff)
    response = client.get(_url("change", announcement.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ya no acepta este tipo de aviso" in html
    assert "refused (550)" in html
    assert response.context["progress"]["recipients"] == 3


def test_the_jornada_action_drafts_an_announcement_and_opens_it(client, officer_a, chapter_a):
    jornada = JornadaFactory(chapter=chapter_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:chapters_jornada_changelist"),
        {"action": "announce_selected", "_selected_action": [jornada.pk]},
    )
    draft = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("change", draft.pk)
    assert draft.chapter == chapter_a and draft.kind == "jornadas"


# --- Unsubscribe page -----------------------------------------------------------------------


def test_unsubscribe_page_shows_what_stops_and_a_button():
    person = subscriber()
    token = unsubscribe_token(user_id=person.pk, kind="jornadas")
    response = Client().get(f"/unsubscribe/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aviso de Jornadas Informativas" in html
    assert 'method="post"' in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert Profile.objects.get(user=person).notify_jornadas is True


def test_one_click_post_unsubscribes_without_login_or_csrf_and_is_idempotent():
    person = subscriber()
    token = unsubscribe_token(user_id=person.pk, kind="chapter")
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.post(
            f"/unsubscribe/{token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert str(UNSUBSCRIBED_MESSAGE) in response.content.decode()
    profile = Profile.objects.get(user=person)
    assert profile.notify_chapter is False and profile.notify_jornadas is True


def test_unsubscribing_records_the_consent_change_and_counts_for_the_announcement(chapter_a):
    from announcements.models import Delivery
    from members.models import ConsentRecord

    person = subscriber(chapter=chapter_a)
    bystander = subscriber(chapter=chapter_a)
    announcement = AnnouncementFactory(audience_chapters=[chapter_a])
    for user in (person, bystander):
        Delivery.objects.create(announcement=announcement, user=user, status="sent")
    token = unsubscribe_token(user_id=person.pk, kind="chapter", announcement_id=announcement.pk)
    Client().post(f"/unsubscribe/{token}/")
    record = ConsentRecord.objects.filter(user=person, purpose="notify_chapter").latest("pk")
    assert record.source == ConsentRecord.Source.EMAIL_LINK
    unsubscribed = Delivery.objects.filter(announcement=announcement, unsubscribed_at__isnull=False)
    assert list(unsubscribed.values_list("user_id", flat=True)) == [person.pk]
    assert Profile.objects.get(user=bystander).notify_chapter is True


def test_unsubscribe_page_in_english():
    person = subscriber()
    token = unsubscribe_token(user_id=person.pk, kind="chapter")
    response = Client().get(f"/en/unsubscribe/{token}/")
    assert response.status_code == 200
    assert "Stop receiving" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJ1IjoxfQ:1abc:deadbeef", "x" * 300, "%00", "..", "a:b:c"],
)
def test_a_tampered_or_malformed_token_answers_400_revealing_nothing(token):
    person = subscriber()
    response = Client(enforce_csrf_checks=True).post(f"/unsubscribe/{token}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert person.email not in html
    from announcements.models import Announcement

    assert not any(str(label) in html for label in Announcement.Kind.labels)
    assert Profile.objects.get(user=person).notify_chapter is True


def test_a_token_with_a_changed_kind_or_user_is_refused():
    person = subscriber()
    token = unsubscribe_token(user_id=person.pk, kind="chapter")
    _payload, rest = token.split(":", 1)
    other = unsubscribe_token(user_id=person.pk + 1, kind="chapter").split(":", 1)[0]
    response = Client().post(f"/unsubscribe/{other}:{rest}/")
    assert response.status_code == 400
    assert Profile.objects.get(user=person).notify_chapter is True


def _changelist_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("changelist"))
    assert response.status_code == 200
    return len(queries)


def test_the_changelist_query_count_does_not_grow_with_announcements(client, officer_a, chapter_a):
    def add(n):
        for _ in range(n):
            announcement = AnnouncementFactory(chapter=chapter_a, audience_chapters=[chapter_a])
            Delivery.objects.create(announcement=announcement, user=member(), status="sent")

    client.force_login(officer_a)
    add(2)
    few = _changelist_queries(client)
    add(8)
    many = _changelist_queries(client)
    assert few == many


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/chapters/announcement/", "/admin/announcements/announcement/"),
        (
            "/en/admin/chapters/announcement/7/change/?_changelist_filters=status%3Ddraft",
            "/en/admin/announcements/announcement/7/change/?_changelist_filters=status%3Ddraft",
        ),
        ("/admin/chapters/delivery/", "/admin/announcements/delivery/"),
        ("/admin/chapters/announcement/caf%C3%A9/", "/admin/announcements/announcement/caf%C3%A9/"),
    ],
)
def test_the_announcement_admin_pages_before_the_move_redirect_to_their_new_home(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_other_chapter_admin_pages_are_not_redirected(client):
    response = client.get("/admin/chapters/chapter/")
    assert response.status_code == 302  # the admin's own login redirect, not ours
    assert "/admin/login/" in response["Location"]


def test_a_line_break_in_an_old_admin_path_is_no_redirect_and_no_error(client):
    response = client.get("/admin/chapters/announcement/%0D%0ALocation:%20x/")
    assert response.status_code == 404
    assert "Location" not in response
