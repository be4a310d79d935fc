"""The domain apps' events, turned into webhook deliveries (the outbox rows, written in the
transaction of the change that caused them)."""

from django.dispatch import receiver

from chapters import events as chapter_events
from chapters.models import Membership, Registration
from counterparts import events as counterpart_events
from counterparts.models import Engagement
from pncs import events as pncs_events
from pncs.models import Interest
from programs import events as program_events
from programs.models import Certificate

from .models import Event
from .services import partners_for, record_event


def credential_data(certificate: Certificate) -> dict:
    """What a webhook says about a credential: what its public verification page shows."""
    stage = certificate.enrolment.stage
    return {
        "code": certificate.code,
        "kind": certificate.kind,
        "title": certificate.title,
        "issuer_name": certificate.issuer_name,
        "external_id": certificate.external_id,
        "holder_name": certificate.holder_name,
        "issued_on": certificate.issued_on,
        "revoked_at": certificate.revoked_at,
        "program": stage.program.slug,
        "stage": stage.pk,
        "verification_url": certificate.verification_url(),
    }


def _credentials_event(event: str, certificate_ids: list[int]) -> None:
    certificates = (
        Certificate.objects.filter(pk__in=certificate_ids)
        .select_related("enrolment__stage__program", "enrolment__application")
        .order_by("pk")
    )
    partners_by_program: dict[int, list] = {}
    for certificate in certificates.iterator(chunk_size=500):
        program_id = certificate.enrolment.stage.program_id
        if program_id not in partners_by_program:
            partners_by_program[program_id] = list(partners_for(event, program_id=program_id))
        partners = partners_by_program[program_id]
        if partners:
            record_event(
                event=event,
                partners=partners,
                data={"credential": credential_data(certificate)},
                member_id=certificate.enrolment.application.user_id,
            )


@receiver(program_events.credentials_issued)
def credentials_issued(sender, *, certificate_ids, **kwargs):
    _credentials_event(Event.CREDENTIAL_ISSUED, certificate_ids)


@receiver(program_events.credentials_revoked)
def credentials_revoked(sender, *, certificate_ids, **kwargs):
    _credentials_event(Event.CREDENTIAL_REVOKED, certificate_ids)


def member_data(user) -> dict:
    """How a webhook names a member: the account's id (stable, to match) and their name."""
    profile = getattr(user, "profile", None)
    name = (profile.full_name if profile is not None else "") or user.get_full_name()
    return {"id": user.pk, "name": name}


def registration_data(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "event": registration.jornada_id,
        "status": registration.status,
        "registered_at": registration.registered_at,
        "cancelled_at": registration.cancelled_at,
        "member": member_data(registration.user),
    }


def _registration_event(event: str, registration_id: int) -> None:
    registration = (
        Registration.objects.select_related("jornada", "user__profile")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.jornada.chapter_id is None:
        return
    partners = partners_for(event, chapter_id=registration.jornada.chapter_id)
    record_event(
        event=event,
        partners=list(partners),
        data={"registration": registration_data(registration)},
        member_id=registration.user_id,
    )


@receiver(chapter_events.registration_created)
def registration_created(sender, *, registration_id, **kwargs):
    _registration_event(Event.REGISTRATION_CREATED, registration_id)


@receiver(chapter_events.registration_cancelled)
def registration_cancelled(sender, *, registration_id, **kwargs):
    _registration_event(Event.REGISTRATION_CANCELLED, registration_id)


@receiver(chapter_events.membership_ended)
def membership_ended(sender, *, membership_id, **kwargs):
    membership = (
        Membership.objects.select_related("chapter", "user__profile")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return
    partners = partners_for(Event.MEMBER_LEFT_CHAPTER, chapter_id=membership.chapter_id)
    record_event(
        event=Event.MEMBER_LEFT_CHAPTER,
        partners=list(partners),
        data={
            "membership": {
                "chapter": membership.chapter.slug,
                "left_at": membership.left_at,
                "member": member_data(membership.user),
            }
        },
        member_id=membership.user_id,
    )


@receiver(pncs_events.interest_decided)
def interest_decided(sender, *, interest_id, **kwargs):
    interest = (
        Interest.objects.select_related("opportunity", "member__profile")
        .filter(pk=interest_id)
        .first()
    )
    if interest is None:
        return
    partners = partners_for(Event.INTEREST_DECIDED, sector_id=interest.opportunity.sector_id)
    record_event(
        event=Event.INTEREST_DECIDED,
        partners=list(partners),
        data={
            "interest": {
                "id": interest.pk,
                "opportunity": interest.opportunity_id,
                "status": interest.status,
                "decided_at": interest.decided_at,
                "member": member_data(interest.member),
            }
        },
        member_id=interest.member_id,
    )


@receiver(counterpart_events.engagement_completed)
def engagement_completed(sender, *, engagement_id, **kwargs):
    """An engagement of the partner's sector ended as planned. The member is named only if
    they allowed PNCS contact (the sector scope's consent); the organisation by its public
    page's slug."""
    engagement = (
        Engagement.objects.select_related("sector", "organization", "member__user")
        .filter(pk=engagement_id)
        .first()
    )
    if engagement is None:
        return
    partners = list(partners_for(Event.ENGAGEMENT_COMPLETED, sector_id=engagement.sector_id))
    if not partners:
        return
    member = engagement.member
    consented = member is not None and member.pncs_contact
    record_event(
        event=Event.ENGAGEMENT_COMPLETED,
        partners=partners,
        data={
            "engagement": {
                "id": engagement.pk,
                "kind": engagement.kind,
                "sector": engagement.sector.slug,
                "organization": engagement.organization.slug if engagement.organization else None,
                "starts_on": engagement.starts_on,
                "completed_at": engagement.completed_at,
                "member": member_data(member.user) if consented else None,
            }
        },
        member_id=member.user_id if consented else None,
    )
