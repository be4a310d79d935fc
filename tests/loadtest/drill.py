"""Load and fault drills (issue 10, `make loadtest`; SECURITY.md F1, F3, F4).

1. steady: gunicorn with production settings on loopback, real PostgreSQL and Redis, and a
   load generator process (mixload.py) holding a realistic mix (anonymous pages, members
   browsing, coordinators searching and exporting, IME staff in the admin) for
   LOADTEST_SECONDS: prints requests/s and p95 per page and the error count (target: 0);
2. faults: the same mix for LOADTEST_FAULT_SECONDS while PostgreSQL, then Redis, go away
   for LOADTEST_OUTAGE seconds each and come back; prints how many requests failed and how
   long the site took to recover after each came back (target: under 10 s).

The app reaches PostgreSQL and Redis through TCP proxies (tests/security/proxy.py); a
"restart" is a cut of the proxy (every connection dropped, new ones refused) and a restore.
From the application's side that is what a server restart looks like, and it leaves the
machine's shared servers alone (other work runs against them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class DrillConfig:
    database_url: str
    redis_url: str = "redis://127.0.0.1:6379/1"
    seconds: float = 300
    fault_seconds: float = 60
    outage: float = 5
    workers: int = 4
    concurrency: int = 8
    members: int = 2000


def _through(url, port):
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def build_mix(staff_cookie, member_cookie, pncs_cookie):
    """The realistic mix: who asks for what, and how often (weights)."""
    anonymous = [
        "/",
        "/en/",
        "/chapters/",
        "/jornadas/",
        "/pncs/",
        "/opportunities/",
        "/programs/",
        "/privacy/",
        "/accounts/login/",
        "/en/pncs/",
    ]
    member = [
        "/me/",
        "/members/",
        "/members/?q=ingeniera",
        "/opportunities/mine/",
        "/programs/mine/",
        "/me/data/",
        "/me/preferences/",
        "/chapters/",
    ]
    coordinator = [
        "/pncs/search/",
        "/pncs/search/?q=python",
        "/pncs/search/?sector=tic",
        "/pncs/search/?q=hamilton",
        "/pncs/search/export.csv?q=hamilton",
    ]
    staff = [
        "/admin/",
        "/admin/members/profile/?q=hamilton",
        "/admin/chapters/chapter/",
        "/pncs/search/?q=ingeniero",
    ]
    return [
        {"label": "anonymous pages", "weight": 50, "paths": anonymous},
        {
            "label": "member browsing",
            "weight": 30,
            "paths": member,
            "headers": {"Cookie": member_cookie},
        },
        {
            "label": "coordinator search/export",
            "weight": 15,
            "paths": coordinator,
            "headers": {"Cookie": pncs_cookie},
        },
        {
            "label": "IME staff (admin, search)",
            "weight": 5,
            "paths": staff,
            "headers": {"Cookie": staff_cookie},
        },
    ]


def run_load(port, mix, seconds, concurrency):
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "seconds": seconds,
        "concurrency": concurrency,
        "mix": mix,
        "timeout": 30,
    }
    tmp = tempfile.TemporaryDirectory(prefix="talentnet-drill-")  # kept alive by the caller
    spec_path, out = Path(tmp.name, "spec.json"), Path(tmp.name, "out.json")
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.loadtest.mixload", str(spec_path), str(out)],
        cwd=BASE_DIR,
    )
    return proc, out, tmp


def summarise(result, started, ended):
    from tests.bench.loadgen import percentile

    labels = result["labels"]
    table = []
    for index, label in enumerate(labels):
        rows = [s for s in result["samples"] if s[1] == index]
        latencies = sorted(s[3] for s in rows)
        table.append(
            {
                "page": label,
                "requests": len(rows),
                "rps": round(len(rows) / max(ended - started, 1e-9), 1),
                "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
                "errors": sum(1 for s in rows if s[4]),
            }
        )
    samples = result["samples"]
    return {
        "requests": len(samples),
        "rps": round(len(samples) / max(ended - started, 1e-9), 1),
        "errors": sum(1 for s in samples if s[4]),
        "error_kinds": sorted({s[4] for s in samples if s[4]})[:10],
        "pages": table,
    }


def fault_figures(samples, cut_at, restored_at, until):
    """Failed requests from the cut until `until`, and the recovery time: from the moment
    the server came back to the end of the last failed request (0 when none failed after)."""
    # Requests in flight at the cut count too (started before, ended after).
    window = [s for s in samples if s[0] + s[3] >= cut_at and s[0] < until]
    failed = [s for s in window if s[4]]
    in_flight = [s for s in failed if s[0] < cut_at]
    during = [s for s in failed if cut_at <= s[0] < restored_at]
    after = [s for s in failed if s[0] >= restored_at]
    last_failure_end = max((s[0] + s[3] for s in after), default=restored_at)
    return {
        "outage_s": round(restored_at - cut_at, 2),
        "requests": len(window),
        "failed": len(failed),
        "failed_in_flight": len(in_flight),
        "failed_during_outage": len(during),
        "failed_after_back": len(after),
        "recovery_s": round(max(0.0, last_failure_end - restored_at), 2),
        "succeeded_after_back": sum(1 for s in window if not s[4] and s[0] >= restored_at),
    }


def _prepare_roles(roles):
    """The drill's member has accepted the notice in force and finished onboarding; its
    coordinator coordinates an active PNCS (the bench roles only put them in the groups)."""
    from django.utils import timezone

    from members.models import PrivacyAcceptance, PrivacyNotice, Profile, Sector
    from pncs.models import Pncs

    member = roles.role_user(roles.MEMBER)
    notice = PrivacyNotice.objects.current()
    for user in (member, roles.role_user(roles.PNCS), roles.role_user(roles.STAFF)):
        if notice is not None:
            PrivacyAcceptance.objects.get_or_create(user=user, notice=notice)
        Profile.objects.filter(user=user, onboarded_at__isnull=True).update(
            onboarded_at=timezone.now()
        )
    point, _created = Pncs.objects.get_or_create(
        sector=Sector.objects.get(slug="tic"), defaults={"host_institution": "Drill"}
    )
    point.coordinators.add(roles.role_user(roles.PNCS))


def run_drills(config: DrillConfig, *, generate_members=True, faults=True) -> dict:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from tests.bench import roles
    from tests.bench.generate import generate
    from tests.bench.server import GunicornServer, prepare_database
    from tests.security.proxy import CuttableProxy

    if generate_members:
        prepare_database(config.database_url, dict(os.environ), log=log)
        from members.models import User

        if not User.objects.filter(email__endswith="@bench.example.org").exists():
            # The drill's own database (force: its name is not a bench/test one).
            generate(config.database_url, config.members, log=log, force=True)
    _prepare_roles(roles)
    cookies = {role: roles.session_cookie(role) for role in (roles.MEMBER, roles.PNCS, roles.STAFF)}
    mix = build_mix(cookies[roles.STAFF], cookies[roles.MEMBER], cookies[roles.PNCS])

    db = urlsplit(config.database_url)
    redis = urlsplit(config.redis_url)
    report = {"config": config.__dict__}
    with (
        CuttableProxy(db.hostname or "127.0.0.1", db.port or 5432) as pg_proxy,
        CuttableProxy(redis.hostname or "127.0.0.1", redis.port or 6379) as redis_proxy,
    ):
        server = GunicornServer(
            _through(config.database_url, pg_proxy.port),
            workers=config.workers,
            log=log,
            extra_env={
                "REDIS_URL": _through(config.redis_url, redis_proxy.port),
                "DB_CONNECT_TIMEOUT": "2",
                "LOG_LEVEL": "CRITICAL",
            },
        )
        with server:
            log(f"drill: steady mix for {config.seconds:g} s")
            started = time.time()
            proc, out, _tmp = run_load(server.port, mix, config.seconds, config.concurrency)
            proc.wait(timeout=config.seconds + 300)
            report["steady"] = summarise(json.loads(out.read_text()), started, time.time())
            if faults:
                log(f"drill: mix for {config.fault_seconds:g} s with PostgreSQL and Redis cut")
                events = {}

                def inject():
                    for name, proxy, at in (
                        ("postgresql", pg_proxy, 0.2),
                        ("redis", redis_proxy, 0.6),
                    ):
                        time.sleep(max(0.0, started_f + at * config.fault_seconds - time.time()))
                        cut = time.time()
                        proxy.cut()
                        time.sleep(config.outage)
                        proxy.restore()
                        events[name] = (cut, time.time())

                started_f = time.time()
                proc, out, _tmp = run_load(
                    server.port, mix, config.fault_seconds, config.concurrency
                )
                injector = threading.Thread(target=inject)
                injector.start()
                proc.wait(timeout=config.fault_seconds + 300)
                injector.join()
                ended_f = time.time()
                result = json.loads(out.read_text())
                report["faults"] = summarise(result, started_f, ended_f)
                pg_cut, pg_back = events["postgresql"]
                redis_cut, redis_back = events["redis"]
                report["faults"]["postgresql"] = fault_figures(
                    result["samples"], pg_cut, pg_back, redis_cut
                )
                report["faults"]["redis"] = fault_figures(
                    result["samples"], redis_cut, redis_back, ended_f
                )
    return report


def render(report) -> str:
    lines = []
    for phase in ("steady", "faults"):
        if phase not in report:
            continue
        figures = report[phase]
        lines.append(
            f"\n== {phase}: {figures['requests']} requests, {figures['rps']} req/s, "
            f"{figures['errors']} errors {figures['error_kinds'] or ''}"
        )
        lines.append(f"{'page':32} {'requests':>9} {'req/s':>8} {'p95 ms':>8} {'errors':>7}")
        for row in figures["pages"]:
            lines.append(
                f"{row['page']:32} {row['requests']:>9} {row['rps']:>8} "
                f"{row['p95_ms'] if row['p95_ms'] is not None else '-':>8} {row['errors']:>7}"
            )
        for name in ("postgresql", "redis"):
            if name in figures:
                f = figures[name]
                lines.append(
                    f"{name} cut for {f['outage_s']} s: {f['failed']} of {f['requests']} "
                    f"requests failed ({f['failed_in_flight']} in flight at the cut, "
                    f"{f['failed_during_outage']} started during the outage, "
                    f"{f['failed_after_back']} after it came back); recovered "
                    f"{f['recovery_s']} s after it was back"
                )
    return "\n".join(lines)


def main(argv=None) -> int:
    env = os.environ
    config = DrillConfig(
        database_url=env.get(
            "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/talentnet_loadtest"
        ),
        redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
        seconds=float(env.get("LOADTEST_SECONDS", 300)),
        fault_seconds=float(env.get("LOADTEST_FAULT_SECONDS", 60)),
        outage=float(env.get("LOADTEST_OUTAGE", 5)),
        workers=int(env.get("LOADTEST_WORKERS", 4)),
        concurrency=int(env.get("LOADTEST_CONCURRENCY", 8)),
        members=int(env.get("LOADTEST_MEMBERS", 2000)),
    )
    # The drill process reads the same database as the server (sessions, paths).
    os.environ["DATABASE_URL"] = config.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    report = run_drills(config)
    text = render(report)
    sys.stdout.write(text + "\n")
    out = BASE_DIR / "var" / "loadtest" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    return 0 if report["steady"]["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
