"""State changes of the counterparts app. Each service owns its transaction; mail goes out
after commit (members.services)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from core.emails import render_subject
from members.services import queue_email_to_user, queue_transactional_email

from .models import Organization, OrganizationInvitation, OrganizationMember
from .validators import normalise_rfc

INVITATION_DAYS = 14
# Changing these after verification sends the organisation back to the PNCS.
IDENTITY_FIELDS = ("legal_name", "rfc", "kind", "main_sector")


# Paths of counterparts.urls beside the public page: never an organisation's slug.
RESERVED_SLUGS = {"register", "mine", "review", "invitations", "manage"}


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
