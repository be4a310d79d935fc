"""The server under test: gunicorn with production settings on a free loopback port.

`prepare_database()` creates and migrates the bench database; `GunicornServer` collects
the static files (manifest storage, as in production) into a temporary var dir, starts
`gunicorn talentnet.wsgi` as the Dockerfile does (DEBUG off, 30 s worker timeout) with
the settings module `tests.bench.settings` (production settings plus the query-count
middleware; `query_count=False` serves `talentnet.settings` itself), waits for /healthz
to answer 200, measures the workers' peak resident memory (VmHWM from /proc, reset
between scenarios through clear_refs) and stops it.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str, env: dict, *, log) -> None:
    """Create the database when it is missing and apply the migrations."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"bench: created database {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env={**env, "DATABASE_URL": database_url},
        check=True,
    )


BENCH_SETTINGS = "tests.bench.settings"
PRODUCTION_SETTINGS = "talentnet.settings"
# As the Dockerfile and docker-compose.yml run gunicorn: a request still running after 30 s
# has its worker killed, which is what a user of a slow page gets.
WORKER_TIMEOUT = 30


def server_env(
    database_url: str, var_dir: Path, *, extra: dict | None = None, query_count: bool = True
) -> dict:
    """Production-like settings: DEBUG off, manifest static files, Redis cache, logs quiet;
    the bench settings module (production + query counter) unless `query_count` is off."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or f"bench-{secrets.token_urlsafe(40)}",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "STATIC_MANIFEST": "true",
        "TALENTNET_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS if query_count else PRODUCTION_SETTINGS,
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Tasks run inline unless the caller passes a broker (a fan-out scenario will). The
    # settings want a broker with DEBUG off; it is not used while tasks run inline.
    inline = not (extra or {}).get("CELERY_BROKER_URL")
    env.setdefault(
        "CELERY_BROKER_URL", os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/3"
    )
    env["CELERY_TASK_ALWAYS_EAGER"] = "true" if inline else "false"
    env.update(extra or {})
    return env


def _read_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _kb(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


class GunicornServer:
    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 4,
        worker_class: str = "sync",
        threads: int = 1,
        log,
        extra_env: dict | None = None,
        query_count: bool = True,
        timeout: int = WORKER_TIMEOUT,
    ):
        self.database_url = database_url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.log = log
        self.extra_env = extra_env
        self.query_count = query_count
        self.timeout = timeout
        self.proc = None
        self.port = None
        self._tmp = None
        self._log_file = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout: float = 60) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="talentnet-bench-")
        var_dir = Path(self._tmp.name)
        self.env = server_env(
            self.database_url, var_dir, extra=self.extra_env, query_count=self.query_count
        )
        started = time.perf_counter()
        # As the Dockerfile builds the image: the catalogues compiled (without them every
        # page is in the source language and each lookup walks every fallback catalogue),
        # the static files collected.
        for command in (
            ["compilemessages", "--ignore=.venv", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=self.env, check=True
            )
        self.log(f"bench: compilemessages, collectstatic in {time.perf_counter() - started:.1f} s")
        self.port = free_port()
        self.log_path = var_dir / "gunicorn.log"
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "talentnet.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--timeout",
            str(self.timeout),
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
        ]
        self.proc = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.read_log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        self.log(
                            f"bench: gunicorn ({self.workers} {self.worker_class} workers) "
                            f"ready on {self.base_url} in {time.perf_counter() - started:.1f} s"
                        )
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not healthy: {last_error}\n{self.read_log()[-3000:]}")

    def read_log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def worker_pids(self) -> list[int]:
        """The gunicorn master's children (its workers)."""
        if not self.proc:
            return []
        master = str(self.proc.pid)
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            if _read_status(int(entry.name)).get("PPid", "").strip() == master:
                pids.append(int(entry.name))
        return sorted(pids)

    def reset_peak_rss(self) -> bool:
        """Reset the workers' high-water mark (VmHWM) so the next reading is per scenario."""
        ok = True
        for pid in self.worker_pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                ok = False
        return ok

    def peak_rss_mb(self) -> float | None:
        """The largest peak resident set size of any worker, in MB."""
        peaks = [_kb(_read_status(pid).get("VmHWM")) for pid in self.worker_pids()]
        peaks = [p for p in peaks if p]
        return round(max(peaks) / 1024, 1) if peaks else None

    def _forget_cache_keys(self) -> None:
        """Delete what the server cached under its own key prefix on the shared Redis."""
        env = getattr(self, "env", None)
        if not env or not env.get("REDIS_URL"):
            return
        import redis

        try:
            client = redis.Redis.from_url(env["REDIS_URL"], socket_timeout=2)
            keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError as exc:
            self.log(f"bench: could not clean the cache keys: {exc}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        self._forget_cache_keys()
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None
