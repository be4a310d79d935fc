"""Partner operations (OAuth 2.0 client credentials): each needs its scope and reaches only
the program, chapter or sector its application was given; every write and every read of
personal data is audited (api.models.PartnerAudit)."""

import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from chapters.models import Jornada, Registration
from members.models import Profile
from programs.importing import validate_certification_rows, validate_rows
from programs.models import Stage
from programs.services import ProgramError, import_partner_certifications, record_results

from . import services
from .auth import PartnerGrant, PartnerThrottle, PartnerToken
from .events import member_data
from .models import PartnerAudit, Scope
from .problems import ProblemError, not_found
from .public import Cursor

router = Router(tags=["partner"], throttle=[PartnerThrottle()])

IMPORT_REJECTED_MESSAGE = _("El archivo tiene errores: no se importó nada.")
DAILY_CAP_MESSAGE = _(
    "Tu aplicación llegó al límite diario de personas que puede leer: vuelve a intentarlo mañana."
)
MAX_COLUMNS = 200


class MemberRefOut(Schema):
    id: int
    name: str


class PartnerOut(Schema):
    name: str
    client_id: str
    scopes: list[str]
    program: str | None
    chapter: str | None
    sector: str | None
    webhook_url: str
    webhook_events: list[str]


@router.get(
    "/me",
    response=PartnerOut,
    auth=PartnerToken(scope=None),
    summary="The calling partner application",
)
def who_am_i(request):
    grant: PartnerGrant = request.auth
    partner = grant.partner
    return {
        "name": partner.name,
        "client_id": partner.client_id,
        "scopes": sorted(grant.scopes),
        "program": partner.program.slug if partner.program_id else None,
        "chapter": partner.chapter.slug if partner.chapter_id else None,
        "sector": partner.sector.slug if partner.sector_id else None,
        "webhook_url": partner.webhook_url,
        "webhook_events": list(partner.webhook_events),
    }


# --- programs:results ---------------------------------------------------------------------


class PartnerStageOut(Schema):
    id: int
    order: int
    name_es: str
    name_en: str
    graded_by_module: bool
    columns: list[str]
    certification_name: str


def _stages(grant: PartnerGrant):
    return Stage.objects.filter(program_id=grant.partner.program_id).order_by("order", "pk")


@router.get(
    "/program/stages",
    response=list[PartnerStageOut],
    auth=PartnerToken(scope=Scope.PROGRAM_RESULTS),
    summary="The stages of the partner's program, with the columns of their results",
)
def program_stages(request):
    stages = _stages(request.auth).prefetch_related("modules", "sessions")
    out = []
    for stage in stages:
        modules = sorted(stage.modules.all(), key=lambda m: (m.order, m.pk))
        sessions = sorted(stage.sessions.all(), key=lambda s: (s.starts_at, s.pk))
        by_module = bool(modules or sessions)
        columns = (
            ["correo", *[m.code for m in modules], *[s.code for s in sessions], "certificado"]
            if by_module
            else ["correo", "calificacion", "concluyo", "certificado"]
        )
        out.append(
            {
                "id": stage.pk,
                "order": stage.order,
                "name_es": stage.name_es,
                "name_en": stage.name_en,
                "graded_by_module": by_module,
                "columns": columns,
                "certification_name": stage.certification_name,
            }
        )
    return out


class TableIn(Schema):
    """A results table as the admin's import reads it: the header (Spanish or English
    column names) and one list of cells per participant, all as text."""

    columns: list[str] = Field(..., max_length=MAX_COLUMNS)
    rows: list[list[str]] = Field(..., max_length=20_000)


class ImportOut(Schema):
    imported: int
    stage: int


def _table(body: TableIn) -> list[list[str]]:
    return [list(body.columns), *[list(row) for row in body.rows]]


def _partner_stage(grant: PartnerGrant, stage_id: int) -> Stage:
    stage = (
        _stages(grant).select_related("program", "certifying_partner").filter(pk=stage_id).first()
    )
    if stage is None:
        raise not_found()
    return stage


@router.post(
    "/program/stages/{stage_id}/results",
    response=ImportOut,
    auth=PartnerToken(scope=Scope.PROGRAM_RESULTS),
    summary="Import a stage's results (all or nothing), issuing the credentials earned",
    description="The same validation as the admin's import (programs.importing): every "
    "problem is reported with its line (the header is line 1) and nothing is written if "
    "there is any. Certified participants receive their credential (and the partner a "
    "`credential.issued` webhook).",
)
def import_results(request, stage_id: int, body: TableIn):
    grant: PartnerGrant = request.auth
    stage = _partner_stage(grant, stage_id)
    rows, errors = validate_rows(stage=stage, table=_table(body))
    target = f"stage {stage.pk}"
    if errors:
        services.audit(
            partner=grant.partner,
            action=PartnerAudit.Action.RESULTS_IMPORT,
            target=target,
            rows=len(body.rows),
            accepted=False,
        )
        raise ProblemError(422, IMPORT_REJECTED_MESSAGE, errors=errors)
    count = record_results(stage=stage, rows=rows)
    services.audit(
        partner=grant.partner,
        action=PartnerAudit.Action.RESULTS_IMPORT,
        target=target,
        rows=count,
        accepted=True,
    )
    return {"imported": count, "stage": stage.pk}


@router.post(
    "/program/stages/{stage_id}/certifications",
    response=ImportOut,
    auth=PartnerToken(scope=Scope.PROGRAM_RESULTS),
    summary="Record the certifications the partner issued (all or nothing)",
    description="Columns: correo, identificador, fecha (the admin's certifications import).",
)
def import_certifications(request, stage_id: int, body: TableIn):
    grant: PartnerGrant = request.auth
    stage = _partner_stage(grant, stage_id)
    rows, errors = validate_certification_rows(stage=stage, table=_table(body))
    count = 0
    if not errors:
        try:
            count = import_partner_certifications(stage=stage, rows=rows)
        except ProgramError as exc:
            errors = [str(exc)]
    services.audit(
        partner=grant.partner,
        action=PartnerAudit.Action.CERTIFICATIONS_IMPORT,
        target=f"stage {stage.pk}",
        rows=count if not errors else len(body.rows),
        accepted=not errors,
    )
    if errors:
        raise ProblemError(422, IMPORT_REJECTED_MESSAGE, errors=errors)
    return {"imported": count, "stage": stage.pk}


# --- chapters:events ----------------------------------------------------------------------


class ChapterEventOut(Schema):
    id: int
    title_es: str
    title_en: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    is_published: bool
    registration_mode: str
    capacity: int | None
    confirmed: int
    waitlisted: int


def _events(grant: PartnerGrant):
    """The events of the partner's chapter only (never network-wide ones or another's)."""
    return Jornada.objects.filter(chapter_id=grant.partner.chapter_id).with_counts()


def event_out(jornada: Jornada) -> dict:
    return {
        "id": jornada.pk,
        "title_es": jornada.title_es,
        "title_en": jornada.title_en,
        "starts_at": jornada.starts_at,
        "ends_at": jornada.ends_at,
        "is_published": jornada.is_published,
        "registration_mode": jornada.registration_mode,
        "capacity": jornada.capacity,
        "confirmed": jornada.confirmed_count,
        "waitlisted": jornada.waitlist_count,
    }


@router.get(
    "/chapter/events",
    response=list[ChapterEventOut],
    auth=PartnerToken(scope=Scope.CHAPTER_EVENTS),
    summary="The partner's chapter's events (published or not), with their counts",
)
@paginate(Cursor, to_out=event_out, ordering=("-pk",))
def chapter_events(request):
    return _events(request.auth)


class RegistrationOut(Schema):
    id: int
    status: str
    registered_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    checked_in: bool
    member: MemberRefOut


@router.get(
    "/chapter/events/{event_id}/registrations",
    response=list[RegistrationOut],
    auth=PartnerToken(scope=Scope.CHAPTER_EVENTS),
    summary="Who registered to one of the chapter's events (audited)",
)
def event_registrations(request, event_id: int):
    grant: PartnerGrant = request.auth
    jornada = _events(grant).filter(pk=event_id).first()
    if jornada is None:
        raise not_found()
    registrations = list(
        Registration.objects.filter(jornada=jornada, user__deleted_at__isnull=True)
        .select_related("user__profile")
        .order_by("pk")
    )
    services.audit(
        partner=grant.partner,
        action=PartnerAudit.Action.REGISTRATIONS_READ,
        target=f"event {jornada.pk}",
        rows=len(registrations),
        accepted=True,
    )
    return [
        {
            "id": registration.pk,
            "status": registration.status,
            "registered_at": registration.registered_at,
            "confirmed_at": registration.confirmed_at,
            "cancelled_at": registration.cancelled_at,
            "checked_in": registration.checked_in_at is not None,
            "member": member_data(registration.user),
        }
        for registration in registrations
    ]


# --- pncs:members -------------------------------------------------------------------------


class SectorMemberOut(Schema):
    """The coordinators' export allow-list (pncs.exports.header), nothing more."""

    id: int
    given_names: str
    paternal_surname: str
    maternal_surname: str
    email: str
    headline: str
    country: str
    city: str
    state_of_origin: str
    education_level: str
    sectors: list[str]
    expertise: list[str]
    contributions: list[str]
    languages: list[str]
    willing_to_travel: bool
    updated_at: datetime.datetime


def sector_member_out(profile: Profile) -> dict:
    return {
        "id": profile.pk,
        "given_names": profile.given_names,
        "paternal_surname": profile.paternal_surname,
        "maternal_surname": profile.maternal_surname,
        "email": profile.user.email,
        "headline": profile.headline,
        "country": str(profile.country),
        "city": profile.city,
        "state_of_origin": profile.state_of_origin,
        "education_level": profile.education_level,
        "sectors": [sector.slug for sector in profile.sectors.all()],
        "expertise": [tag.name for tag in profile.expertise.all()],
        "contributions": [str(c) for c in profile.contributions.all()],
        "languages": [str(language) for language in profile.languages.all()],
        "willing_to_travel": profile.willing_to_travel,
        "updated_at": profile.updated_at,
    }


class MembersCursor(Cursor):
    """A page of a sector's consented members, counted against the daily cap of members a
    partner may read and audited before it is answered."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        grant: PartnerGrant = request.auth
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = len(page["results"])
        if not services.within_daily_member_cap(partner=grant.partner, rows=rows):
            services.audit(
                partner=grant.partner,
                action=PartnerAudit.Action.MEMBERS_READ,
                target=f"sector {grant.partner.sector.slug}",
                rows=rows,
                accepted=False,
            )
            raise ProblemError(429, DAILY_CAP_MESSAGE, headers={"Retry-After": "3600"})
        services.audit(
            partner=grant.partner,
            action=PartnerAudit.Action.MEMBERS_READ,
            target=f"sector {grant.partner.sector.slug}",
            rows=rows,
            accepted=True,
        )
        return page


@router.get(
    "/sector/members",
    response=list[SectorMemberOut],
    auth=PartnerToken(scope=Scope.SECTOR_MEMBERS),
    summary="The partner's sector's members who allowed PNCS contact (export allow-list)",
    description="Only members who allowed the PNCS to contact them (the coordinators' "
    "export rule, Profile.objects.contactable_by_pncs), only the export's fields. Every "
    "page is audited and counted against the partner's daily cap of members read "
    "(the coordinators' daily cap, MEMBERS_DAILY_PNCS_MEMBER_PAGE_CAP): past it, 429.",
)
@paginate(MembersCursor, to_out=sector_member_out)
def sector_members(request):
    grant: PartnerGrant = request.auth
    return (
        Profile.objects.contactable_by_pncs()
        .filter(sectors=grant.partner.sector_id)
        .select_related("user")
        .prefetch_related("sectors", "expertise", "contributions", "languages")
    )
