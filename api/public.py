"""Public, anonymous, rate-limited reads: what the site's public pages show, through the
same querysets (an anonymous visitor's visibility), in the request's language."""

import datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination, paginate
from pydantic import ValidationError as PydanticValidationError

from chapters.models import Chapter
from programs.models import Certificate, Program

from .auth import AnonymousThrottle
from .problems import INVALID_CURSOR_MESSAGE, ProblemError, not_found

router = Router(tags=["public"], throttle=[AnonymousThrottle()])
ANONYMOUS = AnonymousUser()
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def localized(obj, field: str) -> str:
    """`field_en` or `field_es` of `obj`, by the active language (Spanish by default)."""
    lang = "en" if (get_language() or "").lower().startswith("en") else "es"
    return getattr(obj, f"{field}_{lang}") or getattr(obj, f"{field}_es")


def absolute(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path


class Cursor(CursorPagination):
    """Cursor pagination over the primary key (stable whatever is added meanwhile); each
    row of the page goes out through `to_out` (the view returns the scoped queryset)."""

    def __init__(self, *, to_out, ordering=("pk",), **kwargs):
        self.to_out = to_out
        super().__init__(
            ordering=ordering, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs
        )

    def paginate_queryset(self, queryset, pagination, request, **params):
        try:
            cursor = self.Cursor.from_encoded_param(pagination.cursor)
        except (NinjaValidationError, PydanticValidationError) as exc:
            raise ProblemError(422, INVALID_CURSOR_MESSAGE) from exc
        if cursor.p is not None and not cursor.p.lstrip("-").isdigit():
            raise ProblemError(422, INVALID_CURSOR_MESSAGE)
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["results"] = [self.to_out(row) for row in page["results"]]
        return page


# --- Programs -----------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    order: int
    name: str
    mode: str
    starts_on: datetime.date
    ends_on: datetime.date
    seats: int | None = None


class ProgramOut(Schema):
    slug: str
    name: str
    summary: str
    description: str
    eligibility: str
    call_opens_at: datetime.datetime
    call_closes_at: datetime.datetime
    call_open: bool
    partners: list[str]
    stages: list[StageOut]
    url: str


def program_out(program: Program) -> dict:
    now = timezone.now()
    return {
        "slug": program.slug,
        "name": localized(program, "name"),
        "summary": localized(program, "summary"),
        "description": localized(program, "description"),
        "eligibility": localized(program, "eligibility"),
        "call_opens_at": program.call_opens_at,
        "call_closes_at": program.call_closes_at,
        "call_open": program.call_is_open(now),
        "partners": [partner.name for partner in program.partners.all()],
        "stages": [
            {
                "id": stage.pk,
                "order": stage.order,
                "name": localized(stage, "name"),
                "mode": stage.mode,
                "starts_on": stage.starts_on,
                "ends_on": stage.ends_on,
                "seats": stage.seats,
            }
            for stage in sorted(program.stages.all(), key=lambda s: s.order)
        ],
        "url": absolute(program.get_absolute_url()),
    }


class ProgramFilters(Schema):
    call_open: bool | None = Field(None, description="Only programs whose call is open (or closed)")


@router.get("/programs", response=list[ProgramOut], summary="Programs")
@paginate(Cursor, to_out=program_out)
def list_programs(request, filters: Query[ProgramFilters]):
    programs = Program.objects.visible_to(ANONYMOUS).prefetch_related("stages", "partners")
    if filters.call_open is not None:
        now = timezone.now()
        is_open = {"call_opens_at__lte": now, "call_closes_at__gt": now}
        programs = programs.filter(**is_open) if filters.call_open else programs.exclude(**is_open)
    return programs


@router.get("/programs/{slug}", response=ProgramOut, summary="One program")
def get_program(request, slug: str):
    program = (
        Program.objects.visible_to(ANONYMOUS)
        .prefetch_related("stages", "partners")
        .filter(slug=slug)
        .first()
    )
    if program is None:
        raise not_found()
    return program_out(program)


# --- Credential verification --------------------------------------------------------------


class OtherCredentialOut(Schema):
    kind: str
    title: str
    issuer_name: str
    issued_on: datetime.date
    valid: bool


class CredentialOut(Schema):
    code: str
    kind: str
    title: str
    issuer_name: str
    external_id: str
    holder_name: str
    program: str
    stage: str
    issued_on: datetime.date
    valid: bool
    revoked_at: datetime.datetime | None
    others: list[OtherCredentialOut]
    url: str


@router.get(
    "/credentials/{code}",
    response=CredentialOut,
    summary="Verify a credential by its code",
    description="What the public verification page shows: the holder's name, the program, "
    "stage, issuer, date and whether it is valid; the other credentials of the same "
    "participation without their codes. Nothing else about the person.",
)
def verify_credential(request, code: str):
    certificate = (
        Certificate.objects.with_document().filter(code=code).first() if len(code) <= 64 else None
    )
    if certificate is None:
        raise not_found()
    stage = certificate.enrolment.stage
    others = (
        Certificate.objects.filter(enrolment_id=certificate.enrolment_id)
        .exclude(pk=certificate.pk)
        .only("kind", "title", "issuer_name", "issued_on", "revoked_at")
        .order_by("kind")
    )
    return {
        "code": certificate.code,
        "kind": certificate.kind,
        "title": certificate.display_title,
        "issuer_name": certificate.issuer_name,
        "external_id": certificate.external_id,
        "holder_name": certificate.holder_name,
        "program": localized(stage.program, "name"),
        "stage": localized(stage, "name"),
        "issued_on": certificate.issued_on,
        "valid": certificate.is_valid,
        "revoked_at": certificate.revoked_at,
        "others": [
            {
                "kind": other.kind,
                "title": other.title,
                "issuer_name": other.issuer_name,
                "issued_on": other.issued_on,
                "valid": other.is_valid,
            }
            for other in others
        ],
        "url": certificate.verification_url(),
    }


# --- Chapters -----------------------------------------------------------------------------


class ChapterOut(Schema):
    slug: str
    name: str
    city: str
    country: str
    region: str
    status: str
    formalized_on: datetime.date | None
    description: str
    interests: str
    sectors: list[str]
    website: str
    url: str


def chapter_out(chapter: Chapter) -> dict:
    return {
        "slug": chapter.slug,
        "name": chapter.name,
        "city": chapter.city,
        "country": str(chapter.country),
        "region": chapter.region,
        "status": chapter.status,
        "formalized_on": chapter.formalized_on,
        "description": localized(chapter, "description"),
        "interests": localized(chapter, "interests"),
        "sectors": [sector.name for sector in chapter.sectors.all()],
        "website": chapter.website,
        "url": absolute(chapter.get_absolute_url()),
    }


class ChapterFilters(Schema):
    region: Literal[tuple(Chapter.Region.values)] | None = None  # type: ignore[valid-type]
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166 code")


@router.get("/chapters", response=list[ChapterOut], summary="Chapters")
@paginate(Cursor, to_out=chapter_out)
def list_chapters(request, filters: Query[ChapterFilters]):
    chapters = Chapter.objects.public().prefetch_related("sectors")
    if filters.region:
        chapters = chapters.filter(region=filters.region)
    if filters.country:
        chapters = chapters.filter(country=filters.country.upper())
    return chapters


@router.get("/chapters/{slug}", response=ChapterOut, summary="One chapter")
def get_chapter(request, slug: str):
    chapter = Chapter.objects.public().prefetch_related("sectors").filter(slug=slug).first()
    if chapter is None:
        raise not_found()
    return chapter_out(chapter)
