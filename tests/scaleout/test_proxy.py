"""The TLS proxy of docker-compose.yml (deploy/nginx/talentnet.conf.template), run with
Debian's nginx on loopback in front of a real gunicorn under the production settings
(tests/security/production_server.py). Issue 24's proxy and issue 17's last item: no
`Server: gunicorn` banner reaches a client.

Started once for the module: a self-signed certificate for the public host, nginx with the
template's variables filled in, gunicorn behind it."""

import gzip
import http.client
import re
import shutil
import ssl
from pathlib import Path

import pytest

from tests.loadtest.servers import OwnNginx
from tests.security.production_server import PUBLIC_HOST, ProductionServer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE = BASE_DIR / "deploy/nginx/talentnet.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FORGED = "203.0.113.9"


class Proxy(OwnNginx):
    """tests/loadtest/servers.OwnNginx with gunicorn as its one upstream server."""

    def __init__(self, tmp: Path, upstream_port: int):
        super().__init__(tmp, [f"127.0.0.1:{upstream_port}"], PUBLIC_HOST)
        self.upstream_port = upstream_port

    def stop(self):
        self.close()

    def request(self, path, *, method="GET", headers=None, body=None, host=PUBLIC_HOST):
        """Over TLS, as a browser: SNI and Host are the public name."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, timeout=30, context=context
        )
        try:
            conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_setup, django_db_blocker):
    tmp = tmp_path_factory.mktemp("proxy")
    with django_db_blocker.unblock(), ProductionServer(tmp) as server:
        proxy = Proxy(tmp / "nginx", server.port)
        proxy.tmp.mkdir()
        try:
            yield server, proxy.start()
        finally:
            proxy.stop()


def test_no_server_banner_of_gunicorn_reaches_the_client(stack):
    server, proxy = stack
    # Behind the proxy gunicorn still says who it is...
    _status, direct, _body = server.request("/")
    assert dict(direct)["Server"].startswith("gunicorn")
    # ...and the proxy keeps it from the client: its own name, no version.
    for path in ("/", "/healthz", "/no-such-page/", "/static/no-such.css"):
        status, headers, _body = proxy.request(path)
        assert status in (200, 404), path
        assert not any("gunicorn" in value.lower() for value in headers.values()), path
        assert headers["Server"] == "nginx", path


def test_tls_is_terminated_and_port_80_only_redirects(stack):
    _server, proxy = stack
    status, headers, _body = proxy.request("/")
    assert status == 200  # the app saw X-Forwarded-Proto: https (DJANGO_SECURE: no redirect)
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    # A client that claims plain http over TLS changes nothing: the proxy sets the header.
    assert proxy.request("/", headers={"X-Forwarded-Proto": "http"})[0] == 200
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    conn.request("GET", "/accounts/login/?q=1", headers={"Host": PUBLIC_HOST})
    answer = conn.getresponse()
    assert answer.status == 301
    assert answer.headers["Location"] == f"https://{PUBLIC_HOST}/accounts/login/?q=1"
    conn.close()


def test_another_host_name_gets_nothing(stack):
    _server, proxy = stack
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        proxy.request("/", host="otro.example.org")


def test_text_answers_are_compressed(stack):
    _server, proxy = stack
    status, headers, body = proxy.request("/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert b"<html" in gzip.decompress(body)
    _status, plain, body = proxy.request("/")
    assert "Content-Encoding" not in plain and b"<html" in body


def test_a_body_over_what_the_forms_accept_never_reaches_gunicorn(stack):
    server, proxy = stack
    big = b"x" * (22 * 1024 * 1024)
    status, _headers, _body = proxy.request(
        "/cap-probe-one/", method="POST", body=big,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert status == 413
    assert "cap-probe-one" not in server.read_log()
    # A 20 MB material with its form still goes through to the app (which decides).
    status, _headers, _body = proxy.request(
        "/cap-probe-two/", method="POST", body=b"x" * (20 * 1024 * 1024 + 4096),
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert status != 413
    assert "POST /cap-probe-two/" in server.wait_for_log("cap-probe-two")


def test_the_app_sees_the_connecting_client_and_never_a_forged_address(stack):
    """A failed sign-in through the proxy: the login log names the address the proxy saw
    (127.0.0.1), not the X-Forwarded-For or X-Real-IP the client forged."""
    server, proxy = stack
    status, headers, body = proxy.request("/accounts/login/")
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, _headers, _body = proxy.request(
        "/accounts/login/",
        method="POST",
        body=f"csrfmiddlewaretoken={token}&login=nadie%40example.org&password=incorrecta-2026",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"https://{PUBLIC_HOST}/accounts/login/",
            "X-Forwarded-For": FORGED,
            "X-Real-IP": FORGED,
            "Forwarded": f"for={FORGED}",
        },
    )
    assert status == 200  # the form again, with its error
    log = server.wait_for_log("login failed ip=")
    assert "login failed ip=127.0.0.1" in log
    assert FORGED not in log


@pytest.mark.django_db(transaction=False)
def test_compose_runs_the_tested_template_with_every_variable_it_needs():
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    proxy = compose.split("\n  proxy:\n", 1)[1].split("\n\n", 1)[0]
    assert "./deploy/nginx/talentnet.conf.template:/etc/nginx/templates/" in proxy
    needed = set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text()))
    given = set(re.findall(r"^      (\w+): ", proxy, re.M))
    assert needed and needed <= given
    web = compose.split("\n  web:\n", 1)[1].split("\n\n", 1)[0]
    assert "ports:" not in web  # only the proxy is published
