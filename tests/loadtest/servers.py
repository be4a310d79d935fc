"""The drill's own processes: a PostgreSQL cluster and a Redis server that it can really
restart, the mail relay (an SMTP sink counting per recipient) and a Celery worker; for the
scale-out drill (scaleout.py) also a streaming standby of the cluster, an S3 server (moto),
gunicorn nodes it can kill, nginx from deploy/nginx/talentnet.conf.template in front of
them, and Celery beat on its own.

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
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

import psycopg

from tests.bench.server import BASE_DIR, free_port


def _pg_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    if not candidates:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(candidates[-1]).parent


def fixed_port() -> int:
    """A free loopback port below the kernel's ephemeral range, for a server that must get
    its port back after a restart (the proxy names it). A port from the ephemeral range
    (free_port) can be taken while the server is away as the local end of any outgoing
    connection, the proxy's own to the other node among them: the restart then cannot
    bind, or a connection to the port meets itself."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    candidates = list(range(max(1024, low - 12000), low))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


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
        self.ids: dict = {}
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        transport = getattr(server, "transport", None)
        if transport is not None and transport.is_closing():
            # The client went away (a worker killed) before the relay said 250: a relay
            # commits to a message with its answer, so this one is not delivered.
            return "421 closing"
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        match = re.search(r"\[(drill-[\w-]+)\]", str(headers.get("Subject", "")))
        tag = match.group(1) if match else ""
        message_id = str(headers.get("Message-ID", ""))
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.counts[(tag, recipient.lower())] += 1
                self.ids.setdefault((tag, recipient.lower()), Counter())[message_id] += 1
        return "250 OK"

    def message_ids(self, tag: str) -> dict:
        """Per recipient with this tag: how many times each Message-ID arrived."""
        with self._lock:
            return {rcpt: Counter(ids) for (t, rcpt), ids in self.ids.items() if t == tag}

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


class OwnStandby(OwnPostgres):
    """A streaming replica of `primary`, made with pg_basebackup -R; `restart` stops and
    starts it as OwnPostgres's (it comes back as a standby and catches up)."""

    def __init__(self, primary: OwnPostgres, *, log=lambda message: None):
        super().__init__(log=log)
        self.primary = primary

    def start(self) -> OwnStandby:
        self.socketdir.mkdir(parents=True)
        if self._as_postgres:
            shutil.chown(self._tmp, "postgres", "postgres")
            shutil.chown(self.socketdir, "postgres", "postgres")
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.datadir), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.port}\nunix_socket_directories = '{self.socketdir}'\n")
        self._pg_ctl("start")
        return self

    def sql(self, statement: str):
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            return conn.execute(statement).fetchone()


S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


class MotoS3(_Started):
    """moto's S3 server (server mode) on a free loopback port, `buckets` created."""

    def __init__(self, buckets=()):
        self.buckets = tuple(buckets)
        self.port = free_port()
        self.proc = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoS3:
        import urllib.request

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        for bucket in self.buckets:
            self.client().create_bucket(Bucket=bucket)
        return self

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self, bucket: str) -> set[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}

    def close(self) -> None:
        _stop(self.proc)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_TEMPLATE = BASE_DIR / "deploy/nginx/talentnet.conf.template"


class OwnNginx(_Started):
    """Debian's nginx running deploy/nginx/talentnet.conf.template (TLS with a self-signed
    certificate for `public_host`) on free loopback ports, `upstreams` (host:port, one or
    more) as the servers of its upstream block, inside what nginx's official image puts
    around conf.d/ (its own nginx.conf), all in `tmp`."""

    def __init__(self, tmp: Path, upstreams: list[str], public_host: str):
        self.tmp = tmp
        self.upstreams = upstreams
        self.public_host = public_host
        self.http_port, self.https_port = free_port(), free_port()
        self.proc = None

    def start(self) -> OwnNginx:
        import ssl

        self.tmp.mkdir(parents=True, exist_ok=True)
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", f"/CN={self.public_host}", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        values = {
            # Several nodes: the upstream block's `server` line repeated, one per node.
            "TALENTNET_UPSTREAM": ";\n    server ".join(self.upstreams),
            "SERVER_NAME": self.public_host,
            "PROXY_HTTP_PORT": f"127.0.0.1:{self.http_port}",
            "PROXY_HTTPS_PORT": f"127.0.0.1:{self.https_port}",
            "TLS_CERTIFICATE": str(cert),
            "TLS_CERTIFICATE_KEY": str(key),
        }
        # As the image's envsubst does: ${NAME} filled, nginx's own $variables left alone.
        site = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], PROXY_TEMPLATE.read_text())
        (self.tmp / "site.conf").write_text(site)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.tmp / name).mkdir(exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.tmp / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\n{user}"
            f"pid {self.tmp}/nginx.pid;\nerror_log {self.tmp}/error.log warn;\n"
            "events { worker_connections 512; }\n"
            "http {\n  include /etc/nginx/mime.types;\n"
            # Which node answered each request (the upstream's address, one per server
            # tried) and what each said, for the drills.
            "  log_format upstreams '$msec|$upstream_addr|$upstream_status|$status|"
            "$request_method $uri';\n"
            f"  access_log {self.tmp}/access.log upstreams;\n"
            f"  client_body_temp_path {self.tmp}/body;\n  proxy_temp_path {self.tmp}/proxy;\n"
            f"  fastcgi_temp_path {self.tmp}/fastcgi;\n  uwsgi_temp_path {self.tmp}/uwsgi;\n"
            f"  scgi_temp_path {self.tmp}/scgi;\n"
            f"  include {self.tmp}/site.conf;\n}}\n"
        )
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode()}")
            try:
                with (
                    socket.create_connection(("127.0.0.1", self.https_port), timeout=2) as raw,
                    context.wrap_socket(raw, server_hostname=self.public_host),
                ):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def answered_by(self, since: float = 0.0) -> Counter:
        """Requests per upstream server (host:port) that answered since `since` (epoch);
        a request tried on two servers counts for the last one."""
        counts = Counter()
        try:
            lines = (self.tmp / "access.log").read_text(errors="replace").splitlines()
        except OSError:
            return counts
        for line in lines:
            parts = line.split("|")
            if len(parts) >= 5 and float(parts[0]) >= since and parts[1] != "-":
                counts[parts[1].split(",")[-1].strip()] += 1
        return counts

    def failed_upstream(self, limit: int = 20) -> list[str]:
        """The access log's lines (the first `limit`) of requests that an upstream failed
        or that got a 5xx: when, the servers tried, what each said, the answer."""
        try:
            lines = (self.tmp / "access.log").read_text(errors="replace").splitlines()
        except OSError:
            return []
        failed = []
        for line in lines:
            parts = line.split("|")
            if len(parts) < 5:
                continue
            tried = [status.strip() for status in parts[2].split(",")]
            if parts[3].startswith("5") or any(not s[:1].isdigit() or s[0] == "5" for s in tried):
                failed.append(line)
        return failed[:limit]

    def read_error_log(self) -> str:
        try:
            return (self.tmp / "error.log").read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        _stop(self.proc)


class WebNode(_Started):
    """One web node: `gunicorn talentnet.wsgi` as the Dockerfile runs it, on a port fixed
    for its life (the proxy's upstream names it), in its own session so that `kill` takes
    the master and its workers at once (a machine or container lost)."""

    def __init__(self, env: dict, log_path: Path, *, workers: int = 2, name: str = "web"):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.name = name
        self.port = fixed_port()
        self.proc = None
        self._log = None

    def start(self, timeout: float = 90) -> WebNode:
        from core import healthcheck

        if self._log is None:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        command = [
            sys.executable, "-m", "gunicorn", "talentnet.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--timeout", "30", "--graceful-timeout", "10", "--log-level", "warning",
            "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited: {self.read_log()[-2000:]}")
            # As the container's health check asks (the Host and X-Forwarded-Proto the
            # proxy sends).
            if healthcheck.check({**self.env, "PORT": str(self.port)}):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} not healthy: {self.read_log()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker: requests they hold are cut. Returns when
        the node refuses connections: the workers, which share the master's listening
        socket, can outlive the master by a moment, and until the last one is gone the
        kernel still accepts connections for them (cut at once: in flight at the kill)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} still accepts connections after SIGKILL")

    def read_log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _stop(self.proc, timeout=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None


BATCH_TASK = "announcements.tasks.send_announcement_batch_task"


class CeleryWorker:
    """`celery worker -B` (with the beat scheduler inside, as one small deployment runs it;
    `beat=False`: the worker alone, beat being CeleryBeat) on the drill's Redis and
    database, both queues, one child process. In its own session: `kill` takes the worker
    and its child at once."""

    def __init__(self, env: dict, log_path: Path, *, beat: bool = True, name: str = "drill"):
        self.env = env
        self.log_path = log_path
        self.beat = beat
        self.name = name
        self.proc = None
        self._log = None
        self._log_from = 0

    def __enter__(self, timeout: float = 90):
        if self._log is None:
            self._log = open(self.log_path, "ab")
        self._log_from = self.log_path.stat().st_size
        beat = ["-B", "--schedule", str(self.log_path.with_suffix(".beat"))] if self.beat else []
        command = [
            sys.executable, "-m", "celery", "-A", "talentnet", "worker", *beat,
            "-Q", "default,transactional",
            "--concurrency=1", "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--loglevel=INFO", "-n", f"{self.name}-{os.getpid()}@%h",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.read_log()[-2000:]}")
            if " ready." in self.read_log()[self._log_from :]:
                return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"celery worker not ready: {self.read_log()[-2000:]}")

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def batch_running(self) -> bool:
        """A batch of an announcement was received by this run and has not finished."""
        text = self.read_log()[self._log_from :]
        received = set(re.findall(rf"{BATCH_TASK}\[([\w-]+)\] received", text))
        finished = set(re.findall(rf"{BATCH_TASK}\[([\w-]+)\] (?:succeeded|retry|raised)", text))
        return bool(received - finished)

    def kill(self) -> None:
        """SIGKILL to the worker and its child: the batch it runs stops where it is."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            _stop(self.proc, timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None


class CeleryBeat(CeleryWorker):
    """`celery beat` on its own (the deployment with several workers runs exactly one)."""

    def __enter__(self, timeout: float = 60):
        if self._log is None:
            self._log = open(self.log_path, "ab")
        command = [
            sys.executable, "-m", "celery", "-A", "talentnet", "beat",
            "--schedule", str(self.log_path.with_suffix(".beat")), "--loglevel=INFO",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery beat exited: {self.read_log()[-2000:]}")
            if "beat: Starting" in self.read_log():
                return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"celery beat not started: {self.read_log()[-2000:]}")
