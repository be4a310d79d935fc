"""Members reach each other through the platform (issue 26): from a profile the writer may
open, a message goes into the thread of the two; the recipient reads it on the site and
gets a notice naming the sender by public name and profile link, never the address;
contact can be turned off; blocks, reports and limits are messaging's own."""

import pytest
from django.core import mail
from django.urls import reverse

from members.services import delete_account
from messaging import personal_data
from messaging.models import Message, MessageReport, Thread
from messaging.services import (
    BLOCKED_MESSAGE,
    CONTACT_OFF_MESSAGE,
    DAILY_LIMIT,
    RATE_LIMITED_MESSAGE,
    MessagingError,
    block_thread,
    set_member_contact,
    write_to_member,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return member(
        given_names="Ana",
        paternal_surname="Pérez",
        preferred_name="",
        directory_visibility="members",
    )


@pytest.fixture
def beto(db):
    return member(
        given_names="Beto",
        paternal_surname="Ruiz",
        preferred_name="",
        directory_visibility="members",
    )


def _write(client, profile_user, body, capture):
    with capture(execute=True):
        return client.post(
            reverse("messaging:write_to_member", args=[profile_user.pk]), {"body": body}
        )


def test_a_profile_shows_the_button_and_a_message_reaches_the_recipient_on_the_site_and_by_mail(
    client, ana, beto, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    profile_page = client.get(reverse("members:profile", args=[beto.pk])).content.decode()
    assert reverse("messaging:write_to_member", args=[beto.pk]) in profile_page

    response = _write(client, beto, "Hola Beto, ¿coordinamos?", django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:thread", args=[message.thread_id])
    assert message.party.label == "Ana Pérez"
    client.force_login(beto)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert "Ana Pérez" in inbox and "Sin leer" in inbox
    assert "Hola Beto" in client.get(response["Location"]).content.decode()
    [notice] = mail.outbox
    assert notice.to == [beto.email]
    assert notice.subject.startswith("Mensaje nuevo de Ana Pérez")
    assert reverse("members:profile", args=[ana.pk]) in notice.body
    assert ana.email not in notice.body and ana.email not in notice.subject
    assert "Hola Beto" not in notice.body


def test_the_recipient_replies_in_the_same_thread_and_writing_again_reopens_it(
    client, ana, beto, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    _write(client, beto, "Primero", django_capture_on_commit_callbacks)
    thread = Thread.objects.get()
    client.force_login(beto)
    client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Respuesta"})
    _write(client, ana, "Desde tu perfil", django_capture_on_commit_callbacks)

    assert Thread.objects.count() == 1
    assert list(Message.objects.values_list("body", flat=True)) == [
        "Primero",
        "Respuesta",
        "Desde tu perfil",
    ]


def test_a_notice_links_the_profile_only_when_the_recipient_may_open_it(
    ana, django_capture_on_commit_callbacks
):
    ana.profile.directory_visibility = "ime"
    ana.profile.save(update_fields=["directory_visibility"])
    carla = member(directory_visibility="members")
    with django_capture_on_commit_callbacks(execute=True):
        write_to_member(sender=ana, recipient=carla, body="Hola")
    assert reverse("members:profile", args=[ana.pk]) not in mail.outbox[0].body


def test_english_readers_get_the_notice_in_english(ana, beto, django_capture_on_commit_callbacks):
    beto.preferred_language = "en"
    beto.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        write_to_member(sender=ana, recipient=beto, body="Hola")
    assert mail.outbox[0].subject.startswith("New message from Ana Pérez")
    assert "Ana Pérez's profile:" in mail.outbox[0].body


def test_a_member_who_turned_contact_off_has_no_button_and_a_direct_post_is_refused(
    client, ana, beto, django_capture_on_commit_callbacks
):
    client.force_login(beto)
    response = client.post(
        reverse("messaging:preferences"),
        {"email_notices": "on"},  # member_contact unticked
    )
    assert response.status_code == 302
    client.force_login(ana)
    profile_page = client.get(reverse("members:profile", args=[beto.pk])).content.decode()
    assert reverse("messaging:write_to_member", args=[beto.pk]) not in profile_page

    response = _write(client, beto, "¿Hola?", django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert str(CONTACT_OFF_MESSAGE) in response.content.decode()
    assert not Message.objects.exists() and not Thread.objects.exists()
    assert mail.outbox == []


def test_the_refusal_is_in_english_under_en(client, ana, beto):
    set_member_contact(user=beto, enabled=False)
    client.force_login(ana)
    response = client.post(f"/en/members/{beto.pk}/message/", {"body": "Hi"})
    assert response.status_code == 403
    assert "This person does not take messages from other members" in response.content.decode()


def test_a_profile_the_writer_may_not_open_answers_404_and_nothing_is_written(client, ana, beto):
    beto.profile.directory_visibility = "ime"
    beto.profile.save(update_fields=["directory_visibility"])
    client.force_login(ana)
    url = reverse("messaging:write_to_member", args=[beto.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hola"}).status_code == 404
    assert client.post(reverse("messaging:write_to_member", args=[ana.pk])).status_code == 404
    assert not Message.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, beto):
    response = client.post(reverse("messaging:write_to_member", args=[beto.pk]), {"body": "x"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Message.objects.exists()


def test_an_empty_message_is_refused_and_nothing_is_saved(client, ana, beto):
    client.force_login(ana)
    response = client.post(reverse("messaging:write_to_member", args=[beto.pk]), {"body": "  "})
    assert response.status_code == 200
    assert not Thread.objects.exists()


def test_after_a_block_the_next_message_from_the_profile_is_refused(
    client, ana, beto, django_capture_on_commit_callbacks
):
    message = write_to_member(sender=ana, recipient=beto, body="Hola")
    block_thread(thread=message.thread, user=beto)
    client.force_login(ana)

    response = _write(client, beto, "¿Sigues ahí?", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert str(BLOCKED_MESSAGE) in response.content.decode()
    assert Message.objects.count() == 1


def test_the_daily_limit_of_messaging_applies(settings, ana, beto):
    settings.MESSAGING_HOURLY_LIMIT = DAILY_LIMIT
    settings.MESSAGING_DAILY_LIMIT = 2
    write_to_member(sender=ana, recipient=beto, body="uno")
    write_to_member(sender=ana, recipient=member(directory_visibility="members"), body="dos")
    with pytest.raises(MessagingError) as refused:
        write_to_member(sender=ana, recipient=beto, body="tres")
    assert refused.value.message == RATE_LIMITED_MESSAGE
    assert Message.objects.count() == 2


def test_the_recipient_reports_a_member_message_to_staff(client, ana, beto):
    message = write_to_member(sender=ana, recipient=beto, body="Compra ya")
    client.force_login(beto)
    url = reverse("messaging:report", args=[message.thread_id, message.pk])
    assert client.post(url, {"reason": "spam"}).status_code == 302
    assert MessageReport.objects.get().message == message


def test_member_threads_are_in_both_exports_and_go_with_either_account(ana, beto):
    message = write_to_member(sender=ana, recipient=beto, body="Hola Beto")
    thread = message.thread
    exported = personal_data.export(beto)
    assert exported["threads"][0]["parties"] == ["Ana Pérez", "Beto Ruiz"]
    assert exported["threads"][0]["my_side"] == "Beto Ruiz"
    assert exported["threads"][0]["messages"][0]["body"] == "Hola Beto"
    assert exported["member_contact"] is True
    assert personal_data.export(ana)["threads"][0]["messages"][0]["mine"] is True

    delete_account(user=beto)

    assert not Thread.objects.filter(pk=thread.pk).exists()
    assert not Message.objects.exists()
    assert personal_data.export(ana)["threads"] == []
