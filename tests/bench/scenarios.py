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
        "chapter page", role=roles.ANONYMOUS, targets=(p95_ms(25), rps(200)), todo=NOT_IMPLEMENTED
    ),
    Scenario(
        "member profile", role=roles.MEMBER, targets=(p95_ms(25), rps(200)), todo=NOT_IMPLEMENTED
    ),
    Scenario(
        "pncs search: filters only (sector + country)",
        role=roles.PNCS,
        targets=(p95_ms(40),),
        todo=NOT_IMPLEMENTED,
    ),
    Scenario(
        "pncs search: selective text (Hamilton)",
        role=roles.PNCS,
        targets=(p95_ms(40),),
        todo=NOT_IMPLEMENTED,
    ),
    Scenario(
        "pncs search: broad text (python, ~9%)",
        role=roles.PNCS,
        targets=(p95_ms(150),),
        todo=NOT_IMPLEMENTED,
    ),
    Scenario(
        "pncs search: text + filters",
        role=roles.PNCS,
        targets=(p95_ms(150),),
        todo=NOT_IMPLEMENTED,
    ),
    Scenario(
        "pncs search: deep page (keyset)",
        role=roles.PNCS,
        targets=(p95_ms(40),),
        todo=NOT_IMPLEMENTED,
    ),
    Scenario(
        "pncs CSV export (100,000 rows)",
        role=roles.PNCS,
        concurrency=1,
        targets=(rows_per_s(75_000), peak_rss_mb(150)),
        todo=NOT_IMPLEMENTED,
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
        targets=(msgs_per_s(500),),
        run=lambda ctx: _fanout(ctx),
        note="one worker (concurrency 1); each delivery claimed and recorded; "
        "BENCH_FANOUT_RECIPIENTS changes the 10,000",
    ),
    Scenario(
        "framework overhead (search: Django time vs same SQL)",
        targets=(overhead_ratio(2),),
        todo=NOT_IMPLEMENTED,
        note="X-Django-Time-Ms / X-SQL-Time-Ms of the search scenarios, both printed",
    ),
]


def _fanout(ctx):
    from .fanout import run_fanout

    return run_fanout(ctx)


def available(scenarios=None) -> list[Scenario]:
    return [s for s in (SCENARIOS if scenarios is None else scenarios) if not s.todo]
