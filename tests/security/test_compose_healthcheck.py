"""Issue 17, item 15: the health check of the `web` service in docker-compose.yml passes
under the documented production settings (DEBUG off, DJANGO_SECURE=true, the public host in
ALLOWED_HOSTS), against a real gunicorn run as the compose file runs it."""

import subprocess
import sys

import pytest

from core.healthcheck import health_host

from .production_server import BASE_DIR, PUBLIC_HOST, ProductionServer, compose_web_healthcheck

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _run_healthcheck(server, **env):
    """The compose file's command (CMD form), run by this interpreter against `server`."""
    test = compose_web_healthcheck()
    assert test[0] == "CMD"
    argv = [sys.executable if arg == "python" else arg for arg in test[1:]]
    argv = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}") for arg in argv]
    return subprocess.run(
        argv,
        cwd=BASE_DIR,
        env={**server.env, "PORT": str(server.port), **env},
        capture_output=True,
        timeout=30,
        check=False,
    )


def test_the_compose_health_check_passes_under_production_settings(tmp_path):
    with ProductionServer(tmp_path) as server:
        assert server.env["DJANGO_SECURE"] == "true"
        assert server.env["DEBUG"] == "false"
        # What a naive check gets: the SSL redirect, or the host refused.
        status, _headers, _body = server.request(
            "/healthz", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "http"}
        )
        assert status in (301, 400)
        result = _run_healthcheck(server)
        assert result.returncode == 0, result.stderr.decode()
        assert '/healthz HTTP/1.1" 200' in server.read_log()


def test_the_health_check_fails_when_healthz_does_not_answer_200(tmp_path):
    with ProductionServer(tmp_path) as server:
        # A host outside ALLOWED_HOSTS: Django refuses it, the check must say unhealthy.
        result = _run_healthcheck(server, ALLOWED_HOSTS="not-this-site.example.net")
        assert result.returncode == 1


def test_the_health_host_is_one_allowed_hosts_accepts():
    assert health_host(PUBLIC_HOST) == PUBLIC_HOST
    assert health_host(" .example.org, other.example.org") == "example.org"
    assert health_host("*") == "localhost"
    assert health_host("") == "localhost"
