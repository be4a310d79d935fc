"""Selecting the best N for the next stage: deterministic ranking with ties, exactly N,
the next ones waitlisted, a preview then a confirmation, notices sent once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.admin import SELECTION_ALREADY_MESSAGE
from programs.models import Enrolment, Selection
from programs.services import (
    NO_NEXT_STAGE_MESSAGE,
    ProgramError,
    rank_candidates,
    select_for_next_stage,
    send_selection_notices,
)
from tests.factories import participant, program_staff_user, program_with_stages

pytestmark = pytest.mark.django_db


def _applied(days_ago):
    return timezone.now() - datetime.timedelta(days=days_ago)


@pytest.fixture
def tied_cohort():
    """Eight finishers with ties on the average, broken by application date then id."""
    _program, stage1, stage2 = program_with_stages(seats=3)
    e = {}
    e["top"] = participant(stage1, score=Decimal("99.00"), completed=True, created_at=_applied(5))
    # Three tied at 90: the earliest application wins, then the lowest id.
    e["tie_late"] = participant(
        stage1, score=Decimal("90.00"), completed=True, created_at=_applied(1)
    )
    e["tie_early"] = participant(
        stage1, score=Decimal("90.00"), completed=True, created_at=_applied(9)
    )
    same_time = _applied(3)
    e["tie_same_a"] = participant(
        stage1, score=Decimal("90.00"), completed=True, created_at=same_time
    )
    e["tie_same_b"] = participant(
        stage1, score=Decimal("90.00"), completed=True, created_at=same_time
    )
    e["low"] = participant(stage1, score=Decimal("60.00"), completed=True, created_at=_applied(8))
    # Not candidates: did not complete, or no score.
    e["dropout"] = participant(stage1, score=Decimal("100.00"), completed=False)
    e["unscored"] = participant(stage1, completed=False)
    return stage1, stage2, e


def test_ranking_follows_the_documented_tie_break(tied_cohort):
    stage1, _stage2, e = tied_cohort
    ranking = rank_candidates(stage=stage1)
    expected = ["top", "tie_early", "tie_same_a", "tie_same_b", "tie_late", "low"]
    assert [c.enrolment_id for c in ranking] == [e[k].pk for k in expected]
    assert [c.rank for c in ranking] == [1, 2, 3, 4, 5, 6]
    assert ranking[1].average == Decimal("90.00")


def test_the_ranking_is_the_same_on_every_run(tied_cohort):
    stage1, _stage2, _e = tied_cohort
    first = [c.enrolment_id for c in rank_candidates(stage=stage1)]
    for _ in range(5):
        assert [c.enrolment_id for c in rank_candidates(stage=stage1)] == first


def test_average_covers_the_stages_up_to_the_ranked_one():
    program, stage1, stage2 = program_with_stages()
    from tests.factories import StageFactory

    stage3 = StageFactory(program=program, order=3)
    a = participant(stage1, score=Decimal("100"), completed=True)
    b = participant(stage1, score=Decimal("80"), completed=True)
    Enrolment.objects.create(
        application=a.application, stage=stage2, score=Decimal("70"), completed=True
    )
    Enrolment.objects.create(
        application=b.application, stage=stage2, score=Decimal("85"), completed=True
    )
    ranking = rank_candidates(stage=stage2)
    # a: (100 + 70) / 2 = 85 beats b: (80 + 85) / 2 = 82.5, although b scored more in stage 2.
    assert [c.application_id for c in ranking] == [a.application_id, b.application_id]
    assert [c.average for c in ranking] == [Decimal("85.00"), Decimal("82.50")]
    assert stage3.order == 3


def test_selection_enrols_exactly_n_and_waitlists_the_next(tied_cohort, run_on_commit):
    stage1, stage2, e = tied_cohort
    with run_on_commit():
        outcome = select_for_next_stage(stage=stage1, count=3, waitlist=2)
    assert outcome.created
    selected = set(
        stage2.enrolments.filter(status="enrolled").values_list("application_id", flat=True)
    )
    waitlisted = set(
        stage2.enrolments.filter(status="waitlisted").values_list("application_id", flat=True)
    )
    assert selected == {e[k].application_id for k in ("top", "tie_early", "tie_same_a")}
    assert waitlisted == {e[k].application_id for k in ("tie_same_b", "tie_late")}
    assert (outcome.selection.selected_count, outcome.selection.waitlist_count) == (3, 2)


def test_rerunning_the_selection_changes_nothing_and_mails_nobody_twice(
    tied_cohort, mailoutbox, run_on_commit
):
    stage1, stage2, _e = tied_cohort
    with run_on_commit():
        select_for_next_stage(stage=stage1, count=3, waitlist=1)
    before = list(stage2.enrolments.order_by("pk").values_list("application_id", "status"))
    mails = len(mailoutbox)
    assert mails == 6  # everyone ranked: 3 selected, 1 waitlisted, 2 not selected
    with run_on_commit():
        again = select_for_next_stage(stage=stage1, count=5, waitlist=0)
    assert not again.created
    assert list(stage2.enrolments.order_by("pk").values_list("application_id", "status")) == before
    assert Selection.objects.count() == 1
    assert send_selection_notices(selection_id=again.selection.pk) == 0
    assert len(mailoutbox) == mails


def test_each_person_is_told_their_own_outcome(tied_cohort, mailoutbox, run_on_commit):
    stage1, _stage2, e = tied_cohort
    with run_on_commit():
        select_for_next_stage(stage=stage1, count=1, waitlist=1)
    by_email = {m.to[0]: m.body for m in mailoutbox}
    assert "Felicidades" in by_email[e["top"].application.user.email]
    assert "lista de espera" in by_email[e["tie_early"].application.user.email]
    assert "no quedaste" in by_email[e["low"].application.user.email]
    assert e["dropout"].application.user.email not in by_email


def test_selecting_more_than_there_are_candidates_selects_them_all(tied_cohort, run_on_commit):
    stage1, stage2, _e = tied_cohort
    with run_on_commit():
        outcome = select_for_next_stage(stage=stage1, count=50, waitlist=5)
    assert outcome.selection.selected_count == 6
    assert outcome.selection.waitlist_count == 0
    assert stage2.enrolments.count() == 6


def test_the_last_stage_has_no_next_stage(tied_cohort):
    _stage1, stage2, _e = tied_cohort
    with pytest.raises(ProgramError) as excinfo:
        select_for_next_stage(stage=stage2, count=1)
    assert str(excinfo.value) == str(NO_NEXT_STAGE_MESSAGE)


def test_admin_selection_shows_a_preview_then_confirms(client, tied_cohort, run_on_commit):
    stage1, stage2, e = tied_cohort
    client.force_login(program_staff_user())
    url = reverse("admin:programs_stage_select", args=[stage1.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="3"' in page.content.decode()  # defaults to the next stage's seats
    preview = client.post(url, {"count": 2, "waitlist": 1, "preview": "1"})
    html = preview.content.decode()
    assert 'id="selection-preview"' in html
    assert e["top"].application.user.email in html
    assert not stage2.enrolments.exists()  # a preview writes nothing
    with run_on_commit():
        confirmed = client.post(url, {"count": 2, "waitlist": 1, "confirm": "1"})
    assert confirmed.status_code == 302
    assert stage2.enrolments.filter(status="enrolled").count() == 2
    assert stage2.enrolments.filter(status="waitlisted").count() == 1
    again = client.post(url, {"count": 2, "waitlist": 1, "confirm": "1"}, follow=True)
    assert str(SELECTION_ALREADY_MESSAGE) in again.content.decode()
    assert stage2.enrolments.count() == 3


def test_admin_selection_is_closed_without_the_permission(client, tied_cohort):
    from tests.factories import member, with_totp

    stage1, _stage2, _e = tied_cohort
    user = member()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    with_totp(user)  # staff have a second factor: what is refused is the permission
    client.force_login(user)
    url = reverse("admin:programs_stage_select", args=[stage1.pk])
    assert client.post(url, {"count": 2, "waitlist": 0, "confirm": "1"}).status_code == 403
    assert not Selection.objects.exists()


def test_admin_selection_rejects_bad_numbers(client, tied_cohort):
    stage1, stage2, _e = tied_cohort
    client.force_login(program_staff_user())
    url = reverse("admin:programs_stage_select", args=[stage1.pk])
    response = client.post(url, {"count": "-1", "waitlist": "x", "confirm": "1"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not stage2.enrolments.exists()
