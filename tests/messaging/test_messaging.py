"""Threads between two parties: reading, replying, notices, limits, block, report, sharing an
address, the inbox's queries, the data export and the erasure with the account."""

import pytest
from django.core import mail
from django.urls import reverse

from messaging import personal_data
from messaging.forms import EMPTY_MESSAGE
from messaging.models import Message, MessageReport, Participant, Party, Thread
from messaging.services import (
    BLOCKED_MESSAGE,
    RATE_LIMITED_MESSAGE,
    PartySpec,
    mark_read,
    open_thread,
    person_party,
    send_message,
    set_email_notices,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


def _post(client, thread, body, capture):
    with capture(execute=True):
        return client.post(reverse("messaging:thread", args=[thread.pk]), {"body": body})


def test_a_participant_replies_and_each_person_of_the_other_side_gets_one_notice(
    client, ana, org_people, thread, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    response = _post(
        client, thread, "Hola, con gusto les ayudo.", django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    message = Message.objects.get(thread=thread)
    assert message.body == "Hola, con gusto les ayudo."
    assert message.party.label == "Ana P."
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in org_people)
    notice = mail.outbox[0]
    assert notice.subject == "Mensaje nuevo de Ana P.: Mentoría para el laboratorio"
    # The text stays on the site; the notice links to the thread, and hides the address.
    assert "Hola, con gusto" not in notice.body
    assert reverse("messaging:thread", args=[thread.pk]) in notice.body
    assert ana.email not in notice.body


def test_a_second_message_sends_no_notice_until_the_other_side_has_read(
    ana, org_people, thread, django_capture_on_commit_callbacks
):
    olga = org_people[0]
    with django_capture_on_commit_callbacks(execute=True):
        send_message(thread=thread, sender=ana, body="Uno")
        send_message(thread=thread, sender=ana, body="Dos")
    assert len(mail.outbox) == 2

    mark_read(thread=thread, user=olga)
    with django_capture_on_commit_callbacks(execute=True):
        send_message(thread=thread, sender=ana, body="Tres")
    assert [m.to for m in mail.outbox[2:]] == [[olga.email]]


def test_notices_follow_the_persons_preference_and_language(
    ana, org_people, thread, django_capture_on_commit_callbacks
):
    olga, omar = org_people
    set_email_notices(user=olga, enabled=False)
    omar.preferred_language = "en"
    omar.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        send_message(thread=thread, sender=ana, body="Hola")
    assert [m.to for m in mail.outbox] == [[omar.email]]
    assert mail.outbox[0].subject == "New message from Ana P.: Mentoría para el laboratorio"


def test_the_thread_page_shows_both_sides_and_marks_it_read(client, ana, org_people, thread):
    send_message(thread=thread, sender=org_people[0], body="Bienvenida, Ana.")
    client.force_login(ana)
    inbox = client.get(reverse("messaging:inbox"))
    assert "Sin leer" in inbox.content.decode()

    page = client.get(reverse("messaging:thread", args=[thread.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Universidad Ficticia del Norte" in content
    assert "Bienvenida, Ana." in content
    assert "no-store" in page["Cache-Control"]
    assert "Sin leer" not in client.get(reverse("messaging:inbox")).content.decode()


def test_an_empty_message_is_refused_and_nothing_is_saved(client, ana, thread):
    client.force_login(ana)
    response = client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "   "})
    assert response.status_code == 200
    assert str(EMPTY_MESSAGE) in response.content.decode()
    assert not Message.objects.exists()


def test_someone_outside_the_thread_gets_404_and_changes_nothing(client, ana, thread):
    message = send_message(thread=thread, sender=ana, body="Privado")
    client.force_login(member(given_names="Intrusa"))
    pk = thread.pk
    assert client.get(reverse("messaging:thread", args=[pk])).status_code == 404
    assert client.post(reverse("messaging:thread", args=[pk]), {"body": "x"}).status_code == 404
    assert client.post(reverse("messaging:block", args=[pk])).status_code == 404
    assert client.post(reverse("messaging:share", args=[pk]), {"share": "1"}).status_code == 404
    report = reverse("messaging:report", args=[pk, message.pk])
    assert client.post(report, {"reason": "spam"}).status_code == 404
    assert Message.objects.count() == 1
    assert not Party.objects.filter(blocked_at__isnull=False).exists()
    assert not MessageReport.objects.exists()
    assert "Privado" not in client.get(reverse("messaging:inbox")).content.decode()


def test_the_sender_is_stopped_past_the_hourly_limit(client, settings, ana, thread):
    settings.MESSAGING_HOURLY_LIMIT = 2
    client.force_login(ana)
    url = reverse("messaging:thread", args=[thread.pk])
    assert client.post(url, {"body": "uno"}).status_code == 302
    assert client.post(url, {"body": "dos"}).status_code == 302
    response = client.post(url, {"body": "tres"})
    assert response.status_code == 200
    assert str(RATE_LIMITED_MESSAGE) in response.content.decode()
    assert Message.objects.count() == 2


def test_a_block_stops_both_sides_until_the_blocker_lifts_it(client, ana, org_people, thread):
    olga = org_people[0]
    client.force_login(olga)
    client.post(reverse("messaging:block", args=[thread.pk]))
    assert Party.objects.get(thread=thread, key="org:1").blocked_by == olga

    client.force_login(ana)
    response = client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "¿Hola?"})
    assert str(BLOCKED_MESSAGE) in response.content.decode()
    assert not Message.objects.exists()
    # Ana cannot lift the organisation's block; she can only block or unblock her own side.
    client.post(reverse("messaging:unblock", args=[thread.pk]))
    assert Party.objects.get(thread=thread, key="org:1").blocked_at is not None

    client.force_login(org_people[1])  # any person of the side that blocked
    client.post(reverse("messaging:unblock", args=[thread.pk]))
    assert not Party.objects.filter(blocked_at__isnull=False).exists()
    assert send_message(thread=thread, sender=ana, body="De nuevo")


def test_a_message_of_the_other_side_is_reported_once(client, ana, org_people, thread):
    theirs = send_message(thread=thread, sender=org_people[0], body="Compra ya")
    mine = send_message(thread=thread, sender=ana, body="No, gracias")
    client.force_login(ana)
    url = reverse("messaging:report", args=[thread.pk, theirs.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "spam", "details": "Publicidad"}).status_code == 302
    assert client.post(url, {"reason": "abuse"}).status_code == 302
    report = MessageReport.objects.get()
    assert (report.reporter, report.reason, report.details) == (ana, "spam", "Publicidad")
    # One's own side's message cannot be reported; a bad reason changes nothing.
    assert client.get(reverse("messaging:report", args=[thread.pk, mine.pk])).status_code == 404
    client.force_login(org_people[1])
    bad = client.post(reverse("messaging:report", args=[thread.pk, mine.pk]), {"reason": "x"})
    assert bad.status_code == 200
    assert MessageReport.objects.count() == 1


def test_an_address_is_shown_only_once_its_owner_shares_it(client, ana, org_people, thread):
    olga = org_people[0]
    client.force_login(olga)
    url = reverse("messaging:thread", args=[thread.pk])
    assert ana.email not in client.get(url).content.decode()

    client.force_login(ana)
    client.post(reverse("messaging:share", args=[thread.pk]), {"share": "1"})
    client.force_login(olga)
    assert ana.email in client.get(url).content.decode()

    client.force_login(ana)
    client.post(reverse("messaging:share", args=[thread.pk]), {"share": "0"})
    client.force_login(olga)
    assert ana.email not in client.get(url).content.decode()


def test_opening_the_same_context_twice_reopens_one_thread_with_the_new_people(
    ana, org_people, thread
):
    newcomer = member(given_names="Nora")
    again = open_thread(
        topic="Otro asunto",
        parties=[
            person_party(ana, "Ana P."),
            PartySpec(key="org:1", label="Universidad", users=(*org_people, newcomer)),
        ],
        context="tests.request:1",
    )
    assert again.pk == thread.pk
    assert Thread.objects.count() == 1
    assert Participant.objects.filter(party__thread=thread).count() == 4


def test_the_preferences_page_turns_notices_off(client, ana):
    client.force_login(ana)
    url = reverse("messaging:preferences")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    assert personal_data.export(ana)["email_notices"] is False


@pytest.mark.parametrize("threads", [1, 6])
def test_the_inbox_costs_the_same_queries_whatever_the_number_of_threads(
    client, ana, threads, django_assert_num_queries
):
    for n in range(threads):
        other = member()
        t = open_thread(
            topic=f"Tema {n}", parties=[person_party(ana, "Ana"), person_party(other, f"P{n}")]
        )
        send_message(thread=t, sender=other, body="Hola")
    client.force_login(ana)
    client.get(reverse("messaging:inbox"))  # warm the session and the privacy check
    with django_assert_num_queries(4):
        response = client.get(reverse("messaging:inbox"))
    assert response.content.decode().count("Sin leer") == threads


def test_the_data_export_holds_the_whole_correspondence(ana, org_people, thread):
    send_message(thread=thread, sender=org_people[0], body="Pregunta")
    send_message(thread=thread, sender=ana, body="Respuesta")
    exported = personal_data.export(ana)["threads"]
    assert exported[0]["topic"] == "Mentoría para el laboratorio"
    assert exported[0]["my_side"] == "Ana P."
    assert [(m["body"], m["mine"]) for m in exported[0]["messages"]] == [
        ("Pregunta", False),
        ("Respuesta", True),
    ]


def test_erasing_a_member_deletes_their_threads_and_an_organisation_person_only_their_part(
    ana, org_people, thread
):
    olga, omar = org_people
    other_member = member()
    shared = open_thread(
        topic="Otro",
        parties=[
            person_party(other_member, "Beto"),
            PartySpec(key="org:1", label="Universidad", users=org_people),
        ],
    )
    send_message(thread=shared, sender=olga, body="De Olga")
    send_message(thread=shared, sender=omar, body="De Omar")
    send_message(thread=thread, sender=ana, body="De Ana")
    MessageReport.objects.create(
        message=Message.objects.get(body="De Olga"),
        reporter=other_member,
        reason="spam",
        created_at=shared.created_at,
    )

    personal_data.erase(ana)
    assert not Thread.objects.filter(pk=thread.pk).exists()

    personal_data.erase(olga)
    assert list(Message.objects.values_list("body", flat=True)) == ["De Omar"]
    assert not Participant.objects.filter(user=olga).exists()
    assert Thread.objects.filter(pk=shared.pk).exists()
    assert not MessageReport.objects.exists()


def test_ime_staff_review_reports_in_the_admin_and_members_cannot(client, ana, org_people, thread):
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF
    from tests.factories import UserFactory, with_totp

    theirs = send_message(thread=thread, sender=org_people[0], body="Compra ya")
    MessageReport.objects.create(
        message=theirs, reporter=ana, reason="spam", created_at=theirs.created_at
    )
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(staff)
    url = reverse("admin:messaging_messagereport_changelist")
    client.force_login(staff)
    assert client.get(url).status_code == 200
    report = MessageReport.objects.get()
    change = client.get(reverse("admin:messaging_messagereport_change", args=[report.pk]))
    assert "Compra ya" in change.content.decode()
    client.force_login(ana)
    assert client.get(url).status_code == 302
