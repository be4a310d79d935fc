"""Public, anonymous, rate-limited reads: what the site's public pages show, through the
same querysets (an anonymous visitor's visibility), in the request's language."""

import datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination, paginate
from pydantic import ValidationError as PydanticValidationError

from chapters.models import Chapter, Jornada
from counterparts.models import Organization
from figures import pages as figure_pages
from figures.services import current_snapshot, needs_refresh
from figures.tasks import queue_refresh
from news.models import Post
from pncs.models import Opportunity
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


# --- Jornadas and their agenda ------------------------------------------------------------


class AgendaItemOut(Schema):
    starts_at: datetime.datetime
    title: str
    description: str


class JornadaOut(Schema):
    id: int
    title: str
    edition: int | None
    chapter: str | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    timezone: str
    venue: str
    city: str
    description: str
    registration_mode: str
    agenda: list[AgendaItemOut]
    url: str


def jornada_out(jornada: Jornada) -> dict:
    return {
        "id": jornada.pk,
        "title": localized(jornada, "title"),
        "edition": jornada.edition,
        "chapter": jornada.chapter.slug if jornada.chapter_id else None,
        "starts_at": jornada.starts_at,
        "ends_at": jornada.ends_at,
        "timezone": str(jornada.timezone),
        "venue": jornada.venue,
        "city": jornada.city,
        "description": localized(jornada, "description"),
        "registration_mode": jornada.registration_mode,
        "agenda": [
            {
                "starts_at": item.starts_at,
                "title": localized(item, "title"),
                "description": localized(item, "description"),
            }
            for item in sorted(
                jornada.agenda_items.all(), key=lambda i: (i.order, i.starts_at, i.pk)
            )
        ],
        "url": absolute(jornada.get_absolute_url()),
    }


class JornadaFilters(Schema):
    chapter: str | None = Field(None, max_length=80, description="A chapter's slug")
    upcoming: bool | None = Field(None, description="Only those not finished yet (or finished)")


def _jornadas():
    return (
        Jornada.objects.visible_to(ANONYMOUS)
        .select_related("chapter")
        .prefetch_related("agenda_items")
    )


@router.get(
    "/jornadas", response=list[JornadaOut], summary="Jornadas and events, with their agenda"
)
@paginate(Cursor, to_out=jornada_out)
def list_jornadas(request, filters: Query[JornadaFilters]):
    jornadas = _jornadas()
    if filters.chapter:
        jornadas = jornadas.filter(chapter__slug=filters.chapter)
    if filters.upcoming is not None:
        now = timezone.now()
        jornadas = (
            jornadas.filter(ends_at__gte=now)
            if filters.upcoming
            else jornadas.filter(ends_at__lt=now)
        )
    return jornadas


@router.get("/jornadas/{jornada_id}", response=JornadaOut, summary="One Jornada, with its agenda")
def get_jornada(request, jornada_id: int):
    jornada = _jornadas().filter(pk=jornada_id).first()
    if jornada is None:
        raise not_found()
    return jornada_out(jornada)


# --- News ---------------------------------------------------------------------------------


class PostOut(Schema):
    slug: str
    scope: str
    sector: str | None
    chapter: str | None
    title: str
    summary: str
    body: str
    tags: list[str]
    published_at: datetime.datetime | None
    url: str


def post_out(post: Post) -> dict:
    return {
        "slug": post.slug,
        "scope": post.scope,
        "sector": post.sector.slug if post.sector_id else None,
        "chapter": post.chapter.slug if post.chapter_id else None,
        "title": localized(post, "title"),
        "summary": localized(post, "summary"),
        "body": localized(post, "body"),
        "tags": [str(tag) for tag in post.tags.all()],
        "published_at": post.published_at,
        "url": absolute(post.get_absolute_url()),
    }


class PostFilters(Schema):
    sector: str | None = Field(None, max_length=80, description="A sector's slug")
    chapter: str | None = Field(None, max_length=80, description="A chapter's slug")


def _posts():
    return (
        Post.objects.visible_to(ANONYMOUS)
        .select_related("sector", "chapter")
        .prefetch_related("tags")
    )


@router.get("/news", response=list[PostOut], summary="News of the network, sectors and chapters")
@paginate(Cursor, to_out=post_out, ordering=("-pk",))
def list_news(request, filters: Query[PostFilters]):
    posts = _posts()
    if filters.sector:
        posts = posts.filter(sector__slug=filters.sector)
    if filters.chapter:
        posts = posts.filter(chapter__slug=filters.chapter)
    return posts


@router.get("/news/{slug}", response=PostOut, summary="One news post")
def get_news(request, slug: str):
    post = _posts().filter(slug=slug).first()
    if post is None:
        raise not_found()
    return post_out(post)


# --- Opportunities ------------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    kind: str
    sector: str
    title: str
    description: str
    institution: str
    location: str
    is_remote: bool
    deadline: datetime.date | None
    places: int | None
    url: str


def opportunity_out(opportunity: Opportunity) -> dict:
    return {
        "id": opportunity.pk,
        "kind": opportunity.kind,
        "sector": opportunity.sector.slug,
        "title": localized(opportunity, "title"),
        "description": localized(opportunity, "description"),
        "institution": opportunity.institution,
        "location": opportunity.location,
        "is_remote": opportunity.is_remote,
        "deadline": opportunity.deadline,
        "places": opportunity.places,
        "url": absolute(reverse("pncs:opportunity_detail", kwargs={"pk": opportunity.pk})),
    }


class OpportunityFilters(Schema):
    sector: str | None = Field(None, max_length=80, description="A sector's slug")
    kind: Literal[tuple(Opportunity.Kind.values)] | None = None  # type: ignore[valid-type]


@router.get("/opportunities", response=list[OpportunityOut], summary="Open PNCS opportunities")
@paginate(Cursor, to_out=opportunity_out)
def list_opportunities(request, filters: Query[OpportunityFilters]):
    opportunities = Opportunity.objects.visible_to(ANONYMOUS).select_related("sector")
    if filters.sector:
        opportunities = opportunities.filter(sector__slug=filters.sector)
    if filters.kind:
        opportunities = opportunities.filter(kind=filters.kind)
    return opportunities


# --- Verified organisations ---------------------------------------------------------------


class OrganizationOut(Schema):
    slug: str
    name: str
    kind: str
    state: str
    city: str
    main_sector: str
    sectors: list[str]
    website: str
    description: str
    url: str


def organization_out(organization: Organization) -> dict:
    return {
        "slug": organization.slug,
        "name": organization.legal_name,
        "kind": organization.kind,
        "state": organization.state,
        "city": organization.city,
        "main_sector": organization.main_sector.slug,
        "sectors": [sector.slug for sector in organization.sectors.all()],
        "website": organization.website,
        "description": localized(organization, "description"),
        "url": absolute(reverse("counterparts:detail", kwargs={"slug": organization.slug})),
    }


class OrganizationFilters(Schema):
    sector: str | None = Field(None, max_length=80, description="A sector's slug")


@router.get("/organizations", response=list[OrganizationOut], summary="Verified organisations")
@paginate(Cursor, to_out=organization_out)
def list_organizations(request, filters: Query[OrganizationFilters]):
    organizations = (
        Organization.objects.verified().select_related("main_sector").prefetch_related("sectors")
    )
    if filters.sector:
        organizations = organizations.filter(sectors__slug=filters.sector).distinct()
    return organizations


@router.get("/organizations/{slug}", response=OrganizationOut, summary="One verified organisation")
def get_organization(request, slug: str):
    organization = (
        Organization.objects.verified()
        .select_related("main_sector")
        .prefetch_related("sectors")
        .filter(slug=slug)
        .first()
    )
    if organization is None:
        raise not_found()
    return organization_out(organization)


# --- The network's figures ----------------------------------------------------------------


class FigureOut(Schema):
    slug: str
    title: str
    summary: str
    headers: list[str]
    rows: list[list[str]]


class FiguresOut(Schema):
    computing: bool
    computed_at: datetime.datetime | None
    total: str | None
    countries: int | None
    figures: list[FigureOut]


@router.get(
    "/figures",
    response=FiguresOut,
    summary="The network in figures",
    description="What the public figures page shows, under the one disclosure rule "
    "(figures/disclosure.py): small counts are shown as ranges or withheld. While the first "
    "snapshot is computed, `computing` is true and `figures` empty.",
)
def public_figures(request):
    snapshot = current_snapshot()
    if needs_refresh(snapshot):
        queue_refresh()
    if snapshot is None:
        return {
            "computing": True,
            "computed_at": None,
            "total": None,
            "countries": None,
            "figures": [],
        }
    figures = figure_pages.public_figures(snapshot.data)
    found = list(figures["figures"])
    for program in figures["programs"]:
        found.extend(program["figures"])
    return {
        "computing": False,
        "computed_at": snapshot.computed_at,
        "total": str(figures["total"]),
        "countries": figures["countries"],
        "figures": [
            {
                "slug": figure.slug,
                "title": str(figure.title),
                "summary": str(figure.summary),
                "headers": [str(header) for header in figure.headers],
                "rows": [[str(cell) for cell in row] for row in figure.rows],
            }
            for figure in found
        ],
    }
