"""State changes of the programs app. Each service owns its transaction.

Applicant decisions and selection notices go out as transactional email, in the
recipient's preferred language, after commit.
"""

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.services import queue_email_to_user

from .models import Application, Certificate, Enrolment, Program, Selection, Stage

logger = logging.getLogger(__name__)

CALL_CLOSED_MESSAGE = gettext_lazy("La convocatoria de este programa no está abierta.")
ALREADY_APPLIED_MESSAGE = gettext_lazy("Ya enviaste una solicitud a este programa.")
CAPACITY_EXCEEDED_MESSAGE = gettext_lazy(
    "No hay cupo suficiente: quedan %(left)s lugares y se intentó aceptar a %(wanted)s personas."
)
NOT_WITHDRAWABLE_MESSAGE = gettext_lazy("Esta solicitud ya no se puede retirar.")
SELECTION_DONE_MESSAGE = gettext_lazy("La selección para esta etapa ya se realizó.")
NO_NEXT_STAGE_MESSAGE = gettext_lazy("Esta etapa no tiene una etapa siguiente.")


class ProgramError(Exception):
    """A refused state change; its message is shown to the person who asked."""


# --- Applications ---------------------------------------------------------------------


def apply_to_program(*, program: Program, user, data: dict) -> Application:
    """Create the user's application while the call is open (once per program).

    `data` holds the cleaned form fields. Refused (ProgramError) outside the call or if
    the person already applied. The unique constraint settles a double submission.
    Once the program's capacity is taken, new applications go straight to the waiting list.
    """
    if not program.call_is_open():
        raise ProgramError(CALL_CLOSED_MESSAGE)
    full = Application.objects.filter(program=program).accepted().count() >= program.capacity
    status = Application.Status.WAITLISTED if full else Application.Status.APPLIED
    try:
        with transaction.atomic():
            application = Application.objects.create(
                program=program, user=user, status=status, **data
            )
    except IntegrityError as exc:
        raise ProgramError(ALREADY_APPLIED_MESSAGE) from exc
    return application


def withdraw_application(*, application: Application) -> None:
    """The applicant withdraws a pending (applied or waitlisted) application."""
    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application.pk,
            status__in=[Application.Status.APPLIED, Application.Status.WAITLISTED],
        ).update(status=Application.Status.WITHDRAWN, decided_at=timezone.now())
        if updated != 1:
            raise ProgramError(NOT_WITHDRAWABLE_MESSAGE)


DECIDABLE = {
    Application.Status.ACCEPTED: [Application.Status.APPLIED, Application.Status.WAITLISTED],
    Application.Status.WAITLISTED: [Application.Status.APPLIED],
    Application.Status.REJECTED: [Application.Status.APPLIED, Application.Status.WAITLISTED],
}


@dataclass
class DecisionOutcome:
    changed: int
    skipped: int


def decide_applications(*, application_ids: list[int], decision: str) -> DecisionOutcome:
    """Accept, waitlist or reject applications, telling each applicant by email.

    Only pending applications change (accepted ones stay accepted); the others are
    skipped. Accepting never takes a program past its capacity: the program rows are
    locked, the accepted count read, and the whole batch refused if it does not fit.
    Accepted applicants are enrolled in the program's first stage.
    """
    if decision not in DECIDABLE:
        raise ValueError(f"unknown decision {decision!r}")
    now = timezone.now()
    with transaction.atomic():
        candidates = list(
            Application.objects.filter(pk__in=application_ids, status__in=DECIDABLE[decision])
            .select_related("user", "program")
            .order_by("pk")
        )
        program_ids = sorted({a.program_id for a in candidates})
        # Lock the programs (in id order, no deadlock) so two batches cannot both fit.
        programs = {p.pk: p for p in Program.objects.select_for_update().filter(pk__in=program_ids)}
        if decision == Application.Status.ACCEPTED:
            for program_id in program_ids:
                wanted = sum(1 for a in candidates if a.program_id == program_id)
                accepted = Application.objects.filter(
                    program_id=program_id, status=Application.Status.ACCEPTED
                ).count()
                left = programs[program_id].capacity - accepted
                if wanted > left:
                    raise ProgramError(
                        CAPACITY_EXCEEDED_MESSAGE % {"left": max(left, 0), "wanted": wanted}
                    )
        changed = []
        for application in candidates:
            updated = Application.objects.filter(
                pk=application.pk, status__in=DECIDABLE[decision]
            ).update(status=decision, decided_at=now)
            if updated:
                application.status = decision
                changed.append(application)
        if decision == Application.Status.ACCEPTED and changed:
            first_stages = {}
            for s in Stage.objects.filter(program_id__in=program_ids).order_by("order"):
                first_stages.setdefault(s.program_id, s)
            Enrolment.objects.bulk_create(
                [
                    Enrolment(application=a, stage=first_stages[a.program_id])
                    for a in changed
                    if a.program_id in first_stages
                ],
                ignore_conflicts=True,
            )
        for application in changed:
            _queue_decision_email(application)
    return DecisionOutcome(changed=len(changed), skipped=len(application_ids) - len(changed))


def _queue_decision_email(application: Application) -> None:
    queue_email_to_user(
        user=application.user,
        subject=lambda: _("Tu solicitud a %(program)s") % {"program": application.program.name},
        template="programs/email/decision.txt",
        context={"application": application, "program": application.program},
    )


# --- Results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One validated line of a results import."""

    line: int
    enrolment_id: int
    score: Decimal | None
    completed: bool
    certified: bool


def record_results(*, stage: Stage, rows: list[ResultRow], completed_on=None) -> int:
    """Write validated results for a stage in one transaction, then issue certificates.

    Either every row is written or none is (the import validates first, and any
    database error rolls the whole batch back).
    """
    completed_on = completed_on or timezone.localdate()
    with transaction.atomic():
        enrolments = Enrolment.objects.select_for_update().in_bulk(
            [row.enrolment_id for row in rows]
        )
        for row in rows:
            enrolment = enrolments[row.enrolment_id]
            if enrolment.stage_id != stage.pk:
                raise ProgramError(f"enrolment {row.enrolment_id} is not in stage {stage.pk}")
            enrolment.score = row.score
            enrolment.completed = row.completed
            enrolment.certified = row.certified
            if row.completed and enrolment.completed_on is None:
                enrolment.completed_on = completed_on
            if not row.completed:
                enrolment.completed_on = None
        Enrolment.objects.bulk_update(
            list(enrolments.values()), ["score", "completed", "certified", "completed_on"]
        )
        issue_certificates(stage=stage)
    return len(rows)


def save_result(*, enrolment: Enrolment) -> None:
    """Save one result entered by staff in the admin, then issue any missing certificate."""
    with transaction.atomic():
        if enrolment.completed and enrolment.completed_on is None:
            enrolment.completed_on = timezone.localdate()
        enrolment.save(update_fields=["score", "completed", "certified", "completed_on"])
        issue_certificates(stage=enrolment.stage)


def new_certificate_code() -> str:
    """128 bits from the OS's CSPRNG, URL-safe: unguessable and unique in practice."""
    return secrets.token_urlsafe(16)


def issue_certificates(*, stage: Stage, issued_on=None) -> int:
    """Issue a certificate to every certified participant of the stage who has none yet.

    Idempotent: a participant has at most one certificate per stage (one-to-one).
    """
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        missing = (
            Enrolment.objects.filter(stage=stage, certified=True, certificate__isnull=True)
            .select_related("application__user__profile")
            .order_by("pk")
        )
        certificates = [
            Certificate(
                enrolment=enrolment,
                code=new_certificate_code(),
                holder_name=_holder_name(enrolment.application.user),
                issued_on=enrolment.completed_on or issued_on,
            )
            for enrolment in missing
        ]
        Certificate.objects.bulk_create(certificates, ignore_conflicts=True)
    return len(certificates)


def _holder_name(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is not None and profile.full_name:
        return profile.full_name
    return user.get_full_name() or user.email.split("@")[0]


def revoke_certificates(*, certificate_ids: list[int], reason: str = "") -> int:
    """Revoke valid certificates; the verification page then says "revoked"."""
    with transaction.atomic():
        return Certificate.objects.filter(pk__in=certificate_ids, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason[:300]
        )


# --- Selection for the next stage ----------------------------------------------------------


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    enrolment_id: int
    application_id: int
    average: Decimal
    last_score: Decimal
    applied_at: object
    email: str
    holder_name: str


def next_stage(stage: Stage) -> Stage | None:
    """The stage that follows `stage` in its program, or None."""
    return (
        Stage.objects.filter(program_id=stage.program_id, order__gt=stage.order)
        .order_by("order")
        .first()
    )


def rank_candidates(*, stage: Stage) -> list[RankedCandidate]:
    """Everyone who completed `stage` with a score, best first.

    The ranking key, documented and deterministic (the same order on every run):
      1. average score over the person's results in this stage and the stages before it
         (for IA 1000's stage 1, simply the stage-1 score), highest first;
      2. then the score in this stage (the most recent result), highest first;
      3. then the application date, earliest first (who applied first);
      4. then the application id, lowest first (a total order: no two rows tie).
    """
    candidates = (
        Enrolment.objects.enrolled()
        .filter(stage=stage, completed=True, score__isnull=False)
        .select_related("application__user__profile")
        .order_by("pk")
    )
    averages = dict(
        Enrolment.objects.filter(
            application__in=candidates.values("application_id"),
            stage__program_id=stage.program_id,
            stage__order__lte=stage.order,
            score__isnull=False,
        )
        .order_by()
        .values("application_id")
        .annotate(avg=Avg("score"))
        .values_list("application_id", "avg")
    )
    rows = []
    for enrolment in candidates:
        application = enrolment.application
        average = Decimal(averages[application.pk]).quantize(Decimal("0.01"))
        rows.append((enrolment, application, average))
    rows.sort(key=lambda r: (-r[2], -r[0].score, r[1].created_at, r[1].pk))
    return [
        RankedCandidate(
            rank=n,
            enrolment_id=enrolment.pk,
            application_id=application.pk,
            average=average,
            last_score=enrolment.score,
            applied_at=application.created_at,
            email=application.user.email,
            holder_name=_holder_name(application.user),
        )
        for n, (enrolment, application, average) in enumerate(rows, start=1)
    ]


@dataclass
class SelectionOutcome:
    selection: Selection
    created: bool


def select_for_next_stage(
    *, stage: Stage, count: int, waitlist: int = 0, confirmed_by=None
) -> SelectionOutcome:
    """Enrol the best `count` of `stage` in the next stage and waitlist the next `waitlist`.

    Exactly min(count, candidates) people are selected. The selection is recorded once
    per target stage: running it again returns the existing selection and changes
    nothing. Everyone ranked is told the outcome by a Celery task after commit.
    """
    target = next_stage(stage)
    if target is None:
        raise ProgramError(NO_NEXT_STAGE_MESSAGE)
    with transaction.atomic():
        # Lock the target stage: two concurrent confirmations serialise here.
        Stage.objects.select_for_update().get(pk=target.pk)
        existing = Selection.objects.filter(target_stage=target).first()
        if existing is not None:
            return SelectionOutcome(selection=existing, created=False)
        ranking = rank_candidates(stage=stage)
        selected = ranking[:count]
        waiting = ranking[count : count + waitlist]
        Enrolment.objects.bulk_create(
            [Enrolment(application_id=c.application_id, stage=target) for c in selected]
            + [
                Enrolment(
                    application_id=c.application_id,
                    stage=target,
                    status=Enrolment.Status.WAITLISTED,
                )
                for c in waiting
            ],
            ignore_conflicts=True,
        )
        selection = Selection.objects.create(
            source_stage=stage,
            target_stage=target,
            selected_count=len(selected),
            waitlist_count=len(waiting),
            confirmed_by=confirmed_by,
        )
        from .tasks import send_selection_notices_task

        transaction.on_commit(lambda: send_selection_notices_task.delay(selection_id=selection.pk))
    return SelectionOutcome(selection=selection, created=True)


def send_selection_notices(*, selection_id: int, batch_size: int = 200) -> int:
    """Tell everyone ranked in a selection their outcome, each person at most once.

    Each notice is claimed with a conditional update of the source-stage enrolment's
    `selection_notified_at` before its email is queued (in the same transaction), so
    re-running the task or a redelivered message sends nothing twice.
    """
    selection = (
        Selection.objects.select_related("source_stage__program", "target_stage")
        .filter(pk=selection_id)
        .first()
    )
    if selection is None:
        return 0
    outcomes = dict(
        Enrolment.objects.filter(stage=selection.target_stage).values_list(
            "application_id", "status"
        )
    )
    pending = (
        Enrolment.objects.filter(
            stage=selection.source_stage,
            status=Enrolment.Status.ENROLLED,
            completed=True,
            score__isnull=False,
            selection_notified_at__isnull=True,
        )
        .select_related("application__user")
        .order_by("pk")
    )
    sent = 0
    while True:
        batch = list(pending[:batch_size])
        if not batch:
            break
        for enrolment in batch:
            with transaction.atomic():
                claimed = Enrolment.objects.filter(
                    pk=enrolment.pk, selection_notified_at__isnull=True
                ).update(selection_notified_at=timezone.now())
                if claimed:
                    _queue_selection_email(
                        selection, enrolment, outcomes.get(enrolment.application_id)
                    )
                    sent += 1
    return sent


def _queue_selection_email(selection: Selection, enrolment: Enrolment, outcome) -> None:
    queue_email_to_user(
        user=enrolment.application.user,
        subject=lambda: (
            _("Resultados de la selección: %(stage)s") % {"stage": selection.target_stage.name}
        ),
        template="programs/email/selection.txt",
        context={
            "program": selection.source_stage.program,
            "stage": selection.source_stage,
            "target": selection.target_stage,
            "outcome": outcome or "not_selected",
        },
    )
