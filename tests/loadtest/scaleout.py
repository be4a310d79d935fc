"""The drill with two of everything (issue 24; `make loadtest LOADTEST_MODE=scaleout`).

On loopback, all started by the drill (servers.py): its own PostgreSQL primary and a
streaming standby (pg_basebackup -R), its own Redis (cache and broker, shared by every
node), moto's S3 server (STORAGE_BACKEND=s3), two gunicorn nodes with DATABASE_REPLICA_URL
on the standby, nginx from deploy/nginx/talentnet.conf.template (TLS) with both nodes in its
upstream block, two Celery workers and one beat, an SMTP sink standing for the relay.

LOADTEST_MEMBERS (100,000) generated members, every one opted in to chapter news: an
announcement to all of them has as many recipients. The mix of drill.py runs against the
proxy for LOADTEST_SECONDS (300); IME staff press "send" at 1 s. An injector thread:

- at 20% SIGKILL to one web node (master and workers: a machine lost), started again 5 s
  later on the same port;
- at 45% SIGKILL to a Celery worker while it runs a batch (its child too), started again
  3 s later; the batch's deliveries are enqueued again after ANNOUNCEMENT_STUCK_AFTER (20 s);
- at 70% the standby stops (pg_ctl stop -m fast), starting again 10 s later.

Then, once the outbox is empty: one message per recipient at the sink, outbox rows =
recipients, every acknowledged profile edit on the primary. Each check PASS or FAIL;
figures to stdout and var/loadtest/results.json; exit status 1 on a FAIL.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from .drill import (
    BASE_DIR,
    DATABASE,
    RESULTS,
    build_mix,
    build_writes,
    check_send,
    check_writes,
    drain,
    fault_figures,
    log,
    prepare_world,
    run_load,
    summarise,
)

PUBLIC_HOST = "talent.example.org"  # as tests/security/production_server.py
PRIVATE_BUCKET, PUBLIC_BUCKET = "talentnet-private", "talentnet-public"
PHASE = "scaleout"


@dataclass
class ScaleoutConfig:
    seconds: float = 300
    members: int = 100_000
    workers: int = 2  # gunicorn sync workers per node
    concurrency: int = 8
    smtp_rate: float = 0  # messages/s per connection at the sink (0: as fast as it can)
    edit_every: float = 0.5
    login_every: float = 5
    drain_timeout: float = 900
    web_away: float = 5  # seconds between killing the web node and starting it again
    worker_away: float = 3
    standby_away: float = 10
    stuck_after: int = 20  # ANNOUNCEMENT_STUCK_AFTER: a killed worker's batch goes out again


def percentile_ms(samples, start, end):
    from tests.bench.loadgen import percentile

    latencies = sorted(s[3] for s in samples if start <= s[0] < end)
    if not latencies:
        return None
    return round(percentile(latencies, 0.95) * 1000, 1)


def staff_send(proxy_port, world, announcement_id) -> dict:
    """IME staff press "send" in the admin, through the proxy (TLS, the public host)."""
    csrf = world["csrf"]
    (expected,) = [
        a["expected"] for a in world["announcements"].values() if a["id"] == announcement_id
    ]
    body = urllib.parse.urlencode(
        {"when": "", "confirmed": str(expected), "csrfmiddlewaretoken": csrf}
    )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    started = time.time()
    conn = http.client.HTTPSConnection("127.0.0.1", proxy_port, timeout=60, context=context)
    try:
        conn.request(
            "POST",
            f"/admin/announcements/announcement/{announcement_id}/send/",
            body=body,
            headers={
                "Host": PUBLIC_HOST,
                "Origin": f"https://{PUBLIC_HOST}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{world['cookies']['staff']}; csrftoken={csrf}",
            },
        )
        status = conn.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        status = exc.__class__.__name__
    finally:
        conn.close()
    return {"at": started, "status": status, "seconds": round(time.time() - started, 3)}


def opt_everyone_in() -> None:
    """Every generated member active, verified and opted in to chapter news."""
    from announcements.models import KIND_FLAGS, Announcement
    from members.models import Profile, User
    from tests.bench.generate import BENCH_EMAIL_DOMAIN

    members = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}", deleted_at__isnull=True)
    members.update(is_active=True, email_verified=True)
    Profile.objects.filter(user__in=members).update(**{KIND_FLAGS[Announcement.Kind.CHAPTER]: True})


def message_ids(draft, sink) -> dict:
    """The send as recipients see it: each announcement message carries a Message-ID stable
    per delivery, so a copy sent again after a worker died in the middle of a message is
    recognised downstream. One message per recipient: one distinct Message-ID each."""
    ids = sink.message_ids(draft["tag"])
    return {
        "recipients_with_one_message": sum(1 for c in ids.values() if len(c) == 1),
        "recipients_with_other_messages": sum(1 for c in ids.values() if len(c) > 1),
        "copies_of_a_message": sum(n - 1 for c in ids.values() for n in c.values()),
    }


def run_faults(nodes, workers, standby, config, started, moments):
    """The injector thread."""
    try:
        time.sleep(max(0.0, started + 0.2 * config.seconds - time.time()))
        log("scaleout: SIGKILL to web node 1")
        node = nodes[0]
        stopping = time.time()
        node.kill()
        stopped = time.time()
        time.sleep(config.web_away)
        node.start()
        moments["web"] = {"stopping": stopping, "stopped": stopped, "back": time.time()}

        time.sleep(max(0.0, started + 0.45 * config.seconds - time.time()))
        deadline = time.time() + 30
        victim = None
        while victim is None and time.time() < deadline:
            victim = next((w for w in workers if w.batch_running()), None)
            if victim is None:
                time.sleep(0.2)
        victim = victim or workers[0]
        mid_batch = victim.batch_running()
        log(f"scaleout: SIGKILL to Celery worker {victim.name} (mid-batch: {mid_batch})")
        stopping = time.time()
        victim.kill()
        stopped = time.time()
        time.sleep(config.worker_away)
        victim.__enter__()
        moments["worker"] = {
            "stopping": stopping,
            "stopped": stopped,
            "back": time.time(),
            "mid_batch": mid_batch,
            "name": victim.name,
        }

        time.sleep(max(0.0, started + 0.7 * config.seconds - time.time()))
        log("scaleout: stopping the standby (pg_ctl stop -m fast)")
        moments["standby"] = standby.restart("fast", down_for=config.standby_away)
    except Exception as exc:  # reported, the drill goes on to its checks
        moments["error"] = repr(exc)
        log(f"scaleout: the injector failed: {exc!r}")


def fault_rows(samples, moments, started, ended) -> dict:
    """For each fault: the failures around it (drill.fault_figures, up to the next fault)
    and p95 before (since the previous fault was over), during and after (until the next)."""
    order = [name for name in ("web", "worker", "standby") if name in moments]
    rows = {}
    for i, name in enumerate(order):
        m = moments[name]
        previous_back = moments[order[i - 1]]["back"] if i else started
        next_stop = moments[order[i + 1]]["stopping"] if i + 1 < len(order) else ended
        figures = fault_figures(samples, m, next_stop)
        figures["at_s"] = round(m["stopping"] - started, 1)
        figures["back_at_s"] = round(m["back"] - started, 1)
        figures["p95_ms"] = {
            "before": percentile_ms(samples, previous_back, m["stopping"]),
            "during": percentile_ms(samples, m["stopping"], m["back"]),
            "after": percentile_ms(samples, m["back"], next_stop),
        }
        for extra in ("mid_batch", "name"):
            if extra in m:
                figures[extra] = m[extra]
        rows[name] = figures
    return rows


def run_scaleout(config: ScaleoutConfig) -> dict:
    from tests.bench.server import prepare_database, server_env

    from .servers import (
        S3_KEYS,
        CeleryBeat,
        CeleryWorker,
        MailSink,
        MotoS3,
        OwnNginx,
        OwnPostgres,
        OwnRedis,
        OwnStandby,
        WebNode,
    )

    report = {"mode": "scaleout", "config": asdict(config)}
    with (
        OwnPostgres(log=log) as pg,
        OwnRedis() as redis,
        MotoS3(buckets=(PRIVATE_BUCKET, PUBLIC_BUCKET)) as s3,
        MailSink(delay=1 / config.smtp_rate if config.smtp_rate else 0) as sink,
        tempfile.TemporaryDirectory(prefix="talentnet-scaleout-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        database_url = pg.url(DATABASE)
        services = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url(0),
            "CELERY_BROKER_URL": redis.url(1),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DB_CONNECT_TIMEOUT": "2",
            # Behind the TLS proxy, as documented for production.
            "DJANGO_SECURE": "true",
            "ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1,localhost",
            "SITE_URL": f"https://{PUBLIC_HOST}",
        }
        os.environ.update(services)
        log(f"scaleout: own PostgreSQL on {pg.port}, Redis on {redis.port}; migrating")
        prepare_database(database_url, dict(os.environ), log=log)
        import django

        django.setup()
        from django.db import connection

        from tests.bench.generate import generate

        generated = time.time()
        generate(database_url, config.members, log=log, force=True)
        opt_everyone_in()
        world = prepare_world(config, phases=(PHASE,))
        report["preparation_s"] = round(time.time() - generated, 1)
        draft = world["announcements"][PHASE]
        log(f"scaleout: {draft['expected']} recipients; making the standby")
        cookies = world["cookies"]
        mix = build_mix(cookies["staff"], cookies["member"], cookies["pncs"])
        writes = build_writes(world["editors"], world["login"], world["csrf"], config)
        for entry in writes:  # a browser's POST over https names its origin (CSRF)
            for variant in entry["variants"]:
                variant["headers"]["Origin"] = f"https://{PUBLIC_HOST}"
        connection.close()

        with OwnStandby(pg, log=log) as standby:
            replica = {
                "DATABASE_REPLICA_URL": standby.url(DATABASE),
                "DATABASE_REPLICA_CHECK_EVERY": "1",
                "DATABASE_REPLICA_RETRY_AFTER": "5",
                "STORAGE_BACKEND": "s3",
                "AWS_S3_ENDPOINT_URL": s3.endpoint,
                "STORAGE_PRIVATE_BUCKET": PRIVATE_BUCKET,
                "STORAGE_PUBLIC_BUCKET": PUBLIC_BUCKET,
                "STORAGE_TIMEOUT": "2",
                **S3_KEYS,
            }
            var_dir = tmp / "var"
            var_dir.mkdir()
            web_env = server_env(
                database_url,
                var_dir,
                extra={**services, **replica, "LOG_LEVEL": "ERROR"},
                query_count=False,
            )
            for command in (
                ["compilemessages", "--ignore=.venv", "-v0"],
                ["collectstatic", "--noinput", "-v0"],
            ):
                subprocess.run(
                    [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=web_env, check=True
                )
            worker_env = {
                **web_env,
                "SMTP_HOST": sink.host,
                "SMTP_PORT": str(sink.port),
                "SMTP_TLS": "false",
                "CELERY_DEFAULT_QUEUE": "default",
                "CELERY_TRANSACTIONAL_QUEUE": "transactional",
                "ANNOUNCEMENT_DISPATCH_EVERY": "5",
                "ANNOUNCEMENT_STUCK_AFTER": str(config.stuck_after),
                "ANNOUNCEMENT_BATCH_SIZE": "100",
                "CONN_MAX_AGE": "60",
                "LOG_LEVEL": "WARNING",
            }
            nodes = [
                WebNode(web_env, tmp / f"web{n}.log", workers=config.workers, name=f"web{n}")
                for n in (1, 2)
            ]
            workers = [
                CeleryWorker(worker_env, tmp / f"worker{n}.log", beat=False, name=f"worker{n}")
                for n in (1, 2)
            ]
            beat = CeleryBeat(worker_env, tmp / "beat.log")
            with (
                nodes[0],
                nodes[1],
                OwnNginx(
                    tmp / "nginx", [f"127.0.0.1:{n.port}" for n in nodes], PUBLIC_HOST
                ) as proxy,
                workers[0],
                workers[1],
                beat,
            ):
                log(
                    f"scaleout: nodes on {nodes[0].port} and {nodes[1].port} behind nginx on "
                    f"{proxy.https_port}; mix for {config.seconds:g} s"
                )
                started = time.time()
                proc, out = run_load(
                    proxy.https_port, mix, writes, config.seconds, config.concurrency, tmp, PHASE,
                    tls=True, host_header=PUBLIC_HOST,
                )  # fmt: skip
                time.sleep(1.0)
                send = staff_send(proxy.https_port, world, draft["id"])
                moments = {}
                injector = threading.Thread(
                    target=run_faults, args=(nodes, workers, standby, config, started, moments)
                )
                injector.start()
                proc.wait(timeout=config.seconds + 300)
                injector.join()
                ended = time.time()
                result = json.loads(out.read_text())
                log("scaleout: waiting for the outbox to empty")
                drained = drain([draft["id"]], config.drain_timeout)
                time.sleep(2)  # a message sent twice would arrive now
                report["load"] = summarise(result, started, ended)
                report["load"]["staff_send"] = {**send, "at_s": round(send["at"] - started, 1)}
                report["faults"] = fault_rows(result["samples"], moments, started, ended)
                report["injector_error"] = moments.get("error")
                # Where a failure came from, if one did: the proxy's account of each request
                # an upstream failed, its error log and what the nodes logged.
                report["diagnostics"] = {
                    "proxy_failed_requests": proxy.failed_upstream(),
                    "proxy_errors": [
                        line for line in proxy.read_error_log().splitlines() if "upstream" in line
                    ][:20],
                    "node_logs": {node.name: node.read_log()[-3000:] for node in nodes},
                }
                if "web" in moments:
                    answered = proxy.answered_by(since=moments["web"]["back"])
                    report["faults"]["web"]["answered_by_node_after_back"] = {
                        node.name: answered.get(f"127.0.0.1:{node.port}", 0) for node in nodes
                    }
                report["data"] = {
                    "outbox_drained_after_s": drained,
                    "send": {**check_send(draft, sink), **message_ids(draft, sink)},
                    "writes": check_writes([result]),
                }
                connection.close()
    report["checks"] = checks(report)
    return report


def checks(report) -> dict:
    load, faults, data = report["load"], report["faults"], report["data"]
    web = faults.get("web", {})
    worker = faults.get("worker", {})
    standby = faults.get("standby", {})
    send = data["send"]
    return {
        "every fault injected": report.get("injector_error") is None
        and set(faults) == {"web", "worker", "standby"},
        "staff send accepted (302)": load["staff_send"]["status"] == 302,
        "web node killed: only its requests in flight failed": bool(web)
        and web["failed_during_outage"] == 0
        and web["failed_after_back"] == 0
        and load["errors"] == web["failed_in_flight"],
        "web node back and serving": bool(web)
        and web.get("answered_by_node_after_back", {}).get("web1", 0) > 0,
        "worker killed in the middle of a batch": bool(worker.get("mid_batch")),
        "worker killed: no request failed": bool(worker) and worker["failed"] == 0,
        "standby stopped: no request failed": bool(standby) and standby["failed"] == 0,
        "outbox emptied": data["outbox_drained_after_s"] is not None,
        "outbox rows = recipients": send["outbox_rows"] == send["recipients"],
        "exactly one message per recipient at the sink (one Message-ID each)": (
            send["recipients_with_one_message"] == send["recipients"]
            and send["recipients_with_other_messages"] == 0
            and send["sent_not_received"] == 0
            and send["received_not_sent"] == 0
        ),
        # The documented bound (announcements.delivery.send_batch): a worker killed leaves
        # only the message it had in flight in doubt; it goes again, same Message-ID.
        "copies only of the killed worker's message in flight (at most 1)": (
            send["copies_of_a_message"] <= 1
        ),
        "every acknowledged write found on the primary": data["writes"]["all_present"],
    }


def render(report) -> str:
    load, data = report["load"], report["data"]
    lines = [
        f"\n== scale-out: {load['requests']} requests served in {load['seconds']} s "
        f"({load['rps']} req/s), {load['errors']} errors {load['error_kinds'] or ''}",
        f"{'page':32} {'requests':>9} {'req/s':>8} {'p95 ms':>8} {'errors':>7}",
    ]
    for row in load["pages"]:
        p95 = row["p95_ms"] if row["p95_ms"] is not None else "-"
        lines.append(
            f"{row['page']:32} {row['requests']:>9} {row['rps']:>8} {p95:>8} {row['errors']:>7}"
        )
    send = load["staff_send"]
    lines.append(
        f"IME staff pressed send at {send['at_s']} s: HTTP {send['status']} in {send['seconds']} s"
    )
    lines.append(
        f"\n{'fault':34} {'at s':>6} {'back s':>7} {'failed':>7} {'in flight':>10} "
        f"{'during':>7} {'after':>6} {'p95 before':>11} {'during':>8} {'after':>8}"
    )
    titles = {
        "web": "web node SIGKILL, restarted 5 s on",
        "worker": "Celery worker SIGKILL mid-batch",
        "standby": "standby pg_ctl stop -m fast, 10 s",
    }
    for name, f in report["faults"].items():
        p95 = f["p95_ms"]
        lines.append(
            f"{titles[name]:34} {f['at_s']:>6} {f['back_at_s']:>7} {f['failed']:>7} "
            f"{f['failed_in_flight']:>10} {f['failed_during_outage']:>7} "
            f"{f['failed_after_back']:>6} {p95['before'] or '-':>11} {p95['during'] or '-':>8} "
            f"{p95['after'] or '-':>8}"
        )
    web = report["faults"].get("web", {})
    if "answered_by_node_after_back" in web:
        lines.append(
            "requests answered per node after web1 was back: "
            + ", ".join(f"{k} {v}" for k, v in web["answered_by_node_after_back"].items())
        )
    worker = report["faults"].get("worker", {})
    if worker:
        lines.append(
            f"worker killed: {worker.get('name')}, in the middle of a batch: "
            f"{'yes' if worker.get('mid_batch') else 'no'}"
        )
    if report.get("injector_error"):
        lines.append(f"injector error: {report['injector_error']}")
    s = data["send"]
    lines.append(
        f"\ndeliveries: {s['recipients']} recipients, {s['outbox_rows']} outbox rows "
        f"{s['statuses']}, {s['messages']} messages at the sink, {s['recipients_twice']} "
        f"recipients twice, {s['sent_not_received']} sent but not received, "
        f"{s['received_not_sent']} received but not recorded; sent over {s['send_seconds']} s; "
        f"outbox empty {data['outbox_drained_after_s']} s after the mix; "
        f"{s['recipients_with_one_message']} recipients with exactly one Message-ID, "
        f"{s['copies_of_a_message']} copies of a message (same Message-ID)"
    )
    w = data["writes"]
    lines.append(
        f"writes: {w['acknowledged_edits']} profile edits acknowledged, {w['in_database']} "
        f"found on the primary, {w['missing']} missing ({w['failed_edits']} not acknowledged)"
    )
    lines.append("\n== checks")
    for name, ok in report["checks"].items():
        lines.append(f"{'PASS' if ok else 'FAIL'}  {name}")
    return "\n".join(lines)


def config_from_env(env) -> ScaleoutConfig:
    d = ScaleoutConfig()
    return ScaleoutConfig(
        seconds=float(env.get("LOADTEST_SECONDS", d.seconds)),
        members=int(env.get("LOADTEST_MEMBERS", d.members)),
        workers=int(env.get("LOADTEST_WORKERS", d.workers)),
        concurrency=int(env.get("LOADTEST_CONCURRENCY", d.concurrency)),
        smtp_rate=float(env.get("LOADTEST_SMTP_RATE", d.smtp_rate)),
        edit_every=float(env.get("LOADTEST_EDIT_EVERY", d.edit_every)),
        login_every=float(env.get("LOADTEST_LOGIN_EVERY", d.login_every)),
        drain_timeout=float(env.get("LOADTEST_DRAIN_TIMEOUT", d.drain_timeout)),
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    report = run_scaleout(config_from_env(os.environ))
    sys.stdout.write(render(report) + "\n")
    out = Path(os.environ.get("LOADTEST_RESULTS") or RESULTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    sys.stdout.write(f"\nfigures: {out}\n")
    return 0 if all(report["checks"].values()) else 1
