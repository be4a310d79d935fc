"""State changes of the counterparts app. Each service owns its transaction; mail goes out
after commit (members.services). The engagements' services live in `.engagements` (one
module per feature); `open_engagement` is also reached from here."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.emails import render_subject
from members.models import public_name
from members.services import queue_email_to_user, queue_transactional_email
from messaging.services import PartySpec, open_thread, person_party
from pncs.matching import suggest_members
from pncs.models import Opportunity, Pncs

from .engagements import open_engagement as open_engagement
from .engagements import open_engagement_for_invitation
from .models import (
    ExpertiseRequest,
    MemberInvitation,
    Organization,
    OrganizationInvitation,
    OrganizationMember,
    RequestEvent,
)
from .validators import normalise_rfc

INVITATION_DAYS = 14
# Changing these after verification sends the organisation back to the PNCS.
IDENTITY_FIELDS = ("legal_name", "rfc", "kind", "main_sector")


# Paths of counterparts.urls beside the public page: never an organisation's slug.
RESERVED_SLUGS = {
    "register",
    "mine",
    "review",
    "invitations",
    "manage",
    "triage",
    "invited",
    "engagements",
    "pipeline",
}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organizacion"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def register_organization(*, form, user) -> Organization:
    """Save a new organisation from its valid form, `user` its owner; it waits for the
    PNCS of its main sector."""
    with transaction.atomic():
        now = timezone.now()
        organization = form.save(commit=False)
        organization.rfc = normalise_rfc(organization.rfc)
        organization.slug = _unique_slug(organization.legal_name)
        organization.status = Organization.Status.PENDING
        organization.created_at = now
        organization.submitted_at = now
        organization.save()
        form.save_m2m()
        OrganizationMember.objects.create(
            organization=organization,
            user=user,
            role=OrganizationMember.Role.OWNER,
            created_at=now,
        )
        _notify_coordinators_of_registration(organization)
    return organization


def update_organization(*, form) -> bool:
    """Save an owner's edits. An organisation asked for more information goes back to the
    PNCS; a verified one does too when its identity (name, RFC, kind, main sector)
    changed. Returns True when it went back to review."""
    with transaction.atomic():
        organization = form.save(commit=False)
        organization.rfc = normalise_rfc(organization.rfc)
        resubmit = organization.status == Organization.Status.INFO_REQUESTED or (
            organization.status == Organization.Status.VERIFIED
            and any(name in form.changed_data for name in IDENTITY_FIELDS)
        )
        if resubmit:
            organization.status = Organization.Status.PENDING
            organization.submitted_at = timezone.now()
        organization.save()
        form.save_m2m()
    return resubmit


def decide_organization(*, organization_id: int, status: str, reason: str, by) -> bool:
    """The PNCS verifies, asks for more information or declines (a reason is required for
    the last two, by the form); every owner is told by e-mail. False when the organisation
    was already in that state (nothing sent)."""
    with transaction.atomic():
        changed = (
            Organization.objects.filter(pk=organization_id)
            .exclude(status=status)
            .update(
                status=status,
                decision_reason=reason.strip(),
                decided_at=timezone.now(),
                decided_by=by,
            )
        )
        if not changed:
            return False
        organization = Organization.objects.get(pk=organization_id)
        owners = [
            person.user
            for person in organization.people.filter(role=OrganizationMember.Role.OWNER)
            .select_related("user")
            .filter(user__is_active=True)
        ]
        for owner in owners:
            _queue_decision_email(organization=organization, user=owner)
    return True


def _queue_decision_email(*, organization, user) -> None:
    def context():
        return {
            "organization": organization,
            "status": organization.get_status_display(),
            "reason": organization.decision_reason,
            "verified": organization.status == Organization.Status.VERIFIED,
            "url": settings.SITE_URL + reverse("counterparts:manage", args=[organization.pk]),
        }

    queue_email_to_user(
        user=user,
        subject=lambda: render_subject("counterparts/email/decision_subject.txt", context()),
        template="counterparts/email/decision_body.txt",
        context=context,
    )


def invite_person(*, organization, email: str, role: str, by) -> OrganizationInvitation:
    """Invite someone by e-mail to act for the organisation (a new invitation replaces an
    open one to the same address). The mail is in the inviter's language."""
    from django.template.loader import render_to_string

    with transaction.atomic():
        now = timezone.now()
        organization.invitations.open().filter(email__iexact=email).update(expires_at=now)
        invitation = OrganizationInvitation.objects.create(
            organization=organization,
            email=email.strip().lower(),
            role=role,
            token=secrets.token_urlsafe(32),
            invited_by=by,
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        with translation.override(by.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "organization": organization,
                "days": INVITATION_DAYS,
                "url": settings.SITE_URL
                + reverse("counterparts:invitation", args=[invitation.token]),
            }
            queue_transactional_email(
                to=[invitation.email],
                subject=render_subject("counterparts/email/invitation_subject.txt", context),
                body=render_to_string("counterparts/email/invitation_body.txt", context),
            )
    return invitation


def accept_invitation(*, invitation_id: int, user) -> OrganizationMember | None:
    """The invited person (signed in with the invited address) joins the organisation.
    None when the invitation is gone, expired or for another address."""
    with transaction.atomic():
        invitation = (
            OrganizationInvitation.objects.open()
            .select_for_update()
            .filter(pk=invitation_id, email__iexact=user.email)
            .first()
        )
        if invitation is None:
            return None
        now = timezone.now()
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        person, created = OrganizationMember.objects.get_or_create(
            organization=invitation.organization,
            user=user,
            defaults={"role": invitation.role, "created_at": now},
        )
        if not created and invitation.role == OrganizationMember.Role.OWNER:
            person.role = OrganizationMember.Role.OWNER
            person.save(update_fields=["role"])
    return person


class LastOwnerError(Exception):
    """An organisation keeps at least one owner."""


def remove_person(*, organization, person_id: int) -> bool:
    """An owner removes someone from the organisation (never its last owner)."""
    with transaction.atomic():
        people = OrganizationMember.objects.select_for_update().filter(organization=organization)
        person = people.filter(pk=person_id).first()
        if person is None:
            return False
        if (
            person.role == OrganizationMember.Role.OWNER
            and people.filter(role=OrganizationMember.Role.OWNER).count() == 1
        ):
            raise LastOwnerError
        person.delete()
    return True


def _notify_coordinators_of_registration(organization) -> None:
    """The coordinators of the organisation's main sector are told it waits for them."""
    coordinators = {
        user
        for point in Pncs.objects.filter(sector=organization.main_sector_id, is_active=True)
        for user in point.coordinators.filter(is_active=True)
    }

    def context():
        return {
            "organization": organization,
            "url": settings.SITE_URL + reverse("counterparts:review", args=[organization.pk]),
        }

    for user in sorted(coordinators, key=lambda u: u.pk):
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject("counterparts/email/registered_subject.txt", context()),
            template="counterparts/email/registered_body.txt",
            context=context,
        )


# --- Requests for expertise (issue 20, step 3) ---------------------------------------------

# Request kind -> the kind of the PNCS opportunity it is published as.
OPPORTUNITY_KIND = {
    "mentoring": "mentoria",
    "committee": "comite",
    "visit": "visita",
    "mission": "mision",
    "binational": "binacional",
    "internship": "pasantia",
}


class RequestError(Exception):
    """A request the rules refuse; `message` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _organization_people(organization):
    return [
        person.user
        for person in organization.people.select_related("user").filter(user__is_active=True)
    ]


def _queue_request_email(*, expertise_request, event, users) -> None:
    """Tell each of `users`, in their language, about a step of the request."""

    def context():
        return {
            "request": expertise_request,
            "organization": expertise_request.organization,
            "action": event.get_action_display(),
            "reason": event.reason,
            "status": expertise_request.get_status_display(),
            "url": settings.SITE_URL
            + reverse(
                "counterparts:request_detail",
                args=[expertise_request.organization_id, expertise_request.pk],
            ),
        }

    for user in users:
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject("counterparts/email/request_subject.txt", context()),
            template="counterparts/email/request_body.txt",
            context=context,
        )


def _record(expertise_request, action, *, by, reason="", at=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=expertise_request,
        action=action,
        reason=reason.strip(),
        by=by,
        at=at or timezone.now(),
    )


def file_request(*, form, organization, user) -> ExpertiseRequest:
    """A person of a verified organisation files a request; it waits for the PNCS of its
    sector. The organisation's people get the first step of its history by e-mail."""
    from .forms import NOT_VERIFIED

    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        if locked.status != Organization.Status.VERIFIED:
            raise RequestError(NOT_VERIFIED)
        now = timezone.now()
        expertise_request = form.save(commit=False)
        expertise_request.organization = locked
        expertise_request.status = ExpertiseRequest.Status.SUBMITTED
        expertise_request.created_by = user
        expertise_request.created_at = now
        expertise_request.submitted_at = now
        expertise_request.save()
        form.save_m2m()
        event = _record(expertise_request, RequestEvent.Action.SUBMITTED, by=user, at=now)
        _queue_request_email(
            expertise_request=expertise_request, event=event, users=_organization_people(locked)
        )
    return expertise_request


def resubmit_request(*, form, user) -> ExpertiseRequest:
    """The organisation corrects a request the PNCS asked changes of; it waits again, with
    its 10 business days counted from now."""
    with transaction.atomic():
        expertise_request = form.save(commit=False)
        if expertise_request.status != ExpertiseRequest.Status.CHANGES:
            raise RequestError(NOT_EDITABLE)
        now = timezone.now()
        expertise_request.status = ExpertiseRequest.Status.SUBMITTED
        expertise_request.submitted_at = now
        expertise_request.save()
        form.save_m2m()
        event = _record(expertise_request, RequestEvent.Action.RESUBMITTED, by=user, at=now)
        _queue_request_email(
            expertise_request=expertise_request,
            event=event,
            users=_organization_people(expertise_request.organization),
        )
    return expertise_request


NOT_EDITABLE = _("Solo se corrige una solicitud a la que el PNCS pidió cambios.")
NOT_WAITING = _("Esta solicitud ya fue revisada; no cambió nada.")
NO_PNCS = _("El sector de esta solicitud no tiene un PNCS activo que la publique.")


def triage_request(*, request_id: int, decision: str, reason: str, invite_only: bool, by):
    """The PNCS accepts (publishing an opportunity of its own, public or invite-only), asks
    for changes or declines a request waiting for it; the step is dated in the history and
    mailed to the organisation's people. Raises RequestError when the request no longer
    waits (nothing changes)."""
    with transaction.atomic():
        expertise_request = (
            ExpertiseRequest.objects.select_for_update()
            .select_related("organization")
            .filter(pk=request_id)
            .first()
        )
        if expertise_request is None or expertise_request.status != (
            ExpertiseRequest.Status.SUBMITTED
        ):
            raise RequestError(NOT_WAITING)
        now = timezone.now()
        if decision == ExpertiseRequest.Status.ACCEPTED:
            point = Pncs.objects.filter(sector=expertise_request.sector_id, is_active=True).first()
            if point is None:
                raise RequestError(NO_PNCS)
            opportunity = Opportunity(
                pncs=point,
                kind=OPPORTUNITY_KIND.get(expertise_request.kind, Opportunity.Kind.OTHER),
                sector_id=expertise_request.sector_id,
                title_es=expertise_request.title_es or expertise_request.title_en,
                title_en=expertise_request.title_en,
                description_es=expertise_request.description_es or expertise_request.description_en,
                description_en=expertise_request.description_en,
                # Committees leave out members tied to the organisation (pncs.matching).
                institution=expertise_request.organization.legal_name,
                location=expertise_request.place,
                country="MX",
                is_remote=expertise_request.mode == ExpertiseRequest.Mode.REMOTE,
                places=expertise_request.people_sought,
                status=Opportunity.Status.OPEN,
                invite_only=invite_only,
                created_by=by,
            )
            opportunity.save()
            opportunity.expertise.set(expertise_request.expertise.all())
            expertise_request.opportunity = opportunity
            action = RequestEvent.Action.ACCEPTED
        elif decision == ExpertiseRequest.Status.CHANGES:
            action = RequestEvent.Action.CHANGES
        else:
            action = RequestEvent.Action.DECLINED
        expertise_request.status = decision
        expertise_request.decided_at = now
        expertise_request.save(update_fields=["status", "decided_at", "opportunity"])
        event = _record(expertise_request, action, by=by, reason=reason, at=now)
        _queue_request_email(
            expertise_request=expertise_request,
            event=event,
            users=_organization_people(expertise_request.organization),
        )
    return expertise_request


# --- Invitations from the matching (issue 20, step 4) --------------------------------------

DEFAULT_MEMBER_INVITATION_DAYS = 10
NOT_ACCEPTED = _("Solo se invita a miembros para una solicitud aceptada.")
INVITATION_CLOSED = _("Esta invitación ya no espera respuesta.")


def member_invitation_days() -> int:
    return getattr(settings, "COUNTERPARTS_INVITATION_DAYS", DEFAULT_MEMBER_INVITATION_DAYS)


def suggestions(expertise_request):
    """The explainable matching's suggestions for an accepted request (pncs.matching: only
    members who allow PNCS contact; in a committee, none tied to the organisation), minus
    the members already invited."""
    if expertise_request.opportunity_id is None:
        return []
    invited = set(expertise_request.invitations.values_list("member_id", flat=True))
    return [
        match
        for match in suggest_members(expertise_request.opportunity)
        if match.obj.user_id not in invited
    ]


def invite_members(*, expertise_request, member_ids, by) -> list[MemberInvitation]:
    """Invite members the matching suggests (any other id is ignored), each once; each gets
    an e-mail in their language saying who asks, what, and why they were suggested."""
    if expertise_request.status != ExpertiseRequest.Status.ACCEPTED:
        raise RequestError(NOT_ACCEPTED)
    wanted = {int(pk) for pk in member_ids}
    now = timezone.now()
    created = []
    with transaction.atomic():
        ExpertiseRequest.objects.select_for_update().filter(pk=expertise_request.pk).first()
        # The reasons, in each invited member's own language.
        by_language = {}
        for match in suggestions(expertise_request):
            if match.obj.user_id in wanted:
                language = match.obj.user.preferred_language or settings.LANGUAGE_CODE
                by_language.setdefault(language, []).append(match.obj.user)
        for language, users in by_language.items():
            with translation.override(language):
                reasons = {m.obj.user_id: m.reasons for m in suggestions(expertise_request)}
            for user in users:
                invitation = MemberInvitation.objects.create(
                    request=expertise_request,
                    member=user,
                    reasons=[str(reason) for reason in reasons.get(user.pk, [])],
                    invited_by=by,
                    created_at=now,
                    expires_at=now + timedelta(days=member_invitation_days()),
                )
                created.append(invitation)
                _queue_invitation_email(invitation)
    return created


def _queue_invitation_email(invitation) -> None:
    def context():
        return {
            "invitation": invitation,
            "request": invitation.request,
            "organization": invitation.request.organization,
            "url": settings.SITE_URL
            + reverse("counterparts:member_invitation", args=[invitation.pk]),
        }

    queue_email_to_user(
        user=invitation.member,
        subject=lambda: render_subject("counterparts/email/invited_subject.txt", context()),
        template="counterparts/email/invited_body.txt",
        context=context,
    )


def answer_invitation(*, invitation_id: int, user, accept: bool, reason: str = ""):
    """The invited member accepts or declines (with an optional reason) before it expires.
    On acceptance a thread opens between the organisation and the member (messaging: the
    addresses stay hidden unless shared) and the organisation's people are told."""
    with transaction.atomic():
        invitation = (
            MemberInvitation.objects.of_member(user)
            .pending()
            .select_for_update()
            .filter(pk=invitation_id, expires_at__gt=timezone.now())
            .first()
        )
        if invitation is None:
            raise RequestError(INVITATION_CLOSED)
        invitation = (
            MemberInvitation.objects.select_related("request__organization")
            .filter(pk=invitation.pk)
            .get()
        )
        invitation.status = (
            MemberInvitation.Status.ACCEPTED if accept else MemberInvitation.Status.DECLINED
        )
        invitation.answer_reason = reason.strip()
        invitation.answered_at = timezone.now()
        if accept:
            organization = invitation.request.organization
            invitation.thread = open_thread(
                topic=invitation.request.title,
                parties=[
                    PartySpec(
                        key=f"org:{organization.pk}",
                        label=organization.legal_name,
                        users=tuple(_organization_people(organization)),
                    ),
                    person_party(user, public_name(user)),
                ],
                context=f"counterparts:invitation:{invitation.pk}",
            )
        invitation.save(update_fields=["status", "answer_reason", "answered_at", "thread"])
        if accept:
            # Both sides said yes: the organisation by its accepted request, the member now.
            engagement = open_engagement_for_invitation(invitation=invitation)
            _queue_accepted_email(invitation, engagement)
        else:
            _queue_unanswered_email(expertise_request=invitation.request, declined=1, expired=0)
    return invitation


def _queue_accepted_email(invitation, engagement=None) -> None:
    def context():
        return {
            "request": invitation.request,
            "member": public_name(invitation.member),
            "url": settings.SITE_URL + reverse("messaging:thread", args=[invitation.thread_id]),
            "engagement_url": (
                settings.SITE_URL + reverse("counterparts:engagement", args=[engagement.pk])
                if engagement is not None
                else ""
            ),
        }

    for user in _organization_people(invitation.request.organization):
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject("counterparts/email/accepted_subject.txt", context()),
            template="counterparts/email/accepted_body.txt",
            context=context,
        )


def expire_invitations(now=None) -> int:
    """Pending invitations past their reply time expire (idempotent: a second run finds
    none); the people of each request's organisation are told how many expired (never who).
    Returns how many expired."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            MemberInvitation.objects.due_to_expire(now)
            .select_for_update(skip_locked=True)
            .values_list("pk", "request_id")
        )
        if not due:
            return 0
        MemberInvitation.objects.filter(pk__in=[pk for pk, _request in due]).update(
            status=MemberInvitation.Status.EXPIRED, answered_at=now
        )
        per_request = {}
        for _pk, request_id in due:
            per_request[request_id] = per_request.get(request_id, 0) + 1
        for expertise_request in ExpertiseRequest.objects.filter(pk__in=per_request).select_related(
            "organization"
        ):
            _queue_unanswered_email(
                expertise_request=expertise_request,
                declined=0,
                expired=per_request[expertise_request.pk],
            )
    return len(due)


def _queue_unanswered_email(*, expertise_request, declined: int, expired: int) -> None:
    """Tell the organisation's people that invited members declined or did not answer in
    time: how many, never who (an organisation sees a member only once they accept)."""

    def context():
        return {
            "request": expertise_request,
            "declined": declined,
            "expired": expired,
            "url": settings.SITE_URL
            + reverse(
                "counterparts:request_detail",
                args=[expertise_request.organization_id, expertise_request.pk],
            ),
        }

    for user in _organization_people(expertise_request.organization):
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject("counterparts/email/unanswered_subject.txt", context()),
            template="counterparts/email/unanswered_body.txt",
            context=context,
        )
