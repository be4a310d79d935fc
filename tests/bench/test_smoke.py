"""A tiny run of the whole benchmark, so `make bench` cannot rot: ~500 members, gunicorn
with production settings, each available scenario for 1 second. It asserts that the
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
        seconds=1,  # 17 scenarios: the smoke stays well under a minute
        warmup=0.2,
        workers=2,
        concurrency=2,
        out=tmp_path / "results.json",
    )

    report = run_benchmark(config, generation=generation)
    write_results(report, config.out)

    by_name = {entry["name"]: entry for entry in report["scenarios"]}
    assert list(by_name) == [s.name for s in scenarios.SCENARIOS]
    available = scenarios.available()
    assert {"home page", "home page (en)", "healthz", "login page"} <= {s.name for s in available}
    for scenario in available:
        figures = by_name[scenario.name]["figures"]
        assert by_name[scenario.name]["status"] == "ran"
        if scenario.name.startswith("announcement fan-out"):  # mail, not HTTP
            assert figures["recipients"] == 60
            assert figures["delivered"] == figures["recorded_sent"] == 60
            assert figures["errors"] == figures["duplicates"] == 0
            assert figures["msgs_per_s"] > 0
            continue
        if scenario.name.startswith("framework overhead"):  # HTTP next to direct SQL
            assert figures["search_selects"] >= 1
            assert figures["direct_sql_ms"] > 0
            assert figures["django_to_sql_ratio"] > 0
        assert figures["requests"] > 0, scenario.name
        assert figures["errors"] == 0, (scenario.name, figures["error_samples"])
        assert figures["statuses"] == {"200": figures["requests"]}
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "peak_rss_mb"):
            assert figures[key] > 0, (scenario.name, key)
        # The bench middleware answered on every response (a page served from the cache,
        # such as the anonymous chapter page, may run no query at all).
        assert figures["queries_per_request"] is not None, scenario.name
        assert figures["django_ms_mean"] > 0, scenario.name
        if figures["queries_per_request"] >= 1:
            assert figures["sql_ms_mean"] > 0, scenario.name
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
