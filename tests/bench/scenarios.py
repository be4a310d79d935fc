"""The benchmark's scenarios, declared: what to request, as whom, and the issue's targets.

A scenario is a URL (`path`) or a function building the list of URLs to cycle through
(`paths(ctx)`, called once in the harness process with the ORM on the bench database),
a role (roles.ANONYMOUS / MEMBER / PNCS / STAFF) and its targets. A scenario with
`todo` set is printed as skipped with that reason: never a made-up figure.

Adding one when its feature lands is a few lines, e.g.:

    Scenario(
        "chapter page",
        paths=lambda ctx: [ctx.reverse("chapters:detail", slug=s) for s in ctx.sample(
            Chapter.objects.values_list("slug", flat=True), 50)],
        targets=(p95_ms(25), rps(200)),
    ),

Targets (metric, comparison, value) are checked against the load generator's figures
(rps, p50_ms, p95_ms, p99_ms, lines_per_s, errors, ...), the server's `peak_rss_mb`,
and for custom scenarios whatever their `run(ctx)` returns (e.g. msgs_per_s).
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
    return Target("lines_per_s", ">=", value, " rows/s")


def peak_rss_mb(value):
    return Target("peak_rss_mb", "<=", value, " MB")


def msgs_per_s(value):
    return Target("msgs_per_s", ">=", value, "/s")


def no_errors():
    return Target("errors", "<=", 0)


def overhead_ratio(value):
    return Target("django_to_sql_ratio", "<=", value, "x")


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
    run: Callable[[Any], dict] | None = None  # a non-HTTP scenario (e.g. mail fan-out)
    todo: str = ""  # set: skipped, printed with this reason
    note: str = ""

    def build_paths(self, ctx) -> list[str]:
        if self.paths is not None:
            return list(self.paths(ctx))
        return [self.path]


PROFILES_PER_RUN = 40  # distinct profiles a member opens: below the daily cap (50)
DEEP_PAGE = 40  # the search's last page (MAX_PAGE)
EXPORT_ROWS = 100_000


SCENARIOS: list[Scenario] = [
    # --- Available today ---------------------------------------------------------------
    Scenario(
        "home page",
        path="/",
        note="the issue sets no target for the home page: figures only",
    ),
    Scenario("home page (en)", path="/en/", note="no target in the issue"),
    Scenario(
        "home page (signed-in member)",
        path="/",
        role=roles.MEMBER,
        note="session, user and allauth user-session lookups; no target in the issue",
    ),
    Scenario("healthz", path="/healthz", note="database + cache check; no target in the issue"),
    Scenario("login page", path="/accounts/login/", note="allauth form; no target in the issue"),
    # --- The scenarios, to implement when their features land -----------------
    Scenario(
        "chapter page",
        role=roles.ANONYMOUS,
        paths=lambda ctx: chapter_paths(ctx),
        targets=(p95_ms(25), rps(200)),
        note="the bench chapters of the chapters hook, approved members counted",
    ),
    Scenario(
        "member profile",
        role=roles.MEMBER,
        paths=lambda ctx: profile_paths(ctx),
        targets=(p95_ms(25), rps(200)),
        note=f"{PROFILES_PER_RUN} profiles visible to the member (under the daily view cap)",
    ),
    Scenario(
        "pncs search: filters only (sector + country)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, sector=True, country="US")],
        targets=(p95_ms(40),),
    ),
    Scenario(
        "pncs search: selective text (Hamilton)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="Hamilton")],
        targets=(p95_ms(40),),
    ),
    Scenario(
        "pncs search: broad text (python, ~9%)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="python")],
        targets=(p95_ms(150),),
    ),
    Scenario(
        "pncs search: text + filters",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, q="python", sector=True, country="US")],
        targets=(p95_ms(150),),
    ),
    Scenario(
        "pncs search: deep page (page 40)",
        role=roles.PNCS,
        paths=lambda ctx: [search_path(ctx, sector=True, country="US", page=DEEP_PAGE)],
        targets=(p95_ms(40),),
        note="the last page the search offers: a slice of the same window as page 1",
    ),
    Scenario(
        "pncs CSV export (100,000 rows)",
        role=roles.PNCS,
        concurrency=1,
        paths=lambda ctx: [export_path(ctx)],
        targets=(rows_per_s(75_000), peak_rss_mb(150)),
        note="the filter matching closest to 100,000 rows (all contactable when fewer)",
    ),
    Scenario(
        "staff dashboard",
        path="/staff/figures/",
        role=roles.STAFF,
        targets=(p95_ms(50),),
        note="IME staff with TOTP; reads the snapshot refreshed by the figures hook",
    ),
    Scenario(
        "public figures",
        path="/figures/",
        targets=(p95_ms(50),),
        note="reads the snapshot; small cells suppressed",
    ),
    Scenario(
        "announcement fan-out (10,000 recipients, loopback SMTP)",
        targets=(msgs_per_s(500), no_errors()),
        run=lambda ctx: _fanout(ctx),
        note="one worker (concurrency 1); each delivery claimed and recorded; messages the "
        "SMTP sink received per second since the send started, counted only when every "
        "recipient got exactly one; BENCH_FANOUT_RECIPIENTS changes the 10,000",
    ),
    Scenario(
        "framework overhead (search: Django time vs same SQL)",
        role=roles.PNCS,
        run=lambda ctx: framework_overhead(ctx),
        targets=(overhead_ratio(2),),
        note="X-Django-Time-Ms / X-SQL-Time-Ms of the search scenarios, both printed",
    ),
]


def _fanout(ctx):
    from .fanout import run_fanout

    return run_fanout(ctx)


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


def _sector_slug() -> str:
    from members.models import Sector

    return Sector.objects.order_by("order", "pk").values_list("slug", flat=True).first()


def search_path(ctx, *, q="", sector=False, country="", page=None) -> str:
    from urllib.parse import urlencode

    params = {}
    if q:
        params["q"] = q
    if sector:
        params["sector"] = _sector_slug()
    if country:
        params["country"] = country
    if page:
        params["page"] = page
    return ctx.reverse("pncs:search") + "?" + urlencode(params)


def export_path(ctx) -> str:
    """The export filter (none, or one country of residence) matching closest to
    EXPORT_ROWS contactable members."""
    from django.db.models import Count

    from pncs.search import base_queryset

    by_country = dict(
        base_queryset().values_list("country").annotate(n=Count("pk")).values_list("country", "n")
    )
    options = [("", sum(by_country.values()))] + [(c, n) for c, n in by_country.items() if c]
    country, _n = min(options, key=lambda option: abs(option[1] - EXPORT_ROWS))
    path = ctx.reverse("pncs:export_csv")
    return f"{path}?country={country}" if country else path


def framework_overhead(ctx) -> dict:
    """The broad-text search over HTTP (Django time per request, from the bench
    middleware) next to the same search's SELECTs run straight on the database."""
    from django.db import connection
    from django.test.client import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from pncs.filters import MemberSearchFilter
    from pncs.search import base_queryset, run_search

    from .run import run_scenario

    path = search_path(ctx, q="python")
    request = RequestFactory().get(path)
    with CaptureQueriesContext(connection) as captured:
        filterset = MemberSearchFilter(request.GET, queryset=base_queryset())
        run_search(filterset.filtered, sort=filterset.sort_order, page=1, text=filterset.text)
    selects = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    sql_p50 = sum(ctx.time_sql(sql, runs=10)["sql_p50_ms"] for sql in selects)
    http = Scenario("framework overhead (http)", paths=lambda _ctx: [path], role=roles.PNCS)
    figures = run_scenario(http, ctx.config, ctx.server, ctx)
    figures["search_selects"] = len(selects)
    figures["direct_sql_ms"] = round(sql_p50, 2)
    figures["django_to_sql_ratio"] = round(figures["django_ms_mean"] / max(sql_p50, 0.001), 2)
    return figures


def available(scenarios=None) -> list[Scenario]:
    return [s for s in (SCENARIOS if scenarios is None else scenarios) if not s.todo]
