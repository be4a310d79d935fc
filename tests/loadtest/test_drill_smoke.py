"""A few seconds of the drills, so `make loadtest` cannot rot. It asserts that figures are
produced, the steady mix answers without errors, the site serves again after each cut, and
the fault figures are computed; never anything about speed or wall time."""

import pytest

from tests.bench.generate import generate
from tests.conftest import _database_url
from tests.loadtest.drill import DrillConfig, fault_figures, render, run_drills

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_fault_figures_count_failures_and_recovery():
    samples = [
        [10.0, 0, 200, 0.01, ""],
        [10.4, 0, 0, 0.2, "ConnectionResetError"],  # in flight at the cut
        [11.0, 0, 500, 0.01, "HTTP 500"],
        [12.5, 0, 500, 0.5, "HTTP 500"],
        [14.0, 0, 200, 0.01, ""],
    ]
    figures = fault_figures(samples, cut_at=10.5, restored_at=12.0, until=20)
    assert figures["failed"] == 3
    assert figures["failed_in_flight"] == 1
    assert figures["failed_during_outage"] == 1
    assert figures["failed_after_back"] == 1
    assert figures["recovery_s"] == 1.0
    assert figures["succeeded_after_back"] == 1


def test_a_short_drill_runs_end_to_end(transactional_db):
    database_url = _database_url()
    generate(database_url, 200, log=lambda message: None)
    config = DrillConfig(
        database_url=database_url,
        seconds=2,
        fault_seconds=6,
        outage=1,
        workers=2,
        concurrency=3,
    )
    report = run_drills(config, generate_members=False)
    steady = report["steady"]
    assert steady["requests"] > 0
    assert steady["errors"] == 0, steady["error_kinds"]
    assert all(row["requests"] > 0 for row in steady["pages"]), steady["pages"]
    faults = report["faults"]
    for name in ("postgresql", "redis"):
        assert faults[name]["requests"] > 0
        assert faults[name]["succeeded_after_back"] > 0, (name, faults[name])
    assert "req/s" in render(report)
