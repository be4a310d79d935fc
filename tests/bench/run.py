"""`make bench`: generate members, serve the site with gunicorn, drive it, print the table.

    python -m tests.bench.run [--members 100000] [--seconds 10] [--workers 4]
        [--concurrency 4] [--database-url postgres://.../talentnet_bench]
        [--only "home page"] [--regenerate] [--out var/bench/results.json]

Every option also reads an environment variable: BENCH_MEMBERS, BENCH_SECONDS,
BENCH_WORKERS, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_DATABASE_URL, BENCH_ONLY
(comma-separated scenario names), BENCH_OUT.

The members are generated only when the bench database does not already hold exactly
that many bench members (or with --regenerate). Each scenario runs in a separate load
generator process (tests/bench/loadgen.py) for a fixed time after a warm-up. Results go
to var/bench/results.json (not committed) and a table with every target, met or not.
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
    """What a scenario's path factory or custom run gets (in the harness process)."""

    def __init__(self, config: BenchConfig, server, generation: dict | None, rng_seed=2026):
        import random

        self.config = config
        self.server = server
        self.generation = generation or {}
        self.rng = random.Random(rng_seed)

    @staticmethod
    def reverse(name, *args, **kwargs) -> str:
        from django.urls import reverse

        return reverse(name, args=args or None, kwargs=kwargs or None)

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
        """The same SQL a view runs, timed straight on the database (for the framework
        overhead comparison): p50 and p95 in ms over `runs` executions after one warm-up."""
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


def bench_member_range(database_url: str) -> dict:
    """How many bench members the database holds, and their id range."""
    import psycopg

    from .generate import BENCH_EMAIL_DOMAIN

    with psycopg.connect(database_url) as conn:
        exists = conn.execute("SELECT to_regclass('members_profile') IS NOT NULL").fetchone()[0]
        if not exists:
            return {"members": 0}
        count, first, last = conn.execute(
            "SELECT count(*), min(id), max(id) FROM members_user WHERE email LIKE %s "
            "AND id IN (SELECT user_id FROM members_profile)",
            [f"m%@{BENCH_EMAIL_DOMAIN}"],
        ).fetchone()
    return {"members": count, "first_id": first, "last_id": last}


def run_scenario(scenario, config: BenchConfig, server, ctx) -> dict:
    """Run one HTTP scenario in a load generator subprocess; returns its figures."""
    from . import roles

    paths = scenario.build_paths(ctx)
    if not paths or any(p is None for p in paths):
        raise ValueError(f"scenario {scenario.name!r} has no path")
    headers = dict(scenario.headers)
    cookie = roles.session_cookie(scenario.role)
    if cookie:
        headers["Cookie"] = cookie
    spec = {
        "host": "127.0.0.1",
        "port": server.port,
        "method": scenario.method,
        "paths": paths,
        "headers": headers,
        "body": scenario.body,
        "seconds": config.seconds,
        "warmup": config.warmup,
        "concurrency": scenario.concurrency or config.concurrency,
        "expect_status": list(scenario.expect_status),
        "timeout": max(30.0, config.seconds * 3),
    }
    with tempfile.TemporaryDirectory(prefix="talentnet-loadgen-") as tmp:
        spec_path, result_path = Path(tmp, "spec.json"), Path(tmp, "result.json")
        spec_path.write_text(json.dumps(spec))
        rss_reset = server.reset_peak_rss()
        subprocess.run(
            [sys.executable, "-m", "tests.bench.loadgen", str(spec_path), str(result_path)],
            cwd=BASE_DIR,
            check=True,
            timeout=config.warmup + config.seconds * 3 + 120,
        )
        figures = json.loads(result_path.read_text())
    figures["peak_rss_mb"] = server.peak_rss_mb()
    figures["peak_rss_scope"] = "scenario" if rss_reset else "since worker start"
    figures["concurrency"] = spec["concurrency"]
    figures["paths"] = len(paths)
    if figures.get("sql_ms_mean"):
        figures["django_to_sql_ratio"] = round(
            figures["django_ms_mean"] / figures["sql_ms_mean"], 2
        )
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
    with GunicornServer(config.database_url, workers=config.workers, log=log) as server:
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
            if scenario.run is not None:
                figures = scenario.run(ctx)
            else:
                figures = run_scenario(scenario, config, server, ctx)
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
    """The summary: one row per scenario, then one line per target with its verdict."""
    header = (
        "scenario",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "SQL q/req",
        "SQL ms",
        "Django ms",
        "worker MB",
        "target",
        "verdict",
    )
    rows = []
    for entry in report["scenarios"]:
        f = entry.get("figures") or {}
        targets = entry.get("targets") or []
        if entry["status"] == "skipped":
            verdicts = [f"skipped: {entry['reason']}"] * max(1, len(targets))
        elif not targets:
            verdicts = ["n/a (no target)"]
        else:
            verdicts = [
                {True: "MET", False: "NOT MET", None: "no figure"}[t["met"]] for t in targets
            ]
        target_texts = [t["target"] for t in targets] or ["-"]
        for i, (target_text, verdict) in enumerate(zip(target_texts, verdicts, strict=False)):
            figures_cells = (
                (
                    _fmt(f.get("rps")),
                    _fmt(f.get("p50_ms")),
                    _fmt(f.get("p95_ms")),
                    _fmt(f.get("p99_ms")),
                    _fmt(f.get("errors")),
                    _fmt(f.get("queries_per_request")),
                    _fmt(f.get("sql_ms_mean"), 2),
                    _fmt(f.get("django_ms_mean"), 2),
                    _fmt(f.get("peak_rss_mb")),
                )
                if i == 0
                else ("",) * 9
            )
            rows.append((entry["name"] if i == 0 else "", *figures_cells, target_text, verdict))
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]

    def line(cells):
        return " | ".join(
            str(c).ljust(w) if i in (0, 10, 11) else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

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


def main(argv=None) -> int:
    config = parse_args(argv)
    from .generate import check_database_name, generate
    from .server import prepare_database

    check_database_name(config.database_url)
    os.environ["DATABASE_URL"] = config.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    os.environ.setdefault("SECRET_KEY", "bench-harness-only-0123456789abcdefghijklmnopqrstuvwxyz")
    started = time.perf_counter()
    prepare_database(config.database_url, dict(os.environ), log=log)
    import django

    django.setup()
    generation = None
    found = bench_member_range(config.database_url)
    existing = found["members"]
    if config.regenerate or existing != config.members:
        log(f"bench: generating {config.members:,} members (found {existing:,})")
        generation = generate(
            config.database_url, config.members, reset_first=True, log=log
        ).as_dict()
    else:
        log(f"bench: reusing the {existing:,} members already in the bench database")
        generation = {**found, "reused": True}
    report = run_benchmark(config, generation=generation)
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    sys.stdout.write(render_table(report) + "\n")
    if config.out:
        write_results(report, config.out)
        sys.stdout.write(f"Results: {config.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
