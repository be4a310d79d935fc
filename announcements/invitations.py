"""Inviting people IME already knows, with their consent and never without it (issue 26).

- `confirm_import`: staff confirm a dry run (announcements.importing): the new people are
  written as invitees (no account, no profile: they appear in no search, directory or
  figure) and one bilingual invitation each goes into the announcements outbox, as an
  announcement of kind "invitation" whose deliveries are written at once. The outbox
  sends each exactly once (announcements.delivery) and re-checks at send time that the
  person has not joined or refused meanwhile. The import is audited (InvitationImport).
- `refuse_invitation`: the one-click link of the invitation forgets the person (their row
  and its delivery go); a keyed digest of the address stays so no later import invites
  it again.
- `accept_invitation`: a sign-up with the address, once verified (the person accepted the
  privacy notice when signing up), marks the invitation accepted and drops the imported
  details.
- `purge_unanswered_invitations`: invitations unanswered after INVITATION_RETENTION_DAYS
  are deleted with their data (Celery beat, daily; idempotent).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.emails import clean_subject
from members.models import Sector

from .importing import Line, Outcome, decide_outcomes, email_digest
from .models import Announcement, Delivery, InvitationImport, InvitationRefusal, Invitee

INVITATION_SALT = "announcements.invitation.refuse"
DEFAULT_RETENTION_DAYS = 90


def retention_days() -> int:
    """How long an unanswered invitation and its data are kept (INVITATION_RETENTION_DAYS)."""
    return int(getattr(settings, "INVITATION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def refusal_token(invitee_id: int) -> str:
    return signing.dumps({"i": invitee_id}, salt=INVITATION_SALT, compress=True)


def read_refusal_token(token: str) -> int:
    """The invitee id of a refusal token; signing.BadSignature when tampered or malformed."""
    try:
        return int(signing.loads(token, salt=INVITATION_SALT)["i"])
    except signing.BadSignature:
        raise
    except (TypeError, KeyError, ValueError) as exc:
        raise signing.BadSignature("malformed") from exc


def _invitation_texts() -> dict:
    """The announcement row's subject and body in both languages (what staff see in the
    admin; the e-mail itself is rendered per person by `invitation_message`)."""
    texts = {}
    for suffix, language in (("es", "es-mx"), ("en", "en")):
        with translation.override(language):
            texts[f"subject_{suffix}"] = gettext("Invitación a la Red de Talentos Mexicanos")
            texts[f"body_{suffix}"] = gettext(
                "Invitación a unirse a la red, con un enlace para registrarse y otro para "
                "rechazarla y ser olvidado."
            )
    return texts


def confirm_import(*, lines: list[Line], source: str, filename: str, by) -> InvitationImport:
    """Write the dry run's new people and queue one invitation each; returns the audit row.

    The outcome of every line is decided again inside the transaction (someone may have
    joined or been invited since the dry run); only lines still new are written. Lines
    with errors are never passed here (the caller confirms only a clean plan)."""
    from .delivery import enqueue_pending

    now = timezone.now()
    with transaction.atomic():
        for line in lines:
            if line.outcome != Outcome.DUPLICATE:
                line.outcome = ""
        decide_outcomes(lines)
        outcomes = (Outcome.NEW, Outcome.MEMBER, Outcome.INVITED, Outcome.REFUSED)
        counts = dict.fromkeys((*outcomes, Outcome.DUPLICATE), 0)
        for line in lines:
            counts[line.outcome] = counts.get(line.outcome, 0) + 1
        audit = InvitationImport.objects.create(
            created_by=by, created_at=now, source=source[:200], filename=filename[:200]
        )
        new = [line for line in lines if line.outcome == Outcome.NEW]
        sectors = dict(
            Sector.objects.filter(
                slug__in={line.sector for line in new if line.sector}
            ).values_list("slug", "pk")
        )
        # ON CONFLICT DO NOTHING: a concurrent import of the same address invites once.
        Invitee.objects.bulk_create(
            [
                Invitee(
                    email=line.email,
                    name=line.name,
                    country=line.country,
                    sector_id=sectors.get(line.sector),
                    source=line.source or source[:200],
                    imported=audit,
                    invited_at=now,
                )
                for line in new
            ],
            ignore_conflicts=True,
        )
        invitees = list(
            Invitee.objects.filter(imported=audit).order_by("pk").values_list("pk", flat=True)
        )
        counts[Outcome.NEW] = len(invitees)
        audit.counts = counts
        if invitees:
            announcement = Announcement.objects.create(
                kind=Announcement.Kind.INVITATION,
                status=Announcement.Status.SENDING,
                started_at=now,
                recipients_ready_at=now,
                created_by=by,
                **_invitation_texts(),
            )
            Delivery.objects.bulk_create(
                [Delivery(announcement=announcement, invitee_id=pk) for pk in invitees]
            )
            audit.announcement = announcement
            announcement_id = announcement.pk
            transaction.on_commit(lambda: enqueue_pending(announcement_id=announcement_id))
        audit.save(update_fields=["counts", "announcement"])
    return audit


def refuse_invitation(*, invitee_id: int) -> bool:
    """Forget the person: their row (and so its delivery) goes, and a keyed digest of the
    address is kept so no later import invites them again. Idempotent; returns whether
    there was someone to forget. An accepted invitation (now a member) is left alone."""
    with transaction.atomic():
        invitee = (
            Invitee.objects.select_for_update()
            .filter(pk=invitee_id, status=Invitee.Status.INVITED)
            .first()
        )
        if invitee is None:
            return False
        InvitationRefusal.objects.get_or_create(
            digest=email_digest(invitee.email), defaults={"refused_at": timezone.now()}
        )
        invitee.delete()
    return True


def accept_invitation(*, user, email: str) -> bool:
    """The person signed up with the invited address and verified it: the invitation is
    accepted, linked to the account, and the imported details (name, country, sector) are
    dropped (the profile is theirs to write). Returns whether an invitation was open."""
    with transaction.atomic():
        return (
            Invitee.objects.filter(
                email__iexact=email, status=Invitee.Status.INVITED, user__isnull=True
            )
            .exclude(user=user)
            .update(
                status=Invitee.Status.ACCEPTED,
                accepted_at=timezone.now(),
                user=user,
                name="",
                country="",
                sector=None,
            )
            == 1
        )


def purge_unanswered_invitations(*, now=None) -> int:
    """Delete invitations unanswered for longer than `retention_days()`, with everything
    imported about the person (their delivery row goes with them). Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    with transaction.atomic():
        _total, by_model = Invitee.objects.filter(
            status=Invitee.Status.INVITED, invited_at__lt=cutoff
        ).delete()
    return by_model.get(Invitee._meta.label, 0)


def invitation_message(invitee, *, delivery_id: int | None = None, domain: str = ""):
    """The bilingual invitation to one person (Spanish first, then English): who invites and
    why, where their address came from, a sign-up link, a one-click refusal link (also as
    RFC 8058 List-Unsubscribe) and how long the data is kept if they do not answer."""
    from django.core.mail import EmailMultiAlternatives

    token = refusal_token(invitee.pk)
    with translation.override("es-mx"):
        refuse_es = settings.SITE_URL + reverse("announcements:refuse_invitation", args=[token])
        signup_es = settings.SITE_URL + reverse("account_signup")
    with translation.override("en"):
        refuse_en = settings.SITE_URL + reverse("announcements:refuse_invitation", args=[token])
        signup_en = settings.SITE_URL + reverse("account_signup")
    context = {
        "name": invitee.name,
        "source": invitee.source,
        "days": retention_days(),
    }
    parts = []
    subjects = []
    for language, refuse, signup in (("es-mx", refuse_es, signup_es), ("en", refuse_en, signup_en)):
        with translation.override(language):
            parts.append(
                render_to_string(
                    "announcements/email/invitation.txt",
                    {**context, "refuse_url": refuse, "signup_url": signup},
                )
            )
            subjects.append(gettext("Invitación a la Red de Talentos Mexicanos"))
    headers = {
        "List-Unsubscribe": f"<{refuse_es}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if delivery_id is not None and domain:
        headers["Message-ID"] = f"<invitation-{invitee.pk}-{delivery_id}@{domain}>"
    return EmailMultiAlternatives(
        subject=clean_subject(" / ".join(subjects)),
        body="\n\n----------\n\n".join(parts),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitee.email],
        headers=headers,
    )
