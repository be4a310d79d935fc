"""The domain apps' events, turned into webhook deliveries (the outbox rows, written in the
transaction of the change that caused them)."""

from django.dispatch import receiver

from programs import signals as program_signals
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


@receiver(program_signals.credentials_issued)
def credentials_issued(sender, *, certificate_ids, **kwargs):
    _credentials_event(Event.CREDENTIAL_ISSUED, certificate_ids)


@receiver(program_signals.credentials_revoked)
def credentials_revoked(sender, *, certificate_ids, **kwargs):
    _credentials_event(Event.CREDENTIAL_REVOKED, certificate_ids)
