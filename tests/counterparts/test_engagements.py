"""Engagements and their outcomes (issue 20): an accepted match becomes an engagement,
planned → active → completed or cancelled, with milestones, mentoring goals and sessions,
outcomes from both sides, mails on each step and the coordinator's pipeline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from counterparts import engagements, services
from counterparts.models import Engagement, EngagementEvent
from members.models import Sector
from tests.factories import ProfileFactory, coordinator, member

from .factories import organization
from .test_requests import _accepted

pytestmark = pytest.mark.django_db


def _invited(org, profile, **fields):
    filed = _accepted(org, **fields)
    [invitation] = services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    return filed, invitation


def test_open_engagement_is_planned_dated_in_its_history_and_mailed(
    django_capture_on_commit_callbacks,
):
    owner = member()
    org = organization(owner=owner, legal_name="Empresa Ficticia")
    profile = ProfileFactory(sectors=["tic"])
    coord = coordinator("tic")
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.open_engagement(
            kind="visit",
            sector=Sector.objects.get(slug="tic"),
            member=profile,
            title="Conferencia en Monterrey",
            organization=org,
            by=coord,
        )
    assert engagement.state == Engagement.State.PLANNED
    assert engagement.created_by == coord
    [event] = EngagementEvent.objects.filter(engagement=engagement)
    assert event.action == "opened" and event.by == coord
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, profile.user.email])
    assert "Conferencia en Monterrey" in mail.outbox[0].subject


def test_an_accepted_invitation_opens_one_engagement_with_the_requests_dates(
    django_capture_on_commit_callbacks,
):
    owner = member()
    org = organization(owner=owner)
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed, invitation = _invited(org, profile, kind="mentoring")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_invitation(invitation_id=invitation.pk, user=profile.user, accept=True)
    engagement = Engagement.objects.get()
    assert engagement.invitation_id == invitation.pk and engagement.request_id == filed.pk
    assert engagement.organization == org and engagement.member == profile
    assert engagement.kind == "mentoring" and engagement.sector_id == filed.sector_id
    assert (engagement.starts_on, engagement.ends_on) == (filed.starts_on, filed.ends_on)
    # One mail to the organisation: the acceptance, with the engagement's link.
    [notice] = mail.outbox
    assert notice.to == [owner.email]
    assert f"/organizations/engagements/{engagement.pk}/" in notice.body
    # Opening it again for the same invitation returns the same engagement.
    invitation.refresh_from_db()
    assert engagements.open_engagement_for_invitation(invitation=invitation) == engagement
    assert Engagement.objects.count() == 1


def test_a_declined_invitation_opens_nothing():
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    _filed, invitation = _invited(organization(owner=member()), profile)
    services.answer_invitation(invitation_id=invitation.pk, user=profile.user, accept=False)
    assert not Engagement.objects.exists()


def _engagement(**fields):
    owner = fields.pop("owner", None) or member()
    org = fields.pop("org", None) or organization(owner=owner)
    profile = fields.pop("profile", None) or ProfileFactory(sectors=["tic"])
    return services.open_engagement(
        kind=fields.pop("kind", "mentoring"),
        sector=Sector.objects.get(slug=fields.pop("sector", "tic")).pk,
        member=profile,
        title=fields.pop("title", "Mentoría ficticia"),
        organization=org,
        by=owner,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
    )


def test_the_lifecycle_moves_once_and_refuses_the_wrong_step():
    engagement = _engagement()
    by = engagement.member.user
    with pytest.raises(engagements.EngagementError):
        engagements.complete_engagement(engagement_id=engagement.pk, by=by)
    started = engagements.start_engagement(engagement_id=engagement.pk, by=by)
    assert started.state == "active" and started.started_at is not None
    with pytest.raises(engagements.EngagementError):
        engagements.start_engagement(engagement_id=engagement.pk, by=by)
    done = engagements.complete_engagement(engagement_id=engagement.pk, by=by)
    assert done.state == "completed" and done.completed_at is not None
    with pytest.raises(engagements.EngagementError):
        engagements.cancel_engagement(engagement_id=engagement.pk, reason="Tarde", by=by)
    assert list(done.events.values_list("action", flat=True)) == [
        "opened",
        "started",
        "completed",
    ]


def test_cancelling_needs_a_reason_and_records_it():
    engagement = _engagement()
    by = engagement.member.user
    with pytest.raises(engagements.EngagementError):
        engagements.cancel_engagement(engagement_id=engagement.pk, reason="  ", by=by)
    assert Engagement.objects.get().state == "planned"
    cancelled = engagements.cancel_engagement(
        engagement_id=engagement.pk, reason="La organización cambió de planes.", by=by
    )
    assert cancelled.state == "cancelled"
    assert cancelled.cancel_reason == "La organización cambió de planes."
    assert cancelled.events.last().reason == "La organización cambió de planes."
