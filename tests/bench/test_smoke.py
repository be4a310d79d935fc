"""A tiny run of the whole benchmark, so `make bench` cannot rot: ~500 members, gunicorn
with production settings, each available scenario for half a second. It asserts that the
harness produced figures without errors, never anything about speed."""

import json

import pytest

from tests.bench import scenarios
from tests.bench.generate import generate
from tests.bench.run import BenchConfig, render_table, run_benchmark, write_results

pytestmark = [pytest.mark.slow, pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def test_the_benchmark_runs_every_available_scenario_and_skips_the_rest(
    bench_database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("BENCH_FANOUT_RECIPIENTS", "60")  # the fan-out, tiny
    generation = generate(bench_database_url, 500, log=lambda message: None).as_dict()
    config = BenchConfig(
        database_url=bench_database_url,
        members=500,
        seconds=0.5,  # ~40 scenarios: the smoke stays within a few minutes
        warmup=0.2,
        workers=2,
        concurrency=2,
        out=tmp_path / "results.json",
    )

    report = run_benchmark(config, generation=generation)
    write_results(report, config.out)

    by_name = {entry["name"]: entry for entry in report["scenarios"]}
    assert list(by_name) == [s.name for s in scenarios.SCENARIOS]
    failed = {n: e["reason"] for n, e in by_name.items() if e["status"] == "failed"}
    assert not failed, failed
    available = scenarios.available()
    assert {"home page", "home page (en)", "healthz", "login page"} <= {s.name for s in available}
    for scenario in available:
        entry = by_name[scenario.name]
        figures = entry["figures"]
        assert entry["status"] == "ran"
        assert figures["errors"] == 0, (scenario.name, figures.get("error_samples"))
        # Every target got its figure (measured, met or not: no speed is asserted here).
        assert all(t["measured"] is not None for t in entry["targets"]), scenario.name
        if scenario.name.startswith("announcement fan-out"):  # mail, not HTTP
            assert figures["recipients"] == 60
            assert figures["delivered"] == figures["recorded_sent"] == 60
            assert figures["duplicates"] == 0
            assert figures["msgs_per_s"] > 0
            continue
        assert figures["requests"] > 0, scenario.name
        assert figures["peak_rss_mb"] > 0, scenario.name
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            assert figures[key] > 0, (scenario.name, key)
        if scenario.name.startswith("pncs CSV export") or scenario.name.startswith(
            "pncs XLSX export"
        ):
            assert figures["rows"] > 0 and figures["rows_per_s"] > 0, scenario.name
            assert figures["max_request_s"] > 0
            continue
        assert figures["rps"] > 0, scenario.name
        # The bench middleware answered on every response (a page served from the cache,
        # such as the anonymous chapter page, may run no query at all).
        assert figures["queries_per_request"] is not None, scenario.name
        assert figures["django_ms_mean"] > 0, scenario.name
        if figures["queries_per_request"] >= 1:
            assert figures["sql_ms_mean"] > 0, scenario.name
        if scenario.raw_sql:
            assert figures["raw_sql_queries"] >= 1 and figures["raw_sql_ms"] > 0, scenario.name
        if scenario.flow is None and scenario.run is None:
            assert figures["statuses"] == {"200": figures["requests"]}, scenario.name

    login = by_name["login POST (allauth, many accounts)"]["figures"]
    assert login["statuses"] == {"302": login["requests"]}
    assert login["steps"]["login form"]["statuses"] == {"200": login["requests"]}
    arco = by_name["ARCO data export (JSON, after re-authentication)"]["figures"]
    assert arco["steps"]["re-authentication POST"]["requests"] == config.concurrency
    assert arco["statuses"] == {"200": arco["requests"]}
    rush = by_name["jornada registration rush (100 members, 50 places)"]["figures"]
    assert rush["requests"] == rush["members"] == 100
    assert rush["confirmed"] + rush["waitlisted"] + sum(rush["other_statuses"].values()) == 100
    under_load = by_name["pncs search under directory load"]["figures"]
    assert under_load["alone_p95_ms"] > 0 and under_load["directory_rps"] > 0
    assert under_load["p95_ratio_under_load"] > 0
    for scenario in scenarios.SCENARIOS:
        if scenario.todo:
            entry = by_name[scenario.name]
            assert entry["status"] == "skipped"
            assert entry["reason"] == "not implemented yet"
            assert "figures" not in entry
            assert all(t["measured"] is None and t["met"] is None for t in entry["targets"])

    saved = json.loads(config.out.read_text())
    assert saved["scenarios"] == json.loads(json.dumps(report["scenarios"]))
    assert saved["generation"]["members"] == 500
    table = render_table(report)
    assert "home page" in table
    if any(scenario.todo for scenario in scenarios.SCENARIOS):
        assert "skipped: not implemented yet" in table
    assert "p95_ms <= 25 ms" in table
    assert "FAILED" not in table
