"""State changes of the programs app. Each service owns its transaction.

Applicant decisions and selection notices go out as transactional email, in the
recipient's preferred language, after commit.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import full_name
from members.services import queue_email_to_user

from . import events
from .grading import stage_result
from .models import (
    Application,
    Attendance,
    Certificate,
    Enrolment,
    ModuleGrade,
    Partner,
    Program,
    Selection,
    Stage,
    TravelDetails,
)

logger = logging.getLogger(__name__)

CALL_CLOSED_MESSAGE = gettext_lazy("La convocatoria de este programa no está abierta.")
ALREADY_APPLIED_MESSAGE = gettext_lazy("Ya enviaste una solicitud a este programa.")
CAPACITY_EXCEEDED_MESSAGE = gettext_lazy(
    "No hay cupo suficiente: quedan %(left)s lugares y se intentó aceptar a %(wanted)s personas."
)
RESIDENCE_REQUIRED_MESSAGE = gettext_lazy(
    "Este programa es para personas que viven en México: indica tu entidad federativa."
)
NOT_WITHDRAWABLE_MESSAGE = gettext_lazy("Esta solicitud ya no se puede retirar.")
SELECTION_DONE_MESSAGE = gettext_lazy("La selección para esta etapa ya se realizó.")
NO_CERTIFYING_PARTNER_MESSAGE = gettext_lazy(
    "Esta etapa no tiene institución que certifique ni nombre de certificación: "
    "complétalos en la etapa."
)
CERTIFICATIONS_CHANGED_MESSAGE = gettext_lazy(
    "Alguna persona del archivo ya tiene su certificación o dejó de estar certificada: "
    "no se importó nada. Vuelve a subir el archivo."
)
NO_NEXT_STAGE_MESSAGE = gettext_lazy("Esta etapa no tiene una etapa siguiente.")


RANKING_RULES = [
    gettext_lazy("el promedio de la persona en esta etapa y las anteriores, de mayor a menor;"),
    gettext_lazy("en empate, el promedio de esta etapa, de mayor a menor;"),
    gettext_lazy("después, la asistencia en esta etapa, de mayor a menor;"),
    gettext_lazy("después, la fecha de la solicitud, la más antigua primero;"),
    gettext_lazy("por último, el número de solicitud, el menor primero (nunca hay empates)."),
]


class ProgramError(Exception):
    """A refused state change; its message is shown to the person who asked."""


# --- Applications ---------------------------------------------------------------------


def apply_to_program(*, program: Program, user, data: dict) -> Application:
    """Create the user's application while the call is open (once per program).

    `data` holds the cleaned form fields. Refused (ProgramError) outside the call or if
    the person already applied. Eligibility by residence: a program for residents of
    Mexico records Mexico and needs a state; elsewhere a state is kept only for people
    who live in Mexico. The unique constraint settles a double submission.
    Once the program's capacity is taken, new applications go straight to the waiting list.
    """
    if not program.call_is_open():
        raise ProgramError(CALL_CLOSED_MESSAGE)
    data = dict(data)
    if program.requires_residence_in_mexico:
        data["residence_country"] = "MX"
    if str(data.get("residence_country") or "MX") != "MX":
        data["state"] = ""  # a Mexican state is asked only of residents of Mexico
    elif not data.get("state"):
        raise ProgramError(RESIDENCE_REQUIRED_MESSAGE)
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
    """One validated line of a results import.

    For a stage with modules or sessions, `grades` (module id → grade) and `attendance`
    (session id → attended) are the input and score, attendance and completion are
    computed (programs.grading); `certified` None then means "certified if completed".
    """

    line: int
    enrolment_id: int
    score: Decimal | None
    completed: bool
    certified: bool | None
    grades: dict | None = None
    attendance: dict | None = None


def stage_is_graded_by_module(stage: Stage) -> bool:
    """Whether the stage's results come from module grades and attendance (computed)."""
    return stage.modules.exists() or stage.sessions.exists()


def record_results(
    *, stage: Stage, rows: list[ResultRow], completed_on=None, notify: bool = True
) -> int:
    """Write validated results for a stage in one transaction, then issue certificates.

    Either every row is written or none is (the import validates first, and any
    database error rolls the whole batch back). For a stage graded by module, each
    row's grades and attendance replace the participant's previous ones and the stage
    result is computed from them.
    """
    completed_on = completed_on or timezone.localdate()
    by_module = stage_is_graded_by_module(stage)
    with transaction.atomic():
        enrolments = Enrolment.objects.select_for_update().in_bulk(
            [row.enrolment_id for row in rows]
        )
        for row in rows:
            enrolment = enrolments[row.enrolment_id]
            if enrolment.stage_id != stage.pk:
                raise ProgramError(f"enrolment {row.enrolment_id} is not in stage {stage.pk}")
            if not by_module:
                enrolment.score = row.score
                enrolment.completed = row.completed
                enrolment.certified = bool(row.certified)
                _stamp_completion(enrolment, completed_on)
        if by_module:
            ids = list(enrolments)
            ModuleGrade.objects.filter(enrolment_id__in=ids).delete()
            Attendance.objects.filter(enrolment_id__in=ids).delete()
            ModuleGrade.objects.bulk_create(
                ModuleGrade(enrolment_id=row.enrolment_id, module_id=module_id, grade=grade)
                for row in rows
                for module_id, grade in (row.grades or {}).items()
            )
            Attendance.objects.bulk_create(
                Attendance(enrolment_id=row.enrolment_id, session_id=session_id, attended=value)
                for row in rows
                for session_id, value in (row.attendance or {}).items()
            )
            certified = {row.enrolment_id: row.certified for row in rows}
            _compute(stage, list(enrolments.values()), certified, completed_on)
        Enrolment.objects.bulk_update(
            list(enrolments.values()),
            ["score", "attendance", "completed", "certified", "completed_on"],
        )
        issue_certificates(stage=stage, notify=notify)
    return len(rows)


def _stamp_completion(enrolment: Enrolment, completed_on) -> None:
    if enrolment.completed and enrolment.completed_on is None:
        enrolment.completed_on = completed_on
    if not enrolment.completed:
        enrolment.completed_on = None


def _compute(stage: Stage, enrolments: list[Enrolment], certified: dict, completed_on) -> None:
    """Set average, attendance and completion of `enrolments` from their stored grades and
    attendance (programs.grading). `certified` maps enrolment ids to True/False/None (None:
    certified when completed); a certified participant must have completed."""
    weights = dict(stage.modules.values_list("pk", "weight"))
    sessions = stage.sessions.count()
    ids = [e.pk for e in enrolments]
    grades: dict[int, dict[int, Decimal]] = {pk: {} for pk in ids}
    for enrolment_id, module_id, grade in ModuleGrade.objects.filter(
        enrolment_id__in=ids
    ).values_list("enrolment_id", "module_id", "grade"):
        grades[enrolment_id][module_id] = grade
    attended = dict(
        Attendance.objects.filter(enrolment_id__in=ids, attended=True)
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    for enrolment in enrolments:
        result = stage_result(
            grades=grades[enrolment.pk],
            weights=weights,
            attended=attended.get(enrolment.pk, 0),
            sessions=sessions,
            pass_grade=stage.pass_grade,
            min_attendance=stage.min_attendance,
        )
        enrolment.score = result.average
        enrolment.attendance = result.attendance
        enrolment.completed = result.completed
        wanted = certified.get(enrolment.pk, enrolment.certified)
        enrolment.certified = result.completed if wanted is None else bool(wanted)
        if not enrolment.completed:
            enrolment.certified = False
        _stamp_completion(enrolment, completed_on)


def save_result(*, enrolment: Enrolment) -> None:
    """Save one result entered by staff in the admin, then issue any missing certificate.

    For a stage graded by module the result is computed again from the participant's
    grades and attendance (a typed average is replaced by the computed one)."""
    with transaction.atomic():
        if stage_is_graded_by_module(enrolment.stage):
            certified = {enrolment.pk: enrolment.certified}
            _compute(enrolment.stage, [enrolment], certified, timezone.localdate())
        elif enrolment.completed and enrolment.completed_on is None:
            enrolment.completed_on = timezone.localdate()
        enrolment.save(
            update_fields=["score", "attendance", "completed", "certified", "completed_on"]
        )
        issue_certificates(stage=enrolment.stage)


def new_certificate_code() -> str:
    """128 bits from the OS's CSPRNG, URL-safe: unguessable and unique in practice."""
    return secrets.token_urlsafe(16)


def centre_of(program: Program) -> Partner | None:
    """The public centre that issues a program's constancias (its first public-centre
    partner), or None (then the network itself is named as the issuer)."""
    return program.partners.filter(kind=Partner.Kind.PUBLIC_CENTRE).order_by("pk").first()


NETWORK_ISSUER_NAME = "Red de Talentos Mexicanos"


def issue_certificates(*, stage: Stage, issued_on=None, notify: bool = True) -> int:
    """Issue the centre's constancia to every certified participant of the stage who has
    none yet, and tell each new holder by mail (after commit; `notify=False` for seeded
    history).

    Idempotent: a participant has at most one constancia per stage (unique per kind);
    only the rows this call inserted (found again by their fresh codes) are mailed.
    """
    centre = centre_of(stage.program)
    return _issue(
        stage=stage,
        kind=Certificate.Kind.CONSTANCIA,
        issuer=centre,
        title="",
        rows=[
            (enrolment, "", enrolment.completed_on or issued_on or timezone.localdate())
            for enrolment in _certified_without(stage, Certificate.Kind.CONSTANCIA)
        ],
        notify=notify,
    )


def issue_partner_certifications(*, stage: Stage, issued_on=None, notify: bool = True) -> int:
    """Issue the certifying partner's certification, here, to every certified participant
    of the stage who has none yet (the identifier is then the verification code)."""
    if stage.certifying_partner_id is None or not stage.certification_name:
        raise ProgramError(NO_CERTIFYING_PARTNER_MESSAGE)
    return _issue(
        stage=stage,
        kind=Certificate.Kind.PARTNER,
        issuer=stage.certifying_partner,
        title=stage.certification_name,
        rows=[
            (enrolment, "", enrolment.completed_on or issued_on or timezone.localdate())
            for enrolment in _certified_without(stage, Certificate.Kind.PARTNER)
        ],
        notify=notify,
    )


@dataclass(frozen=True)
class CertificationRow:
    """One validated line of a partner's certifications file."""

    line: int
    enrolment_id: int
    external_id: str
    issued_on: object


def import_partner_certifications(
    *, stage: Stage, rows: list[CertificationRow], notify: bool = True
) -> int:
    """Record the certifications the partner issued (its identifier and date), all or
    nothing: a participant who already holds one, or is not certified, stops the batch."""
    if stage.certifying_partner_id is None or not stage.certification_name:
        raise ProgramError(NO_CERTIFYING_PARTNER_MESSAGE)
    with transaction.atomic():
        enrolments = (
            Enrolment.objects.select_for_update(of=("self",))
            .filter(pk__in=[r.enrolment_id for r in rows], stage=stage, certified=True)
            .exclude(certificates__kind=Certificate.Kind.PARTNER)
            .select_related("application__user__profile")
            .in_bulk()
        )
        if len(enrolments) != len(rows):
            raise ProgramError(CERTIFICATIONS_CHANGED_MESSAGE)
        return _issue(
            stage=stage,
            kind=Certificate.Kind.PARTNER,
            issuer=stage.certifying_partner,
            title=stage.certification_name,
            rows=[(enrolments[r.enrolment_id], r.external_id, r.issued_on) for r in rows],
            notify=notify,
        )


def _certified_without(stage: Stage, kind: str):
    return (
        Enrolment.objects.filter(stage=stage, certified=True)
        .exclude(certificates__kind=kind)
        .select_related("application__user__profile")
        .order_by("pk")
    )


def _issue(*, stage, kind, issuer, title, rows, notify) -> int:
    """Create one credential per (enrolment, external id, date) row, skipping any the unique
    constraint says exists already, and mail each holder whose credential was created."""
    with transaction.atomic():
        certificates = [
            Certificate(
                enrolment=enrolment,
                kind=kind,
                issuer=issuer,
                issuer_name=issuer.name if issuer else NETWORK_ISSUER_NAME,
                title=title,
                external_id=external_id,
                code=new_certificate_code(),
                holder_name=_holder_name(enrolment.application.user),
                issued_on=issued_on,
            )
            for enrolment, external_id, issued_on in rows
        ]
        Certificate.objects.bulk_create(certificates, ignore_conflicts=True)
        created = Certificate.objects.filter(code__in=[c.code for c in certificates])
        created_ids = list(created.order_by("pk").values_list("pk", flat=True))
        count = len(created_ids)
        if created_ids:
            events.credentials_issued.send(sender=Certificate, certificate_ids=created_ids)
        if notify and count:
            for certificate in created.select_related(
                "enrolment__application__user", "enrolment__stage__program"
            ).iterator(chunk_size=500):
                _queue_certificate_email(certificate, "programs/email/certificate_issued.txt")
    return count


def _holder_name(user) -> str:
    return full_name(user)


def _queue_certificate_email(certificate: Certificate, template: str) -> None:
    """Tell the holder that their certificate was issued or revoked, with its public
    verification link, in their language."""
    enrolment = certificate.enrolment
    stage = enrolment.stage
    revoked = certificate.revoked_at is not None
    queue_email_to_user(
        user=enrolment.application.user,
        subject=lambda: _credential_subject(certificate, stage, revoked),
        template=template,
        context=lambda: {
            "certificate": certificate,
            "stage": stage,
            "program": stage.program,
            "verify_url": settings.SITE_URL + certificate.get_absolute_url(),
            "mine_url": settings.SITE_URL + reverse("programs:mine"),
        },
    )


def _credential_subject(certificate: Certificate, stage: Stage, revoked: bool) -> str:
    if certificate.is_partner_certification:
        text = (
            _("Tu certificación fue revocada: %(name)s")
            if revoked
            else _("Tu certificación: %(name)s")
        )
        return text % {"name": certificate.display_title}
    text = _("Tu constancia fue revocada: %(stage)s") if revoked else _("Tu constancia: %(stage)s")
    return text % {"stage": stage.name}


def revoke_certificates(*, certificate_ids: list[int], reason: str = "") -> int:
    """Revoke valid certificates (the verification page then says "revoked") and tell
    each holder by mail after commit. Already revoked ones are left as they are."""
    now = timezone.now()
    with transaction.atomic():
        valid = list(
            Certificate.objects.select_for_update()
            .filter(pk__in=certificate_ids, revoked_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        count = Certificate.objects.filter(pk__in=valid, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason[:300]
        )
        revoked = Certificate.objects.filter(pk__in=valid).select_related(
            "enrolment__application__user", "enrolment__stage__program"
        )
        for certificate in revoked.iterator(chunk_size=500):
            _queue_certificate_email(certificate, "programs/email/certificate_revoked.txt")
        if count:
            events.credentials_revoked.send(sender=Certificate, certificate_ids=valid)
    return count


# --- Selection for the next stage ----------------------------------------------------------


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    enrolment_id: int
    application_id: int
    average: Decimal
    last_score: Decimal
    attendance: Decimal | None
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

    The ranking key, documented and deterministic (the same order on every run; the
    admin's selection page states it, RANKING_RULES):
      1. average over the person's stage averages in this stage and the stages before it
         (for IA 1000's stage 1, simply the stage-1 weighted average), highest first;
      2. then the average in this stage (the most recent result), highest first;
      3. then attendance in this stage, highest first (a stage without sessions: equal);
      4. then the application date, earliest first (who applied first);
      5. then the application id, lowest first (a total order: no two rows tie).
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
    rows.sort(
        key=lambda r: (
            -r[2],
            -r[0].score,
            -(r[0].attendance if r[0].attendance is not None else Decimal(0)),
            r[1].created_at,
            r[1].pk,
        )
    )
    return [
        RankedCandidate(
            rank=n,
            enrolment_id=enrolment.pk,
            application_id=application.pk,
            average=average,
            last_score=enrolment.score,
            attendance=enrolment.attendance,
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
        expires_at = offer_deadline(target)
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    application_id=c.application_id,
                    stage=target,
                    rank=c.rank,
                    offer_expires_at=expires_at,
                )
                for c in selected
            ]
            + [
                Enrolment(
                    application_id=c.application_id,
                    stage=target,
                    status=Enrolment.Status.WAITLISTED,
                    rank=c.rank,
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
    outcomes = {
        application_id: (status, expires_at)
        for application_id, status, expires_at in Enrolment.objects.filter(
            stage=selection.target_stage
        ).values_list("application_id", "status", "offer_expires_at")
    }
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
    outcome, expires_at = outcome or (None, None)
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
            "expires_at": expires_at,
            "mine_url": settings.SITE_URL + reverse("programs:mine"),
        },
    )


# --- The seat abroad: confirm, decline, pass on ------------------------------------------

OFFER_CLOSED_MESSAGE = gettext_lazy(
    "Esta oferta ya no está abierta: venció el plazo o ya la respondiste."
)
NOT_DECLINABLE_MESSAGE = gettext_lazy("Este lugar ya no se puede declinar.")


def offer_deadline(stage: Stage, now=None):
    """Until when a seat offered now on `stage` stands (None: the stage asks no answer)."""
    if not stage.offer_days:
        return None
    return (now or timezone.now()) + datetime.timedelta(days=stage.offer_days)


def _seat_holder_for_update(*, enrolment_id: int, user=None):
    """Lock the enrolment's stage, then the enrolment (always in this order: every change
    of a stage's seats serialises on the stage row, so no two can overbook it)."""
    stage_id = Enrolment.objects.filter(pk=enrolment_id).values_list("stage_id", flat=True).first()
    if stage_id is None:
        return None
    Stage.objects.select_for_update().filter(pk=stage_id).first()
    rows = Enrolment.objects.select_for_update().filter(pk=enrolment_id)
    if user is not None:
        rows = rows.filter(application__user=user)
    return rows.first()


def confirm_seat(*, enrolment_id: int, user, now=None) -> Enrolment:
    """The selected participant confirms their seat before the offer's deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _seat_holder_for_update(enrolment_id=enrolment_id, user=user)
        if enrolment is None or not enrolment.offer_pending or enrolment.offer_expires_at <= now:
            raise ProgramError(OFFER_CLOSED_MESSAGE)
        enrolment.seat_confirmed_at = now
        enrolment.save(update_fields=["seat_confirmed_at"])
    return enrolment


def decline_seat(*, enrolment_id: int, user, reason: str = "", now=None) -> Enrolment:
    """The participant declines their seat (offered or already confirmed, while the stage
    has not started); it is offered at once to the next in rank."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _seat_holder_for_update(enrolment_id=enrolment_id, user=user)
        if (
            enrolment is None
            or enrolment.status != Enrolment.Status.ENROLLED
            or enrolment.rank is None
            or enrolment.stage.starts_on <= timezone.localdate(now)
        ):
            raise ProgramError(NOT_DECLINABLE_MESSAGE)
        enrolment.status = Enrolment.Status.DECLINED
        enrolment.released_at = now
        enrolment.seat_confirmed_at = None
        enrolment.decline_reason = reason.strip()[:300]
        enrolment.save(
            update_fields=["status", "released_at", "seat_confirmed_at", "decline_reason"]
        )
        TravelDetails.objects.filter(enrolment=enrolment).delete()
        _offer_free_seats(enrolment.stage, now=now)
    return enrolment


def expire_seat_offers(*, now=None) -> int:
    """Release every offer whose deadline passed without an answer and offer each seat to
    the next in rank. Safe to run twice or beside a confirmation: each release is a
    conditional update under the stage's lock."""
    now = now or timezone.now()
    due = list(
        Enrolment.objects.filter(
            status=Enrolment.Status.ENROLLED,
            seat_confirmed_at__isnull=True,
            offer_expires_at__lte=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    released = 0
    for enrolment_id in due:
        with transaction.atomic():
            enrolment = _seat_holder_for_update(enrolment_id=enrolment_id)
            if enrolment is None:
                continue
            updated = Enrolment.objects.filter(
                pk=enrolment_id,
                status=Enrolment.Status.ENROLLED,
                seat_confirmed_at__isnull=True,
                offer_expires_at__lte=now,
            ).update(status=Enrolment.Status.EXPIRED, released_at=now)
            if updated:
                released += 1
                _offer_free_seats(enrolment.stage, now=now)
    return released


def seats_of(stage: Stage) -> int:
    """How many seats a stage with a selection has: as many as were selected."""
    selection = Selection.objects.filter(target_stage=stage).only("selected_count").first()
    return selection.selected_count if selection else 0


def _offer_free_seats(stage: Stage, *, now) -> list[int]:
    """Offer the stage's free seats to the waitlist, best rank first (the caller holds the
    stage's lock). Each person offered is mailed in their language after commit."""
    free = seats_of(stage) - Enrolment.objects.enrolled().filter(stage=stage).count()
    if free <= 0:
        return []
    nexts = list(
        Enrolment.objects.filter(stage=stage, status=Enrolment.Status.WAITLISTED)
        .order_by("rank", "pk")
        .values_list("pk", flat=True)[:free]
    )
    expires_at = offer_deadline(stage, now) or now + datetime.timedelta(days=7)
    Enrolment.objects.filter(pk__in=nexts, status=Enrolment.Status.WAITLISTED).update(
        status=Enrolment.Status.ENROLLED, offer_expires_at=expires_at
    )
    for enrolment_id in nexts:
        transaction.on_commit(lambda pk=enrolment_id: _queue_seat_offer_email(pk))
    return nexts


def _queue_seat_offer_email(enrolment_id: int) -> None:
    enrolment = (
        Enrolment.objects.select_related("application__user", "stage__program")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return
    stage = enrolment.stage
    queue_email_to_user(
        user=enrolment.application.user,
        subject=lambda: _("Se liberó un lugar para ti: %(stage)s") % {"stage": stage.name},
        template="programs/email/seat_offer.txt",
        context=lambda: {
            "program": stage.program,
            "stage": stage,
            "expires_at": enrolment.offer_expires_at,
            "mine_url": settings.SITE_URL + reverse("programs:mine"),
        },
    )


# --- Travel data --------------------------------------------------------------------------


def save_travel_details(
    *, enrolment: Enrolment, data: dict, sensitive_consent: bool = False
) -> TravelDetails:
    """Store (or replace) the travel data of a confirmed participant of a stage that asks.
    Dietary and medical needs are kept only with the express consent (its time is kept
    while they are); without it they are not stored."""
    data = dict(data)
    if sensitive_consent and (data.get("dietary_needs") or data.get("medical_needs")):
        previous = (
            TravelDetails.objects.filter(enrolment=enrolment)
            .values_list("sensitive_consent_at", flat=True)
            .first()
        )
        data["sensitive_consent_at"] = previous or timezone.now()
    else:
        data.update(dietary_needs="", medical_needs="", sensitive_consent_at=None)
    with transaction.atomic():
        details, _created = TravelDetails.objects.update_or_create(
            enrolment=enrolment, defaults=data
        )
    return details


def purge_travel_details(*, today=None) -> int:
    """Delete the travel data of every stage that has ended (the trip is over)."""
    today = today or timezone.localdate()
    deleted, _detail = TravelDetails.objects.filter(enrolment__stage__ends_on__lt=today).delete()
    return deleted
