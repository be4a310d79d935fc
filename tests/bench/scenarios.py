"""The benchmark's scenarios, declared: what to request, as whom, and the issue's targets.

A scenario is one of:

- a URL (`path`) or a function building the list of URLs to cycle through (`paths(ctx)`,
  called once in the harness process with the ORM on the bench database), requested by
  `--concurrency` connections of one role (roles.ANONYMOUS / MEMBER / PNCS / STAFF);
- a user path of several requests (`flow(ctx)` returning a load generator flow: a form
  read for its CSRF token then posted, signing in again, ...: tests/bench/loadgen.py);
- anything else (`run(ctx)` returning its figures: a rush checked in the database
  afterwards, an export downloaded whole, two loads at once, the mail fan-out).

A scenario with `todo` set is printed as skipped with that reason: never a made-up figure.
Adding one is a few lines, e.g.:

    Scenario(
        "chapter page",
        paths=lambda ctx: [ctx.reverse("chapters:detail", slug=s) for s in ctx.sample(
            Chapter.objects.values_list("slug", flat=True), 50)],
        targets=(p95_ms(25),),
    ),

Targets (metric, comparison, value) are checked against the figures: the load generator's
(rps, p50_ms, p95_ms, p99_ms, errors, ...), the server's `peak_rss_mb`, and whatever a
custom `run(ctx)` returns (rows_per_s, p95_ratio_under_load, booking_mismatches, ...).
`raw_sql=True` adds, as information, the time of the same request's SELECTs run straight
on the database (`raw_sql_ms`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import roles

NOT_IMPLEMENTED = "not implemented yet"


@dataclass(frozen=True)
class Target:
    metric: str
    op: str  # "<=" or ">="
    value: float
    unit: str = ""

    def check(self, figures: dict) -> bool | None:
        """True when met, False when not, None when the figure is missing."""
        measured = figures.get(self.metric)
        if measured is None:
            return None
        return {"<=": operator.le, ">=": operator.ge}[self.op](measured, self.value)

    def __str__(self):
        return f"{self.metric} {self.op} {self.value:g}{self.unit}"


def p95_ms(value):
    return Target("p95_ms", "<=", value, " ms")


def rps(value):
    return Target("rps", ">=", value, "/s")


def rows_per_s(value):
    return Target("rows_per_s", ">=", value, " rows/s")


def peak_rss_mb(value):
    return Target("peak_rss_mb", "<=", value, " MB")


def max_request_s(value):
    return Target("max_request_s", "<=", value, " s")


def msgs_per_s(value):
    return Target("msgs_per_s", ">=", value, "/s")


def no_errors():
    return Target("errors", "<=", 0)


def ratio_under_load(value):
    return Target("p95_ratio_under_load", "<=", value, "x")


def no_booking_mismatch():
    return Target("booking_mismatches", "<=", 0)


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str | None = None
    paths: Callable[[Any], list[str]] | None = None
    method: str = "GET"
    role: str = roles.ANONYMOUS
    targets: tuple[Target, ...] = ()
    expect_status: tuple[int, ...] = (200,)
    concurrency: int | None = None  # default: the run's concurrency
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    flow: Callable[[Any], dict] | None = None  # a user path: {"flow": ..., "measure": ...}
    run: Callable[[Any], dict] | None = None  # anything else (a rush, an export, mail)
    raw_sql: bool = False  # add the request's SELECTs timed straight on the database
    todo: str = ""  # set: skipped, printed with this reason
    note: str = ""

    def build_paths(self, ctx) -> list[str]:
        if self.paths is not None:
            return list(self.paths(ctx))
        return [self.path]


PROFILES_PER_RUN = 40  # distinct profiles a member opens: below the daily cap (50)
DEEP_PAGE = 40  # the search's last page (MAX_PAGE)
PAGE_TARGET = p95_ms(25)  # profile, chapter, chapter list, directory, opportunity, program
ADMIN_TARGET = p95_ms(300)
DASHBOARD_TARGET = p95_ms(50)
EXPORT_COUNTRY = "US"  # the commonest export: every contactable member living in the US


SCENARIOS: list[Scenario] = [
    # --- Pages without a target in the issue: figures only -----------------------------
    Scenario("home page", path="/", note="no target in the issue: figures only"),
    Scenario("home page (en)", path="/en/", note="no target in the issue"),
    Scenario(
        "home page (signed-in member)",
        path="/",
        role=roles.MEMBER,
        note="session, user and allauth user-session lookups; no target in the issue",
    ),
    Scenario("healthz", path="/healthz", note="database + cache check; no target in the issue"),
    Scenario("login page", path="/accounts/login/", note="allauth form; no target in the issue"),
    Scenario(
        "login POST (allauth, many accounts)",
        flow=lambda ctx: _journeys().login_flow(ctx),
        note="GET the form for its CSRF token, POST e-mail and password (the password hash "
        "is most of it); each login from its own loopback address and the next of "
        "LOGIN_ACCOUNTS bench members, so allauth's rate limits never trip; no target "
        "in the issue",
    ),
    # --- Pages: p95 <= 25 ms ----------------------------------------------------------
    Scenario(
        "member profile",
        role=roles.MEMBER,
        paths=lambda ctx: profile_paths(ctx),
        targets=(PAGE_TARGET,),
        note=f"{PROFILES_PER_RUN} profiles visible to the member (under the daily view cap)",
    ),
    Scenario(
        "chapter page",
        paths=lambda ctx: chapter_paths(ctx),
        targets=(PAGE_TARGET,),
        note="the bench chapters of the chapters hook, approved members counted",
    ),
    Scenario(
        "chapter list",
        paths=lambda ctx: [ctx.reverse("chapters:list")],
        targets=(PAGE_TARGET,),
        note="every public chapter with its member count, and the map",
    ),
    Scenario(
        "member directory: page 1",
        role=roles.MEMBER,
        paths=lambda ctx: [directory_path(ctx, "page 1")],
        targets=(PAGE_TARGET,),
    ),
    Scenario(
        "member directory: deep page",
        role=roles.MEMBER,
        paths=lambda ctx: [directory_path(ctx, "deep page")],
        targets=(PAGE_TARGET,),
        note="reached as a member would: numbered pages (?page=N) go to page 10,000 (or the "
        "deepest the page accepts, halving); other pagers are followed through their "
        "'next' links (up to DEEP_HOPS)",
    ),
    Scenario(
        "member directory: text (python)",
        role=roles.MEMBER,
        paths=lambda ctx: [directory_path(ctx, "text")],
        targets=(PAGE_TARGET,),
    ),
    Scenario(
        "member directory: country + sector",
        role=roles.MEMBER,
        paths=lambda ctx: [directory_path(ctx, "country + sector")],
        targets=(PAGE_TARGET,),
    ),
    Scenario(
        "opportunity list",
        role=roles.MEMBER,
        paths=lambda ctx: [ctx.reverse("pncs:opportunity_list")],
        targets=(PAGE_TARGET,),
        note="open opportunities of every PNCS, first page",
    ),
    Scenario(
        "opportunity page",
        role=roles.MEMBER,
        paths=lambda ctx: opportunity_paths(ctx),
        targets=(PAGE_TARGET,),
        note="50 open bench opportunities",
    ),
    Scenario(
        "program page",
        role=roles.MEMBER,
        paths=lambda ctx: program_paths(ctx),
        targets=(PAGE_TARGET,),
        note="the bench programs (about 1,000 applicants each)",
    ),
    # --- The coordinators' search: p95 <= 40 ms, broad text <= 150 ms ---------------------
    Scenario(
        "pncs search: filters only (sector + country)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, sector=True, country="US")],
        targets=(p95_ms(40),),
        raw_sql=True,
    ),
    Scenario(
        "pncs search: selective text (Hamilton)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="Hamilton")],
        targets=(p95_ms(40),),
        raw_sql=True,
    ),
    Scenario(
        "pncs search: broad text (python, ~9%)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="python")],
        targets=(p95_ms(150),),
        raw_sql=True,
    ),
    Scenario(
        "pncs search: text + filters",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="python", sector=True, country="US")],
        targets=(p95_ms(150),),
        raw_sql=True,
    ),
    Scenario(
        "pncs search: deep page (page 40)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, sector=True, country="US", page=DEEP_PAGE)],
        targets=(p95_ms(40),),
        raw_sql=True,
        note="the last page the search offers: a slice of the same window as page 1",
    ),
    Scenario(
        "pncs search under directory load",
        role=roles.PNCS,
        run=lambda ctx: _journeys().search_under_directory_load(ctx),
        targets=(ratio_under_load(2),),
        note="the filters-only search, one coordinator (1 connection), alone and then while "
        "--concurrency members load the four directory pages (a second load generator); "
        "p95 under load / p95 alone",
    ),
    # --- Django admin (IME staff with TOTP): p95 <= 300 ms --------------------------------
    *(
        Scenario(
            f"admin: {label}{' ?q=' + q if q else ''}",
            role=roles.STAFF,
            paths=lambda ctx, name=name, q=q: [admin_changelist_path(ctx, name, q)],
            targets=(ADMIN_TARGET,),
        )
        for label, name in (("profiles", "members_profile"), ("users", "members_user"))
        for q in ("", "Hamilton", "python")
    ),
    # --- Dashboards: p95 <= 50 ms ---------------------------------------------------------
    Scenario(
        "staff dashboard",
        role=roles.STAFF,
        paths=lambda ctx: [ctx.reverse("figures_staff")],
        targets=(DASHBOARD_TARGET,),
        note="IME staff with TOTP; reads the snapshot refreshed by the figures hook",
    ),
    Scenario(
        "coordinator dashboard",
        role=roles.PNCS,
        paths=lambda ctx: [ctx.reverse("pncs:manage")],
        targets=(DASHBOARD_TARGET,),
        note="the coordinator's PNCS and its opportunities with their answers",
    ),
    Scenario(
        "public figures",
        path="/figures/",
        targets=(DASHBOARD_TARGET,),
        note="reads the snapshot; small cells suppressed",
    ),
    # --- Exports: rows/s of the whole download, flat memory, no request over 30 s ---------
    Scenario(
        f"pncs CSV export ({EXPORT_COUNTRY} members)",
        role=roles.PNCS,
        run=lambda ctx: _exports().run_export(ctx, "csv", country=EXPORT_COUNTRY),
        targets=(rows_per_s(75_000), peak_rss_mb(150), max_request_s(30)),
        note="one coordinator exporting every contactable member living in the US, one "
        "export after another; rows/s from the request to the last byte",
    ),
    Scenario(
        f"pncs XLSX export ({EXPORT_COUNTRY} members)",
        role=roles.PNCS,
        run=lambda ctx: _exports().run_export(ctx, "xlsx", country=EXPORT_COUNTRY),
        targets=(rows_per_s(20_000), peak_rss_mb(150), max_request_s(30)),
        note="as the CSV export; rows counted in the downloaded workbook",
    ),
    # --- Members' own paths ---------------------------------------------------------------
    Scenario(
        "jornada registration rush (100 members, 50 places)",
        role=roles.MEMBER,
        run=lambda ctx: _journeys().registration_rush(ctx),
        targets=(no_booking_mismatch(),),
        note="a new Jornada with 50 places; 100 members read its page, then all post their "
        "registration at once; afterwards the database must hold exactly 50 confirmed "
        "and 50 waitlisted (booking_mismatches counts the difference); p95 of the POSTs "
        "printed, no target in the issue",
    ),
    Scenario(
        "ARCO data export (JSON, after re-authentication)",
        role=roles.MEMBER,
        flow=lambda ctx: _journeys().arco_export_flow(ctx),
        note="each member opens 'my data', asks for the JSON export, is sent to sign in "
        "again (allauth re-authentication), does, and then exports repeatedly within the "
        "5 minutes it lasts; the figures are the exports'; no target in the issue",
    ),
    # --- Mail ---------------------------------------------------------------------------
    Scenario(
        "announcement fan-out (loopback SMTP, 20 ms per message, concurrency 1/4/16)",
        targets=(msgs_per_s(300), no_errors()),
        run=lambda ctx: _fanout(ctx),
        note="BENCH_FANOUT_RECIPIENTS (100,000) recipients, one run per worker concurrency "
        "(BENCH_FANOUT_CONCURRENCY, 1,4,16) against a sink answering each message after "
        "BENCH_SMTP_DELAY_MS (20); each delivery claimed and recorded sent before the next "
        "message; msgs/s of the highest concurrency, counted only when every recipient got "
        "exactly one and every delivery row says sent; every run's speed-up in results.json",
    ),
]


def _fanout(ctx):
    from .fanout import run_fanout

    return run_fanout(ctx)


def _journeys():
    from . import journeys

    return journeys


def _exports():
    from . import exports

    return exports


# --- Path factories (run in the harness, ORM on the bench database) -----------------


def chapter_paths(ctx) -> list[str]:
    from chapters.models import Chapter

    slugs = Chapter.objects.public().order_by("slug").values_list("slug", flat=True)
    return [ctx.reverse("chapters:detail", slug=slug) for slug in ctx.sample(slugs, 50)]


def profile_paths(ctx) -> list[str]:
    """Profiles the bench member may open, at most PROFILES_PER_RUN (the daily cap counts
    distinct profiles: a second look the same day is free); today's views of earlier runs
    are forgotten so the cap is never what is measured."""
    from members.models import Profile, ProfileView

    viewer = roles.role_user(roles.MEMBER)
    ProfileView.objects.filter(viewer=viewer).delete()
    ids = list(
        Profile.objects.visible_to(viewer)
        .exclude(pk=viewer.pk)
        .order_by("pk")
        .values_list("pk", flat=True)[:PROFILES_PER_RUN]
    )
    return [ctx.reverse("members:profile", pk=pk) for pk in ids]


def opportunity_paths(ctx) -> list[str]:
    from pncs.models import Opportunity

    ids = Opportunity.objects.open().order_by("pk").values_list("pk", flat=True)
    return [ctx.reverse("pncs:opportunity_detail", pk=pk) for pk in ctx.sample(ids, 50)]


def program_paths(ctx) -> list[str]:
    from programs.models import Program

    slugs = Program.objects.filter(slug__startswith="bench-program-").values_list("slug", flat=True)
    return [ctx.reverse("programs:detail", slug=slug) for slug in sorted(slugs)]


def sector_slug() -> str:
    from members.models import Sector

    return Sector.objects.order_by("order", "pk").values_list("slug", flat=True).first()


def search_path(ctx, *, q="", sector=False, country="", page=None) -> str:
    from urllib.parse import urlencode

    params = {}
    if q:
        params["q"] = q
    if sector:
        params["sector"] = sector_slug()
    if country:
        params["country"] = country
    if page:
        params["page"] = page
    return ctx.reverse("pncs:search") + "?" + urlencode(params)


DEEP_DIRECTORY_PAGE = 10_000  # the deep page
DEEP_HOPS = 50  # "next" links followed on a pager that has no page numbers


def directory_path(ctx, variant: str) -> str:
    """The directory as a member reaches it: page 1, a deep page, a text search, a
    country and sector; the filters are the fields its form offers (checked)."""
    return ctx.memo(("directory", variant), lambda: _directory_path(ctx, variant))


def _directory_path(ctx, variant: str) -> str:
    from .browse import with_params

    base = ctx.reverse("members:directory")
    first = ctx.fetch(base, roles.MEMBER)
    if first.status != 200:
        raise ScenarioError(f"the directory answered {first.status} to the bench member")
    if variant == "page 1":
        return base
    if variant == "deep page":
        return deep_page(ctx, first, role=roles.MEMBER)
    wanted = {"text": ("q",), "country + sector": ("country", "sector")}[variant]
    missing = [name for name in wanted if name not in first.fields]
    if missing:
        raise ScenarioError(f"the directory's form has no field {', '.join(missing)}")
    if variant == "text":
        return with_params(base, q="python")
    return with_params(base, country="US", sector=sector_slug())


def deep_page(ctx, first, *, role) -> str:
    """A deep page of a paginated list, reached through the list's own links: with page
    numbers, page DEEP_DIRECTORY_PAGE if the list serves it (else the deepest it does,
    halving); otherwise the page DEEP_HOPS "next" links away."""
    from .browse import query_of, with_params

    following = first.next_link()
    if following is None:
        raise ScenarioError(f"{first.path} links to no next page (too few rows?)")
    added = set(query_of(following)) - set(query_of(first.path))
    if added == {"page"} and query_of(following)["page"].isdigit():
        number = DEEP_DIRECTORY_PAGE
        while number > 2:
            candidate = with_params(first.path, page=number)
            page = ctx.fetch(candidate, role)
            if page.status == 200 and page.previous_link() is not None:
                return candidate
            number //= 2
        return following
    path = following
    for _hop in range(DEEP_HOPS - 1):
        page = ctx.fetch(path, role)
        if page.status != 200:
            raise ScenarioError(f"{path} answered {page.status}")
        after = page.next_link()
        if after is None:
            break
        path = after
    return path


def admin_changelist_path(ctx, model: str, q: str = "") -> str:
    from urllib.parse import urlencode

    path = ctx.reverse(f"admin:{model}_changelist")
    return f"{path}?{urlencode({'q': q})}" if q else path


class ScenarioError(Exception):
    """The scenario could not be set up (the page it drives answered something else)."""


def available(scenarios=None) -> list[Scenario]:
    return [s for s in (SCENARIOS if scenarios is None else scenarios) if not s.todo]
