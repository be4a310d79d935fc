"""State changes of engagements, the impact ledger of issue 20 (the services of
`counterparts.services` for engagements, kept apart by feature).

An engagement is planned → active → completed or cancelled. Each change is dated in its
history (EngagementEvent: who, when, why) and mailed, after commit, to the other people
of the engagement who want notices (messaging's preference). Each service owns its
transaction; races are settled by a conditional update on the state."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import render_subject
from members.models import public_name
from members.services import queue_email_to_user
from messaging.services import wants_email_notices

from . import events
from .models import (
    Engagement,
    EngagementEvent,
    EngagementOutcome,
    MentoringSession,
    Milestone,
    OrganizationMember,
)

NOT_PLANNED = _("Solo se inicia una colaboración planeada.")
NOT_ACTIVE = _("Solo se concluye una colaboración en curso.")
NOT_OPEN = _("Esta colaboración ya concluyó o fue cancelada; no cambió nada.")
NOT_COMPLETED = _("Los resultados se registran cuando la colaboración concluye.")
OUTCOME_ALREADY = _("Ya registraste los resultados de tu lado de esta colaboración.")
NOT_MENTORING = _("Solo las colaboraciones de mentoría tienen objetivos y sesiones.")
NOT_A_SIDE = _("Solo el miembro o la organización de la colaboración registran sus resultados.")
REASON_REQUIRED = _("Escribe el motivo de la cancelación.")


class EngagementError(Exception):
    """A change the rules refuse; `message` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Who is who in an engagement -----------------------------------------------------------


def sides_of(engagement: Engagement, user) -> set[str]:
    """The roles `user` holds in `engagement`: "member", "organization", "student",
    "pncs" (the coordinators of its sector and IME staff)."""
    if not user.is_authenticated:
        return set()
    roles = set()
    if engagement.member_id == user.pk:
        roles.add("member")
    if engagement.student_id == user.pk:
        roles.add("student")
    if (
        engagement.organization_id
        and OrganizationMember.objects.filter(
            organization_id=engagement.organization_id, user=user
        ).exists()
    ):
        roles.add("organization")
    if Engagement.objects.followed_by(user).filter(pk=engagement.pk).exists():
        roles.add("pncs")
    return roles


def _people(engagement: Engagement) -> list:
    """Everyone the engagement concerns (not its PNCS): the member, the student and the
    organisation's people, active accounts only."""
    users = [engagement.member.user]
    if engagement.student_id:
        users.append(engagement.student)
    if engagement.organization_id:
        users += [person.user for person in engagement.organization.people.select_related("user")]
    seen, unique = set(), []
    for user in users:
        if user.pk not in seen and user.is_active and user.deleted_at is None:
            seen.add(user.pk)
            unique.append(user)
    return unique


def _notify(*, engagement: Engagement, event: EngagementEvent, actor=None) -> None:
    """Tell everyone the engagement concerns, but the person who acted, about a step, in
    their language, after commit; nobody who turned the notices off."""

    def context():
        return {
            "engagement": engagement,
            "action": event.get_action_display(),
            "state": engagement.get_state_display(),
            "reason": event.reason,
            "member": public_name(engagement.member.user),
            "organization": engagement.organization,
            "url": settings.SITE_URL + reverse("counterparts:engagement", args=[engagement.pk]),
        }

    for user in _people(engagement):
        if actor is not None and user.pk == actor.pk:
            continue
        if not wants_email_notices(user):
            continue
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject("counterparts/email/engagement_subject.txt", context()),
            template="counterparts/email/engagement_body.txt",
            context=context,
        )


def _record(engagement, action, *, by, reason="", at=None) -> EngagementEvent:
    return EngagementEvent.objects.create(
        engagement=engagement,
        action=action,
        reason=reason.strip(),
        by=by if by is not None and by.is_authenticated else None,
        at=at or timezone.now(),
    )


def _load(engagement_id: int) -> Engagement:
    return Engagement.objects.select_related(
        "member__user", "organization", "student", "sector"
    ).get(pk=engagement_id)


# --- The lifecycle -------------------------------------------------------------------------


def open_engagement(
    *,
    kind: str,
    sector,
    member,
    title: str,
    organization=None,
    student=None,
    request=None,
    invitation=None,
    by=None,
    starts_on=None,
    ends_on=None,
    notify: bool = True,
) -> Engagement:
    """Open a planned engagement between a network member (`member`, a Profile) and an
    organisation (or a student, for an internship). `sector` is a Sector or its id. An
    invitation opens one engagement at most: a second call for it returns the first.
    The step is dated in the history and (unless `notify` is False: the caller tells them
    itself) mailed to the others concerned."""
    with transaction.atomic():
        if invitation is not None:
            existing = Engagement.objects.filter(invitation=invitation).first()
            if existing is not None:
                return existing
        now = timezone.now()
        engagement = Engagement(
            kind=kind,
            member=member,
            organization=organization,
            student=student,
            request=request,
            invitation=invitation,
            title=title[:200],
            state=Engagement.State.PLANNED,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=by if by is not None and by.is_authenticated else None,
            created_at=now,
            updated_at=now,
        )
        if isinstance(sector, int):
            engagement.sector_id = sector
        else:
            engagement.sector = sector
        try:
            with transaction.atomic():
                engagement.save()
        except IntegrityError:
            # A concurrent call opened it for the same invitation first.
            if invitation is None:
                raise
            return Engagement.objects.get(invitation=invitation)
        event = _record(engagement, EngagementEvent.Action.OPENED, by=by, at=now)
        engagement = _load(engagement.pk)
        if notify:
            _notify(engagement=engagement, event=event, actor=by)
    return engagement


def open_engagement_for_invitation(*, invitation) -> Engagement | None:
    """An invitation the member accepted, for a request the PNCS accepted (published) of a
    verified organisation: both sides said yes, so their engagement opens, planned, with the
    request's dates. None when one side has not accepted."""
    expertise_request = invitation.request
    organization = expertise_request.organization
    if (
        invitation.status != "accepted"
        or expertise_request.status != "accepted"
        or organization.status != "verified"
    ):
        return None
    return open_engagement(
        kind=expertise_request.kind,
        sector=expertise_request.sector_id,
        member=invitation.member.profile,
        title=expertise_request.title,
        organization=organization,
        request=expertise_request,
        invitation=invitation,
        by=invitation.member,
        starts_on=expertise_request.starts_on,
        ends_on=expertise_request.ends_on,
        # The organisation's people hear of it in the acceptance's mail.
        notify=False,
    )


def _transition(
    *, engagement_id: int, from_states, to_state, stamp: str, action, by, reason="", extra=None
):
    """Move the engagement from one of `from_states` to `to_state` (a conditional update:
    of two concurrent clicks one wins), dating `stamp`; None when it was not in them."""
    with transaction.atomic():
        now = timezone.now()
        changed = Engagement.objects.filter(pk=engagement_id, state__in=from_states).update(
            state=to_state, updated_at=now, **{stamp: now}, **(extra or {})
        )
        if not changed:
            return None
        engagement = _load(engagement_id)
        event = _record(engagement, action, by=by, reason=reason, at=now)
        _notify(engagement=engagement, event=event, actor=by)
    return engagement


def start_engagement(*, engagement_id: int, by) -> Engagement:
    """A planned engagement begins."""
    engagement = _transition(
        engagement_id=engagement_id,
        from_states=[Engagement.State.PLANNED],
        to_state=Engagement.State.ACTIVE,
        stamp="started_at",
        action=EngagementEvent.Action.STARTED,
        by=by,
    )
    if engagement is None:
        raise EngagementError(NOT_PLANNED)
    return engagement


def complete_engagement(*, engagement_id: int, by) -> Engagement:
    """An active engagement ends as planned; each side may then record its outcomes. Apps
    above hear of it in the same transaction (events.engagement_completed: the webhooks)."""
    with transaction.atomic():
        engagement = _transition(
            engagement_id=engagement_id,
            from_states=[Engagement.State.ACTIVE],
            to_state=Engagement.State.COMPLETED,
            stamp="completed_at",
            action=EngagementEvent.Action.COMPLETED,
            by=by,
        )
        if engagement is None:
            raise EngagementError(NOT_ACTIVE)
        events.engagement_completed.send(sender=Engagement, engagement_id=engagement.pk)
    return engagement


def cancel_engagement(*, engagement_id: int, reason: str, by) -> Engagement:
    """A planned or active engagement is called off, with a reason (required) the others
    read in the notice."""
    if not reason.strip():
        raise EngagementError(REASON_REQUIRED)
    engagement = _transition(
        engagement_id=engagement_id,
        from_states=[Engagement.State.PLANNED, Engagement.State.ACTIVE],
        to_state=Engagement.State.CANCELLED,
        stamp="cancelled_at",
        extra={"cancel_reason": reason.strip()},
        action=EngagementEvent.Action.CANCELLED,
        by=by,
        reason=reason,
    )
    if engagement is None:
        raise EngagementError(NOT_OPEN)
    return engagement


# --- Milestones, goals and sessions --------------------------------------------------------


def _require_open(engagement: Engagement) -> None:
    if engagement.state not in (Engagement.State.PLANNED, Engagement.State.ACTIVE):
        raise EngagementError(NOT_OPEN)


def add_milestone(*, engagement: Engagement, title: str, due_on) -> Milestone:
    """A dated milestone on a planned or active engagement."""
    _require_open(engagement)
    with transaction.atomic():
        return Milestone.objects.create(
            engagement=engagement, title=title.strip(), due_on=due_on, created_at=timezone.now()
        )


def set_milestone_done(*, engagement: Engagement, milestone_id: int, done: bool) -> bool:
    """Mark a milestone done (or not done again). False when it is not the engagement's."""
    _require_open(engagement)
    with transaction.atomic():
        return bool(
            Milestone.objects.filter(pk=milestone_id, engagement=engagement).update(
                done=done, done_at=timezone.now() if done else None
            )
        )


def set_goals(*, engagement: Engagement, goals: str) -> None:
    """The goals of a mentoring engagement, one per line."""
    if not engagement.is_mentoring:
        raise EngagementError(NOT_MENTORING)
    _require_open(engagement)
    with transaction.atomic():
        Engagement.objects.filter(pk=engagement.pk).update(
            goals=goals.strip(), updated_at=timezone.now()
        )


def add_session(*, engagement: Engagement, form, by) -> MentoringSession:
    """A dated session of a mentoring engagement, from its valid form."""
    if not engagement.is_mentoring:
        raise EngagementError(NOT_MENTORING)
    if engagement.state == Engagement.State.CANCELLED:
        raise EngagementError(NOT_OPEN)
    with transaction.atomic():
        session = form.save(commit=False)
        session.engagement = engagement
        session.created_by = by
        session.created_at = timezone.now()
        session.save()
    return session


# --- Outcomes ------------------------------------------------------------------------------


def record_outcome(*, engagement: Engagement, side: str, form, by) -> EngagementOutcome:
    """One side records its outcomes of a completed engagement, once (figures, a 1 to 5 rating,
    a short story and whether it may be published). Dated in the history and mailed."""
    if engagement.state != Engagement.State.COMPLETED:
        raise EngagementError(NOT_COMPLETED)
    if side not in EngagementOutcome.Side.values:
        raise EngagementError(NOT_A_SIDE)
    with transaction.atomic():
        Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
        if EngagementOutcome.objects.filter(engagement=engagement, side=side).exists():
            raise EngagementError(OUTCOME_ALREADY)
        outcome = form.save(commit=False)
        outcome.engagement = engagement
        outcome.side = side
        outcome.recorded_by = by
        outcome.recorded_at = timezone.now()
        outcome.save()
        Engagement.objects.filter(pk=engagement.pk).update(updated_at=outcome.recorded_at)
        event = _record(engagement, EngagementEvent.Action.OUTCOME, by=by, at=outcome.recorded_at)
        _notify(engagement=_load(engagement.pk), event=event, actor=by)
    return outcome


def public_stories(queryset=None):
    """Stories of completed engagements both sides agreed to publish: (engagement, the
    member's story, the organisation's story)."""
    queryset = queryset if queryset is not None else Engagement.objects.all()
    return (
        queryset.filter(state=Engagement.State.COMPLETED)
        .filter(outcomes__side="member", outcomes__share_story=True)
        .filter(outcomes__side="organization", outcomes__share_story=True)
    )
