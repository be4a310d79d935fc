"""Load and fault drills (issue 10, `make loadtest`; SECURITY.md F1, F3, F4).

Everything runs on loopback against the drill's OWN PostgreSQL cluster and Redis server
(tests/loadtest/servers.py), so both can really be restarted without disturbing the
machine's shared servers: gunicorn with production settings, a Celery worker with beat
inside, an SMTP sink standing for the mail relay, and a load generator in its own
process (mixload.py).

1. steady: the mix (anonymous pages, members browsing, coordinators searching and
   exporting, IME staff in the admin; a member editing a profile and a member logging in,
   paced) for LOADTEST_SECONDS while an IME staff announcement sent through the admin goes
   out; prints requests/s, p95 and errors per page (target: no error);
2. faults: the same for LOADTEST_FAULT_SECONDS with a second announcement going out;
   PostgreSQL restarts (pg_ctl stop -m fast, LOADTEST_OUTAGE seconds away, start) at 25% of
   the phase and Redis (SHUTDOWN NOSAVE, away, start) at 60%. For each: requests failed in
   flight, failed after arriving during the outage, after it was back, and how long the
   site took to recover (targets: only requests in flight fail, recovery under 10 s);
3. no data lost: every delivery of both announcements sent exactly once (messages counted
   per recipient at the sink against the outbox rows), and every profile edit the site
   acknowledged is in the profile's history.

LOADTEST_MODE=scaleout runs the drill with two of everything instead (scaleout.py).
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS = BASE_DIR / "var" / "loadtest" / "results.json"
DATABASE = "talentnet_loadtest"
EDIT_LABEL = "member edits profile"
LOGIN_LABEL = "member logs in"
RECOVERY_TARGET_S = 10.0


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class DrillConfig:
    seconds: float = 300
    fault_seconds: float = 60
    outage: float = 2  # seconds each server stays away between stop and start
    pg_mode: str = "fast"  # pg_ctl stop mode: fast or immediate
    workers: int = 4
    concurrency: int = 8
    members: int = 2000
    smtp_rate: float = 25  # messages/s the sink accepts (a relay's pace): the send lasts
    edit_every: float = 0.5  # seconds between profile edits
    login_every: float = 5  # seconds between logins (allauth allows 30/min per address)
    drain_timeout: float = 180  # seconds to wait for the outbox to empty after the phases


# --- The mix ---------------------------------------------------------------------------


def build_mix(staff_cookie, member_cookie, pncs_cookie):
    """The realistic mix of reads: who asks for what, and how often (weights)."""
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
        "/admin/announcements/announcement/",
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


def build_writes(editors, login, csrf, config: DrillConfig):
    """Paced writes: members editing their profile (the headline carries a unique token)
    and a member logging in with the password form."""
    return [
        {
            "label": EDIT_LABEL,
            "every": config.edit_every,
            "expect": [302],
            "location": "/me/",
            "variants": [
                {
                    "path": "/me/edit/",
                    "headers": {"Cookie": f"{cookie}; csrftoken={csrf}"},
                    "body": body,
                }
                for cookie, body in editors
            ],
        },
        {
            "label": LOGIN_LABEL,
            "every": config.login_every,
            "expect": [302],
            "variants": [
                {
                    "path": "/accounts/login/",
                    "headers": {"Cookie": f"csrftoken={csrf}"},
                    "body": urllib.parse.urlencode(
                        {"login": login[0], "password": login[1], "csrfmiddlewaretoken": csrf}
                    ),
                }
            ],
        },
    ]


# --- Preparing the world (ORM, in this process) -----------------------------------------


def _prepare_member(user):
    """Accepted the notice in force and finished onboarding (member_required lets them in)."""
    from django.utils import timezone

    from members.models import PrivacyAcceptance, PrivacyNotice, Profile

    notice = PrivacyNotice.objects.current()
    if notice is not None:
        PrivacyAcceptance.objects.get_or_create(user=user, notice=notice)
    Profile.objects.filter(user=user, onboarded_at__isnull=True).update(onboarded_at=timezone.now())


def _edit_body(profile, csrf) -> str | None:
    """The profile form as the member's browser would post it, the headline a token
    placeholder; None when the member's generated profile does not validate as it is."""
    from members.forms import ProfileForm

    form = ProfileForm(instance=profile)
    pairs = []
    for name in form.fields:
        if name == "photo":
            continue
        value = form[name].value()
        if name == "headline":
            value = "TOKEN"
        if value is None or value is False or value == "":
            continue
        if value is True:
            value = "on"
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, str(item)))
    if not ProfileForm(_multi(pairs), instance=profile).is_valid():
        return None
    pairs.append(("csrfmiddlewaretoken", csrf))
    return urllib.parse.urlencode(pairs).replace("TOKEN", "{token}")


def _multi(pairs):
    from django.utils.datastructures import MultiValueDict

    data = MultiValueDict()
    for name, value in pairs:
        data.appendlist(name, value)
    return data


def prepare_world(config: DrillConfig, phases=("steady", "faults")) -> dict:
    """Roles with their sessions, the editing members, the member who logs in, and a
    draft announcement per phase to every member, written by IME staff."""
    from announcements import audiences
    from announcements.models import Announcement
    from members.models import Profile, Sector, User
    from pncs.models import Pncs
    from tests.bench import roles
    from tests.bench.generate import BENCH_EMAIL_DOMAIN, BENCH_PASSWORD

    staff = roles.role_user(roles.STAFF)
    coordinator = roles.role_user(roles.PNCS)
    member = roles.role_user(roles.MEMBER)
    for user in (member, coordinator, staff):
        _prepare_member(user)
    point, _created = Pncs.objects.get_or_create(
        sector=Sector.objects.get(slug="tic"), defaults={"host_institution": "Drill"}
    )
    point.coordinators.add(coordinator)

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    editors = []
    candidates = (
        Profile.objects.filter(user__email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
        .exclude(user__in=[member, coordinator, staff])
        .select_related("user")
        .order_by("pk")
    )
    for profile in candidates[:50]:
        body = _edit_body(profile, csrf)
        if body is None:
            continue
        _prepare_member(profile.user)
        editors.append((roles.user_session_cookie(profile.user), body, profile.user.email))
        if len(editors) == 4:
            break
    if not editors:
        raise RuntimeError("no generated profile validates as it is: cannot drill edits")
    login_user = (
        User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}", profile__isnull=False)
        .exclude(email__in=[member.email, coordinator.email, staff.email, *(e[2] for e in editors)])
        .order_by("-pk")
        .first()
    )
    _prepare_member(login_user)

    drafts = {}
    for phase in phases:
        announcement = Announcement.objects.create(
            kind=Announcement.Kind.CHAPTER,
            subject_es=f"[drill-{phase}] Aviso del simulacro",
            subject_en=f"[drill-{phase}] Drill announcement",
            body_es="Aviso de **prueba** del simulacro de carga.",
            body_en="A **test** announcement of the load drill.",
            audience_all_members=True,
            created_by=staff,
        )
        drafts[phase] = {
            "id": announcement.pk,
            "tag": f"drill-{phase}",
            "expected": audiences.recipient_ids(announcement).count(),
        }
    return {
        "cookies": {
            "staff": roles.user_session_cookie(staff),
            "member": roles.user_session_cookie(member),
            "pncs": roles.user_session_cookie(coordinator),
        },
        "csrf": csrf,
        "editors": [(cookie, body) for cookie, body, _email in editors],
        "login": (login_user.email, BENCH_PASSWORD),
        "announcements": drafts,
    }


# --- Running a phase --------------------------------------------------------------------


def run_load(port, mix, writes, seconds, concurrency, tmp: Path, name: str, **extra):
    """The load generator's process; `extra`: more of its spec (tls, host_header)."""
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "seconds": seconds,
        "concurrency": concurrency,
        "mix": mix,
        "paced": writes,
        "timeout": 30,
        "token_prefix": f"drill-{name}-{secrets.token_hex(3)}",
        **extra,
    }
    spec_path, out = tmp / f"{name}-spec.json", tmp / f"{name}-out.json"
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.loadtest.mixload", str(spec_path), str(out)],
        cwd=BASE_DIR,
    )
    return proc, out


def staff_send(base_url, world, announcement_id) -> dict:
    """IME staff press "send" in the admin (POST, with the session and CSRF token)."""
    csrf = world["csrf"]
    # The admin sends once the exact recipient count is confirmed (the drill knows it).
    (expected,) = [
        a["expected"] for a in world["announcements"].values() if a["id"] == announcement_id
    ]
    request = urllib.request.Request(
        f"{base_url}/admin/announcements/announcement/{announcement_id}/send/",
        data=urllib.parse.urlencode(
            {"when": "", "confirmed": str(expected), "csrfmiddlewaretoken": csrf}
        ).encode(),
        headers={"Cookie": f"{world['cookies']['staff']}; csrftoken={csrf}"},
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    started = time.time()
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        status = f"{exc.__class__.__name__}"
    return {"at": started, "status": status, "seconds": round(time.time() - started, 3)}


def summarise(result, started, ended):
    from tests.bench.loadgen import percentile

    table = []
    for index, label in enumerate(result["labels"]):
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
        "seconds": round(ended - started, 1),
        "requests": len(samples),
        "rps": round(len(samples) / max(ended - started, 1e-9), 1),
        "errors": sum(1 for s in samples if s[4]),
        "error_kinds": sorted({s[4] for s in samples if s[4]})[:10],
        # Each failed request (the first 20): when it was sent (s after the start), how long
        # it took and what it got, so that a failure can be placed against the faults.
        "failures": [
            {"at_s": round(s[0] - started, 2), "seconds": s[3], "error": s[4]}
            for s in samples
            if s[4]
        ][:20],
        "pages": table,
    }


def fault_figures(samples, moments, until):
    """Failures around one restart. `moments`: stopping (the stop began), stopped (the server
    was down), back (it answered again). Failed requests are counted as in flight (sent
    before it was down, answered after the stop began), arriving during the outage, or
    after it was back. Requests open while it was down (sent before `back`, answered after
    `stopped`) that succeeded waited for it (or did without it). Recovery: from `back` to
    the end of the last failed request (0 when none)."""
    stopping, stopped, back = moments["stopping"], moments["stopped"], moments["back"]
    window = [s for s in samples if s[0] + s[3] >= stopping and s[0] < until]
    failed = [s for s in window if s[4]]
    arrived_during = [s for s in window if stopped <= s[0] < back]
    open_during = [s for s in window if s[0] < back and s[0] + s[3] > stopped]
    succeeded = [s for s in open_during if not s[4]]
    last_failure_end = max((s[0] + s[3] for s in failed), default=back)
    return {
        "stop_s": round(stopped - stopping, 2),
        "outage_s": round(back - stopped, 2),
        "requests": len(window),
        "failed": len(failed),
        "failed_in_flight": sum(1 for s in failed if s[0] < stopped),
        "failed_during_outage": sum(1 for s in failed if stopped <= s[0] < back),
        "failed_after_back": sum(1 for s in failed if s[0] >= back),
        "arrived_during_outage": len(arrived_during),
        "open_during_outage": len(open_during),
        "succeeded_across_outage": len(succeeded),
        "longest_success_s": round(max((s[3] for s in succeeded), default=0.0), 2),
        "recovery_s": round(max(0.0, last_failure_end - back), 2),
        "succeeded_after_back": sum(1 for s in window if not s[4] and s[0] >= back),
        "error_kinds": sorted({s[4] for s in failed})[:5],
    }


def _outbox_open(announcement_id) -> int:
    """Deliveries still to send; 1 more while the recipients are still being written (the
    task after "send now" may not have written them all yet)."""
    from django.db import connection

    from announcements.models import Announcement, Delivery

    connection.close()  # a connection from before a restart is dead
    preparing = Announcement.objects.filter(
        pk=announcement_id, status="sending", recipients_ready_at__isnull=True
    ).exists()
    return (
        int(preparing)
        + Delivery.objects.filter(
            announcement_id=announcement_id, status__in=["pending", "sending"]
        ).count()
    )


def run_faults(pg, redis, config, started, moments, announcement_id):
    """The injector thread: PostgreSQL restarts at 25% of the phase, Redis at 60%."""
    from django.db import connection

    try:
        for name, at in (("postgresql", 0.25), ("redis", 0.6)):
            time.sleep(max(0.0, started + at * config.fault_seconds - time.time()))
            if name == "postgresql":
                log(f"drill: restarting PostgreSQL (stop -m {config.pg_mode})")
                moments[name] = pg.restart(config.pg_mode, down_for=config.outage)
            else:
                log("drill: restarting Redis (SHUTDOWN NOSAVE)")
                moments[name] = redis.restart(down_for=config.outage)
                # The queued batch tasks died with Redis: their deliveries wait in the outbox.
                moments[name]["outbox_open_at_back"] = _outbox_open(announcement_id)
    finally:
        connection.close()


# --- Checking that nothing was lost -----------------------------------------------------


def drain(announcement_ids, timeout) -> float | None:
    """Seconds until no delivery of these announcements is open (None: not within timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if sum(_outbox_open(pk) for pk in announcement_ids) == 0:
            return round(time.monotonic() - started, 1)
        time.sleep(1)
    return None


def check_send(draft, sink) -> dict:
    from django.db.models import Max, Min

    from announcements.models import Announcement, Delivery

    rows = Delivery.objects.filter(announcement_id=draft["id"])
    statuses = Counter(rows.values_list("status", flat=True))
    sent_to = {
        email.lower() for email in rows.filter(status="sent").values_list("user__email", flat=True)
    }
    received = sink.received(draft["tag"])
    announcement = Announcement.objects.get(pk=draft["id"])
    span = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    duplicates = sum(1 for n in received.values() if n > 1)
    missing = len(sent_to - set(received))
    unexpected = len(set(received) - sent_to)
    return {
        "recipients": draft["expected"],
        "outbox_rows": sum(statuses.values()),
        "statuses": dict(statuses),
        "messages": sum(received.values()),
        "recipients_twice": duplicates,
        "sent_not_received": missing,
        "received_not_sent": unexpected,
        "announcement_status": announcement.status,
        "send_seconds": (
            round((span["last"] - span["first"]).total_seconds(), 1) if span["last"] else None
        ),
        "exactly_once": (
            sum(statuses.values()) == draft["expected"]
            and statuses.get("sent", 0) == draft["expected"]
            and not duplicates
            and not missing
            and not unexpected
        ),
    }


def check_writes(results) -> dict:
    """Every profile edit the site acknowledged (302 to /me/) is in the profile history."""
    from members.models import Profile

    acknowledged, unacknowledged = set(), 0
    for result in results:
        edit = result["labels"].index(EDIT_LABEL)
        for index, token, ok in result["writes"]:
            if index != edit:
                continue
            if ok:
                acknowledged.add(token)
            else:
                unacknowledged += 1
    present = set(
        Profile.history.filter(headline__in=acknowledged).values_list("headline", flat=True)
    )
    return {
        "acknowledged_edits": len(acknowledged),
        "in_database": len(present),
        "missing": len(acknowledged - present),
        "failed_edits": unacknowledged,
        "all_present": acknowledged == present,
    }


# --- The drill --------------------------------------------------------------------------


def run_drills(config: DrillConfig, *, faults=True) -> dict:
    """Start the drill's own servers, prepare, run the phases, check; return the report.
    Configures Django in this process (call it in a fresh process)."""
    from tests.bench.server import GunicornServer, prepare_database

    from .servers import CeleryWorker, MailSink, OwnPostgres, OwnRedis

    report = {"config": asdict(config)}
    with (
        OwnPostgres(log=log) as pg,
        OwnRedis() as redis,
        MailSink(delay=1 / config.smtp_rate if config.smtp_rate else 0) as sink,
        tempfile.TemporaryDirectory(prefix="talentnet-drill-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        database_url = pg.url(DATABASE)
        services = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url(0),
            "CELERY_BROKER_URL": redis.url(1),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DB_CONNECT_TIMEOUT": "2",
        }
        os.environ.update(services)
        log(f"drill: own PostgreSQL on {pg.port}, own Redis on {redis.port}; migrating")
        prepare_database(database_url, dict(os.environ), log=log)
        import django

        django.setup()
        from tests.bench.generate import generate

        generate(database_url, config.members, log=log, force=True)
        world = prepare_world(config)
        cookies = world["cookies"]
        mix = build_mix(cookies["staff"], cookies["member"], cookies["pncs"])
        writes = build_writes(world["editors"], world["login"], world["csrf"], config)
        from django.db import connection

        connection.close()

        worker_env = {
            **os.environ,
            **services,
            "SMTP_HOST": sink.host,
            "SMTP_PORT": str(sink.port),
            "SMTP_TLS": "false",
            "CELERY_DEFAULT_QUEUE": "default",
            "CELERY_TRANSACTIONAL_QUEUE": "transactional",
            # The beat's outbox pass every 5 s; a batch enqueued 20 s ago whose task died
            # with Redis is enqueued again (batches of 100 take ~4 s at the sink's pace).
            "ANNOUNCEMENT_DISPATCH_EVERY": "5",
            "ANNOUNCEMENT_STUCK_AFTER": "20",
            "ANNOUNCEMENT_BATCH_SIZE": "100",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }
        server = GunicornServer(
            database_url,
            workers=config.workers,
            log=log,
            extra_env={**services, "LOG_LEVEL": "ERROR"},
            query_count=False,
        )
        results = []
        with CeleryWorker(worker_env, tmp / "worker.log") as worker, server:
            phases = [("steady", config.seconds)]
            if faults:
                phases.append(("faults", config.fault_seconds))
            for name, seconds in phases:
                log(f"drill: {name} mix for {seconds:g} s, IME staff sending an announcement")
                started = time.time()
                proc, out = run_load(
                    server.port, mix, writes, seconds, config.concurrency, tmp, name
                )
                time.sleep(min(1.0, seconds / 10))
                send = staff_send(server.base_url, world, world["announcements"][name]["id"])
                moments = {}
                injector = None
                if name == "faults":
                    injector = threading.Thread(
                        target=run_faults,
                        args=(
                            pg,
                            redis,
                            config,
                            started,
                            moments,
                            world["announcements"][name]["id"],
                        ),
                    )
                    injector.start()
                proc.wait(timeout=seconds + 300)
                if injector is not None:
                    injector.join()
                ended = time.time()
                result = json.loads(out.read_text())
                results.append(result)
                report[name] = summarise(result, started, ended)
                report[name]["staff_send"] = {**send, "at_s": round(send["at"] - started, 1)}
                if name == "faults":
                    report[name]["postgresql"] = fault_figures(
                        result["samples"], moments["postgresql"], moments["redis"]["stopping"]
                    )
                    report[name]["redis"] = fault_figures(
                        result["samples"], moments["redis"], ended
                    )
                    report[name]["redis"]["outbox_open_at_back"] = moments["redis"][
                        "outbox_open_at_back"
                    ]
                    for server_name in ("postgresql", "redis"):
                        report[name][server_name]["at_s"] = round(
                            moments[server_name]["stopping"] - started, 1
                        )
            drafts = [world["announcements"][name] for name, _seconds in phases]
            log("drill: waiting for the outbox to empty")
            drained = drain([d["id"] for d in drafts], config.drain_timeout)
            time.sleep(2)  # a message sent twice would arrive now
            worker_log = worker.read_log()
        report["data"] = {
            "outbox_drained_after_s": drained,
            "sends": {d["tag"]: check_send(d, sink) for d in drafts},
            "writes": check_writes(results),
            "worker_reconnected_to_database": "database connection lost" in worker_log,
        }
        from django.db import connection

        connection.close()
    report["targets"] = targets(report)
    return report


def targets(report) -> dict:
    """The issue's targets, each met or not."""
    met = {"steady: no error": report["steady"]["errors"] == 0}
    faults = report.get("faults")
    if faults:
        for name in ("postgresql", "redis"):
            figures = faults[name]
            met[f"{name}: only requests in flight failed"] = (
                figures["failed_during_outage"] == 0 and figures["failed_after_back"] == 0
            )
            met[f"{name}: recovered in under {RECOVERY_TARGET_S:g} s"] = (
                figures["recovery_s"] < RECOVERY_TARGET_S
            )
    data = report["data"]
    met["outbox emptied"] = data["outbox_drained_after_s"] is not None
    for tag, send in data["sends"].items():
        met[f"{tag}: every delivery sent exactly once"] = send["exactly_once"]
    met["every acknowledged edit is in the database"] = data["writes"]["all_present"]
    return met


def render(report) -> str:
    lines = []
    for phase in ("steady", "faults"):
        if phase not in report:
            continue
        figures = report[phase]
        lines.append(
            f"\n== {phase}: {figures['requests']} requests in {figures['seconds']} s, "
            f"{figures['rps']} req/s, {figures['errors']} errors {figures['error_kinds'] or ''}"
        )
        lines.append(f"{'page':32} {'requests':>9} {'req/s':>8} {'p95 ms':>8} {'errors':>7}")
        for row in figures["pages"]:
            lines.append(
                f"{row['page']:32} {row['requests']:>9} {row['rps']:>8} "
                f"{row['p95_ms'] if row['p95_ms'] is not None else '-':>8} {row['errors']:>7}"
            )
        send = figures["staff_send"]
        lines.append(
            f"IME staff pressed send at {send['at_s']} s: HTTP {send['status']} "
            f"in {send['seconds']} s"
        )
        for name in ("postgresql", "redis"):
            if name not in figures:
                continue
            f = figures[name]
            lines.append(
                f"{name} restarted at {f['at_s']} s (stop {f['stop_s']} s, away {f['outage_s']} s):"
                f" {f['failed']} of {f['requests']} requests failed ({f['failed_in_flight']} in"
                f" flight, {f['failed_during_outage']} arriving during the outage,"
                f" {f['failed_after_back']} after it was back); {f['succeeded_across_outage']} of"
                f" {f['open_during_outage']} requests open while it was away succeeded"
                f" ({f['arrived_during_outage']} sent meanwhile; slowest"
                f" {f['longest_success_s']} s); recovered {f['recovery_s']} s after it was back"
            )
            if "outbox_open_at_back" in f:
                lines.append(
                    f"  {f['outbox_open_at_back']} deliveries were waiting in the outbox when"
                    " Redis came back (their queued tasks died with it)"
                )
    data = report.get("data")
    if data:
        lines.append(f"\n== data (outbox empty {data['outbox_drained_after_s']} s after the mix)")
        for tag, send in data["sends"].items():
            lines.append(
                f"{tag}: {send['recipients']} recipients, {send['outbox_rows']} outbox rows "
                f"{send['statuses']}, {send['messages']} messages at the sink, "
                f"{send['recipients_twice']} recipients twice, {send['sent_not_received']} sent "
                f"but not received, {send['received_not_sent']} received but not recorded; "
                f"sent over {send['send_seconds']} s"
            )
        lines.append(
            "worker: a batch lost its database connection in the restart and ran the step "
            f"again on a new one: {'yes' if data['worker_reconnected_to_database'] else 'no'}"
        )
        w = data["writes"]
        lines.append(
            f"profile edits: {w['acknowledged_edits']} acknowledged, {w['in_database']} in the "
            f"database, {w['missing']} missing ({w['failed_edits']} not acknowledged)"
        )
    lines.append("\n== targets")
    for name, ok in report.get("targets", {}).items():
        lines.append(f"{'ok    ' if ok else 'MISSED'} {name}")
    return "\n".join(lines)


def config_from_env(env) -> DrillConfig:
    defaults = DrillConfig()
    return DrillConfig(
        seconds=float(env.get("LOADTEST_SECONDS", defaults.seconds)),
        fault_seconds=float(env.get("LOADTEST_FAULT_SECONDS", defaults.fault_seconds)),
        outage=float(env.get("LOADTEST_OUTAGE", defaults.outage)),
        pg_mode=env.get("LOADTEST_PG_STOP_MODE", defaults.pg_mode),
        workers=int(env.get("LOADTEST_WORKERS", defaults.workers)),
        concurrency=int(env.get("LOADTEST_CONCURRENCY", defaults.concurrency)),
        members=int(env.get("LOADTEST_MEMBERS", defaults.members)),
        smtp_rate=float(env.get("LOADTEST_SMTP_RATE", defaults.smtp_rate)),
        edit_every=float(env.get("LOADTEST_EDIT_EVERY", defaults.edit_every)),
        login_every=float(env.get("LOADTEST_LOGIN_EVERY", defaults.login_every)),
        drain_timeout=float(env.get("LOADTEST_DRAIN_TIMEOUT", defaults.drain_timeout)),
    )


def main(argv=None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    if os.environ.get("LOADTEST_MODE", "") == "scaleout":
        from .scaleout import main as scaleout_main

        return scaleout_main()
    config = config_from_env(os.environ)
    report = run_drills(config)
    sys.stdout.write(render(report) + "\n")
    out = Path(os.environ.get("LOADTEST_RESULTS") or RESULTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    sys.stdout.write(f"\nfigures: {out}\n")
    return 0 if all(report["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
