"""State changes of internships. Each service owns its transaction; mail goes out after
commit through members' one helper (queue_email_to_user), in the recipient's language."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import render_subject
from counterparts.models import Engagement
from counterparts.services import open_engagement
from members.models import Profile
from members.services import queue_email_to_user
from pncs.models import Pncs

from .models import Application, Placement, PlacementEvent, StudentProfile

NOT_EDITABLE = _("Solo se corrige una pasantía a la que el PNCS pidió cambios.")
NOT_WAITING = _("Esta pasantía ya fue revisada; no cambió nada.")
NOT_OPEN = _("Esta pasantía ya no recibe postulaciones.")
DEADLINE_PASSED = _("La fecha límite para postular a esta pasantía ya pasó.")
NO_SEATS = _("Todos los lugares de esta pasantía ya están ocupados.")
ALREADY_APPLIED = _("Ya postulaste a esta pasantía.")
NO_CV = _("Sube tu CV en PDF a tu perfil de estudiante antes de postular.")
OWN_PLACEMENT = _("No puedes postular a una pasantía que tú ofreces.")
SEATS_FULL = _("No quedan lugares: ya se aceptó a tantas personas como lugares tiene.")
ALREADY_DECIDED = _("Esta postulación ya fue aceptada o no seleccionada; no cambió nada.")
WITHDRAWN = _("La persona estudiante retiró esta postulación; no cambió nada.")
NOT_WITHDRAWABLE = _(
    "Solo retiras una postulación que aún no se decide; si ya te aceptaron, escribe a la "
    "persona anfitriona."
)


class InternshipError(Exception):
    """A step the rules refuse; `message` is shown to the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _record(placement, action, *, by, reason="", at=None) -> PlacementEvent:
    return PlacementEvent.objects.create(
        placement=placement, action=action, reason=reason.strip(), by=by, at=at or timezone.now()
    )


def _coordinators(sector_id) -> list:
    users = {
        user.pk: user
        for point in Pncs.objects.filter(sector=sector_id, is_active=True)
        for user in point.coordinators.filter(is_active=True)
    }
    return [users[pk] for pk in sorted(users)]


def _mail(*, users, template: str, context) -> None:
    """One message per user, each in their language (`context` a callable)."""
    for user in users:
        queue_email_to_user(
            user=user,
            subject=lambda: render_subject(f"internships/email/{template}_subject.txt", context()),
            template=f"internships/email/{template}_body.txt",
            context=context,
        )


# --- Placements: offered by a member, reviewed by the PNCS of the sector -----------------


def _placement_mail(placement, event, users, *, for_reviewers=False) -> None:
    def context():
        name = "internships:review" if for_reviewers else "internships:host_placement"
        return {
            "placement": placement,
            "action": event.get_action_display(),
            "reason": event.reason,
            "status": placement.get_status_display(),
            "url": settings.SITE_URL + reverse(name, args=[placement.pk]),
        }

    _mail(users=users, template="placement", context=context)


def submit_placement(*, form, host) -> Placement:
    """A member offers a placement; it waits for the PNCS of its sector, whose coordinators
    are told by e-mail."""
    with transaction.atomic():
        now = timezone.now()
        placement = form.save(commit=False)
        placement.host = host
        placement.status = Placement.Status.SUBMITTED
        placement.created_at = now
        placement.submitted_at = now
        placement.save()
        event = _record(placement, PlacementEvent.Action.SUBMITTED, by=host, at=now)
        _placement_mail(placement, event, _coordinators(placement.sector_id), for_reviewers=True)
    return placement


def resubmit_placement(*, form, host) -> Placement:
    """The host corrects a placement the PNCS asked changes of; it waits again."""
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=form.instance.pk)
        if locked.status != Placement.Status.CHANGES:
            raise InternshipError(NOT_EDITABLE)
        now = timezone.now()
        placement = form.save(commit=False)
        placement.status = Placement.Status.SUBMITTED
        placement.submitted_at = now
        placement.save()
        event = _record(placement, PlacementEvent.Action.RESUBMITTED, by=host, at=now)
        _placement_mail(placement, event, _coordinators(placement.sector_id), for_reviewers=True)
    return placement


REVIEW_ACTIONS = {
    Placement.Status.PUBLISHED: PlacementEvent.Action.PUBLISHED,
    Placement.Status.CHANGES: PlacementEvent.Action.CHANGES,
    Placement.Status.DECLINED: PlacementEvent.Action.DECLINED,
}


def review_placement(*, placement_id: int, decision: str, reason: str, by) -> Placement:
    """The PNCS approves (publishes), asks for changes or declines a placement waiting for
    it (a reason is required for the last two, by the form); the step is dated and mailed
    to the host. Raises InternshipError when it no longer waits (nothing changes)."""
    with transaction.atomic():
        placement = Placement.objects.select_for_update().filter(pk=placement_id).first()
        if placement is None or placement.status != Placement.Status.SUBMITTED:
            raise InternshipError(NOT_WAITING)
        now = timezone.now()
        placement.status = decision
        placement.decided_at = now
        placement.save(update_fields=["status", "decided_at"])
        event = _record(placement, REVIEW_ACTIONS[decision], by=by, reason=reason, at=now)
        if placement.host.is_active:
            _placement_mail(placement, event, [placement.host])
    return placement


# --- Students --------------------------------------------------------------------------


def save_student_profile(*, form, user) -> StudentProfile:
    """Create or update the student's profile; a new CV replaces the old file (removed
    from the store after commit, so a rollback keeps the one in use)."""
    with transaction.atomic():
        profile = form.save(commit=False)
        now = timezone.now()
        old_name = None
        if profile.pk is None:
            profile.user = user
            profile.created_at = now
        if "cv" in form.changed_data:
            if profile.pk:
                old_name = StudentProfile.objects.filter(pk=profile.pk).values_list(
                    "cv", flat=True
                )[0]
            profile.cv_uploaded_at = now if profile.cv else None
        profile.save()
        if old_name and old_name != profile.cv.name:
            storage = profile.cv.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return profile


def apply(*, placement_id: int, student, motivation: str) -> Application:
    """A student applies to a published placement, before its deadline, while a seat is
    left, once; applying records their consent to share the CV with this placement's host
    and PNCS. The host is told by e-mail."""
    with transaction.atomic():
        # The placement row is the lock every seat decision takes (decide_application).
        placement = (
            Placement.objects.select_for_update()
            .filter(pk=placement_id, status=Placement.Status.PUBLISHED)
            .first()
        )
        if placement is None:
            raise InternshipError(NOT_OPEN)
        if placement.host_id == student.pk:
            raise InternshipError(OWN_PLACEMENT)
        if placement.deadline < timezone.localdate():
            raise InternshipError(DEADLINE_PASSED)
        if placement.applications.accepted().count() >= placement.seats:
            raise InternshipError(NO_SEATS)
        profile = StudentProfile.objects.filter(user=student).first()
        if profile is None or not profile.cv:
            raise InternshipError(NO_CV)
        now = timezone.now()
        earlier = placement.applications.filter(student=student).first()
        if earlier is not None and earlier.status != Application.Status.WITHDRAWN:
            raise InternshipError(ALREADY_APPLIED)
        if earlier is not None:
            # Applying again after withdrawing: the same application, received anew, with a
            # new motivation and a new consent.
            earlier.motivation = motivation.strip()
            earlier.status = Application.Status.APPLIED
            earlier.cv_consent_at = earlier.created_at = now
            earlier.decided_at = earlier.decided_by = None
            earlier.decision_reason = ""
            earlier.save()
            application = earlier
        else:
            try:
                with transaction.atomic():
                    application = Application.objects.create(
                        placement=placement,
                        student=student,
                        motivation=motivation.strip(),
                        cv_consent_at=now,
                        created_at=now,
                    )
            except IntegrityError:
                raise InternshipError(ALREADY_APPLIED) from None

        def context():
            return {
                "placement": placement,
                "student": profile.full_name,
                "url": settings.SITE_URL
                + reverse("internships:application", args=[application.pk]),
            }

        if placement.host.is_active:
            _mail(users=[placement.host], template="applied", context=context)
    return application


def decide_application(*, application_id: int, decision: str, reason: str, by) -> Application:
    """The host or the PNCS shortlists, accepts or declines an application (the caller
    checked they may: Application.objects.decidable_by). Accepting takes a seat: under the
    placement's row lock, never more accepted than seats. The student is told by e-mail;
    an acceptance opens the engagement between the student and the host (on_accepted)."""
    with transaction.atomic():
        placement_id = (
            Application.objects.filter(pk=application_id).values_list("placement_id", flat=True)
        ).first()
        if placement_id is None:
            raise InternshipError(ALREADY_DECIDED)
        placement = Placement.objects.select_for_update().get(pk=placement_id)
        application = (
            Application.objects.select_for_update().select_related("student").get(pk=application_id)
        )
        if not application.undecided:
            withdrawn = application.status == Application.Status.WITHDRAWN
            raise InternshipError(WITHDRAWN if withdrawn else ALREADY_DECIDED)
        if decision == Application.Status.ACCEPTED and (
            placement.applications.accepted().count() >= placement.seats
        ):
            raise InternshipError(SEATS_FULL)
        application.status = decision
        application.decision_reason = reason.strip()
        application.decided_at = timezone.now()
        application.decided_by = by
        application.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
        application.placement = placement
        if decision == Application.Status.ACCEPTED:
            on_accepted(application=application, by=by)

        def context():
            return {
                "placement": placement,
                "status": application.get_status_display(),
                "accepted": application.status == Application.Status.ACCEPTED,
                "reason": application.decision_reason,
                "url": settings.SITE_URL
                + (
                    reverse("counterparts:engagement", args=[application.engagement_id])
                    if application.engagement_id
                    else reverse("internships:student_home")
                ),
            }

        if application.student.is_active:
            _mail(users=[application.student], template="decision", context=context)
    return application


def withdraw_application(*, application_id: int, student) -> Application:
    """The student withdraws their application before it is decided (received or
    shortlisted), and with it the consent to share the CV for it: the host and the PNCS no
    longer see the CV, and the host is told by e-mail. The student may apply again while
    the placement is open (apply)."""
    with transaction.atomic():
        placement_id = (
            Application.objects.filter(pk=application_id, student=student).values_list(
                "placement_id", flat=True
            )
        ).first()
        if placement_id is None:
            raise InternshipError(NOT_WITHDRAWABLE)
        # The placement row first, as every seat decision takes it (decide_application).
        placement = Placement.objects.select_for_update().get(pk=placement_id)
        application = Application.objects.select_for_update().get(pk=application_id)
        if not application.undecided:
            raise InternshipError(NOT_WITHDRAWABLE)
        application.status = Application.Status.WITHDRAWN
        application.decided_at = timezone.now()
        application.decided_by = student
        application.decision_reason = ""
        application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        profile = StudentProfile.objects.filter(user=student).first()

        def context():
            return {
                "placement": placement,
                "student": profile.full_name if profile else "",
                "url": settings.SITE_URL
                + reverse("internships:host_placement", args=[placement.pk]),
            }

        if placement.host.is_active:
            _mail(users=[placement.host], template="withdrawn", context=context)
    return application


def on_accepted(*, application: Application, by=None):
    """An accepted student and the host become an engagement of the network (counterparts'
    ledger: planned, with the placement's dates, followed by the PNCS of its sector), linked
    from the application. Called inside decide_application's transaction, the placement row
    locked; an application keeps the engagement it opened (never a second one). Nobody is
    mailed from here: the student hears of the acceptance in decide_application's message.
    Returns the engagement, or None when the host has no member profile (a placement made
    in the admin)."""
    if application.engagement_id is not None:
        return application.engagement
    placement = application.placement
    profile = Profile.objects.filter(user=placement.host_id).first()
    if profile is None:
        return None
    engagement = open_engagement(
        kind=Engagement.Kind.INTERNSHIP,
        sector=placement.sector_id,
        member=profile,
        title=placement.title,
        student=application.student,
        by=by,
        starts_on=placement.starts_on,
        ends_on=placement.starts_on + timedelta(weeks=placement.duration_weeks),
        notify=False,
    )
    application.engagement = engagement
    application.save(update_fields=["engagement"])
    return engagement
