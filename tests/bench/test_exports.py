"""The export scenario takes the search page's own export link, downloads the file whole
and counts its rows in the file; an export cut short is an error that still counts in
the longest request."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from tests.bench import exports
from tests.bench.browse import fetch

CSV_BODY = "\ufeffid,name,bio\r\n" + "".join(
    f'{i},persona {i},"dos\r\nlíneas"\r\n' for i in range(1, 301)
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    polls = 0  # looks at "my exports" since the large export was asked for

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
        if self.path.startswith("/pncs/search/export.csv?country=CA"):  # a large export
            Handler.polls = 0
            self._send(302, headers=[("Location", "/pncs/exports/")])
        elif self.path == "/pncs/exports/":
            Handler.polls += 1
            links = b'<a href="/pncs/exports/old/download/">Descargar CSV</a>'
            if Handler.polls > 3:  # the worker wrote it
                links = b'<a href="/pncs/exports/new/download/">Descargar CSV</a>' + links
            self._send(200, links, [("Content-Type", "text/html; charset=utf-8")])
        elif self.path == "/pncs/exports/new/download/":
            body = CSV_BODY.encode()
            self._send(200, body, [("Content-Type", "text/csv")])
        elif self.path.startswith("/pncs/search/export.csv"):
            body = CSV_BODY.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/pncs/search/export.xlsx"):
            time.sleep(0.2)  # the worker is killed before it answers
            self.close_connection = True
        elif self.path.startswith("/pncs/search/"):
            country = b"CA" if b"country=CA" in self.path.encode() else b"US"
            body = (
                b'<a href="/pncs/search/export.csv?country=' + country + b'">Exportar CSV</a>'
                b'<a href="/pncs/search/export.xlsx?country=US">Exportar XLSX</a>'
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def ctx():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    server = SimpleNamespace(port=port, reset_peak_rss=lambda: True, peak_rss_mb=lambda: 99.5)
    try:
        yield SimpleNamespace(
            server=server,
            config=SimpleNamespace(seconds=0.3),
            reverse=lambda name: "/pncs/search/",
            fetch=lambda path, role: fetch("127.0.0.1", port, path),
            cookie=lambda role: "sessionid=x",
        )
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_csv_export_is_the_search_pages_link_downloaded_whole_and_its_records_counted(ctx):
    figures = exports.run_export(ctx, "csv", country="US")

    assert figures["path"] == "/pncs/search/export.csv?country=US"
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["rows"] == 300  # records, not lines: each bio holds a line break
    assert figures["exports"] >= 1 and figures["statuses"] == {"200": figures["exports"]}
    assert figures["rows_per_s"] > 0
    # max_request_s is rounded to 10 ms: a sub-millisecond p50 may exceed its rounded value.
    assert 0 < figures["p50_ms"] <= figures["max_request_s"] * 1000 + 5
    assert figures["peak_rss_mb"] == 99.5


def test_a_queued_export_is_downloaded_from_my_exports_once_the_worker_wrote_it(ctx):
    figures = exports.run_export(ctx, "csv", country="CA")

    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["rows"] == 300  # the new file, not the older export listed below it
    assert figures["written_by_worker"] == figures["exports"] >= 1


def test_an_export_cut_short_is_an_error_counted_in_the_longest_request(ctx):
    figures = exports.run_export(ctx, "xlsx", country="US")

    assert figures["errors"] == figures["exports"] >= 1
    assert "RemoteDisconnected" in figures["error_samples"][0]
    assert figures["rows"] is None
    assert figures["rows_per_s"] == 0  # nothing reached the coordinator
    assert figures["max_request_s"] >= 0.2


def test_workbook_rows_are_counted_whatever_the_reads_cut(tmp_path, monkeypatch):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Miembros")
    sheet.append(["id", "nombre"])
    for i in range(1, 1001):
        sheet.append([i, f"persona {i}"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    assert exports.count_rows(path, "xlsx") == 1000
    for size in (3, 7, 64):  # a "<row " split between two reads is counted once
        monkeypatch.setattr(exports, "READ_SIZE", size)
        assert exports.count_rows(path, "xlsx") == 1000


def test_the_export_link_is_found_by_its_words_when_its_address_has_no_extension():
    from tests.bench.browse import parse

    html = (
        '<a href="/pncs/search/?country=US&amp;page=2">Siguiente</a>'
        '<a href="/pncs/exports/new/?country=US&amp;format=csv">Exportar CSV</a>'
        '<a href="/pncs/exports/new/?country=US&amp;format=xlsx">Export XLSX</a>'
    )
    page = parse("/pncs/search/?country=US", 200, {"content-type": "text/html"}, html)
    ctx = SimpleNamespace(reverse=lambda name: "/pncs/search/", fetch=lambda path, role: page)

    assert exports.export_link(ctx, "csv", country="US") == (
        "/pncs/exports/new/?country=US&format=csv"
    )
    assert exports.export_link(ctx, "xlsx", country="US") == (
        "/pncs/exports/new/?country=US&format=xlsx"
    )
