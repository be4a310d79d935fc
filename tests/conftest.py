"""Test harness: real PostgreSQL (pytest-django), real Redis, a real Celery worker
process, a loopback SMTP server and Debian's Chromium driven by Playwright."""

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; the ORM calls of
# live_server tests are still synchronous and safe (pytest-django's advice).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.conf import settings as django_settings

BASE_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEST_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")


# --- Isolation between tests ----------------------------------------------------


@pytest.fixture(autouse=True)
def _default_language():
    """A request under /en/ leaves English active in the test thread; `reverse()` in the
    next test would then build /en/ paths. Start and end every test in Spanish."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Cache key prefixes of this test alone, emptied afterwards: rate limits and cached
    pages never leak between tests, nor between test runs sharing the Redis database.

    Returns a function that empties both (e.g. to let a rate limit's cooldown pass; a test
    with database access only). At the end only the Redis namespace is emptied: the
    database cache's rows (settings.CACHES["default"]) are under the test's own prefix, and
    its transaction usually rolls them back."""
    from django.core.cache import caches as django_caches

    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    prefix = f"test-{uuid.uuid4().hex}"
    for conf in caches.values():
        conf["KEY_PREFIX"] = prefix
    settings.CACHES = caches

    # Bound now, to this test's namespace on the real cache: a test may point the cache
    # elsewhere (a dead Redis) and the cleanup must still reach the real one.
    answers, default = django_caches["answers"], django_caches["default"]

    def wipe_answers():
        if hasattr(answers, "delete_pattern"):  # django-redis: this test's keys only
            answers.delete_pattern("*")
        else:  # local memory: private to this process anyway
            answers.clear()

    def wipe():
        wipe_answers()
        default.clear()

    yield wipe
    wipe_answers()


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_directory(settings, tmp_path_factory):
    """Large PNCS exports written by a test go to a directory of its own, never var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("exports"))},
        },
    }


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path_factory):
    """Uploads of this test in a directory of its own (both storages, members.storage):
    never under var/, never seen by another test."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    return settings.MEDIA_ROOT


# --- Browser (Playwright on Debian's Chromium; never a downloaded browser) ----


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browsers prefer Spanish unless a test says otherwise (Playwright's default is en-US):
    a browser preferring English is sent from unprefixed pages to /en/ on its first visit
    (core.middleware.PreferredLanguageMiddleware). Contexts a test opens itself pass
    `**browser_context_args` too."""
    return {**browser_context_args, "locale": "es-MX"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- SMTP server on loopback ------------------------------------------------------


@dataclass
class SmtpRecorder:
    """What the loopback SMTP server received."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


class _RecordingHandler:
    def __init__(self, recorder):
        self.recorder = recorder

    async def handle_DATA(self, server, session, envelope):
        with self.recorder.lock:
            self.recorder.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.recorder.messages.append(
                message_from_bytes(envelope.original_content, policy=policy.default)
            )
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port, recording every message."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    recorder = SmtpRecorder(host="127.0.0.1", port=port)
    controller = Controller(_RecordingHandler(recorder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


# --- A real Celery worker process on its own queues -------------------------------


def _database_url():
    from django.db import connection

    conf = connection.settings_dict
    auth = conf["USER"] or ""
    if conf.get("PASSWORD"):
        auth += f":{conf['PASSWORD']}"
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{conf['NAME']}"


class CeleryWorkerProcess:
    """`celery worker` as a child process, pointed at the test database and its own queues."""

    def __init__(self, env, queues, log_path):
        self.env = env
        self.queues = queues
        self.log_path = log_path
        self.proc = None

    def start(self, timeout=60):
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "talentnet",
                "worker",
                "-Q",
                ",".join(self.queues.values()),
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"test-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early: {self.read_log()[-3000:]}")
            if " ready." in self.read_log():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready: {self.read_log()[-3000:]}")

    def read_log(self):
        return Path(self.log_path).read_text(errors="replace")

    def kill(self):
        """SIGKILL, as a crashed machine would: no chance to acknowledge anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


@pytest.fixture
def celery_queues():
    """Unique queue names, so concurrent test runs on one Redis never share work."""
    suffix = uuid.uuid4().hex[:8]
    return {"transactional": f"transactional-{suffix}", "default": f"default-{suffix}"}


@pytest.fixture
def celery_broker(celery_queues):
    """Point this process's Celery app at the real Redis broker and the test queues."""
    from talentnet.celery import app

    conf = app.conf
    saved = {
        key: conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue", "task_routes")
    }
    routes = {
        name: {"queue": celery_queues["transactional"]}
        for name, route in (django_settings.CELERY_TASK_ROUTES or {}).items()
        if route.get("queue") == django_settings.CELERY_TRANSACTIONAL_QUEUE
    }
    conf.update(
        broker_url=TEST_BROKER_URL,
        task_always_eager=False,
        task_default_queue=celery_queues["default"],
        task_routes=routes,
    )
    _reset_broker_pools(app)
    try:
        yield TEST_BROKER_URL
    finally:
        conf.update(saved)
        _reset_broker_pools(app)


def _reset_broker_pools(app):
    """Forget cached broker connections so the next publish uses the current broker_url.

    Celery reads CELERY_BROKER_URL from the environment before its own configuration
    (`app.conf.broker_url` is a property that prefers it), and `make test` sets that
    variable: the environment follows the configured value, or a test pointing the app at
    another broker would still publish to the first one."""
    from kombu import pools

    os.environ["CELERY_BROKER_URL"] = app.conf["broker_url"]

    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def celery_worker_process(transactional_db, celery_broker, celery_queues, tmp_path, request):
    """A started worker process; the test may kill() and start() it again."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": celery_broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",  # `make test` runs the suite's own tasks inline
        "CELERY_DEFAULT_QUEUE": celery_queues["default"],
        "CELERY_TRANSACTIONAL_QUEUE": celery_queues["transactional"],
        "CONN_MAX_AGE": "0",
    }
    smtp = request.getfixturevalue("smtp_server") if "smtp_server" in request.fixturenames else None
    if smtp is not None:
        env.update({"SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "false"})
    worker = CeleryWorkerProcess(env, celery_queues, tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
