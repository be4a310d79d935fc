"""The drill's own processes: a PostgreSQL cluster and a Redis server that it can really
restart, the mail relay (an SMTP sink counting per recipient) and a Celery worker.

The machine's shared servers (5432, 6379) run other people's tests and are never touched:
`OwnPostgres` runs initdb into a temporary directory with Debian's binaries
(/usr/lib/postgresql/<version>/bin), trust authentication on loopback only, a free port,
no fsync (a throwaway cluster; a fast or immediate restart still goes through WAL
recovery); `OwnRedis` runs redis-server on a free port without persistence, as the shared
one. Both start, restart and stop on demand, and report the moment they answer again.

As root (CI, containers) PostgreSQL refuses to run: its commands run as the `postgres`
user (runuser), which owns the data directory.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

from tests.bench.server import BASE_DIR, free_port


def _pg_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    if not candidates:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(candidates[-1]).parent


def _answers(port: int, payload: bytes, expect: bytes) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(payload)
            return expect in sock.recv(64)
    except OSError:
        return False


class _Started:
    """Started on entering (cleaned up if starting fails), closed on leaving."""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()


def _stop(proc, *, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL when it does not exit in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class OwnPostgres(_Started):
    """A private PostgreSQL cluster on a free loopback port (user `postgres`, trust)."""

    def __init__(self, *, log=lambda message: None):
        self.bindir = _pg_bindir()
        self.log = log
        self.port = free_port()
        self._tmp = tempfile.mkdtemp(prefix="talentnet-drill-pg-")
        self.datadir = Path(self._tmp, "data")
        self.socketdir = Path(self._tmp, "sock")
        self.logfile = Path(self._tmp, "postgres.log")
        self._as_postgres = os.geteuid() == 0

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def start(self) -> OwnPostgres:
        self.socketdir.mkdir(parents=True)
        if self._as_postgres:
            shutil.chown(self._tmp, "postgres", "postgres")
            shutil.chown(self.socketdir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socketdir}'",
            "max_connections": "100",
            "shared_buffers": "128MB",
            "fsync": "off",
            "synchronous_commit": "on",
            "full_page_writes": "off",
            "logging_collector": "off",
        }
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run(
            "pg_ctl", action, "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60",
            *extra,
        )  # fmt: skip

    def restart(self, mode: str = "fast", down_for: float = 0.0) -> dict:
        """Stop (`fast`: clients are disconnected, open transactions rolled back, a
        checkpoint written; `immediate`: no clean shutdown, WAL recovery at start), stay
        away `down_for` seconds, start again. Returns the wall-clock moments: stopping
        (the stop began), stopped (it was down), back (it answered again)."""
        stopping = time.time()
        self._pg_ctl("stop", "-m", mode)
        stopped = time.time()
        time.sleep(down_for)
        self._pg_ctl("start")
        return {"stopping": stopping, "stopped": stopped, "back": self.wait_ready()}

    def wait_ready(self, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self._run(
                "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), check=False
            )
            if done.returncode == 0:
                return time.time()
            time.sleep(0.05)
        raise RuntimeError(f"own PostgreSQL did not come back: {self.read_log()[-2000:]}")

    def read_log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self.datadir.exists():
            self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", check=False)
        shutil.rmtree(self._tmp, ignore_errors=True)


class OwnRedis(_Started):
    """A private redis-server on a free loopback port, without persistence."""

    def __init__(self, *, log=lambda message: None):
        self.log = log
        self.port = free_port()
        self._tmp = tempfile.mkdtemp(prefix="talentnet-drill-redis-")
        self.logfile = Path(self._tmp, "redis.log")
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> OwnRedis:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", self._tmp,
            "--logfile", str(self.logfile),
        ]  # fmt: skip
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"own Redis exited: {self.logfile.read_text()[-2000:]}")
            if _answers(self.port, b"PING\r\n", b"+PONG"):
                return time.time()
            time.sleep(0.02)
        raise RuntimeError("own Redis did not answer")

    def restart(self, down_for: float = 0.0) -> dict:
        """SHUTDOWN NOSAVE (every key and queued message is gone, as after a crash), stay
        away `down_for` seconds, start again. Returns the moments as OwnPostgres.restart."""
        stopping = time.time()
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock,
        ):
            sock.sendall(b"SHUTDOWN NOSAVE\r\n")
            sock.recv(64)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        stopped = time.time()
        time.sleep(down_for)
        self.start()
        return {"stopping": stopping, "stopped": stopped, "back": time.time()}

    def close(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self._tmp, ignore_errors=True)


class MailSink:
    """A loopback SMTP server standing for the mail relay: it answers each message after
    `delay` seconds (a remote relay's pace) and counts messages per (tag, recipient), the
    tag being the `[drill-…]` mark in the subject (other mail is counted as untagged)."""

    def __init__(self, *, delay: float = 0.0):
        self.delay = delay
        self.host = "127.0.0.1"
        self.port = None
        self.counts: Counter = Counter()
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        subject = BytesHeaderParser().parsebytes(envelope.original_content).get("Subject", "")
        match = re.search(r"\[(drill-[\w-]+)\]", str(subject))
        tag = match.group(1) if match else ""
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.counts[(tag, recipient.lower())] += 1
        return "250 OK"

    def received(self, tag: str) -> Counter:
        """Messages per recipient with this tag."""
        with self._lock:
            return Counter({rcpt: n for (t, rcpt), n in self.counts.items() if t == tag})

    def __enter__(self):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command
        self.port = free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc):
        if self._controller is not None:
            self._controller.stop()


class CeleryWorker:
    """`celery worker -B` (with the beat scheduler inside, as one small deployment runs it)
    on the drill's Redis and database, both queues, one child process."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.proc = None
        self._log = None

    def __enter__(self, timeout: float = 90):
        self._log = open(self.log_path, "ab")  # closed in __exit__
        command = [
            sys.executable, "-m", "celery", "-A", "talentnet", "worker", "-B",
            "--schedule", str(self.log_path.with_suffix(".beat")),
            "-Q", "default,transactional",
            "--concurrency=1", "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--loglevel=INFO", "-n", f"drill-{os.getpid()}@%h",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.read_log()[-2000:]}")
            if " ready." in self.read_log():
                return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"celery worker not ready: {self.read_log()[-2000:]}")

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __exit__(self, *exc):
        _stop(self.proc, timeout=30)
        if self._log is not None:
            self._log.close()
