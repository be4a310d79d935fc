"""State changes of the pncs app. Each service owns its transaction."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement
from announcements.services import submit_for_approval
from core.access import PNCS_COORDINATORS
from core.emails import render_subject
from members.services import queue_email_to_user

from . import events

logger = logging.getLogger(__name__)

INTEREST_ALREADY_SENT = _("Ya habías expresado tu interés en esta oportunidad.")
OPPORTUNITY_NOT_OPEN = _("Esta oportunidad ya no recibe respuestas.")
DECISION_ALREADY_TAKEN = _("Esta respuesta ya tenía ese estado.")
NOT_YOUR_PNCS = _("Solo puedes escribir avisos a los sectores de los PNCS que coordinas.")


class PncsError(Exception):
    """A request the rules refuse; `message` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def sync_coordinator_groups(*, user_ids) -> None:
    """Put in the "PNCS coordinators" group exactly those users who coordinate an active PNCS."""
    from .models import Pncs

    ids = set(user_ids)
    if not ids:
        return
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=PNCS_COORDINATORS)
        coordinating = set(
            Pncs.objects.filter(is_active=True, coordinators__in=ids).values_list(
                "coordinators", flat=True
            )
        )
        through = get_user_model().groups.through
        through.objects.filter(group=group, user_id__in=ids - coordinating).delete()
        already = set(
            through.objects.filter(group=group, user_id__in=coordinating).values_list(
                "user_id", flat=True
            )
        )
        through.objects.bulk_create(
            [through(group=group, user_id=uid) for uid in coordinating - already]
        )


def record_audit(*, user, action: str, filters: dict, row_count: int | None, capped: bool = False):
    """Write who searched or exported, with which filters and how many rows (no personal data)."""
    from .models import SearchAudit

    return SearchAudit.objects.create(
        user=user, action=action, filters=filters, row_count=row_count, capped=capped
    )


def finish_audit(*, audit_id: int, row_count: int) -> None:
    """Record how many rows an export streamed, once it has finished."""
    from .models import SearchAudit

    SearchAudit.objects.filter(pk=audit_id).update(row_count=row_count)


def save_opportunity(*, form, user):
    """Create or update an opportunity from a validated form (its PNCS already checked)."""
    with transaction.atomic():
        opportunity = form.save(commit=False)
        if opportunity.pk is None:
            opportunity.created_by = user
        if not opportunity.sector_id:
            opportunity.sector_id = opportunity.pncs.sector_id
        opportunity.save()
        form.save_m2m()
    return opportunity


def express_interest(*, opportunity_id: int, member, message: str):
    """A member answers an open opportunity, once."""
    from .models import Interest, Opportunity

    with transaction.atomic():
        opportunity = (
            Opportunity.objects.open().select_for_update().filter(pk=opportunity_id).first()
        )
        if opportunity is None:
            raise PncsError(OPPORTUNITY_NOT_OPEN)
        try:
            with transaction.atomic():
                return Interest.objects.create(
                    opportunity=opportunity, member=member, message=message.strip()
                )
        except IntegrityError as exc:
            raise PncsError(INTEREST_ALREADY_SENT) from exc


def decide_interest(*, interest_id: int, status: str, by) -> bool:
    """Shortlist, accept or decline an answer; the member is told by email after commit.

    Returns False when the answer already had that state (nothing changes, no email).
    """
    from .models import Interest

    with transaction.atomic():
        changed = (
            Interest.objects.filter(pk=interest_id)
            .exclude(status=status)
            .update(status=status, decided_at=timezone.now(), decided_by=by)
        )
        if not changed:
            return False
        interest = Interest.objects.select_related("member", "opportunity").get(pk=interest_id)
        _queue_decision_email(interest)
        events.interest_decided.send(sender=type(interest), interest_id=interest_id)
    return True


def _queue_decision_email(interest) -> None:
    def context():
        return {
            "interest": interest,
            "opportunity": interest.opportunity,
            "url": settings.SITE_URL + reverse("pncs:my_opportunities"),
        }

    queue_email_to_user(
        user=interest.member,
        subject=lambda: render_subject("pncs/email/interest_decision_subject.txt", context()),
        template="pncs/email/interest_decision_body.txt",
        context=context,
    )


def add_affiliation(*, member, institution: str, relation: str):
    """Declare an institution the member is tied to (idempotent per institution)."""
    from .models import Affiliation

    key = normalize_institution(institution)
    with transaction.atomic():
        affiliation, _created = Affiliation.objects.update_or_create(
            member=member,
            institution_key=key,
            defaults={"institution": institution.strip(), "relation": relation},
        )
    return affiliation


def remove_affiliation(*, member, affiliation_id: int) -> bool:
    """Withdraw one of the member's own affiliations."""
    from .models import Affiliation

    with transaction.atomic():
        deleted, _ = Affiliation.objects.of_member(member).filter(pk=affiliation_id).delete()
    return bool(deleted)


def normalize_institution(name: str) -> str:
    """Institution names compare without case, accents, punctuation or extra spaces."""
    from .search import normalize

    return "".join(ch for ch in normalize(name) if ch.isalnum())


def save_work_line(*, form):
    """Create or update a line of action from a validated WorkLineForm (its PNCS, year,
    target and responsible person already checked against the user's PNCS)."""
    with transaction.atomic():
        return form.save()


def delete_work_line(*, line_id: int, user) -> bool:
    """Delete a line of action of a PNCS the user coordinates (False: not theirs, or gone)."""
    from .models import WorkLine

    with transaction.atomic():
        deleted, _ = WorkLine.objects.managed_by(user).filter(pk=line_id).delete()
    return bool(deleted)


def submit_sector_announcement(
    *, pncs_id: int, by, subject_es: str, subject_en: str, body_es: str, body_en: str
):
    """A coordinator's announcement to the members of their PNCS's sector (those who accept
    announcements of PNCS opportunities, read when it is sent). It waits for IME's approval
    (announcements.services.review_announcement) and then goes through the outbox."""
    from .models import Pncs

    pncs = Pncs.objects.coordinated_by_member(by.pk).filter(pk=pncs_id).first()
    if pncs is None:
        raise PncsError(NOT_YOUR_PNCS)
    return submit_for_approval(
        by=by,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[pncs.sector_id],
        subject_es=subject_es,
        subject_en=subject_en,
        body_es=body_es,
        body_en=body_en,
    )
