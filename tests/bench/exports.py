"""The coordinators' export as a coordinator does it, timed whole: the search page with the
filter, its "export" link, the download read to the last byte. Rows per second are the
rows of the file over the time from the request to the last byte; the rows are counted
in the file afterwards (CSV records, workbook rows), never guessed.

An export beyond a page's worth is not written inside the request (pncs.exports): the
link answers with a redirect to "my exports", the site's Celery worker writes the file,
and the coordinator downloads it from the link that appears there. That whole wait counts
in the export's time; each HTTP request of it counts in `max_request_s`.

One export runs after another (one coordinator) for the scenario's seconds, at least
once. The workers' peak memory is read after them (flat memory), and the longest single
HTTP request is reported (`max_request_s`: gunicorn kills a worker after 30 s, as in
production, so a longer export is also an error).
"""

from __future__ import annotations

import csv
import http.client
import re
import tempfile
import time
import zipfile
from pathlib import Path

from . import roles
from .browse import with_params

READ_SIZE = 256 * 1024
FILE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(Exception):
    pass


def export_link(ctx, fmt: str, *, country: str) -> str:
    """The export link of the search page filtered by `country`, as the page offers it."""
    search = with_params(ctx.reverse("pncs:search"), country=country)
    page = ctx.fetch(search, roles.PNCS)
    if page.status != 200:
        raise ExportError(f"the search page answered {page.status}")
    for link in page.links:
        target = link.href.split("?", 1)[0].lower()
        # The file's extension, or the link's words ("Exportar CSV", "Export XLSX").
        if target.endswith(f".{fmt}") or re.search(rf"\bexport\w*\s+{fmt}\b", link.text.lower()):
            return page.absolute(link.href)
    raise ExportError(f"the search page offers no {fmt.upper()} export link")


def count_rows(path: Path, fmt: str) -> int:
    """Data rows of a downloaded export (the header row not counted)."""
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _record in csv.reader(handle)) - 1)
    with zipfile.ZipFile(path) as workbook:
        sheets = sorted(n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet"))
        if not sheets:
            raise ExportError("the workbook has no worksheet")
        rows, tail = 0, b""
        with workbook.open(sheets[0]) as sheet:
            while chunk := sheet.read(READ_SIZE):
                data = tail + chunk
                rows += data.count(b"<row ") + data.count(b"<row>")
                # A tag split between two reads is counted with the next one.
                tail = data[-5:]
                rows -= tail.count(b"<row ") + tail.count(b"<row>")
        rows += tail.count(b"<row ") + tail.count(b"<row>")  # the last tail, counted once
        return max(0, rows - 1)


def download(ctx, path: str, fmt: str, cookie: str, into: Path) -> dict:
    """GET the export and write it to `into`; its status, timing and size (a redirect to
    "my exports": its location, nothing written)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", ctx.server.port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "identity"})
        response = connection.getresponse()
        size = 0
        with into.open("wb") as handle:
            while chunk := response.read(READ_SIZE):
                size += len(chunk)
                handle.write(chunk)
        content_type = response.getheader("Content-Type", "")
        status = response.status
        location = response.getheader("Location", "")
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    error = ""
    if status == 302 and location.endswith(MY_EXPORTS):
        return {"status": status, "seconds": seconds, "bytes": 0, "error": "", "queued": True}
    if status != 200:
        error = f"HTTP {status}"
    elif FILE_TYPES[fmt] not in content_type:
        error = f"not a {fmt.upper()} file: {content_type}"
    return {"status": status, "seconds": seconds, "bytes": size, "error": error}


MY_EXPORTS = "/pncs/exports/"
WRITTEN_WITHIN = 900.0  # seconds a queued export may take before the run gives up on it


def download_links(ctx) -> set[str]:
    """The download links "my exports" shows the coordinator now (none when the page
    does not answer: a site without it)."""
    page = ctx.fetch(MY_EXPORTS, roles.PNCS)
    if page.status != 200:
        return set()
    return {page.absolute(link.href) for link in page.links if "/download/" in link.href}


def fetch_written(ctx, path, fmt, cookie, into, known: set[str]) -> dict:
    """Ask for the export at `path`; when the site queues it, wait on "my exports" for its
    download link (a link not in `known`) and download it. The figures of the whole flow:
    from the first request to the last byte; `longest_request_s` of any single request."""
    started = time.perf_counter()
    first = download(ctx, path, fmt, cookie, into)
    if not first.get("queued"):
        return {**first, "longest_request_s": first["seconds"]}
    longest = first["seconds"]
    deadline = started + WRITTEN_WITHIN
    while time.perf_counter() < deadline:
        polled = time.perf_counter()
        fresh = download_links(ctx) - known
        longest = max(longest, time.perf_counter() - polled)
        if fresh:
            (link,) = sorted(fresh)[:1]
            run = download(ctx, link, fmt, cookie, into)
            known.add(link)
            return {
                **run,
                "seconds": time.perf_counter() - started,
                "longest_request_s": max(longest, run["seconds"]),
                "written_by_worker": True,
            }
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    return {
        "status": first["status"],
        "seconds": seconds,
        "bytes": 0,
        "error": f"no download link on {MY_EXPORTS} within {WRITTEN_WITHIN:g} s",
        "longest_request_s": longest,
    }


def run_export(ctx, fmt: str, *, country: str) -> dict:
    """Exports one after another for the run's seconds (at least one); figures of the whole."""
    from .loadgen import percentile

    path = export_link(ctx, fmt, country=country)
    cookie = ctx.cookie(roles.PNCS)
    rss_reset = ctx.server.reset_peak_rss()
    runs, errors = [], []
    known = download_links(ctx)  # exports of earlier runs: not this one's
    deadline = time.perf_counter() + ctx.config.seconds
    with tempfile.TemporaryDirectory(prefix="talentnet-export-") as tmp:
        target = Path(tmp, f"export.{fmt}")
        while True:
            started = time.perf_counter()
            try:
                run = fetch_written(ctx, path, fmt, cookie, target, known)
            except (OSError, http.client.HTTPException) as exc:
                # e.g. the worker killed by gunicorn's timeout: how long it took counts too.
                seconds = time.perf_counter() - started
                run = {
                    "status": 0,
                    "seconds": seconds,
                    "bytes": 0,
                    "error": repr(exc),
                    "longest_request_s": seconds,
                }
            if not run["error"]:
                try:
                    run["rows"] = count_rows(target, fmt)
                except (OSError, ValueError, zipfile.BadZipFile, ExportError) as exc:
                    run["error"] = f"unreadable file: {exc!r}"
            if run["error"]:
                errors.append(f"{path}: {run['error']}")
            runs.append(run)
            if time.perf_counter() >= deadline:
                break
    done = [r for r in runs if not r["error"]]
    durations = sorted(r["seconds"] for r in runs if r["seconds"] is not None)
    longest = max((r["longest_request_s"] for r in runs), default=None)
    total_rows = sum(r["rows"] for r in done)
    total_seconds = sum(r["seconds"] for r in done)
    return {
        "exports": len(runs),
        "requests": len(runs),
        "rows": done[0]["rows"] if done else None,
        "bytes": done[0]["bytes"] if done else None,
        # No export completed: the coordinator got nothing (0, not "no figure").
        "rows_per_s": round(total_rows / total_seconds) if total_seconds else 0,
        "rps": round(len(runs) / sum(durations), 2) if durations else None,
        "p50_ms": round(percentile(durations, 0.5) * 1000, 1) if durations else None,
        "p95_ms": round(percentile(durations, 0.95) * 1000, 1) if durations else None,
        "p99_ms": round(percentile(durations, 0.99) * 1000, 1) if durations else None,
        # The longest single HTTP request (a queued export's wait is several requests).
        "max_request_s": round(longest, 2) if longest is not None else None,
        "written_by_worker": sum(1 for r in done if r.get("written_by_worker")),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "statuses": {
            str(s): sum(1 for r in runs if r["status"] == s) for s in {r["status"] for r in runs}
        },
        "peak_rss_mb": ctx.server.peak_rss_mb(),
        "peak_rss_scope": "scenario" if rss_reset else "since worker start",
        "path": path,
        "flow": "GET the export link of the search page; the file in the response, or, "
        "beyond a page's worth, its download link on 'my exports' once the worker wrote it",
    }
