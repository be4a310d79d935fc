"""The announcement fan-out scenario: BENCH_FANOUT_RECIPIENTS (default 10,000) bench
members opted in to chapter announcements receive one announcement, sent by ONE Celery
worker process (concurrency 1) to the loopback SMTP sink; the figure is the messages the
sink received per second of the send: from the moment the batches are enqueued to the
last arrival (worker start-up excluded, the first task's work included). Each delivery is
claimed and recorded in the database as in production (chapters.announcements.send_batch),
and the figure only counts when the run was right: every recipient exactly one message,
every delivery recorded sent (else `msgs_per_s` is None and `errors` says how many went
wrong).

Runs in the harness process with the ORM on the bench database; the worker is a child
process on the same database, a real Redis broker (BENCH_BROKER_URL, default
redis://127.0.0.1:6379/3) and its own queue. The announcement and its deliveries are
deleted afterwards, so the bench database stays as generated.
"""

from __future__ import annotations

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


def _recipients() -> int:
    return int(os.environ.get("BENCH_FANOUT_RECIPIENTS", "10000"))


def _start_worker(env: dict, log_path: Path, timeout: float = 90.0) -> subprocess.Popen:
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
            env["CELERY_DEFAULT_QUEUE"],
            "--concurrency=1",
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
    proc._bench_log = log  # type: ignore[attr-defined]
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
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    proc._bench_log.close()  # type: ignore[attr-defined]


def run_fanout(ctx) -> dict:
    """Send one announcement to N opted-in bench members; returns msgs_per_s and counts."""
    from chapters import announcements
    from chapters.models import Announcement, Delivery
    from talentnet.celery import app
    from tests.conftest import _reset_broker_pools

    from .server import server_env

    # aiosmtpd logs every SMTP command at INFO: 10,000 messages of log lines would
    # measure the harness's logging, not the worker.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    wanted = _recipients()
    user_ids = announcements.eligible_users("chapter").order_by("pk").values_list("pk", flat=True)
    announcement = Announcement.objects.create(
        kind="chapter",
        subject_es="Aviso de prueba de carga",
        subject_en="Load test announcement",
        body_es="Hola a **todos**: esto es una [prueba](/chapters/).",
        body_en="Hello **everyone**: this is a [test](/chapters/).",
        audience_all_members=True,
        status=Announcement.Status.SENDING,
    )
    queue = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
    conf = app.conf
    saved = {k: conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    proc = None
    try:
        recipients = announcements.create_deliveries(
            announcement_id=announcement.pk, user_ids=user_ids[:wanted]
        )
        with SmtpSink() as sink, tempfile.TemporaryDirectory(prefix="talentnet-fanout-") as tmp:
            env = server_env(ctx.config.database_url, Path(tmp))
            env.update(
                {
                    "DATABASE_URL": ctx.config.database_url,
                    "CELERY_BROKER_URL": broker,
                    "CELERY_DEFAULT_QUEUE": queue,
                    "SMTP_HOST": sink.host,
                    "SMTP_PORT": str(sink.port),
                    "SMTP_TLS": "false",
                    "BENCH_QUERY_COUNT": "false",
                    "CONN_MAX_AGE": "60",
                }
            )
            proc = _start_worker(env, Path(tmp, "worker.log"))
            conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
            _reset_broker_pools(app)
            worker_cpu, harness_cpu = _cpu_seconds(proc.pid), time.process_time()
            started = time.perf_counter()
            tasks = announcements.enqueue_pending(announcement_id=announcement.pk)
            sink.wait_for(recipients, timeout=max(60.0, recipients / 20))
            _wait_until_recorded(announcement, timeout=30.0)
            wall = time.perf_counter() - started
            worker_cpu = _cpu_seconds(proc.pid) - worker_cpu
            harness_cpu = time.process_time() - harness_cpu
            delivered, duplicates = sink.count, sink.duplicates
            rate = sink.messages_per_second(since=started)
            arrival_rate = sink.messages_per_second()
        sent = Delivery.objects.filter(announcement=announcement, status="sent").count()
    finally:
        conf.update(saved)
        _reset_broker_pools(app)
        if proc is not None:
            _stop_worker(proc)
        announcement.delete()
    from .run import log

    missing = recipients - (delivered - duplicates)
    errors = missing + duplicates + (recipients - sent)
    log(
        f"bench: announcement fan-out: {delivered:,} of {recipients:,} messages in {wall:.1f} s, "
        f"{rate if rate is not None else '-'} msgs/s since the send started "
        f"({arrival_rate if arrival_rate is not None else '-'} between the first and the last "
        f"arrival; one worker, batches of {announcements.batch_size()}); {duplicates} "
        f"duplicates, {missing} missing, {sent:,} recorded sent; CPU per message: worker "
        f"{worker_cpu * 1e6 / max(delivered, 1):.0f} us, harness with the SMTP sink "
        f"{harness_cpu * 1e6 / max(delivered, 1):.0f} us"
    )
    return {
        "recipients": recipients,
        "delivered": delivered,
        "duplicates": duplicates,
        "recorded_sent": sent,
        "errors": errors,
        "tasks": tasks,
        "batch_size": announcements.batch_size(),
        # A wrong run has no throughput: the figure only counts when nothing went wrong.
        "msgs_per_s": rate if errors == 0 else None,
        "arrival_msgs_per_s": arrival_rate,
        # CPU per message, less sensitive than msgs/s to what else runs on the machine: the
        # worker's processes, and this harness's (mostly the SMTP sink's thread).
        "worker_cpu_us_per_msg": round(worker_cpu * 1e6 / max(delivered, 1)),
        "harness_cpu_us_per_msg": round(harness_cpu * 1e6 / max(delivered, 1)),
        "wall_s": round(wall, 2),
        "worker_concurrency": 1,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the Celery pool's process)."""
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


def _wait_until_recorded(announcement, timeout: float) -> None:
    """Until the worker recorded every outcome (the announcement is marked sent), so that
    what the sink received is compared with what the database says."""
    from chapters.models import Announcement

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Announcement.objects.filter(pk=announcement.pk).values_list("status", flat=True)
        if status.first() != Announcement.Status.SENDING:
            return
        time.sleep(0.1)
