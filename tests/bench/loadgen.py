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

The result: requests, elapsed seconds, requests/s, latency p50/p95/p99/max/mean in
milliseconds, errors (unexpected status, timeouts, connection failures) with a few
samples, status counts, bytes and lines (and per second), and the means of the
X-Query-Count / X-SQL-Time-Ms / X-Django-Time-Ms headers of the bench middleware.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import math
import sys
import time
from dataclasses import dataclass, field

READ_SIZE = 256 * 1024


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


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method, path, headers, body):
        reused = self.writer is not None
        try:
            return await self._request(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
            await self.close()
            if not reused:
                raise
            # The server closed an idle keep-alive connection: retry once on a new one.
            return await self._request(method, path, headers, body)

    async def _request(self, method, path, headers, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        payload = body.encode() if body else b""
        if payload or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(payload)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                response_headers[name.strip().lower()] = value.strip()
        nbytes = nlines = 0
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
                    nbytes += len(data)
                    nlines += data.count(b"\n")
                await self.reader.readexactly(2)
        elif "content-length" in response_headers:
            remaining = int(response_headers["content-length"])
            while remaining:
                data = await self.reader.readexactly(min(remaining, READ_SIZE))
                remaining -= len(data)
                nbytes += len(data)
                nlines += data.count(b"\n")
        else:
            close = True
            while data := await self.reader.read(READ_SIZE):
                nbytes += len(data)
                nlines += data.count(b"\n")
        if close:
            await self.close()
        return status, response_headers, nbytes, nlines


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Run:
    spec: dict
    samples: list[Sample] = field(default_factory=list)

    async def worker(self, paths, deadline, record):
        spec = self.spec
        conn = Connection(spec["host"], spec["port"], spec.get("timeout", 30))
        headers = {
            "User-Agent": "talentnet-bench",
            "Accept": "text/html,application/json,text/csv,*/*",
            "Accept-Encoding": "identity",
            **spec.get("headers", {}),
        }
        expect = set(spec.get("expect_status") or [200])
        try:
            while time.perf_counter() < deadline:
                path = next(paths)
                started = time.perf_counter()
                try:
                    status, response_headers, nbytes, nlines = await asyncio.wait_for(
                        conn.request(spec.get("method", "GET"), path, headers, spec.get("body")),
                        timeout=spec.get("timeout", 30),
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await conn.close()
                    if record:
                        self.samples.append(
                            Sample(
                                time.perf_counter() - started,
                                0,
                                error=f"{path}: {exc.__class__.__name__} {exc}"[:200],
                            )
                        )
                    continue
                if record:
                    queries = response_headers.get("x-query-count")
                    self.samples.append(
                        Sample(
                            latency=time.perf_counter() - started,
                            status=status,
                            nbytes=nbytes,
                            lines=nlines,
                            queries=int(queries) if queries is not None else None,
                            sql_ms=_float(response_headers.get("x-sql-time-ms")),
                            django_ms=_float(response_headers.get("x-django-time-ms")),
                            error="" if status in expect else f"{path}: HTTP {status}",
                        )
                    )
        finally:
            await conn.close()

    async def phase(self, seconds, record):
        paths = itertools.cycle(self.spec["paths"])
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(
                self.worker(paths, deadline, record)
                for _ in range(int(self.spec.get("concurrency", 4)))
            )
        )
        return time.perf_counter() - started

    async def main(self):
        if self.spec.get("warmup", 0) > 0:
            await self.phase(self.spec["warmup"], record=False)
        elapsed = await self.phase(self.spec["seconds"], record=True)
        return summarise(self.samples, elapsed)


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
