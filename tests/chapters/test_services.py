"""Services of the chapters app: memberships, registrations, waitlist, emails."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from chapters import services
from chapters.models import Membership, Registration
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    RegistrationFactory,
    member,
)

pytestmark = pytest.mark.django_db


# --- memberships ------------------------------------------------------------------------


def test_request_membership_creates_a_pending_request(chapter_a, a_member):
    membership = services.request_membership(chapter=chapter_a, user=a_member, message="Hola")
    assert membership.status == Membership.Status.PENDING
    assert membership.message == "Hola"
    assert Membership.objects.pending().filter(chapter=chapter_a).count() == 1


def test_a_second_request_while_pending_is_refused(chapter_a, a_member):
    services.request_membership(chapter=chapter_a, user=a_member)
    with pytest.raises(services.ChapterActionError) as exc:
        services.request_membership(chapter=chapter_a, user=a_member)
    assert exc.value.message == services.ALREADY_PENDING_MESSAGE
    assert Membership.objects.count() == 1


def test_an_inactive_chapter_takes_no_requests(a_member):
    chapter = ChapterFactory(status="inactive")
    with pytest.raises(services.ChapterActionError):
        services.request_membership(chapter=chapter, user=a_member)
    assert not Membership.objects.exists()


def test_approval_records_who_and_when_and_emails_the_member_after_commit(
    chapter_a, officer_a, a_member, django_capture_on_commit_callbacks
):
    membership = services.request_membership(chapter=chapter_a, user=a_member)
    with django_capture_on_commit_callbacks() as callbacks:
        services.decide_membership(membership_id=membership.pk, decided_by=officer_a, approve=True)
    assert not mail.outbox  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == officer_a
    assert membership.decided_at is not None
    assert membership.is_home  # the first approved chapter becomes the home chapter
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [a_member.email]
    assert "aprobada" in mail.outbox[0].subject
    assert "Capítulo Alfa" in mail.outbox[0].body
    assert membership.history.filter(status="approved").first().history_user == officer_a


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    chapter_a, officer_a, a_member, django_capture_on_commit_callbacks
):
    from django.db import transaction

    membership = services.request_membership(chapter=chapter_a, user=a_member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.decide_membership(
                    membership_id=membership.pk, decided_by=officer_a, approve=True
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_rejection_needs_a_reason_and_sends_it_in_the_members_language(
    chapter_a, officer_a, django_capture_on_commit_callbacks
):
    english = member()
    english.preferred_language = "en"
    english.save(update_fields=["preferred_language"])
    membership = services.request_membership(chapter=chapter_a, user=english)
    with pytest.raises(services.ChapterActionError):
        services.decide_membership(
            membership_id=membership.pk, decided_by=officer_a, approve=False, reason="  "
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_membership(
            membership_id=membership.pk,
            decided_by=officer_a,
            approve=False,
            reason="Solo para residentes de Texas",
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert membership.decision_reason == "Solo para residentes de Texas"
    message = mail.outbox[0]
    assert message.subject == "Your chapter request was not approved"
    assert "Solo para residentes de Texas" in message.body
    assert "/en/chapters/alfa/" in message.body


def test_a_decided_request_cannot_be_decided_again(chapter_a, officer_a, a_member):
    membership = services.request_membership(chapter=chapter_a, user=a_member)
    services.decide_membership(membership_id=membership.pk, decided_by=officer_a, approve=True)
    with pytest.raises(services.ChapterActionError) as exc:
        services.decide_membership(
            membership_id=membership.pk, decided_by=officer_a, approve=False, reason="x"
        )
    assert exc.value.message == services.NOT_PENDING_MESSAGE
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_a_rejected_member_may_ask_again(chapter_a, officer_a, a_member):
    membership = services.request_membership(chapter=chapter_a, user=a_member)
    services.decide_membership(
        membership_id=membership.pk, decided_by=officer_a, approve=False, reason="No"
    )
    again = services.request_membership(chapter=chapter_a, user=a_member, message="Otra vez")
    assert again.pk == membership.pk
    assert again.status == Membership.Status.PENDING
    assert again.decided_by is None and again.decision_reason == ""


def test_leaving_keeps_the_row_and_frees_the_home_chapter(chapter_a, a_member):
    MembershipFactory(chapter=chapter_a, user=a_member, is_home=True)
    membership = services.leave_chapter(chapter=chapter_a, user=a_member)
    assert membership.status == Membership.Status.LEFT
    assert membership.left_at is not None
    assert not membership.is_home
    with pytest.raises(services.ChapterActionError):
        services.leave_chapter(chapter=chapter_a, user=a_member)


def test_a_member_belongs_to_several_chapters_with_one_home(chapter_a, chapter_b, a_member):
    MembershipFactory(chapter=chapter_a, user=a_member, is_home=True)
    MembershipFactory(chapter=chapter_b, user=a_member)
    services.set_home_chapter(chapter=chapter_b, user=a_member)
    homes = Membership.objects.filter(user=a_member, is_home=True)
    assert list(homes.values_list("chapter__slug", flat=True)) == ["beta"]
    assert Membership.objects.approved().filter(user=a_member).count() == 2


# --- registrations ----------------------------------------------------------------------


def test_registration_is_confirmed_while_there_is_room_then_waitlisted(
    django_capture_on_commit_callbacks,
):
    jornada = JornadaFactory(capacity=1)
    first, second = member(), member()
    with django_capture_on_commit_callbacks(execute=True):
        r1 = services.register_for_jornada(jornada_id=jornada.pk, user=first)
        r2 = services.register_for_jornada(jornada_id=jornada.pk, user=second)
    assert r1.status == Registration.Status.CONFIRMED
    assert r2.status == Registration.Status.WAITLISTED
    assert [m.subject for m in mail.outbox] == [
        "Registro confirmado",
        "Estás en la lista de espera",
    ]
    assert f"/jornadas/{jornada.slug}.ics" in mail.outbox[0].body


def test_cancelling_promotes_the_first_on_the_waitlist_and_tells_them(
    django_capture_on_commit_callbacks,
):
    jornada = JornadaFactory(capacity=1)
    first, second, third = member(), member(), member()
    for user in (first, second, third):
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(jornada_id=jornada.pk, user=first)
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "waitlisted"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [second.email]
    assert "Se liberó un lugar" in mail.outbox[0].subject


def test_cancelling_a_waitlisted_place_promotes_nobody():
    jornada = JornadaFactory(capacity=1)
    first, second = member(), member()
    services.register_for_jornada(jornada_id=jornada.pk, user=first)
    services.register_for_jornada(jornada_id=jornada.pk, user=second)
    services.cancel_registration(jornada_id=jornada.pk, user=second)
    assert Registration.objects.confirmed().get().user == first
    assert not Registration.objects.waitlisted().exists()


def test_registering_twice_is_refused_but_re_registering_after_cancelling_works():
    jornada = JornadaFactory()
    user = member()
    services.register_for_jornada(jornada_id=jornada.pk, user=user)
    with pytest.raises(services.ChapterActionError):
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    services.cancel_registration(jornada_id=jornada.pk, user=user)
    again = services.register_for_jornada(jornada_id=jornada.pk, user=user)
    assert again.status == Registration.Status.CONFIRMED
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "window",
    [
        {"registration_opens_at": timezone.now() + datetime.timedelta(days=1)},
        {"registration_closes_at": timezone.now() - datetime.timedelta(days=1)},
        {
            "starts_at": timezone.now() - datetime.timedelta(days=3),
            "ends_at": timezone.now() - datetime.timedelta(days=2),
        },
    ],
    ids=["not-open-yet", "closed", "past"],
)
def test_registration_outside_the_window_is_refused(window):
    jornada = JornadaFactory(**window)
    with pytest.raises(services.ChapterActionError) as exc:
        services.register_for_jornada(jornada_id=jornada.pk, user=member())
    assert exc.value.message == services.REGISTRATION_CLOSED_MESSAGE
    assert not Registration.objects.exists()


def test_a_member_may_represent_only_their_own_chapter(chapter_a, chapter_b, a_member):
    MembershipFactory(chapter=chapter_a, user=a_member)
    jornada = JornadaFactory()
    with pytest.raises(services.ChapterActionError):
        services.register_for_jornada(jornada_id=jornada.pk, user=a_member, representing=chapter_b)
    registration = services.register_for_jornada(
        jornada_id=jornada.pk, user=a_member, representing=chapter_a
    )
    assert registration.representing == chapter_a


def test_approval_mode_waits_for_staff_who_confirm_up_to_the_capacity():
    jornada = JornadaFactory(capacity=1, registration_mode="approval")
    first, second = member(), member()
    r1 = services.register_for_jornada(jornada_id=jornada.pk, user=first)
    r2 = services.register_for_jornada(jornada_id=jornada.pk, user=second)
    assert (r1.status, r2.status) == ("pending", "pending")
    decided = services.decide_registrations(registration_ids=[r1.pk, r2.pk], approve=True)
    assert decided == 2
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.status, r2.status) == ("confirmed", "waitlisted")


def test_check_in_marks_confirmed_participants_once(ime_staff):
    confirmed = RegistrationFactory()
    waiting = RegistrationFactory(jornada=confirmed.jornada, status="waitlisted")
    assert services.check_in(registration_ids=[confirmed.pk, waiting.pk], by=ime_staff) == 1
    first_time = Registration.objects.get(pk=confirmed.pk).checked_in_at
    assert services.check_in(registration_ids=[confirmed.pk], by=ime_staff) == 0
    assert Registration.objects.get(pk=confirmed.pk).checked_in_at == first_time
    assert Registration.objects.get(pk=waiting.pk).checked_in_at is None


def test_raising_the_capacity_and_promoting_fills_the_new_places():
    jornada = JornadaFactory(capacity=1)
    users = [member() for _ in range(3)]
    for user in users:
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    jornada.capacity = 2
    jornada.save(update_fields=["capacity"])
    promoted = services.promote_waitlist(jornada_id=jornada.pk)
    assert [r.user for r in promoted] == [users[1]]
    assert Registration.objects.confirmed().count() == 2


def test_a_declined_registration_cannot_be_repeated_by_the_member():
    jornada = JornadaFactory(registration_mode="approval")
    user = member()
    registration = services.register_for_jornada(jornada_id=jornada.pk, user=user)
    services.decide_registrations(registration_ids=[registration.pk], approve=False)
    with pytest.raises(services.ChapterActionError) as exc:
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    assert exc.value.message == services.REGISTRATION_DECLINED_MESSAGE
    assert Registration.objects.get().status == "rejected"
