"""State changes of the chapters app. Each service owns its transaction.

Emails are queued with `members.services.queue_email_to_user` (transactional mail), which
enqueues the Celery task only after the transaction commits.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from announcements.delivery import start_sending
from announcements.mail import site_url
from announcements.models import Announcement
from core.access import CHAPTER_OFFICERS, is_ime_staff
from members.plugins import coordinated_sector_ids
from members.services import queue_email_to_user

from . import events
from .models import (
    AgendaItem,
    AppointableRole,
    Chapter,
    Jornada,
    JornadaProposal,
    Material,
    Membership,
    Officer,
    OfficerTermAlert,
    Registration,
    Speaker,
    TravelNeeds,
    public_name,
)
from .querysets import appointing_chapter_ids

logger = logging.getLogger(__name__)

ALREADY_MEMBER_MESSAGE = _("Ya perteneces a este capítulo.")
ALREADY_PENDING_MESSAGE = _("Tu solicitud ya está en revisión.")
CHAPTER_CLOSED_MESSAGE = _("Este capítulo no recibe solicitudes por ahora.")
NOT_PENDING_MESSAGE = _("Esta solicitud ya fue decidida.")
NOT_A_MEMBER_MESSAGE = _("No perteneces a este capítulo.")
REJECT_REASON_MESSAGE = _("Escribe el motivo del rechazo.")
REGISTRATION_CLOSED_MESSAGE = _("El registro de esta Jornada está cerrado.")
ALREADY_REGISTERED_MESSAGE = _("Ya tienes un lugar o estás en la lista de espera.")
REGISTRATION_DECLINED_MESSAGE = _("Tu registro a esta Jornada no fue aprobado.")
NOT_REGISTERED_MESSAGE = _("No tienes un registro activo en esta Jornada.")
REPRESENTING_MESSAGE = _("Solo puedes representar a un capítulo al que perteneces.")
PROPOSAL_DECIDED_MESSAGE = _("Esta propuesta ya fue decidida.")
DECLINE_REASON_MESSAGE = _("Escribe el motivo por el que no se acepta la propuesta.")
PROPOSALS_CLOSED_MESSAGE = _("Esta Jornada ya no recibe propuestas.")
NOT_YOUR_SECTOR_MESSAGE = _("Solo puedes proponer en nombre de un PNCS que coordinas.")
TRAVEL_NOT_ASKED_MESSAGE = _("Esta Jornada no pide necesidades de viaje.")


class ChapterActionError(Exception):
    """A state change that cannot happen; `message` is a translatable constant for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _site_url(path):
    return f"{settings.SITE_URL}{path}"


def _send(*, user, subject, template, context):
    """Tell a member, in their language (`subject` and `context` are callables evaluated
    there, so texts and links (/en/...) follow it)."""
    queue_email_to_user(
        user=user,
        subject=subject,
        template=template,
        context=lambda: {**context(), "name": public_name(user)},
    )


# --- Memberships ------------------------------------------------------------------------


def request_membership(*, chapter: Chapter, user, message: str = "") -> Membership:
    """Ask to join `chapter`. A rejected or former member may ask again (same row, reopened)."""
    if chapter.status == Chapter.Status.INACTIVE:
        raise ChapterActionError(CHAPTER_CLOSED_MESSAGE)
    now = timezone.now()
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            chapter=chapter, user=user, defaults={"requested_at": now, "message": message}
        )
        if created:
            return membership
        if membership.status == Membership.Status.APPROVED:
            raise ChapterActionError(ALREADY_MEMBER_MESSAGE)
        if membership.status == Membership.Status.PENDING:
            raise ChapterActionError(ALREADY_PENDING_MESSAGE)
        membership.status = Membership.Status.PENDING
        membership.requested_at = now
        membership.message = message
        membership.decided_at = None
        membership.decided_by = None
        membership.decision_reason = ""
        membership.left_at = None
        membership.save(
            update_fields=[
                "status",
                "requested_at",
                "message",
                "decided_at",
                "decided_by",
                "decision_reason",
                "left_at",
            ]
        )
    return membership


def decide_membership(
    *, membership_id: int, decided_by, approve: bool, reason: str = ""
) -> Membership:
    """Approve or reject a pending request and tell the member by email (after commit).

    The row is locked (select_for_update) and re-checked: when two officers decide
    at once, the second one is told the request was already decided.
    """
    reason = reason.strip()
    if not approve and not reason:
        raise ChapterActionError(REJECT_REASON_MESSAGE)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("chapter", "user")
            .filter(pk=membership_id)
            .first()
        )
        if membership is None or membership.status != Membership.Status.PENDING:
            raise ChapterActionError(NOT_PENDING_MESSAGE)
        membership.status = Membership.Status.APPROVED if approve else Membership.Status.REJECTED
        membership.decided_at = timezone.now()
        membership.decided_by = decided_by
        membership.decision_reason = reason
        fields = ["status", "decided_at", "decided_by", "decision_reason"]
        if approve and not Membership.objects.filter(user=membership.user, is_home=True).exists():
            membership.is_home = True  # the first chapter is the home chapter
            fields.append("is_home")
        membership._history_user = decided_by  # who decided, in the change history
        membership.save(update_fields=fields)
        _send(
            user=membership.user,
            subject=(
                (lambda: gettext("Tu solicitud al capítulo fue aprobada"))
                if approve
                else (lambda: gettext("Tu solicitud al capítulo no fue aprobada"))
            ),
            template="chapters/email/membership_decision.txt",
            context=lambda: {
                "membership": membership,
                "chapter": membership.chapter,
                "approved": approve,
                "reason": reason,
                "chapter_url": _site_url(membership.chapter.get_absolute_url()),
            },
        )
    return membership


def leave_chapter(*, chapter: Chapter, user) -> Membership:
    """Leave a chapter (or withdraw a pending request)."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(
                chapter=chapter,
                user=user,
                status__in=[Membership.Status.APPROVED, Membership.Status.PENDING],
            )
            .first()
        )
        if membership is None:
            raise ChapterActionError(NOT_A_MEMBER_MESSAGE)
        membership.status = Membership.Status.LEFT
        membership.left_at = timezone.now()
        membership.is_home = False
        membership.save(update_fields=["status", "left_at", "is_home"])
        events.membership_ended.send(sender=Membership, membership_id=membership.pk)
    return membership


def set_home_chapter(*, chapter: Chapter, user) -> Membership:
    """Make one of the member's approved chapters their home chapter (only one at a time)."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(chapter=chapter, user=user, status=Membership.Status.APPROVED)
            .first()
        )
        if membership is None:
            raise ChapterActionError(NOT_A_MEMBER_MESSAGE)
        for other in Membership.objects.filter(user=user, is_home=True).exclude(pk=membership.pk):
            other.is_home = False
            other.save(update_fields=["is_home"])
        membership.is_home = True
        membership.save(update_fields=["is_home"])
    return membership


def grant_officer_access(*, user) -> None:
    """Let a new officer into the admin: staff flag and the "Chapter officers" group.

    Their powers there still depend on a current term (computed per request).
    """
    with transaction.atomic():
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=CHAPTER_OFFICERS))


# --- Officers: appointments, ends of term, suspensions, alerts ----------------------------

NOT_APPOINTER_MESSAGE = _("No puedes nombrar ni dar de baja cargos en este capítulo.")
ROLE_NOT_APPOINTABLE_MESSAGE = _("Este cargo lo nombra el IME. Elige otro cargo.")
NOT_CHAPTER_MEMBER_MESSAGE = _("Solo puedes nombrar a un miembro aprobado del capítulo.")
TERM_ORDER_MESSAGE = _("Elige una fecha de término posterior a la de inicio.")
NOT_CURRENT_MESSAGE = _("Ese cargo ya no está vigente.")
ALREADY_IN_ROLE_MESSAGE = _("Esa persona ya ocupa ese cargo en el capítulo.")
TERM_ALERT_DAYS = (30, 7)


def may_appoint(*, user, chapter) -> bool:
    """Whether `user` may appoint and end officers of `chapter` today."""
    return Chapter.objects.filter(pk=chapter.pk, pk__in=appointing_chapter_ids(user)).exists()


def appointable_roles():
    """The roles chapters fill by themselves (IME's list, chapters.models.AppointableRole)."""
    return list(AppointableRole.objects.values_list("role", flat=True))


def appoint_officer(*, chapter, appointed_by, user, role, term_start, term_end=None) -> Officer:
    """Appoint an approved member of `chapter` to one of IME's appointable roles (IME staff:
    any role). Kept in the officers' history with who did it; the new officer gets the
    officers' tools (grant_officer_access)."""
    if not may_appoint(user=appointed_by, chapter=chapter):
        raise ChapterActionError(NOT_APPOINTER_MESSAGE)
    if not is_ime_staff(appointed_by) and role not in appointable_roles():
        raise ChapterActionError(ROLE_NOT_APPOINTABLE_MESSAGE)
    if role not in Officer.Role.values:
        raise ChapterActionError(ROLE_NOT_APPOINTABLE_MESSAGE)
    if term_end and term_end < term_start:
        raise ChapterActionError(TERM_ORDER_MESSAGE)
    with transaction.atomic():
        Chapter.objects.select_for_update().get(pk=chapter.pk)  # one appointment at a time
        if not Membership.objects.approved().filter(chapter=chapter, user=user).exists():
            raise ChapterActionError(NOT_CHAPTER_MEMBER_MESSAGE)
        if (
            Officer.objects.current(term_start)
            .active()
            .filter(chapter=chapter, user=user, role=role)
            .exists()
        ):
            raise ChapterActionError(ALREADY_IN_ROLE_MESSAGE)
        officer = Officer(
            chapter=chapter,
            user=user,
            role=role,
            term_start=term_start,
            term_end=term_end,
            appointed_by=appointed_by,
        )
        officer._history_user = appointed_by
        officer._change_reason = "appointed"
        officer.save()
        grant_officer_access(user=user)
    return officer


def end_officer_term(*, officer_id, ended_by, chapter) -> Officer:
    """End a current term of `chapter` today (yesterday when it started today: the person
    loses the powers at once). The row stays: the officers' history shows it."""
    if not may_appoint(user=ended_by, chapter=chapter):
        raise ChapterActionError(NOT_APPOINTER_MESSAGE)
    today = timezone.localdate()
    with transaction.atomic():
        officer = (
            Officer.objects.select_for_update()
            .current(today)
            .filter(pk=officer_id, chapter=chapter)
            .first()
        )
        if officer is None:
            raise ChapterActionError(NOT_CURRENT_MESSAGE)
        officer.term_end = max(officer.term_start, today - timedelta(days=1))
        officer._history_user = ended_by
        officer._change_reason = "ended"
        officer.save(update_fields=["term_end"])
    return officer


def set_officer_suspension(*, officer, suspended: bool, by) -> None:
    """IME suspends (or reinstates) an officer: their powers stop at once."""
    officer.suspended_at = timezone.now() if suspended else None
    officer._history_user = by
    officer._change_reason = "suspended" if suspended else "reinstated"
    officer.save(update_fields=["suspended_at"])


def set_chapter_suspension(*, chapter, suspended: bool, by, reason="") -> None:
    """IME suspends (or reinstates) a chapter: hidden from the public, its officers'
    tools read-only."""
    chapter.suspended_at = timezone.now() if suspended else None
    chapter.suspension_reason = reason if suspended else ""
    chapter._history_user = by
    chapter._change_reason = "suspended" if suspended else "reinstated"
    chapter.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])


def send_term_alerts(today=None) -> int:
    """Daily: tell each officer whose term ends in 30 or 7 days, and their chapter's
    president, once per officer, threshold and end date (OfficerTermAlert's unique key).
    A term found late (ending in 5 days, never announced) gets the nearest threshold only.
    Returns how many alerts were written."""
    today = today or timezone.localdate()
    written = 0
    horizon = today + timedelta(days=max(TERM_ALERT_DAYS))
    ending = (
        Officer.objects.current(today)
        .active()
        .filter(term_end__isnull=False, term_end__lte=horizon)
        .select_related("chapter", "user")
    )
    for officer in ending:
        days_left = (officer.term_end - today).days
        threshold = min(d for d in TERM_ALERT_DAYS if days_left <= d)
        if OfficerTermAlert.objects.filter(
            officer=officer, term_end=officer.term_end, days_before__lte=threshold
        ).exists():
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    OfficerTermAlert.objects.create(
                        officer=officer, days_before=threshold, term_end=officer.term_end
                    )
            except IntegrityError:
                continue  # another run wrote it first
            _term_alert_mails(officer, days_left)
            written += 1
    return written


def _term_alert_mails(officer, days_left):
    presidents = [
        president.user
        for president in Officer.objects.current()
        .active()
        .filter(chapter=officer.chapter, role=Officer.Role.PRESIDENT)
        .exclude(user=officer.user)
        .select_related("user")
    ]
    officers_url = _site_url(reverse("chapters:officers", kwargs={"slug": officer.chapter.slug}))
    for recipient in [officer.user, *presidents]:
        _send(
            user=recipient,
            subject=lambda: gettext("Un periodo de la mesa directiva termina pronto"),
            template="chapters/email/term_ending.txt",
            context=lambda officer=officer: {
                "officer_name": public_name(officer.user),
                "role": officer.get_role_display(),
                "chapter": officer.chapter,
                "term_end": officer.term_end,
                "days_left": days_left,
                "officers_url": officers_url,
            },
        )


# --- Jornada registrations --------------------------------------------------------------


def _confirmed_count(jornada_id):
    return Registration.objects.filter(jornada_id=jornada_id).confirmed().count()


def _has_room(jornada, confirmed):
    return jornada.capacity is None or confirmed < jornada.capacity


def _registration_email(registration, *, promoted=False):
    jornada = registration.jornada
    if promoted:
        subject = lambda: gettext("Se liberó un lugar: tu registro está confirmado")  # noqa: E731
    elif registration.status == Registration.Status.CONFIRMED:
        subject = lambda: gettext("Registro confirmado")  # noqa: E731
    elif registration.status == Registration.Status.WAITLISTED:
        subject = lambda: gettext("Estás en la lista de espera")  # noqa: E731
    else:
        subject = lambda: gettext("Recibimos tu registro")  # noqa: E731
    _send(
        user=registration.user,
        subject=subject,
        template="chapters/email/registration.txt",
        context=lambda: {
            "registration": registration,
            "jornada": jornada,
            "promoted": promoted,
            "jornada_url": _site_url(jornada.get_absolute_url()),
            "ics_url": _site_url(reverse("chapters:jornada_ics", kwargs={"slug": jornada.slug})),
        },
    )


def register_for_jornada(*, jornada_id: int, user, representing: Chapter | None = None):
    """Register `user`: confirmed while there is room, else on the waitlist (or pending approval).

    The Jornada row is locked (select_for_update) so concurrent registrations and
    cancellations are serialised and the capacity is never exceeded.
    """
    if representing is not None and not (
        Membership.objects.approved().filter(chapter=representing, user=user).exists()
    ):
        raise ChapterActionError(REPRESENTING_MESSAGE)
    now = timezone.now()
    with transaction.atomic():
        jornada = Jornada.objects.select_for_update().get(pk=jornada_id)
        if not jornada.registration_is_open(now):
            raise ChapterActionError(REGISTRATION_CLOSED_MESSAGE)
        registration = Registration.objects.filter(jornada=jornada, user=user).first()
        if registration and registration.status in (
            Registration.Status.CONFIRMED,
            Registration.Status.WAITLISTED,
            Registration.Status.PENDING,
        ):
            raise ChapterActionError(ALREADY_REGISTERED_MESSAGE)
        if registration and registration.status == Registration.Status.REJECTED:
            raise ChapterActionError(REGISTRATION_DECLINED_MESSAGE)  # staff decided
        if jornada.registration_mode == Jornada.RegistrationMode.APPROVAL:
            status = Registration.Status.PENDING
        elif _has_room(jornada, _confirmed_count(jornada.pk)):
            status = Registration.Status.CONFIRMED
        else:
            status = Registration.Status.WAITLISTED
        if registration is None:
            registration = Registration(jornada=jornada, user=user)
        registration.status = status
        registration.representing = representing
        registration.registered_at = now
        registration.queued_at = now
        registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
        registration.cancelled_at = None
        registration.save()
        registration.jornada = jornada
        _registration_email(registration)
        events.registration_created.send(sender=Registration, registration_id=registration.pk)
    return registration


def _promote_waitlist(jornada) -> list[Registration]:
    """Confirm people from the waitlist, in order, while there is room. Caller holds the lock."""
    promoted = []
    if jornada.capacity is None:
        room = None
    else:
        room = jornada.capacity - _confirmed_count(jornada.pk)
        if room <= 0:
            return promoted
    waiting = Registration.objects.filter(jornada=jornada).waitlisted().select_related("user")
    if room is not None:
        waiting = waiting[:room]
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        registration.jornada = jornada
        _registration_email(registration, promoted=True)
        promoted.append(registration)
    return promoted


def cancel_registration(*, jornada_id: int, user) -> Registration:
    """Cancel the member's registration; a freed place goes to the first on the waitlist."""
    with transaction.atomic():
        jornada = Jornada.objects.select_for_update().get(pk=jornada_id)
        registration = Registration.objects.filter(jornada=jornada, user=user).active().first()
        if registration is None:
            raise ChapterActionError(NOT_REGISTERED_MESSAGE)
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        _promote_waitlist(jornada)
        events.registration_cancelled.send(sender=Registration, registration_id=registration.pk)
    return registration


def promote_waitlist(*, jornada_id: int) -> list[Registration]:
    """Fill free places from the waitlist (after staff raise the capacity, for example)."""
    with transaction.atomic():
        jornada = Jornada.objects.select_for_update().get(pk=jornada_id)
        return _promote_waitlist(jornada)


def decide_registrations(*, registration_ids: list[int], approve: bool) -> int:
    """Staff decide pending registrations (approval mode): approve → confirmed or waitlisted."""
    decided = 0
    jornada_ids = set(
        Registration.objects.filter(pk__in=registration_ids)
        .pending()
        .values_list("jornada_id", flat=True)
    )
    for jornada_id in sorted(jornada_ids):
        with transaction.atomic():
            jornada = Jornada.objects.select_for_update().get(pk=jornada_id)
            pending = (
                Registration.objects.filter(pk__in=registration_ids, jornada=jornada)
                .pending()
                .select_related("user")
                .order_by("queued_at", "pk")
            )
            confirmed = _confirmed_count(jornada.pk)
            now = timezone.now()
            for registration in pending:
                if not approve:
                    registration.status = Registration.Status.REJECTED
                elif _has_room(jornada, confirmed):
                    registration.status = Registration.Status.CONFIRMED
                    registration.confirmed_at = now
                    confirmed += 1
                else:
                    registration.status = Registration.Status.WAITLISTED
                registration.save(update_fields=["status", "confirmed_at"])
                registration.jornada = jornada
                if approve:
                    _registration_email(registration)
                decided += 1
    return decided


def check_in(*, registration_ids: list[int], by) -> int:
    """Mark attendance of confirmed participants (once: the first check-in is kept)."""
    with transaction.atomic():
        return (
            Registration.objects.filter(pk__in=registration_ids, checked_in_at__isnull=True)
            .confirmed()
            .update(checked_in_at=timezone.now(), checked_in_by=by)
        )


# --- Announcing Jornadas (through the announcements app's outbox) -------------------------


def announce_jornada(*, jornada_id: int, by) -> Announcement:
    """A draft announcing a Jornada, for staff to review, preview and send.

    Audience: the organising chapter's members, or every member for a network-wide
    Jornada (officers only ever organise their chapter's events).
    """
    jornada = Jornada.objects.select_related("chapter").get(pk=jornada_id)
    link = site_url(jornada.get_absolute_url())
    link_en = site_url("/en" + jornada.get_absolute_url())
    starts = timezone.localtime(jornada.starts_at, jornada.tz)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            kind=Announcement.Kind.JORNADAS,
            chapter=jornada.chapter,
            subject_es=jornada.title_es[:200],
            subject_en=(jornada.title_en or jornada.title_es)[:200],
            body_es=(
                f"{jornada.description_es}\n\n"
                f"**{starts:%Y-%m-%d %H:%M}** ({jornada.timezone}) · {jornada.city}\n\n"
                f"[Detalles y registro]({link})"
            ).strip(),
            body_en=(
                f"{jornada.description_en or jornada.description_es}\n\n"
                f"**{starts:%Y-%m-%d %H:%M}** ({jornada.timezone}) · {jornada.city}\n\n"
                f"[Details and registration]({link_en})"
            ).strip(),
            audience_all_members=jornada.chapter_id is None,
            created_by=by,
        )
        if jornada.chapter_id:
            announcement.audience_chapters.add(jornada.chapter_id)
    return announcement


def send_jornada_reminders(*, now=None) -> int:
    """Remind confirmed registrants of Jornadas starting within 24 hours; once per Jornada
    (the reminder is an announcement with a unique `reminder_for`). Returns how many."""
    now = now or timezone.now()
    due = (
        Jornada.objects.published()
        .filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=24), reminder__isnull=True)
        .values_list("pk", flat=True)
    )
    reminded = 0
    for jornada_id in due:
        jornada = Jornada.objects.get(pk=jornada_id)
        starts = timezone.localtime(jornada.starts_at, jornada.tz)
        when = f"{starts:%Y-%m-%d %H:%M} ({jornada.timezone})"
        place = ", ".join(p for p in (jornada.venue, jornada.city) if p) or jornada.online_url
        try:
            with transaction.atomic():
                announcement = Announcement.objects.create(
                    kind=Announcement.Kind.JORNADAS,
                    chapter=jornada.chapter,
                    reminder_for=jornada,
                    subject_es=f"Recordatorio: {jornada.title_es}"[:200],
                    subject_en=f"Reminder: {jornada.title_en or jornada.title_es}"[:200],
                    body_es=(
                        f"Te esperamos en **{jornada.title_es}**: {when}, {place}.\n\n"
                        f"[Detalles]({site_url(jornada.get_absolute_url())})"
                    ),
                    body_en=(
                        f"See you at **{jornada.title_en or jornada.title_es}**: {when}, "
                        f"{place}.\n\n[Details]({site_url('/en' + jornada.get_absolute_url())})"
                    ),
                )
                announcement.audience_jornadas.add(jornada)
                locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
                start_sending(locked, now=now)
        except IntegrityError:
            continue  # another dispatcher created it first
        reminded += 1
    return reminded


# --- The chapter's programme and statutes (issue 21) ------------------------------------

READ_ONLY_MESSAGE = _("El IME suspendió este capítulo: sus herramientas son de solo lectura.")


def _writable(chapter, user) -> None:
    from .querysets import managed_chapter_ids

    if not Chapter.objects.filter(
        pk=chapter.pk, pk__in=managed_chapter_ids(user, writable=True)
    ).exists() and not (is_ime_staff(user)):
        raise ChapterActionError(READ_ONLY_MESSAGE)


def save_chapter_line(*, form, chapter, by):
    """Create or update a line of action of `chapter` from a validated ChapterLineForm
    (who may: its officers, its regional coordinator, IME; never while suspended)."""
    _writable(chapter, by)
    with transaction.atomic():
        line = form.save(commit=False)
        line.chapter = chapter
        if line.pk is None:
            line.created_by = by
        line._history_user = by
        line.save()
    return line


def delete_chapter_line(*, chapter, line_id: int, by) -> bool:
    """Delete a line of action of `chapter` (False: not one of its lines)."""
    from .models import ChapterLine

    _writable(chapter, by)
    with transaction.atomic():
        deleted, _count = ChapterLine.objects.filter(chapter=chapter, pk=line_id).delete()
    return bool(deleted)


def set_statutes(*, chapter, upload, public: bool, by) -> None:
    """Store the chapter's statutes (a checked PDF; None keeps the current one) and who may
    read them. The file replaced is deleted from the storage after commit."""
    _writable(chapter, by)
    with transaction.atomic():
        locked = Chapter.objects.select_for_update().get(pk=chapter.pk)
        old_name = locked.statutes.name if upload is not None and locked.statutes else ""
        fields = ["statutes_public", "updated_at"]
        if upload is not None:
            locked.statutes.save(upload.name, upload, save=False)
            locked.statutes_updated_at = timezone.now()
            fields += ["statutes", "statutes_updated_at"]
        locked.statutes_public = public
        locked._history_user = by
        locked._change_reason = "statutes"
        locked.save(update_fields=fields)
        if old_name:
            storage = locked.statutes.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    chapter.refresh_from_db()


# --- Jornadas with the PNCS: proposals (issue 21) -----------------------------------------


def submit_proposal(*, proposal: JornadaProposal, by) -> JornadaProposal:
    """Record a coordinator's proposal (built and validated by the form) for one of IME's
    upcoming Jornadas, in the name of a sector `by` coordinates today."""
    if proposal.sector_id not in coordinated_sector_ids(by):
        raise ChapterActionError(NOT_YOUR_SECTOR_MESSAGE)
    if not Jornada.objects.open_to_proposals().filter(pk=proposal.jornada_id).exists():
        raise ChapterActionError(PROPOSALS_CLOSED_MESSAGE)
    proposal.proposed_by = by
    proposal.status = JornadaProposal.Status.PENDING
    with transaction.atomic():
        proposal.save()
    return proposal


def _accept(proposal: JornadaProposal):
    """The agenda item, speaker or material the accepted proposal becomes."""
    jornada = proposal.jornada
    if proposal.kind == JornadaProposal.Kind.AGENDA_ITEM:
        last = AgendaItem.objects.filter(jornada=jornada).order_by("-order").first()
        return AgendaItem.objects.create(
            jornada=jornada,
            order=(last.order + 1) if last else 0,
            starts_at=proposal.starts_at,
            title_es=proposal.title_es,
            title_en=proposal.title_en,
            description_es=proposal.description_es,
            description_en=proposal.description_en,
        )
    if proposal.kind == JornadaProposal.Kind.SPEAKER:
        last = Speaker.objects.filter(agenda_item=proposal.agenda_item).order_by("-order").first()
        return Speaker.objects.create(
            agenda_item=proposal.agenda_item,
            member=proposal.member,
            name=proposal.name,
            affiliation=proposal.affiliation,
            bio=proposal.bio,
            order=(last.order + 1) if last else 0,
        )
    # A material: a copy of the file under the materials' directory (chapters.files serves
    # it to whom Material.objects.visible_to allows); the proposal keeps its own.
    material = Material(jornada=jornada, title=proposal.title_es, audience=proposal.audience)
    with proposal.file.open("rb") as content:
        material.file.save(proposal.file.name.rsplit("/", 1)[-1], content, save=False)
    material.save()
    return material


def decide_proposal(*, proposal_id: int, by, accept: bool, reason: str = "") -> JornadaProposal:
    """IME accepts a pending proposal (it becomes part of the Jornada's page) or declines it
    with a reason; dated, and the coordinator who proposed it is told by mail (after
    commit). A second decision of the same proposal is refused (the row is locked)."""
    reason = reason.strip()
    if not accept and not reason:
        raise ChapterActionError(DECLINE_REASON_MESSAGE)
    with transaction.atomic():
        proposal = (
            JornadaProposal.objects.select_for_update(of=("self",))
            .select_related("jornada", "agenda_item", "proposed_by", "sector")
            .filter(pk=proposal_id)
            .first()
        )
        if proposal is None or proposal.status != JornadaProposal.Status.PENDING:
            raise ChapterActionError(PROPOSAL_DECIDED_MESSAGE)
        if accept:
            _accept(proposal)
        proposal.status = (
            JornadaProposal.Status.ACCEPTED if accept else JornadaProposal.Status.DECLINED
        )
        proposal.decided_at = timezone.now()
        proposal.decided_by = by
        proposal.decision_reason = reason
        proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        if proposal.proposed_by is not None and proposal.proposed_by.is_active:
            _send(
                user=proposal.proposed_by,
                subject=(
                    (lambda: gettext("Tu propuesta para la Jornada fue aceptada"))
                    if accept
                    else (lambda: gettext("Tu propuesta para la Jornada no fue aceptada"))
                ),
                template="chapters/email/proposal_decision.txt",
                context=lambda: {
                    "proposal": proposal,
                    "jornada": proposal.jornada,
                    "accepted": accept,
                    "reason": reason,
                    "jornada_url": _site_url(proposal.jornada.get_absolute_url()),
                    "proposals_url": _site_url(reverse("chapters:proposal_list")),
                },
            )
    return proposal


# --- Participants from abroad: travel needs (issue 21) -----------------------------------


def save_travel_needs(*, registration: Registration, data: dict) -> TravelNeeds:
    """Store (or replace) the travel needs of an active registration of a Jornada that asks
    for them. The passport name and nationality are kept only when a letter is asked for."""
    jornada = registration.jornada
    if not jornada.asks_travel_needs or jornada.ends_at < timezone.now():
        raise ChapterActionError(TRAVEL_NOT_ASKED_MESSAGE)
    data = dict(data)
    if not data.get("invitation_letter_needed"):
        data.update(passport_name="", nationality="")
    with transaction.atomic():
        needs, _created = TravelNeeds.objects.update_or_create(
            registration=registration, defaults=data
        )
    return needs


def delete_travel_needs(*, registration: Registration) -> int:
    """The registrant withdraws their travel needs."""
    deleted, _detail = TravelNeeds.objects.filter(registration=registration).delete()
    return deleted


def purge_travel_needs(*, now=None) -> int:
    """Delete the travel needs of every Jornada that has ended (the trip is over), and of
    registrations no longer active (cancelled or not approved)."""
    now = now or timezone.now()
    ended = TravelNeeds.objects.filter(registration__jornada__ends_at__lt=now)
    deleted, _detail = ended.delete()
    gone, _detail = TravelNeeds.objects.exclude(
        registration__status__in=["confirmed", "waitlisted", "pending"]
    ).delete()
    return deleted + gone
