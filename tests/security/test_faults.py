"""Faults (SECURITY.md F3, F4) on a real gunicorn with production settings (the benchmark's
GunicornServer), whose PostgreSQL or Redis connection goes through a TCP proxy we cut and
restore (tests/security/proxy.py): the shared servers are never restarted.

- database away for a moment (a restart): a request arriving meanwhile waits for it
  (Django's connection pool, psycopg_pool: DB_POOL_TIMEOUT) and succeeds;
- database unreachable for longer: /healthz answers 503 naming it (it waits one second,
  not the pool's timeout), pages answer the plain error page after the bounded wait (no
  traceback, no worker killed by gunicorn's timeout), and the same server processes
  recover on their own once it is back;
- Redis unreachable: pages render, a member logs in and stays logged in (sessions live in
  the database), and /healthz names the cache."""

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from tests.bench.server import GunicornServer
from tests.conftest import _database_url
from tests.factories import DEFAULT_PASSWORD, member

from .proxy import CuttableProxy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 15


class Browser:
    """A tiny cookie-keeping HTTP client that never follows redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base_url):
        self.base = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path}
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, data=body, headers=headers), timeout=30
            ) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode(errors="replace")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def login(self, email, password):
        self.request("/accounts/login/")
        return self.request(
            "/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": self.cookie("csrftoken")},
        )


def _url_through(proxy_port, url):
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    netloc = parts.netloc.replace(f"{host}:{parts.port}", f"127.0.0.1:{proxy_port}")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _wait_for(check, timeout):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def _log(message):
    pass


def _server_through(proxy, database_url):
    return GunicornServer(
        _url_through(proxy.port, database_url),
        workers=1,
        log=_log,
        extra_env={
            "DB_CONNECT_TIMEOUT": "2",
            "DB_POOL_TIMEOUT": "4",
            "LOG_LEVEL": "ERROR",
        },
    )


def _database_proxy():
    conf = connection.settings_dict
    return CuttableProxy(conf["HOST"] or "127.0.0.1", int(conf["PORT"] or 5432))


def test_a_request_arriving_during_a_short_database_outage_waits_and_succeeds(
    transactional_db,
):
    with _database_proxy() as proxy, _server_through(proxy, _database_url()) as server:
        browser = Browser(server.base_url)
        # A page that reads the database on every request (the chapter list is cached).
        assert browser.request("/opportunities/")[0] == 200  # a persistent connection now
        workers = server.worker_pids()

        proxy.cut()  # the open connection dies, new ones are refused: a restart
        threading.Timer(1.0, proxy.restore).start()
        status, _headers, body = browser.request("/opportunities/")

        assert status == 200, body[:500]
        assert proxy.refused >= 1, "the request did not arrive during the outage"
        assert server.worker_pids() == workers


def test_database_unreachable_then_back(transactional_db):
    with _database_proxy() as proxy, _server_through(proxy, _database_url()) as server:
        browser = Browser(server.base_url)
        assert browser.request("/")[0] == 200
        workers = server.worker_pids()

        proxy.cut()
        status, _headers, body = browser.request("/healthz")
        assert status == 503
        assert "database" in json.loads(body)["failed"]
        status, _headers, body = browser.request("/chapters/")
        assert status == 500
        assert "Algo salió mal de nuestro lado" in body
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
        # The pool kept trying to reconnect while the page waited, then the page gave up
        # within its bound: the same worker answered (gunicorn's timeout did not kill it).
        assert proxy.refused >= 2
        assert server.worker_pids() == workers

        proxy.restore()
        took = _wait_for(lambda: browser.request("/chapters/")[0] == 200, RECOVERY_SECONDS)
        assert took is not None, "the site did not recover without a restart"
        assert browser.request("/healthz")[0] == 200
        assert server.worker_pids() == workers, "recovered by restarting a worker"


def test_redis_unreachable_pages_and_logins_still_work(transactional_db):
    user = member()
    with CuttableProxy("127.0.0.1", 6379) as proxy:
        server = GunicornServer(
            _database_url(),
            workers=1,
            log=_log,
            extra_env={"REDIS_URL": f"redis://127.0.0.1:{proxy.port}/1", "LOG_LEVEL": "ERROR"},
        )
        with server:
            browser = Browser(server.base_url)
            assert browser.request("/")[0] == 200

            proxy.cut()
            assert browser.request("/")[0] == 200
            assert browser.request("/chapters/")[0] == 200
            status, headers, _body = browser.login(user.email, DEFAULT_PASSWORD)
            assert status == 302, status
            assert "/login" not in headers.get("Location", "")
            status, _headers, body = browser.request("/me/")
            assert status == 200 and user.email in body
            status, _headers, body = browser.request("/healthz")
            assert status == 503 and json.loads(body)["failed"] == ["cache"]
            # A wrong password is still refused (rate limiting fails open, the password
            # check does not).
            other = Browser(server.base_url)
            assert other.login(user.email, "not-the-password-at-all")[0] == 200

            proxy.restore()
            assert _wait_for(lambda: browser.request("/healthz")[0] == 200, RECOVERY_SECONDS)
            assert browser.request("/me/")[0] == 200
