"""Partner operations (OAuth 2.0 client credentials): each needs its scope and reaches only
the program, chapter or sector its application was given; every write and every read of
personal data is audited (api.models.PartnerAudit)."""

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from programs.importing import validate_certification_rows, validate_rows
from programs.models import Stage
from programs.services import ProgramError, import_partner_certifications, record_results

from . import services
from .auth import PartnerGrant, PartnerThrottle, PartnerToken
from .models import PartnerAudit, Scope
from .problems import ProblemError, not_found

router = Router(tags=["partner"], throttle=[PartnerThrottle()])

IMPORT_REJECTED_MESSAGE = _("El archivo tiene errores: no se importó nada.")
MAX_COLUMNS = 200


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
