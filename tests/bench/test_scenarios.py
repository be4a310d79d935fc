"""Targets are checked the right way round and every scenario of the issue is declared."""

import pytest

from tests.bench import scenarios
from tests.bench.run import evaluate, render_table
from tests.bench.scenarios import (
    Scenario,
    max_request_s,
    no_booking_mismatch,
    p95_ms,
    peak_rss_mb,
    ratio_under_load,
    rows_per_s,
    rps,
)


def test_targets_compare_in_the_direction_of_their_metric():
    assert p95_ms(25).check({"p95_ms": 24.9}) is True
    assert p95_ms(25).check({"p95_ms": 25.1}) is False
    assert rps(200).check({"rps": 200}) is True
    assert rps(200).check({"rps": 150}) is False
    assert rows_per_s(75_000).check({"rows_per_s": 80_000}) is True
    assert rows_per_s(75_000).check({"rows_per_s": 3_870}) is False
    assert peak_rss_mb(150).check({"peak_rss_mb": 151}) is False
    assert max_request_s(30).check({"max_request_s": 31.2}) is False
    assert ratio_under_load(2).check({"p95_ratio_under_load": 1.4}) is True
    assert ratio_under_load(2).check({"p95_ratio_under_load": 156.8}) is False
    assert no_booking_mismatch().check({"booking_mismatches": 0}) is True
    assert no_booking_mismatch().check({"booking_mismatches": 2}) is False
    assert p95_ms(25).check({}) is None
    assert str(p95_ms(25)) == "p95_ms <= 25 ms"


def test_every_scenario_of_the_issue_is_declared_once_with_its_target():
    by_name = {s.name: s for s in scenarios.SCENARIOS}
    assert len(by_name) == len(scenarios.SCENARIOS)

    def targets(words):
        found = [s for name, s in by_name.items() if words in name]
        assert found, words
        return {str(t) for s in found for t in s.targets}

    for words in (
        "member profile",
        "chapter page",
        "chapter list",
        "member directory: page 1",
        "member directory: deep page",
        "member directory: text",
        "member directory: country + sector",
        "opportunity list",
        "opportunity page",
        "program page",
    ):
        assert targets(words) == {"p95_ms <= 25 ms"}, words
    for words in ("filters only", "selective text (Hamilton)", "deep page (page 40)"):
        assert targets(words) == {"p95_ms <= 40 ms"}, words
    for words in ("broad text", "text + filters"):
        assert targets(words) == {"p95_ms <= 150 ms"}, words
    admin = [s for s in scenarios.SCENARIOS if s.name.startswith("admin:")]
    assert {s.name for s in admin} == {
        f"admin: {model}{q}"
        for model in ("profiles", "users")
        for q in ("", " ?q=Hamilton", " ?q=python")
    }
    assert all({str(t) for t in s.targets} == {"p95_ms <= 300 ms"} for s in admin)
    for words in ("staff dashboard", "coordinator dashboard", "public figures"):
        assert targets(words) == {"p95_ms <= 50 ms"}, words
    assert targets("CSV export") == {
        "rows_per_s >= 75000 rows/s",
        "peak_rss_mb <= 150 MB",
        "max_request_s <= 30 s",
    }
    assert "rows_per_s >= 20000 rows/s" in targets("XLSX export")
    assert targets("under directory load") == {"p95_ratio_under_load <= 2x"}
    assert targets("registration rush") == {"booking_mismatches <= 0"}
    for words in ("login POST", "ARCO data export"):
        assert targets(words) == set(), words  # the issue sets none: figures only
    assert "fan-out" in " ".join(by_name)
    # The framework-overhead target is gone: the raw SQL is information beside searches.
    assert not any(
        "django_to_sql_ratio" in t for s in scenarios.SCENARIOS for t in map(str, s.targets)
    )
    assert {s.name for s in scenarios.SCENARIOS if s.raw_sql} == {
        s.name for s in scenarios.SCENARIOS if s.name.startswith("pncs search:")
    }
    for scenario in scenarios.SCENARIOS:
        assert scenario.todo or scenario.path or scenario.paths or scenario.run or scenario.flow
        if scenario.todo:
            assert scenario.todo == scenarios.NOT_IMPLEMENTED
            assert scenario.targets, scenario.name


def test_the_table_shows_each_target_with_its_verdict():
    fast = Scenario("fast page", path="/", targets=(p95_ms(25), rps(200)))
    figures = {"rps": 250.0, "p50_ms": 5.0, "p95_ms": 30.0, "p99_ms": 40.0, "errors": 0}
    report = {
        "config": {"members": 1000, "workers": 4, "concurrency": 4, "seconds": 5, "warmup": 1},
        "machine": {"cpus": 2},
        "generation": {"total_rows": 12000, "seconds": 2.0, "rows_per_second": 6000},
        "scenarios": [
            {
                "name": "fast page",
                "status": "ran",
                "figures": figures,
                "targets": evaluate(fast, figures),
            },
            {
                "name": "later page",
                "status": "skipped",
                "reason": "not implemented yet",
                "targets": [{"target": "p95_ms <= 40 ms", "met": None}],
            },
            {
                "name": "broken page",
                "status": "failed",
                "reason": "ScenarioError: the directory's form has no field sector",
                "targets": [{"target": "p95_ms <= 25 ms", "met": False}],
            },
        ],
    }
    lines = render_table(report).splitlines()
    fast_lines = [line for line in lines if "p95_ms <= 25 ms" in line or "rps >= 200/s" in line]
    assert "NOT MET" in fast_lines[0]
    assert " 30.0 | NOT MET" in fast_lines[0]  # what was measured, beside the verdict
    assert fast_lines[1].endswith("250.0 | MET")
    assert any("later page" in line and "skipped: not implemented yet" in line for line in lines)
    assert any(
        line.startswith("broken page") and "FAILED: ScenarioError: the directory's form" in line
        for line in lines
    )
    assert "12,000 rows in 2 s (6,000 rows/s)" in lines[-1]


@pytest.mark.django_db
def test_the_context_times_raw_sql_and_samples_member_ids():
    from tests.bench.run import BenchConfig, BenchContext

    ctx = BenchContext(BenchConfig(), server=None, generation={"first_id": 1, "last_id": 10})
    timing = ctx.time_sql("SELECT count(*) FROM members_sector WHERE id > %s", [0], runs=5)
    assert 0 < timing["sql_p50_ms"] <= timing["sql_p95_ms"]
    assert ctx.member_ids(5) == []  # no bench member in this database
    assert len(set(ctx.sample(range(100), 3))) == 3
    assert sorted(ctx.sample([1, 2], 5)) == [1, 2]
