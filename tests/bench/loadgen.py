"""The load generator: a small asyncio HTTP/1.1 client, run as its own process.

    python -m tests.bench.loadgen spec.json result.json

It uses only the standard library (no Django, no third-party client) so that on a
2-core machine it spends as little CPU as possible next to the server under test.
`concurrency` connections each send one request after another for `seconds` (after
`warmup` seconds whose requests are discarded), cycling through `paths`. Every response
body is read to the end (Content-Length, chunked or until close) and counted in bytes
and lines (rows of a CSV export). The spec:

    {"host": "127.0.0.1", "port": 8123, "method": "GET", "paths": ["/", "/en/"],
     "headers": {"Cookie": "sessionid=..."}, "body": null, "seconds": 5, "warmup": 1,
     "concurrency": 4, "expect_status": [200], "timeout": 30}

A user path of several requests (a form read for its CSRF token, then posted) is a
`flow` instead of `paths`; each connection is a virtual user with its own cookie jar:

    "flow": {
      "users": [{"cookie": "sessionid=...", "vars": {"email": "m1@...", "password": "..."}}],
      "setup": [step, ...],    # once per virtual user, before the warm-up (signing in again)
      "steps": [step, ...],    # repeated until the time is up
      "user_per": "worker",    # or "repetition": the next user of the list each time
      "fresh_session": false,  # true: each repetition starts from the user's own cookie only
      "new_address": false,    # true: each repetition connects from a new loopback address
                               # (127.x.y.z), as people signing in from their own machines
      "once": false            # true: every user runs the steps once, all at the same time
    },
    "measure": "login POST"    # the step whose requests give the main figures

    step = {"label": "login POST", "method": "POST", "path": "/accounts/login/",
            "form": {"csrfmiddlewaretoken": "{csrf}", "login": "{email}"},
            "expect_status": [302], "expect_header": {"location": "regex"},
            "extract": {"csrf": "regex with one group"}, "extract_header": {"next": "location"},
            "barrier": false}

`{name}` in a path or form value is the user's var or a value extracted earlier; a step
with `barrier` waits until every virtual user reached it (a rush). After a failed step
the user's remaining steps of that repetition are skipped.

The result: requests, elapsed seconds, requests/s, latency p50/p95/p99/max/mean in
milliseconds, errors (unexpected status, timeouts, connection failures, a value not
found) with a few samples, status counts, bytes and lines (and per second), and the
means of the X-Query-Count / X-SQL-Time-Ms / X-Django-Time-Ms headers of the bench
middleware. For a flow these are the figures of the `measure` step, `errors` counts
every step's, and `steps` gives each step's own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import html
import itertools
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

READ_SIZE = 256 * 1024
KEEP_BODY_LIMIT = 4 * 1024 * 1024  # a page read for a value (never an export)


@dataclass
class Sample:
    latency: float
    status: int
    nbytes: int = 0
    lines: int = 0
    queries: int | None = None
    sql_ms: float | None = None
    django_ms: float | None = None
    error: str = ""
    label: str = ""


@dataclass
class Response:
    status: int
    headers: dict
    cookies: list
    nbytes: int
    nlines: int
    body: bytes | None = None


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, host, port, timeout, local_host=None, *, ssl=None, host_header=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.local_host = local_host
        # Over TLS (`ssl`: an SSLContext; SNI is the Host header's name), as to a proxy.
        self.ssl, self.host_header = ssl, host_header
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method, path, headers, body):
        """One request: (status, headers, bytes, lines) (the load drill's mixload uses it)."""
        response = await self.exchange(method, path, headers, body)
        return response.status, response.headers, response.nbytes, response.nlines

    async def exchange(self, method, path, headers, body, *, keep_body=False) -> Response:
        """One request: the whole Response (Set-Cookie headers, the body when kept)."""
        reused = self.writer is not None
        try:
            return await self._request(method, path, headers, body, keep_body)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
            await self.close()
            if not reused:
                raise
            # The server closed an idle keep-alive connection: retry once on a new one.
            return await self._request(method, path, headers, body, keep_body)

    async def _request(self, method, path, headers, body, keep_body):
        if self.writer is None:
            local = (self.local_host, 0) if self.local_host else None
            self.reader, self.writer = await asyncio.open_connection(
                self.host,
                self.port,
                local_addr=local,
                ssl=self.ssl,
                server_hostname=self.host_header if self.ssl else None,
            )
        host = self.host_header or f"{self.host}:{self.port}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        payload = body.encode() if body else b""
        if payload or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(payload)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers, cookies = {}, []
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                response_headers[name] = value
                if name == "set-cookie":
                    cookies.append(value)
        nbytes = nlines = 0
        kept = bytearray() if keep_body else None

        def consume(data):
            nonlocal nbytes, nlines
            nbytes += len(data)
            nlines += data.count(b"\n")
            if kept is not None and len(kept) < KEEP_BODY_LIMIT:
                kept.extend(data)

        close = response_headers.get("connection", "").lower() == "close"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            pass
        elif "chunked" in response_headers.get("transfer-encoding", "").lower():
            while True:
                size = int((await self.reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b""):
                        pass
                    break
                remaining = size
                while remaining:
                    data = await self.reader.readexactly(min(remaining, READ_SIZE))
                    remaining -= len(data)
                    consume(data)
                await self.reader.readexactly(2)
        elif "content-length" in response_headers:
            remaining = int(response_headers["content-length"])
            while remaining:
                data = await self.reader.readexactly(min(remaining, READ_SIZE))
                remaining -= len(data)
                consume(data)
        else:
            close = True
            while data := await self.reader.read(READ_SIZE):
                consume(data)
        if close:
            await self.close()
        return Response(
            status=status,
            headers=response_headers,
            cookies=cookies,
            nbytes=nbytes,
            nlines=nlines,
            body=bytes(kept) if kept is not None else None,
        )


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: dict) -> str:
    """`{name}` replaced by values[name] (unknown names stay as they are)."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def parse_cookies(header: str) -> dict:
    """A `Cookie:` header value as a dict."""
    jar = {}
    for part in (header or "").split(";"):
        if "=" in part:
            name, value = part.strip().split("=", 1)
            jar[name] = value
    return jar


def update_jar(jar: dict, set_cookies: list) -> None:
    """Apply Set-Cookie headers: set, replace, or delete (empty value or Max-Age=0)."""
    for header in set_cookies:
        pair, *attributes = header.split(";")
        if "=" not in pair:
            continue
        name, value = (s.strip() for s in pair.split("=", 1))
        expired = any(a.strip().lower() == "max-age=0" for a in attributes)
        if expired or value in ("", '""'):
            jar.pop(name, None)
        else:
            jar[name] = value


def local_path(location: str) -> str:
    """A Location header as a path on the same server."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def loopback_address(n: int) -> str:
    """The n-th loopback address 127.a.b.c (a >= 1: never 127.0.0.x)."""
    return f"127.{1 + (n // 65025) % 250}.{(n // 255) % 255}.{1 + n % 255}"


@dataclass
class User:
    """A virtual user: its connection, cookie jar and values."""

    index: int
    connection: Connection
    jar: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    definition: dict = field(default_factory=dict)

    def begin(self, definition: dict) -> None:
        self.definition = definition
        self.jar = parse_cookies(definition.get("cookie", ""))
        self.values = dict(definition.get("vars", {}))


@dataclass
class Run:
    spec: dict
    samples: list[Sample] = field(default_factory=list)
    addresses: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- plain paths ------------------------------------------------------------------

    def base_headers(self) -> dict:
        return {
            "User-Agent": "talentnet-bench",
            "Accept": "text/html,application/json,text/csv,*/*",
            "Accept-Encoding": "identity",
            **self.spec.get("headers", {}),
        }

    async def timed(self, user, method, path, headers, body, *, keep_body=False):
        """One request: (response or None, latency, error text)."""
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(
                user.connection.exchange(method, path, headers, body, keep_body=keep_body),
                timeout=self.spec.get("timeout", 30),
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await user.connection.close()
            return None, time.perf_counter() - started, f"{exc.__class__.__name__} {exc}"
        return response, time.perf_counter() - started, ""

    def record(self, latency, response, error, label=""):
        headers = response.headers if response else {}
        queries = headers.get("x-query-count")
        self.samples.append(
            Sample(
                latency=latency,
                status=response.status if response else 0,
                nbytes=response.nbytes if response else 0,
                lines=response.nlines if response else 0,
                queries=int(queries) if queries is not None else None,
                sql_ms=_float(headers.get("x-sql-time-ms")),
                django_ms=_float(headers.get("x-django-time-ms")),
                error=error[:200],
                label=label,
            )
        )

    async def path_worker(self, user, paths, deadline, record):
        spec = self.spec
        headers = self.base_headers()
        expect = set(spec.get("expect_status") or [200])
        while time.perf_counter() < deadline:
            path = next(paths)
            response, latency, error = await self.timed(
                user, spec.get("method", "GET"), path, headers, spec.get("body")
            )
            if response is not None and response.status not in expect:
                error = f"HTTP {response.status}"
            if record:
                self.record(latency, response, f"{path}: {error}" if error else "")

    # --- flows --------------------------------------------------------------------------

    async def run_steps(self, user, steps, *, record, barrier=None):
        """The steps of one repetition for one user; False when one failed."""
        failed = False
        for step in steps:
            if step.get("barrier") and barrier is not None:
                await barrier.wait()  # reached even after a failure: nobody waits forever
            if failed:
                continue
            label = step.get("label") or step["path"]
            path = fill(step["path"], user.values)
            headers = self.base_headers()
            headers.update(step.get("headers", {}))
            body = None
            if "form" in step:
                body = urlencode({k: fill(str(v), user.values) for k, v in step["form"].items()})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if user.jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in user.jar.items())
            response, latency, error = await self.timed(
                user,
                step.get("method", "GET"),
                path,
                headers,
                body,
                keep_body=bool(step.get("extract")),
            )
            if response is not None:
                update_jar(user.jar, response.cookies)
                error = self.check(step, response, user)
            if error:
                failed = True
                error = f"{label}: {error}"
            if record:
                self.record(latency, response, error, label)
        return not failed

    @staticmethod
    def check(step, response, user) -> str:
        """What is wrong with the response (empty when nothing), and the values extracted."""
        if response.status not in set(step.get("expect_status") or [200]):
            where = response.headers.get("location", "")
            return f"HTTP {response.status}" + (f" -> {where}" if where else "")
        for name, pattern in step.get("expect_header", {}).items():
            value = response.headers.get(name.lower(), "")
            if not re.search(pattern, value):
                return f"header {name}: {value!r} does not match {pattern!r}"
        text = None
        for name, pattern in step.get("extract", {}).items():
            if text is None:
                text = (response.body or b"").decode("utf-8", "replace")
            found = re.search(pattern, text)
            if not found:
                return f"{name} not found in the page"
            user.values[name] = html.unescape(found.group(1))
        for name, header in step.get("extract_header", {}).items():
            value = response.headers.get(header.lower())
            if not value:
                return f"no {header} header"
            user.values[name] = local_path(value) if header.lower() == "location" else value
        return ""

    async def flow_worker(self, user, users, deadline, record, barrier):
        flow = self.spec["flow"]
        per_repetition = flow.get("user_per") == "repetition"
        while True:
            if not flow.get("once") and time.perf_counter() >= deadline:
                break
            if per_repetition:
                user.begin(next(users))
            elif flow.get("fresh_session"):
                user.begin(user.definition)
            if flow.get("new_address"):
                await user.connection.close()
                user.connection.local_host = loopback_address(next(self.addresses))
            await self.run_steps(user, flow["steps"], record=record, barrier=barrier)
            if flow.get("once"):
                break

    # --- phases -------------------------------------------------------------------------

    def new_users(self) -> list[User]:
        spec = self.spec
        flow = spec.get("flow") or {}
        definitions = flow.get("users") or [{}]
        count = len(definitions) if flow.get("once") else int(spec.get("concurrency", 4))
        users = []
        for i in range(count):
            user = User(i, Connection(spec["host"], spec["port"], spec.get("timeout", 30)))
            user.begin(definitions[i % len(definitions)])
            users.append(user)
        return users

    async def phase(self, users, seconds, record):
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        flow = self.spec.get("flow")
        if flow:
            cycle = itertools.cycle(flow.get("users") or [{}])
            barrier = asyncio.Barrier(len(users))
            work = [self.flow_worker(u, cycle, deadline, record, barrier) for u in users]
        else:
            paths = itertools.cycle(self.spec["paths"])
            work = [self.path_worker(u, paths, deadline, record) for u in users]
        await asyncio.gather(*work)
        return time.perf_counter() - started

    async def main(self):
        users = self.new_users()
        flow = self.spec.get("flow") or {}
        try:
            if flow.get("setup"):
                await asyncio.gather(
                    *(self.run_steps(u, flow["setup"], record=True) for u in users)
                )
            if self.spec.get("warmup", 0) > 0 and not flow.get("once"):
                await self.phase(users, self.spec["warmup"], record=False)
            setup_samples = len(self.samples)
            elapsed = await self.phase(users, self.spec.get("seconds", 0), record=True)
        finally:
            for user in users:
                await user.connection.close()
        return summarise_run(
            self.samples, elapsed, measure=self.spec.get("measure"), skip=setup_samples
        )


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 2)


def summarise(samples, elapsed):
    latencies = sorted(s.latency for s in samples)
    errors = [s for s in samples if s.error]
    statuses = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    total_bytes = sum(s.nbytes for s in samples)
    total_lines = sum(s.lines for s in samples)
    queries = [s.queries for s in samples if s.queries is not None]
    return {
        "requests": len(samples),
        "elapsed_s": round(elapsed, 3),
        "rps": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": _ms(percentile(latencies, 0.50)),
        "p95_ms": _ms(percentile(latencies, 0.95)),
        "p99_ms": _ms(percentile(latencies, 0.99)),
        "max_ms": _ms(latencies[-1] if latencies else None),
        "mean_ms": _ms(_mean(latencies)),
        "errors": len(errors),
        "error_samples": sorted({e.error for e in errors})[:5],
        "statuses": statuses,
        "bytes": total_bytes,
        "lines": total_lines,
        "lines_per_s": round(total_lines / elapsed, 1) if elapsed else 0.0,
        "queries_per_request": round(_mean(queries), 2) if queries else None,
        "queries_max": max(queries) if queries else None,
        "sql_ms_mean": _round(_mean([s.sql_ms for s in samples])),
        "django_ms_mean": _round(_mean([s.django_ms for s in samples])),
    }


def summarise_run(samples, elapsed, *, measure=None, skip=0):
    """The figures of a run: of every request, or of the `measure` step of a flow (then
    `errors` counts the failures of every step, setup included, and `steps` has each
    step's figures). The first `skip` samples (a flow's setup) are not timed."""
    if not measure:
        return summarise(samples[skip:], elapsed)
    figures = summarise([s for s in samples[skip:] if s.label == measure], elapsed)
    labels = list(dict.fromkeys(s.label for s in samples))
    figures["steps"] = {}
    for label in labels:
        own = [s for s in samples if s.label == label]
        step = summarise(own, elapsed)
        figures["steps"][label] = {
            k: step[k] for k in ("requests", "p50_ms", "p95_ms", "max_ms", "errors", "statuses")
        }
    errors = [s for s in samples if s.error]
    figures["errors"] = len(errors)
    figures["error_samples"] = sorted({e.error for e in errors})[:5]
    return figures


def _round(value):
    return None if value is None else round(value, 3)


def run_spec(spec: dict) -> dict:
    """Run a spec to completion; in a thread of its own when this one already has an
    event loop running (Playwright's sync API leaves one in pytest's main thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(Run(spec).main())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(Run(spec).main())).result()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.stderr.write("usage: python -m tests.bench.loadgen spec.json result.json\n")
        return 2
    with open(argv[0]) as fh:
        spec = json.load(fh)
    result = run_spec(spec)
    with open(argv[1], "w") as fh:
        json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
