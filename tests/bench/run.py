"""`make bench`: generate members, serve the site with gunicorn, drive it, print the table.

    python -m tests.bench.run [--members 100000] [--seconds 10] [--workers 4]
        [--concurrency 4] [--database-url postgres://.../talentnet_bench]
        [--only "home page"] [--regenerate] [--out var/bench/results.json]

Every option also reads an environment variable: BENCH_MEMBERS, BENCH_SECONDS,
BENCH_WORKERS, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_DATABASE_URL, BENCH_ONLY
(comma-separated scenario names), BENCH_OUT.

The members are generated only when the bench database does not already hold exactly
that many bench members written by this very generator (its fingerprint: a new hook or a
changed volume generates again), or with --regenerate. Each HTTP scenario runs in a
separate load generator process (tests/bench/loadgen.py) for a fixed time after a
warm-up; the others (exports, the rush, the search under load, the fan-out) run their
own path. Results go to var/bench/results.json (not committed) and a table with every
target, what was measured and whether it is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import scenarios as scenario_module

BASE_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentnet_bench"
DEFAULT_OUT = BASE_DIR / "var" / "bench" / "results.json"


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class BenchConfig:
    database_url: str = DEFAULT_DATABASE_URL
    members: int = 100_000
    seconds: float = 10.0
    warmup: float = 1.0
    workers: int = 4
    concurrency: int = 4
    only: list[str] = field(default_factory=list)
    out: Path | None = DEFAULT_OUT
    regenerate: bool = False


class BenchContext:
    """What a scenario's path factory, flow or custom run gets (in the harness process)."""

    def __init__(self, config: BenchConfig, server, generation: dict | None, rng_seed=2026):
        import random

        self.config = config
        self.server = server
        self.generation = generation or {}
        self.rng = random.Random(rng_seed)
        self._memo = {}
        self._cookies = {}

    @staticmethod
    def reverse(name, *args, **kwargs) -> str:
        from django.urls import reverse

        return reverse(name, args=args or None, kwargs=kwargs or None)

    def memo(self, key, build):
        """build() once per run (a path several scenarios use, e.g. the directory's)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def cookie(self, role: str) -> str:
        """The role's session cookie, one session per role and run."""
        from . import roles

        if role not in self._cookies:
            self._cookies[role] = roles.session_cookie(role)
        return self._cookies[role]

    def fetch(self, path: str, role: str):
        """A page of the server under test as the role sees it (browse.Page: status,
        links, form fields); not timed."""
        from .browse import fetch

        return fetch("127.0.0.1", self.server.port, path, cookie=self.cookie(role))

    def sample(self, values, k: int) -> list:
        """Up to k values picked at random (deterministic per run) from an iterable."""
        values = list(values)
        return self.rng.sample(values, min(k, len(values)))

    def member_ids(self, k: int = 200) -> list[int]:
        """k ids of generated members, spread over the whole id range."""
        from members.models import User

        from .generate import BENCH_EMAIL_DOMAIN

        ids = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").values_list(
            "id", flat=True
        )
        first = self.generation.get("first_id") or 1
        last = self.generation.get("last_id") or first
        candidates = [self.rng.randint(first, last) for _ in range(k * 2)]
        return list(ids.filter(id__in=candidates).order_by("?")[:k])

    def time_sql(self, sql: str, params=None, *, runs: int = 30) -> dict:
        """SQL timed straight on the database: p50 and p95 in ms over `runs` executions
        after one warm-up."""
        from time import perf_counter

        from django.db import connection

        from .loadgen import percentile

        timings = []
        with connection.cursor() as cursor:
            for attempt in range(runs + 1):
                started = perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                if attempt:
                    timings.append((perf_counter() - started) * 1000)
        timings.sort()
        return {
            "sql_p50_ms": round(percentile(timings, 0.5), 3),
            "sql_p95_ms": round(percentile(timings, 0.95), 3),
        }

    def raw_sql(self, path: str, role: str) -> dict:
        """The SELECTs a request runs (the same view run in this process with Django's
        test client, signed in as the role), each then timed straight on the database:
        their number and the sum of their p50 in ms. Information beside the request's
        own figures: what the database alone takes for that page."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from . import roles

        client = Client(SERVER_NAME="127.0.0.1")
        user = roles.role_user(role)
        if user is not None:
            client.force_login(user)
        with warnings.catch_warnings(), CaptureQueriesContext(connection) as captured:
            # whitenoise notes that the harness has no collected static files: it needs none.
            warnings.filterwarnings("ignore", message="No directory at")
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in the harness")
        selects = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        return {
            "raw_sql_queries": len(selects),
            "raw_sql_ms": round(
                sum(self.time_sql(sql, runs=10)["sql_p50_ms"] for sql in selects), 2
            ),
        }

    def loadgen_spec(self, spec: dict) -> dict:
        """A load generator spec with this run's defaults: the server, the run's
        concurrency, warm-up and seconds, a Cookie header from `cookie`."""
        full = {
            "host": "127.0.0.1",
            "port": self.server.port,
            "method": "GET",
            "seconds": self.config.seconds,
            "warmup": self.config.warmup,
            "concurrency": self.config.concurrency,
            "expect_status": [200],
            "timeout": max(60.0, self.config.seconds * 3),
            **{k: v for k, v in spec.items() if k != "cookie"},
        }
        headers = dict(full.get("headers") or {})
        if spec.get("cookie"):
            headers["Cookie"] = spec["cookie"]
        full["headers"] = headers
        return full

    def loadgen(self, spec: dict) -> dict:
        """Run a load generator process to its end; its figures."""
        with self.start_loadgen(spec) as running:
            pass
        return running.result

    def start_loadgen(self, spec: dict) -> LoadGenerator:
        """A load generator process started now (a context manager: leaving it waits for
        the end, then `.result` holds its figures)."""
        return LoadGenerator(self.loadgen_spec(spec))


class LoadGenerator:
    """`python -m tests.bench.loadgen spec.json result.json` in its own process."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.result = None
        self._tmp = tempfile.TemporaryDirectory(prefix="talentnet-loadgen-")
        spec_path = Path(self._tmp.name, "spec.json")
        self._result_path = Path(self._tmp.name, "result.json")
        spec_path.write_text(json.dumps(spec))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.loadgen", str(spec_path), str(self._result_path)],
            cwd=BASE_DIR,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        limit = self.spec.get("warmup", 0) + self.spec.get("seconds", 0) * 3 + 180
        try:
            code = self._proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
            raise
        finally:
            if self._proc.returncode == 0:
                self.result = json.loads(self._result_path.read_text())
            self._tmp.cleanup()
        if code != 0 and exc[0] is None:
            raise RuntimeError(f"the load generator exited with {code}")


def bench_member_range(database_url: str) -> dict:
    """How many bench members the database holds, and their id range."""
    import psycopg

    from .generate import BENCH_EMAIL_DOMAIN, recorded_fingerprint

    with psycopg.connect(database_url) as conn:
        exists = conn.execute("SELECT to_regclass('members_profile') IS NOT NULL").fetchone()[0]
        if not exists:
            return {"members": 0}
        count, first, last = conn.execute(
            "SELECT count(*), min(id), max(id) FROM members_user WHERE email LIKE %s "
            "AND id IN (SELECT user_id FROM members_profile)",
            [f"m%@{BENCH_EMAIL_DOMAIN}"],
        ).fetchone()
        fingerprint = recorded_fingerprint(conn)
    return {"members": count, "first_id": first, "last_id": last, "fingerprint": fingerprint}


def run_scenario(scenario, config: BenchConfig, server, ctx) -> dict:
    """Run one HTTP scenario (paths or a flow) in a load generator process; its figures
    with the workers' peak memory (and the raw SQL beside it when the scenario asks)."""
    if scenario.flow is not None:
        spec = scenario.flow(ctx)
        paths = []
    else:
        paths = scenario.build_paths(ctx)
        if not paths or any(p is None for p in paths):
            raise ValueError(f"scenario {scenario.name!r} has no path")
        spec = {"paths": paths, "method": scenario.method, "body": scenario.body}
    spec.update(
        headers=dict(scenario.headers),
        cookie=ctx.cookie(scenario.role),
        concurrency=scenario.concurrency or config.concurrency,
        expect_status=list(scenario.expect_status),
    )
    rss_reset = server.reset_peak_rss()
    figures = ctx.loadgen(spec)
    figures["peak_rss_mb"] = server.peak_rss_mb()
    figures["peak_rss_scope"] = "scenario" if rss_reset else "since worker start"
    figures["concurrency"] = spec["concurrency"]
    figures["paths"] = len(paths)
    if paths:
        figures["first_path"] = paths[0]
    if scenario.raw_sql and paths:
        figures.update(ctx.raw_sql(paths[0], scenario.role))
    return figures


def evaluate(scenario, figures: dict) -> list[dict]:
    return [
        {
            "target": str(t),
            "metric": t.metric,
            "measured": figures.get(t.metric),
            "met": t.check(figures),
        }
        for t in scenario.targets
    ]


def run_benchmark(config: BenchConfig, *, generation: dict | None = None, scenarios=None) -> dict:
    """Serve the site from config.database_url (already migrated and filled) and run every
    scenario. Django must be set up on that same database (sessions of the roles)."""
    from .server import GunicornServer

    selected = scenario_module.SCENARIOS if scenarios is None else scenarios
    if config.only:
        wanted = {name.strip().lower() for name in config.only}
        selected = [s for s in selected if s.name.lower() in wanted]
    results = []
    from .fanout import task_worker

    with (
        task_worker(config.database_url, log=log) as tasks_env,
        GunicornServer(
            config.database_url, workers=config.workers, log=log, extra_env=tasks_env
        ) as server,
    ):
        ctx = BenchContext(config, server, generation)
        for scenario in selected:
            entry = {"name": scenario.name, "role": scenario.role, "note": scenario.note}
            if scenario.todo:
                entry.update(status="skipped", reason=scenario.todo)
                entry["targets"] = [
                    {"target": str(t), "metric": t.metric, "measured": None, "met": None}
                    for t in scenario.targets
                ]
                log(f"bench: {scenario.name}: SKIPPED ({scenario.todo})")
                results.append(entry)
                continue
            log(f"bench: {scenario.name}: running {config.seconds:g} s ...")
            try:
                if scenario.run is not None:
                    rss_reset = server.reset_peak_rss()
                    figures = scenario.run(ctx)
                    # The web workers' memory, for a run that drove them (not the fan-out,
                    # whose work is a Celery worker's).
                    if "requests" in figures and "peak_rss_mb" not in figures:
                        figures["peak_rss_mb"] = server.peak_rss_mb()
                        figures["peak_rss_scope"] = (
                            "scenario" if rss_reset else "since worker start"
                        )
                else:
                    figures = run_scenario(scenario, config, server, ctx)
            except Exception as exc:  # one broken scenario must not end the whole run
                reason = f"{exc.__class__.__name__}: {exc}"
                log(f"bench: {scenario.name}: FAILED ({reason})")
                entry.update(status="failed", reason=reason)
                entry["targets"] = [
                    {"target": str(t), "metric": t.metric, "measured": None, "met": False}
                    for t in scenario.targets
                ]
                results.append(entry)
                continue
            entry.update(status="ran", figures=figures, targets=evaluate(scenario, figures))
            results.append(entry)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "config": {
            "members": config.members,
            "seconds": config.seconds,
            "warmup": config.warmup,
            "workers": config.workers,
            "concurrency": config.concurrency,
        },
        "generation": generation,
        "scenarios": results,
    }


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def render_table(report: dict) -> str:
    """The summary: one row per scenario, then one line per target with what was measured
    and its verdict. "SQL ms" is the database time inside the request (bench middleware),
    "raw SQL ms" the same request's SELECTs timed straight on the database (searches)."""
    header = (
        "scenario",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "SQL q/req",
        "SQL ms",
        "raw SQL ms",
        "worker MB",
        "target",
        "measured",
        "verdict",
    )
    rows = []
    for entry in report["scenarios"]:
        f = entry.get("figures") or {}
        targets = entry.get("targets") or []
        if entry["status"] == "skipped":
            verdicts = [f"skipped: {entry['reason']}"] * max(1, len(targets))
        elif entry["status"] == "failed":
            verdicts = [f"FAILED: {entry['reason']}"[:140]] + ["FAILED"] * (len(targets) - 1)
        elif not targets:
            verdicts = ["n/a (no target)"]
        else:
            verdicts = [
                {True: "MET", False: "NOT MET", None: "no figure"}[t["met"]] for t in targets
            ]
        target_texts = [t["target"] for t in targets] or ["-"]
        measured = [_fmt(t.get("measured")) for t in targets] or ["-"]
        for i, (target_text, value, verdict) in enumerate(
            zip(target_texts, measured, verdicts, strict=False)
        ):
            figures_cells = (
                (
                    _fmt(f.get("rps")),
                    _fmt(f.get("p50_ms")),
                    _fmt(f.get("p95_ms")),
                    _fmt(f.get("p99_ms")),
                    _fmt(f.get("errors")),
                    _fmt(f.get("queries_per_request")),
                    _fmt(f.get("sql_ms_mean"), 2),
                    _fmt(f.get("raw_sql_ms"), 2),
                    _fmt(f.get("peak_rss_mb")),
                )
                if i == 0
                else ("",) * 9
            )
            rows.append(
                (entry["name"] if i == 0 else "", *figures_cells, target_text, value, verdict)
            )
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]
    left = (0, 10, 12)

    def line(cells):
        return " | ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    config = report["config"]
    gen = report.get("generation") or {}
    out.append("")
    out.append(
        f"{config['members']:,} members, {config['workers']} gunicorn workers, "
        f"{config['concurrency']} connections, {config['seconds']:g} s per scenario "
        f"(+{config['warmup']:g} s warm-up), {report['machine']['cpus']} CPUs."
    )
    if gen.get("figures_snapshot_ms"):
        out.append(
            f"Figures snapshot (the beat's work, every 15 min): {gen['figures_snapshot_ms']:,} ms."
        )
    if gen.get("rows_per_second"):
        out.append(
            f"Generation: {gen['total_rows']:,} rows in {gen['seconds']:g} s "
            f"({gen['rows_per_second']:,} rows/s)."
        )
    return "\n".join(out)


def write_results(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _env_default(name, default, cast=str):
    value = os.environ.get(name)
    return cast(value) if value not in (None, "") else default


def parse_args(argv=None) -> BenchConfig:
    parser = argparse.ArgumentParser(description="talentnet benchmark (make bench)")
    parser.add_argument(
        "--database-url", default=_env_default("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--members", type=int, default=_env_default("BENCH_MEMBERS", 100_000, int))
    parser.add_argument("--seconds", type=float, default=_env_default("BENCH_SECONDS", 10.0, float))
    parser.add_argument("--warmup", type=float, default=_env_default("BENCH_WARMUP", 1.0, float))
    parser.add_argument("--workers", type=int, default=_env_default("BENCH_WORKERS", 4, int))
    parser.add_argument(
        "--concurrency", type=int, default=_env_default("BENCH_CONCURRENCY", 0, int)
    )
    parser.add_argument("--only", action="append", default=None)
    parser.add_argument("--out", type=Path, default=_env_default("BENCH_OUT", DEFAULT_OUT, Path))
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    only = args.only or [n for n in _env_default("BENCH_ONLY", "").split(",") if n.strip()]
    return BenchConfig(
        database_url=args.database_url,
        members=args.members,
        seconds=args.seconds,
        warmup=args.warmup,
        workers=args.workers,
        concurrency=args.concurrency or args.workers,
        only=only,
        out=args.out,
        regenerate=args.regenerate,
    )


def bring_up_to_date(database_url: str) -> dict:
    """Reused data meets the release being measured, as a deployed site would: every bench
    member accepts the privacy notice a newer migration published (else member pages send
    them to accept it), and a late figures snapshot is computed now, as the beat keeps it
    current, not by the site's worker in the middle of a scenario (its time is printed as
    information: the beat's work every FIGURES_REFRESH_SECONDS at this scale)."""
    import psycopg
    from django.db import close_old_connections

    from figures.services import current_snapshot, needs_refresh, refresh_figures

    with psycopg.connect(database_url, autocommit=True) as conn:
        accepted = conn.execute(
            "INSERT INTO members_privacyacceptance (user_id, notice_id, accepted_at) "
            "SELECT u.id, n.id, now() FROM members_user u, (SELECT id FROM "
            "members_privacynotice WHERE published_at <= now() ORDER BY version DESC LIMIT 1) n "
            "ON CONFLICT DO NOTHING"
        ).rowcount
    if accepted:
        log(f"bench: {accepted:,} members accepted the privacy notice in force")
    figures_ms = None
    if needs_refresh(current_snapshot()):
        figures_ms = refresh_figures().duration_ms
        log(f"bench: figures snapshot computed in {figures_ms:,} ms (the beat's work)")
    close_old_connections()
    return {"notice_acceptances_added": accepted, "figures_snapshot_ms": figures_ms}


def main(argv=None) -> int:
    config = parse_args(argv)
    from .generate import check_database_name, generate, generator_fingerprint
    from .server import prepare_database

    check_database_name(config.database_url)
    os.environ["DATABASE_URL"] = config.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    os.environ.setdefault("SECRET_KEY", "bench-harness-only-0123456789abcdefghijklmnopqrstuvwxyz")
    # The harness's own Django (path factories, sessions of the roles) logs quietly; the
    # server under test gets its own environment (server.server_env).
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    prepare_database(config.database_url, dict(os.environ), log=log)
    import django

    django.setup()
    generation = None
    found = bench_member_range(config.database_url)
    existing = found["members"]
    stale = found.get("fingerprint") != generator_fingerprint()
    if config.regenerate or existing != config.members or stale:
        why = "written by another version of the generator" if stale and existing else ""
        log(f"bench: generating {config.members:,} members (found {existing:,} {why})")
        generation = generate(
            config.database_url, config.members, reset_first=True, log=log
        ).as_dict()
    else:
        log(f"bench: reusing the {existing:,} members already in the bench database")
        generation = {**found, "reused": True, **bring_up_to_date(config.database_url)}
    report = run_benchmark(config, generation=generation)
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    sys.stdout.write(render_table(report) + "\n")
    if config.out:
        write_results(report, config.out)
        sys.stdout.write(f"Results: {config.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
