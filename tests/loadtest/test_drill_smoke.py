"""A few seconds of the drills, so `make loadtest` cannot rot. The drill runs as its own
process (it configures Django for its own PostgreSQL cluster and Redis server, which it
really restarts), and this asserts on its figures: the steady mix answers without errors,
both servers were restarted while requests kept coming and the site served again, a request
caught by the PostgreSQL restart only fails when it was in flight, both announcements went
out exactly once and every acknowledged edit is in the database. Never anything about speed
or wall time."""

import json
import os
import subprocess
import sys

import pytest

from tests.loadtest.drill import BASE_DIR, fault_figures, render

pytestmark = [pytest.mark.slow]


def test_fault_figures_count_failures_and_recovery():
    moments = {"stopping": 10.4, "stopped": 10.5, "back": 12.0}
    samples = [
        [10.0, 0, 200, 0.01, ""],  # answered before the stop: outside
        [10.3, 0, 0, 0.3, "ConnectionResetError"],  # in flight at the stop
        [10.45, 0, 200, 1.7, ""],  # open during the outage, waited, succeeded
        [11.0, 0, 500, 0.01, "HTTP 500"],  # arrived during the outage
        [12.5, 0, 500, 0.5, "HTTP 500"],  # after it was back
        [14.0, 0, 200, 0.01, ""],
    ]
    figures = fault_figures(samples, moments, until=20)
    assert figures["failed"] == 3
    assert figures["failed_in_flight"] == 1
    assert figures["failed_during_outage"] == 1
    assert figures["failed_after_back"] == 1
    assert figures["open_during_outage"] == 3
    assert figures["succeeded_across_outage"] == 1
    assert figures["recovery_s"] == 1.0
    assert figures["succeeded_after_back"] == 1


def test_a_short_drill_runs_end_to_end(tmp_path):
    results = tmp_path / "results.json"
    env = {
        **os.environ,
        "LOADTEST_SECONDS": "3",
        "LOADTEST_FAULT_SECONDS": "12",
        "LOADTEST_OUTAGE": "1",
        "LOADTEST_MEMBERS": "150",
        "LOADTEST_WORKERS": "2",
        "LOADTEST_CONCURRENCY": "3",
        "LOADTEST_SMTP_RATE": "20",
        "LOADTEST_EDIT_EVERY": "0.5",
        "LOADTEST_LOGIN_EVERY": "2",
        "LOADTEST_DRAIN_TIMEOUT": "120",
        "LOADTEST_RESULTS": str(results),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.loadtest.drill"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert results.exists(), done.stderr[-3000:]
    report = json.loads(results.read_text())

    steady = report["steady"]
    assert steady["errors"] == 0, steady["error_kinds"]
    assert steady["requests"] > 0
    assert steady["staff_send"]["status"] == 302
    faults = report["faults"]
    writes = {
        row["page"]: row["requests"]
        for row in faults["pages"]
        if row["page"] in ("member edits profile", "member logs in")
    }
    assert len(writes) == 2 and all(writes.values()), writes
    for name in ("postgresql", "redis"):
        assert faults[name]["outage_s"] > 0
        assert faults[name]["succeeded_after_back"] > 0, (name, faults[name])
    assert faults["postgresql"]["failed_during_outage"] == 0, faults["postgresql"]
    assert faults["redis"]["failed"] == 0, faults["redis"]
    data = report["data"]
    assert data["outbox_drained_after_s"] is not None
    for tag, send in data["sends"].items():
        assert send["exactly_once"], (tag, send)
    assert data["writes"]["acknowledged_edits"] > 0
    assert data["writes"]["all_present"], data["writes"]
    assert "req/s" in render(report)
    assert "drill-faults" in done.stdout


def test_the_scale_out_drill_runs_end_to_end(tmp_path):
    """Two web nodes behind nginx, two workers and a beat, primary and standby, moto's S3:
    one node killed and restarted, a worker killed in the middle of a batch, the standby
    stopped and started; only the killed node's requests in flight fail, every recipient
    gets exactly one message, every acknowledged edit is on the primary."""
    results = tmp_path / "results.json"
    env = {
        **os.environ,
        "LOADTEST_MODE": "scaleout",
        "LOADTEST_SECONDS": "30",
        "LOADTEST_MEMBERS": "300",
        "LOADTEST_CONCURRENCY": "3",
        # Slow enough at the sink (20 s a batch of 100) that a batch is still going out when
        # the worker is killed, after the web node's restart.
        "LOADTEST_SMTP_RATE": "5",
        "LOADTEST_DRAIN_TIMEOUT": "180",
        "LOADTEST_RESULTS": str(results),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.loadtest.drill"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert results.exists(), done.stderr[-3000:]
    report = json.loads(results.read_text())
    assert report["data"]["send"]["recipients"] >= 300
    assert set(report["faults"]) == {"web", "worker", "standby"}
    failed = [name for name, ok in report["checks"].items() if not ok]
    # In full (a string, which pytest does not shorten): when it fails on a loaded machine,
    # the failures, the proxy's account and the nodes' logs say where they came from.
    assert not failed, json.dumps(
        {
            "failed": failed,
            "faults": report["faults"],
            "failures": report["load"]["failures"],
            "diagnostics": report.get("diagnostics"),
        },
        indent=1,
    )
    assert done.returncode == 0
    assert (
        "PASS  exactly one message per recipient at the sink (one Message-ID each)" in done.stdout
    )
