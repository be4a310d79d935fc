"""The load generator's user paths: forms read for a token and posted with the cookies the
server set, a new visitor (and loopback address) per repetition, a sign-in done once
before the timed requests, and a rush where every user posts at the same moment."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.bench.loadgen import loopback_address, parse_cookies, run_spec, update_jar

TOKEN_INPUT = r'name="csrfmiddlewaretoken" value="([^"]+)"'


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []  # (client address, form, cookies, arrival time)
        self.pages_done = []  # when each GET /page finished


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        cookies = parse_cookies(self.headers.get("Cookie", ""))
        if self.path.startswith("/page"):
            # A slower page for some users: the rush must still post all at once.
            delay = 0.05 * (hash(cookies.get("sessionid", "")) % 5)
            time.sleep(delay)
            token = f"tok-{cookies.get('sessionid', 'anonymous')}"
            body = f'<form method="post"><input name="csrfmiddlewaretoken" value="{token}"></form>'
            with self.server.recorder.lock:
                self.server.recorder.pages_done.append(time.perf_counter())
            self._send(200, body.encode(), [("Set-Cookie", "csrftoken=c1; Path=/")])
        elif self.path == "/ask":
            self._send(302, headers=[("Location", "http://127.0.0.1/confirm?next=%2Fdone")])
        elif self.path.startswith("/confirm"):
            self._send(200, b"confirmed")
        else:
            self._send(404, b"missing")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        cookies = parse_cookies(self.headers.get("Cookie", ""))
        with self.server.recorder.lock:
            self.server.recorder.posts.append(
                (self.client_address[0], form, cookies, time.perf_counter())
            )
        if cookies.get("csrftoken") != "c1" or not form.get("csrfmiddlewaretoken"):
            self._send(403, b"csrf")
            return
        self._send(
            302,
            headers=[
                ("Location", "/done"),
                ("Set-Cookie", f"sessionid=s-{form.get('login', 'x')}; Path=/"),
                ("Set-Cookie", "csrftoken=; Max-Age=0; Path=/"),
            ],
        )


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.recorder = Recorder()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _spec(server, flow, **extra):
    return {
        "host": "127.0.0.1",
        "port": server.server_address[1],
        "seconds": 0.5,
        "warmup": 0,
        "concurrency": 2,
        "flow": flow,
        **extra,
    }


LOGIN_STEPS = [
    {"label": "form", "path": "/page", "extract": {"csrf": TOKEN_INPUT}},
    {
        "label": "post",
        "method": "POST",
        "path": "/page",
        "form": {"csrfmiddlewaretoken": "{csrf}", "login": "{email}"},
        "expect_status": [302],
        "expect_header": {"location": "^/done$"},
    },
]


def test_each_repetition_is_a_new_visitor_from_a_new_address_with_the_next_account(server):
    users = [{"vars": {"email": f"m{i}@example.org"}} for i in range(3)]
    result = run_spec(
        _spec(
            server,
            {"users": users, "user_per": "repetition", "new_address": True, "steps": LOGIN_STEPS},
            measure="post",
        )
    )

    posts = server.recorder.posts
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] == len(posts) > 3
    assert result["statuses"] == {"302": len(posts)}
    assert result["steps"]["form"]["requests"] == len(posts)
    # The token read from the form and the cookie the form set were sent back.
    assert all(form["csrfmiddlewaretoken"] == "tok-anonymous" for _a, form, _c, _t in posts)
    assert all(cookies == {"csrftoken": "c1"} for _a, _f, cookies, _t in posts)
    # A new loopback address each time, never the server's own 127.0.0.1.
    addresses = [address for address, _f, _c, _t in posts]
    assert len(set(addresses)) == len(addresses)
    assert "127.0.0.1" not in addresses
    assert {form["login"] for _a, form, _c, _t in posts} == {u["vars"]["email"] for u in users}


def test_a_failed_step_is_an_error_and_the_rest_of_the_repetition_is_skipped(server):
    steps = [{"label": "form", "path": "/page", "extract": {"csrf": 'value="(nothing)"'}}]
    steps.append(dict(LOGIN_STEPS[1]))
    result = run_spec(_spec(server, {"steps": steps}, measure="post", concurrency=1))

    assert result["requests"] == 0  # no POST was sent
    assert result["errors"] == result["steps"]["form"]["requests"] > 0
    assert result["error_samples"] == ["form: csrf not found in the page"]
    assert server.recorder.posts == []


def test_setup_runs_once_per_user_before_the_timed_steps_and_follows_the_location(server):
    flow = {
        "users": [{"cookie": "sessionid=a"}, {"cookie": "sessionid=b"}],
        "setup": [
            {
                "label": "ask",
                "path": "/ask",
                "expect_status": [302],
                "extract_header": {"next": "location"},
            },
            {"label": "confirm", "path": "{next}"},
        ],
        "steps": LOGIN_STEPS,
    }
    result = run_spec(_spec(server, flow, measure="post", warmup=0.2))

    assert result["errors"] == 0, result["error_samples"]
    assert result["steps"]["ask"]["requests"] == 2
    assert result["steps"]["confirm"] == {
        "requests": 2,
        "p50_ms": result["steps"]["confirm"]["p50_ms"],
        "p95_ms": result["steps"]["confirm"]["p95_ms"],
        "max_ms": result["steps"]["confirm"]["max_ms"],
        "errors": 0,
        "statuses": {"200": 2},
    }
    # Each user kept its own session: the first POST of each carried the user's cookie,
    # then the one the server set.
    sessions = {cookies.get("sessionid") for _a, _f, cookies, _t in server.recorder.posts}
    assert {"a", "b"} <= sessions
    assert "s-{email}" in sessions  # no such var: the placeholder stays as it is


def test_a_rush_posts_every_users_form_at_the_same_moment(server):
    users = [{"cookie": f"sessionid=user{i}", "vars": {"email": f"u{i}"}} for i in range(12)]
    steps = [dict(LOGIN_STEPS[0]), {**LOGIN_STEPS[1], "barrier": True}]
    result = run_spec(_spec(server, {"once": True, "users": users, "steps": steps}, measure="post"))

    posts = server.recorder.posts
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] == len(posts) == 12
    assert sorted(form["login"] for _a, form, _c, _t in posts) == sorted(f"u{i}" for i in range(12))
    # Nobody posted before every user had read the page.
    assert min(t for _a, _f, _c, t in posts) >= max(server.recorder.pages_done)
    assert {form["csrfmiddlewaretoken"] for _a, form, _c, _t in posts} == {
        f"tok-user{i}" for i in range(12)
    }


def test_cookies_are_set_replaced_and_deleted_as_a_browser_does():
    jar = parse_cookies("sessionid=old; csrftoken=c1")
    update_jar(
        jar,
        [
            "sessionid=new; HttpOnly; Path=/",
            'csrftoken=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
            "messages=abc; Path=/",
        ],
    )
    assert jar == {"sessionid": "new", "messages": "abc"}


def test_loopback_addresses_are_distinct_and_never_the_servers_own():
    addresses = [loopback_address(n) for n in range(1, 70_000)]
    assert len(set(addresses)) == len(addresses)
    assert all(a.startswith("127.") and not a.startswith("127.0.") for a in addresses)
    octets = [[int(part) for part in a.split(".")[1:]] for a in addresses]
    assert all(1 <= a <= 250 and 0 <= b <= 254 and 1 <= c <= 255 for a, b, c in octets)
