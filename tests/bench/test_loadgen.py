"""The load generator reads every kind of HTTP/1.1 body and reports honest figures."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.bench.loadgen import Sample, percentile, run_spec, summarise

CSV = b"id,name\n" + b"".join(b"%d,persona %d\n" % (i, i) for i in range(1000))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/length":
            body = b"hello\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Query-Count", "3")
            self.send_header("X-SQL-Time-Ms", "1.5")
            self.send_header("X-Django-Time-Ms", "4.5")
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(CSV), 5000):
                piece = CSV[start : start + 5000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"a\nb\n")
            self.close_connection = True
        else:
            body = b"boom"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _spec(port, paths, **extra):
    return {
        "host": "127.0.0.1",
        "port": port,
        "paths": paths,
        "seconds": 0.3,
        "warmup": 0,
        "concurrency": 2,
        **extra,
    }


def test_content_length_responses_are_counted_with_the_query_headers(http_server):
    result = run_spec(_spec(http_server, ["/length"]))
    assert result["requests"] > 0
    assert result["errors"] == 0
    assert result["statuses"] == {"200": result["requests"]}
    assert result["lines"] == result["requests"]
    assert result["queries_per_request"] == 3
    assert result["sql_ms_mean"] == 1.5
    assert result["django_ms_mean"] == 4.5
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert result["rps"] > 0


def test_chunked_and_connection_close_bodies_are_read_to_the_end(http_server):
    result = run_spec(_spec(http_server, ["/chunked", "/close"], concurrency=1))
    assert result["errors"] == 0
    chunked = (result["requests"] + 1) // 2
    closed = result["requests"] // 2
    assert result["lines"] == chunked * 1001 + closed * 2
    assert result["bytes"] == chunked * len(CSV) + closed * 4
    assert result["lines_per_s"] > 0
    assert result["queries_per_request"] is None


def test_unexpected_statuses_and_refused_connections_are_errors(http_server):
    result = run_spec(_spec(http_server, ["/missing"], concurrency=1))
    assert result["errors"] == result["requests"] > 0
    assert result["error_samples"] == ["/missing: HTTP 500"]

    accepted = run_spec(_spec(http_server, ["/missing"], concurrency=1, expect_status=[500]))
    assert accepted["errors"] == 0

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    refused = run_spec(_spec(closed_port, ["/"], concurrency=1, seconds=0.1))
    assert refused["errors"] == refused["requests"] > 0
    assert "ConnectionRefusedError" in refused["error_samples"][0]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7], 0.99) == 7
    assert percentile([], 0.5) is None
    summary = summarise([Sample(latency=0.010, status=200), Sample(latency=0.030, status=200)], 1)
    assert summary["p50_ms"] == 10.0
    assert summary["p99_ms"] == 30.0
    assert summary["mean_ms"] == 20.0
    assert summary["rps"] == 2.0


def test_a_connection_answers_the_four_figures_the_load_drill_reads(http_server):
    import asyncio
    import concurrent.futures

    from tests.bench.loadgen import Connection

    async def twice():
        connection = Connection("127.0.0.1", http_server, timeout=5)
        try:
            first = await connection.request("GET", "/length", {}, None)
            whole = await connection.exchange("GET", "/length", {}, None, keep_body=True)
        finally:
            await connection.close()
        return first, whole

    # In a thread of its own: after the browser tests, Playwright's sync API leaves an
    # event loop running in pytest's main thread (as loadgen.run_spec does).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        (status, headers, nbytes, lines), whole = pool.submit(asyncio.run, twice()).result()
    assert (status, nbytes, lines) == (200, 6, 1)
    assert headers["x-query-count"] == "3"
    assert (whole.status, whole.body, whole.cookies) == (200, b"hello\n", [])
