"""The announcement fan-out scenario: BENCH_FANOUT_RECIPIENTS (default 100,000) bench
members opted in to chapter announcements receive one announcement, sent by a Celery
worker at each concurrency of BENCH_FANOUT_CONCURRENCY (default 1, 4 and 16 prefork
processes, one run each) to a loopback SMTP sink that answers every message after
BENCH_SMTP_DELAY_MS (20 ms, like a real relay). Throughput comes from the worker's
processes: each message is still recorded sent, durably, before its process sends the next.

Each run's figure is the messages the sink received per second of the send: from the
moment the batches are enqueued to the last arrival (worker start-up excluded). It only
counts when the run was right: the sink received exactly one message per recipient, no
message to anyone else, and every delivery row is recorded sent (else `msgs_per_s` is None
and `errors` says how many went wrong). The scenario's `msgs_per_s` is the run at the
highest concurrency; `runs` holds every run with its speed-up over one process.

At 100,000 recipients one process needs about 100,000 x 20 ms: over half an hour. Set
BENCH_FANOUT_CONCURRENCY=16 (or BENCH_FANOUT_RECIPIENTS lower) for a shorter run.

Runs in the harness process with the ORM on the bench database; the worker is a child
process on the same database, a real Redis broker (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/3) and its own queue. Each announcement and its deliveries are
deleted afterwards, so the bench database stays as generated.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .smtp import SmtpSink

BASE_DIR = Path(__file__).resolve().parents[2]
DELIVERY_BATCH = 5000  # delivery rows written per statement when a run is prepared


def _recipients() -> int:
    return int(os.environ.get("BENCH_FANOUT_RECIPIENTS", "100000"))


def _concurrencies() -> list[int]:
    raw = os.environ.get("BENCH_FANOUT_CONCURRENCY", "1,4,16")
    return sorted({int(part) for part in raw.split(",") if part.strip()})


def _start_worker(
    env: dict, log_path: Path, concurrency: int, timeout: float = 120.0, queues=None
) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "talentnet",
            "worker",
            "-Q",
            ",".join(queues or [env["CELERY_DEFAULT_QUEUE"]]),
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",  # INFO prints "ready."; one line per batch, not per message
            "-n",
            f"bench-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.bench_log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"bench worker exited: {log_path.read_text()[-2000:]}")
        if "ready." in log_path.read_text(errors="replace"):
            return proc
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"bench worker not ready: {log_path.read_text()[-2000:]}")


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    proc.bench_log.close()  # type: ignore[attr-defined]


@contextlib.contextmanager
def task_worker(database_url: str, *, log):
    """The Celery worker of the site under test, as production runs one beside gunicorn:
    its own queues on BENCH_BROKER_URL, one process. Yields the environment the web
    workers need to hand it their tasks (broker, queues, the private exports storage they
    share). Large exports are its work, not a request's (pncs.exports)."""
    from .server import server_env

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
    suffix = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="talentnet-bench-tasks-") as tmp:
        shared = {
            "CELERY_BROKER_URL": broker,
            "CELERY_DEFAULT_QUEUE": f"bench-default-{suffix}",
            "CELERY_TRANSACTIONAL_QUEUE": f"bench-transactional-{suffix}",
            "EXPORTS_ROOT": str(Path(tmp, "exports")),
        }
        env = server_env(database_url, Path(tmp), extra={**shared, "CONN_MAX_AGE": "60"})
        proc = _start_worker(
            env,
            Path(tmp, "worker.log"),
            1,
            queues=[shared["CELERY_DEFAULT_QUEUE"], shared["CELERY_TRANSACTIONAL_QUEUE"]],
        )
        log(f"bench: Celery worker of the site ready (queues {shared['CELERY_DEFAULT_QUEUE']})")
        try:
            yield shared
        finally:
            _stop_worker(proc)


def _prepare(wanted: int):
    """A sending announcement to the first `wanted` members opted in to chapter
    announcements, its pending deliveries written (as create_deliveries_task would write
    them for an audience of exactly these people), and their addresses."""
    from django.utils import timezone

    from announcements import audiences
    from announcements.models import Announcement, Delivery

    people = list(
        audiences.eligible_users("chapter").order_by("pk").values_list("pk", "email")[:wanted]
    )
    announcement = Announcement.objects.create(
        kind="chapter",
        subject_es="Aviso de prueba de carga",
        subject_en="Load test announcement",
        body_es="Hola a **todos**: esto es una [prueba](/chapters/).",
        body_en="Hello **everyone**: this is a [test](/chapters/).",
        audience_all_members=True,
        status=Announcement.Status.SENDING,
        started_at=timezone.now(),
        recipients_ready_at=timezone.now(),
    )
    Delivery.objects.bulk_create(
        [Delivery(announcement=announcement, user_id=pk) for pk, _email in people],
        batch_size=DELIVERY_BATCH,
    )
    return announcement, {email.lower() for _pk, email in people}


def _one_run(ctx, *, concurrency: int, wanted: int) -> dict:
    from announcements import delivery as outbox
    from announcements.models import Delivery
    from talentnet.celery import app
    from tests.conftest import _reset_broker_pools

    from .server import server_env

    announcement, addresses = _prepare(wanted)
    recipients = len(addresses)
    queue = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
    conf = app.conf
    saved = {k: conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    proc = None
    try:
        with SmtpSink() as sink, tempfile.TemporaryDirectory(prefix="talentnet-fanout-") as tmp:
            env = server_env(ctx.config.database_url, Path(tmp))
            env.update(
                {
                    "DATABASE_URL": ctx.config.database_url,
                    "CELERY_BROKER_URL": broker,
                    "CELERY_TASK_ALWAYS_EAGER": "false",
                    "CELERY_DEFAULT_QUEUE": queue,
                    "SMTP_HOST": sink.host,
                    "SMTP_PORT": str(sink.port),
                    "SMTP_TLS": "false",
                    "BENCH_QUERY_COUNT": "false",
                    "CONN_MAX_AGE": "60",
                }
            )
            proc = _start_worker(env, Path(tmp, "worker.log"), concurrency)
            conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
            _reset_broker_pools(app)
            worker_cpu, harness_cpu = _cpu_seconds(proc.pid), time.process_time()
            busy = _machine_busy()
            started = time.perf_counter()
            tasks = outbox.enqueue_pending(announcement_id=announcement.pk)
            # A generous bound: a tenth of the relay's pace per process, plus start-up.
            sink.wait_for(recipients, timeout=120 + recipients * sink.delay * 10 / concurrency)
            _wait_until_recorded(announcement, timeout=60.0)
            wall = time.perf_counter() - started
            worker_cpu = _cpu_seconds(proc.pid) - worker_cpu
            harness_cpu = time.process_time() - harness_cpu
            machine_busy = _machine_busy(since=busy)
            delivered, duplicates = sink.count, sink.duplicates
            received = dict(sink.received)
            rate = sink.messages_per_second(since=started)
            delay_ms = sink.delay * 1000
        sent = Delivery.objects.filter(announcement=announcement, status="sent").count()
    finally:
        conf.update(saved)
        _reset_broker_pools(app)
        if proc is not None:
            _stop_worker(proc)
        announcement.delete()
    missing = len(addresses - set(received))
    unexpected = len(set(received) - addresses)
    errors = missing + duplicates + unexpected + (recipients - sent)
    return {
        "worker_concurrency": concurrency,
        "recipients": recipients,
        "delivered": delivered,
        "duplicates": duplicates,
        "missing": missing,
        "unexpected": unexpected,
        "recorded_sent": sent,
        "errors": errors,
        "tasks": tasks,
        "batch_size": outbox.batch_size(),
        "smtp_delay_ms": delay_ms,
        # A wrong run has no throughput: the figure only counts when nothing went wrong.
        "msgs_per_s": rate if errors == 0 else None,
        # The most these processes can do against the relay's delay alone.
        "relay_bound_msgs_per_s": round(concurrency * 1000 / delay_ms, 1) if delay_ms else None,
        # CPU per message, less sensitive than msgs/s to what else runs on the machine: the
        # worker's processes, and this harness's (mostly the SMTP sink's thread).
        "worker_cpu_us_per_msg": round(worker_cpu * 1e6 / max(delivered, 1)),
        "harness_cpu_us_per_msg": round(harness_cpu * 1e6 / max(delivered, 1)),
        # Share of the machine's CPUs busy during the run (everything: the worker, the
        # database, the sink, other work): near 1.0 the CPU is what limits the rate.
        "machine_cpu_busy": machine_busy,
        "wall_s": round(wall, 2),
    }


def run_fanout(ctx) -> dict:
    """One run per worker concurrency; returns the highest concurrency's figures at the top
    level (msgs_per_s, recipients, delivered, duplicates, recorded_sent, errors) and every
    run under `runs`, with its speed-up over the lowest concurrency."""
    from .run import log

    # aiosmtpd logs every SMTP command at INFO: 100,000 messages of log lines would
    # measure the harness's logging, not the worker.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    wanted = _recipients()
    runs = []
    for concurrency in _concurrencies():
        log(f"bench: announcement fan-out: {wanted:,} recipients, worker concurrency {concurrency}")
        run = _one_run(ctx, concurrency=concurrency, wanted=wanted)
        runs.append(run)
        log(
            f"bench: announcement fan-out at concurrency {concurrency}: "
            f"{run['delivered']:,} of {run['recipients']:,} messages in {run['wall_s']} s, "
            f"{run['msgs_per_s'] if run['msgs_per_s'] is not None else '-'} msgs/s "
            f"(the relay's {run['smtp_delay_ms']:g} ms per message bounds it at "
            f"{run['relay_bound_msgs_per_s']}); {run['duplicates']} duplicates, "
            f"{run['missing']} missing, {run['recorded_sent']:,} recorded sent; CPU per "
            f"message: worker {run['worker_cpu_us_per_msg']} us, harness with the sink "
            f"{run['harness_cpu_us_per_msg']} us; machine CPU busy {run['machine_cpu_busy']}"
        )
    base = runs[0]
    for run in runs:
        if run["msgs_per_s"] and base["msgs_per_s"]:
            speedup = run["msgs_per_s"] / base["msgs_per_s"]
            run["speedup"] = round(speedup, 2)
            # 1.0: linear in the number of processes (until the CPU saturates).
            ratio = run["worker_concurrency"] / base["worker_concurrency"]
            run["scaling_efficiency"] = round(speedup / ratio, 2)
    top = runs[-1]
    return {
        **{k: top[k] for k in ("recipients", "delivered", "duplicates", "recorded_sent")},
        "errors": sum(run["errors"] for run in runs),
        "msgs_per_s": top["msgs_per_s"] if all(run["errors"] == 0 for run in runs) else None,
        "worker_concurrency": top["worker_concurrency"],
        "smtp_delay_ms": top["smtp_delay_ms"],
        "runs": runs,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the Celery pool's processes)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process is gone
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _machine_busy(since=None):
    """/proc/stat's CPU counters now; with `since`, the busy share in between (0..1)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    now = (sum(fields), idle)
    if since is None:
        return now
    total, idle = now[0] - since[0], now[1] - since[1]
    return round(1 - idle / total, 2) if total else None


def _wait_until_recorded(announcement, timeout: float) -> None:
    """Until the worker recorded every outcome (the announcement is marked sent), so that
    what the sink received is compared with what the database says."""
    from announcements.models import Announcement

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Announcement.objects.filter(pk=announcement.pk).values_list("status", flat=True)
        if status.first() != Announcement.Status.SENDING:
            return
        time.sleep(0.1)
