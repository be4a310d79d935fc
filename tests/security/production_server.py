"""gunicorn as the Dockerfile and docker-compose.yml run it (`-c talentnet/gunicorn.conf.py`)
with the documented production settings (DEBUG off, DJANGO_SECURE=true, a public host in
ALLOWED_HOSTS), on a free loopback port, its stdout (the access log) in a file. Pointed at
the test database, so rows a transactional test writes are what it serves."""

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.bench.server import free_port
from tests.conftest import TEST_BROKER_URL, _database_url

BASE_DIR = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "talent.example.org"
COMPOSE = BASE_DIR / "docker-compose.yml"


def compose_environment() -> dict:
    """The environment docker-compose.yml gives the app's services (the `x-app` anchor),
    with `${VAR:-default}` read as its default and `${VAR:?...}` left empty."""
    text = COMPOSE.read_text()
    block = re.split(r"^  environment:.*\n", text, maxsplit=1, flags=re.M)[1]
    env = {}
    for line in block.splitlines():
        match = re.match(r"^    (\w+): (.*)$", line)
        if not match:
            break
        value = match.group(2).strip().strip('"')
        value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)
        value = re.sub(r"\$\{\w+:\?[^}]*\}", "", value)
        env[match.group(1)] = value
    return env


def compose_web_healthcheck() -> list[str]:
    """The `test` of the web service's health check in docker-compose.yml."""
    web = COMPOSE.read_text().split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    match = re.search(r"^      test: (\[.*\])$", web, re.M)
    return json.loads(match.group(1))


def production_env(var_dir: Path, **extra) -> dict:
    env = {
        **os.environ,
        **compose_environment(),
        "DEBUG": "false",
        "DJANGO_SECURE": "true",
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "SITE_URL": f"https://{PUBLIC_HOST}",
        # The test's own key: tokens the test signs (reset keys, unsubscribe links) are valid.
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
        # The settings want a broker with DEBUG off; /healthz checks it as in production.
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "STATIC_MANIFEST": "false",
        "TALENTNET_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "talentnet.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


class ProductionServer:
    # Asked until it answers 200 before the server is handed over.
    ready_path = "/healthz"

    def __init__(self, tmp_path: Path, **extra_env):
        self.var_dir = tmp_path / "var"
        self.var_dir.mkdir(exist_ok=True)
        self.log_path = tmp_path / "gunicorn.log"
        self.port = free_port()
        self.env = production_env(self.var_dir, **extra_env)
        self.proc = None

    def __enter__(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "talentnet/gunicorn.conf.py",
                "talentnet.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.read_log()[-3000:]}")
            try:
                status, _headers, _body = self.request(self.ready_path)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.read_log()[-3000:]}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def request(self, path, *, method="GET", headers=None, body=None):
        """One request as the TLS proxy forwards it (Host, X-Forwarded-Proto: https).
        Returns (status, headers as a list of pairs, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https", **(headers or {})},
            )
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def read_log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.read_log()
            if needle in text:
                return text
            time.sleep(0.1)
        return self.read_log()
