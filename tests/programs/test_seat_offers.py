"""The stage abroad's seats: the selected confirm or decline before the stage's deadline; a
decline or no answer offers the seat to the next in rank (mailed in their language), and no
path ever holds more seats than were selected, even when a confirmation and the expiry
race (real threads on real PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrolment
from programs.services import (
    NOT_DECLINABLE_MESSAGE,
    OFFER_CLOSED_MESSAGE,
    ProgramError,
    confirm_seat,
    decline_seat,
    expire_seat_offers,
    select_for_next_stage,
)
from programs.tasks import expire_seat_offers_task
from tests.factories import member, participant, program_with_stages

pytestmark = pytest.mark.django_db


def _cohort(*, seats=2, waitlist=2, finishers=5):
    """`finishers` people completed stage 1 with decreasing scores; stage 2 (abroad, in
    a month) asks for an answer within 7 days; the best `seats` are selected and the next
    `waitlist` waitlisted."""
    _program, stage1, stage2 = program_with_stages(seats=seats)
    stage2.offer_days = 7
    stage2.starts_on = timezone.localdate() + datetime.timedelta(days=30)
    stage2.ends_on = stage2.starts_on + datetime.timedelta(days=10)
    stage2.save()
    ranked = [participant(stage1, score=Decimal(99 - n), completed=True) for n in range(finishers)]
    select_for_next_stage(stage=stage1, count=seats, waitlist=waitlist)
    by_rank = {
        e.rank: e for e in Enrolment.objects.filter(stage=stage2).select_related("application")
    }
    return stage2, ranked, by_rank


def _user(enrolment):
    return enrolment.application.user


def _seats_held(stage):
    return Enrolment.objects.enrolled().filter(stage=stage).count()


def test_the_selected_get_a_deadline_and_everyone_ranked_keeps_their_rank():
    _stage, _ranked, by_rank = _cohort()
    assert sorted(by_rank) == [1, 2, 3, 4]
    for rank in (1, 2):
        assert by_rank[rank].status == "enrolled"
        assert by_rank[rank].offer_pending
        left = by_rank[rank].offer_expires_at - timezone.now()
        assert datetime.timedelta(days=6, hours=23) < left <= datetime.timedelta(days=7)
    for rank in (3, 4):
        assert by_rank[rank].status == "waitlisted"
        assert by_rank[rank].offer_expires_at is None


def test_the_selection_mail_gives_the_deadline(mailoutbox, run_on_commit):
    _program, stage1, stage2 = program_with_stages(seats=1)
    stage2.offer_days = 5
    stage2.save()
    first = participant(stage1, score=Decimal("95"), completed=True)
    with run_on_commit():
        select_for_next_stage(stage=stage1, count=1)
    body = next(m.body for m in mailoutbox if m.to == [_user(first).email])
    assert "Confirma o declina tu lugar" in body
    assert "/programs/mine/" in body


def test_confirming_before_the_deadline_holds_the_seat_once():
    stage, _ranked, by_rank = _cohort()
    confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    by_rank[1].refresh_from_db()
    assert by_rank[1].seat_confirmed_at is not None
    assert not by_rank[1].offer_pending
    with pytest.raises(ProgramError) as excinfo:
        confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    assert str(excinfo.value) == str(OFFER_CLOSED_MESSAGE)
    assert _seats_held(stage) == 2


def test_nobody_confirms_someone_elses_seat_or_a_lapsed_offer():
    _stage, _ranked, by_rank = _cohort()
    with pytest.raises(ProgramError):
        confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[2]))
    later = timezone.now() + datetime.timedelta(days=8)
    with pytest.raises(ProgramError):
        confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]), now=later)
    with pytest.raises(ProgramError):  # the waitlisted have no offer to confirm
        confirm_seat(enrolment_id=by_rank[3].pk, user=_user(by_rank[3]))
    by_rank[1].refresh_from_db()
    assert by_rank[1].seat_confirmed_at is None


def test_a_decline_offers_the_seat_to_the_next_in_rank_in_their_language(mailoutbox, run_on_commit):
    stage, _ranked, by_rank = _cohort()
    third = _user(by_rank[3])
    third.preferred_language = "en"
    third.save(update_fields=["preferred_language"])
    with run_on_commit():
        decline_seat(enrolment_id=by_rank[2].pk, user=_user(by_rank[2]), reason="  Trabajo  ")
    for e in by_rank.values():
        e.refresh_from_db()
    assert (by_rank[2].status, by_rank[2].decline_reason) == ("declined", "Trabajo")
    assert by_rank[2].released_at is not None
    assert by_rank[3].status == "enrolled" and by_rank[3].offer_pending
    assert by_rank[4].status == "waitlisted"
    assert _seats_held(stage) == 2
    assert [m.to for m in mailoutbox] == [[third.email]]
    assert mailoutbox[0].subject.startswith("A seat has opened up for you")
    assert "Confirm or decline your seat" in mailoutbox[0].body


def test_a_confirmed_participant_may_still_decline_before_the_stage_but_not_after():
    stage, _ranked, by_rank = _cohort()
    confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    decline_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    assert Enrolment.objects.get(pk=by_rank[3].pk).status == "enrolled"
    stage.starts_on = timezone.localdate()
    stage.save(update_fields=["starts_on"])
    with pytest.raises(ProgramError) as excinfo:
        decline_seat(enrolment_id=by_rank[2].pk, user=_user(by_rank[2]))
    assert str(excinfo.value) == str(NOT_DECLINABLE_MESSAGE)
    assert _seats_held(stage) == 2


def test_an_offer_without_answer_expires_and_passes_on_once(mailoutbox, run_on_commit):
    stage, _ranked, by_rank = _cohort()
    confirm_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    later = timezone.now() + datetime.timedelta(days=7, minutes=1)
    with run_on_commit():
        assert expire_seat_offers(now=later) == 1
    with run_on_commit():
        assert expire_seat_offers(now=later) == 0  # the beat running twice changes nothing
    statuses = dict(Enrolment.objects.filter(stage=stage).values_list("rank", "status"))
    assert statuses == {1: "enrolled", 2: "expired", 3: "enrolled", 4: "waitlisted"}
    assert [m.to for m in mailoutbox] == [[_user(by_rank[3]).email]]
    # The next one's deadline runs from the moment the seat was offered.
    offered = Enrolment.objects.get(pk=by_rank[3].pk)
    assert offered.offer_expires_at == later + datetime.timedelta(days=7)


def test_the_beat_task_is_scheduled_and_releases_lapsed_offers():
    entry = settings.CELERY_BEAT_SCHEDULE["programs-expire-seat-offers"]
    assert entry["task"] == expire_seat_offers_task.name
    stage, _ranked, by_rank = _cohort()
    Enrolment.objects.filter(pk=by_rank[1].pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert expire_seat_offers_task.delay().get() == 1
    assert Enrolment.objects.get(pk=by_rank[1].pk).status == "expired"
    assert _seats_held(stage) == 2


def test_with_the_waitlist_exhausted_a_freed_seat_stays_free():
    stage, _ranked, by_rank = _cohort(seats=2, waitlist=1, finishers=3)
    decline_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]))
    decline_seat(enrolment_id=by_rank[3].pk, user=_user(by_rank[3]))
    assert _seats_held(stage) == 1
    assert not Enrolment.objects.filter(stage=stage, status="waitlisted").exists()


def _race(*calls):
    """Run the calls at the same moment in threads, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(n, call):
        try:
            barrier.wait()
            outcomes[n] = call()
        except Exception as exc:  # the loser's error is an outcome too
            outcomes[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _confirm_against_expiry():
    stage, _ranked, by_rank = _cohort()
    confirm_seat(enrolment_id=by_rank[2].pk, user=_user(by_rank[2]))
    first = by_rank[1]
    # The confirmation comes a second before the deadline, the expiry a second after.
    deadline = first.offer_expires_at
    confirmed, expired = _race(
        lambda: confirm_seat(
            enrolment_id=first.pk,
            user=_user(first),
            now=deadline - datetime.timedelta(seconds=1),
        ),
        lambda: expire_seat_offers(now=deadline + datetime.timedelta(seconds=1)),
    )
    first.refresh_from_db()
    if isinstance(confirmed, ProgramError):  # the expiry won: the seat passed on
        assert first.status == "expired" and expired == 1
        assert Enrolment.objects.get(pk=by_rank[3].pk).status == "enrolled"
    else:  # the confirmation won: the expiry found nothing to release
        assert first.seat_confirmed_at is not None and first.status == "enrolled"
        assert expired == 0
        assert Enrolment.objects.get(pk=by_rank[3].pk).status == "waitlisted"
    assert _seats_held(stage) == 2


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_the_expiry_never_overbooks():
    for _attempt in range(5):
        _confirm_against_expiry()


@pytest.mark.django_db(transaction=True)
def test_two_seats_freed_at_once_offer_each_waitlisted_person_once():
    stage, _ranked, by_rank = _cohort(seats=2, waitlist=1, finishers=3)
    _race(
        lambda: decline_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1])),
        lambda: decline_seat(enrolment_id=by_rank[2].pk, user=_user(by_rank[2])),
    )
    assert _seats_held(stage) == 1
    assert Enrolment.objects.get(pk=by_rank[3].pk).status == "enrolled"


# --- The participant's page ---------------------------------------------------------------


def test_my_programs_shows_the_offer_with_confirm_and_decline(client):
    _stage, _ranked, by_rank = _cohort()
    client.force_login(_user(by_rank[1]))
    html = client.get(reverse("programs:mine")).content.decode()
    assert reverse("programs:seat_confirm", args=[by_rank[1].pk]) in html
    assert reverse("programs:seat_decline", args=[by_rank[1].pk]) in html
    assert "Confirmar mi lugar" in html
    client.force_login(_user(by_rank[3]))  # waitlisted: no offer
    html = client.get(reverse("programs:mine")).content.decode()
    assert "Confirmar mi lugar" not in html


def test_confirm_and_decline_through_the_page(client):
    stage, _ranked, by_rank = _cohort()
    client.force_login(_user(by_rank[1]))
    response = client.post(reverse("programs:seat_confirm", args=[by_rank[1].pk]), follow=True)
    assert "Confirmaste tu lugar" in response.content.decode()
    client.force_login(_user(by_rank[2]))
    response = client.post(
        reverse("programs:seat_decline", args=[by_rank[2].pk]),
        {"reason": "No obtuve permiso en mi trabajo"},
        follow=True,
    )
    assert "Declinaste tu lugar" in response.content.decode()
    assert Enrolment.objects.get(pk=by_rank[2].pk).decline_reason.startswith("No obtuve")
    assert Enrolment.objects.get(pk=by_rank[3].pk).offer_pending
    # Again: a clear message, nothing changes.
    again = client.post(reverse("programs:seat_decline", args=[by_rank[2].pk]), follow=True)
    assert str(NOT_DECLINABLE_MESSAGE) in again.content.decode()
    assert _seats_held(stage) == 2


def test_someone_elses_seat_answers_404_and_stays_unchanged(client):
    _stage, _ranked, by_rank = _cohort()
    client.force_login(member())
    for name in ("programs:seat_confirm", "programs:seat_decline"):
        assert client.post(reverse(name, args=[by_rank[1].pk])).status_code == 404
    by_rank[1].refresh_from_db()
    assert by_rank[1].offer_pending


def test_a_reason_too_long_is_refused_with_a_message_and_the_seat_is_kept(client):
    _stage, _ranked, by_rank = _cohort()
    client.force_login(_user(by_rank[1]))
    response = client.post(
        reverse("programs:seat_decline", args=[by_rank[1].pk]), {"reason": "x" * 301}, follow=True
    )
    assert "300" in response.content.decode()
    assert Enrolment.objects.get(pk=by_rank[1].pk).offer_pending
    assert Enrolment.objects.get(pk=by_rank[3].pk).status == "waitlisted"


def test_program_staff_see_the_seat_answer_in_the_admin_read_only(client):
    from tests.factories import program_staff_user

    _stage, _ranked, by_rank = _cohort()
    decline_seat(enrolment_id=by_rank[1].pk, user=_user(by_rank[1]), reason="Salud")
    client.force_login(program_staff_user())
    url = reverse("admin:programs_enrolment_change", args=[by_rank[1].pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "decline_reason" not in form.fields  # read-only: nobody types an answer
    assert "Salud" in response.content.decode()
