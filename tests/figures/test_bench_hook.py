"""The benchmark's post-generation hook leaves a snapshot of the generated members."""

import pytest

from figures.models import FigureSnapshot
from tests.bench.generate import generate


@pytest.mark.slow
def test_generating_bench_members_refreshes_the_figures_snapshot(bench_database_url):
    report = generate(bench_database_url, 40, log=lambda message: None)
    assert report.rows["hook:figures snapshot"] == 1
    snapshot = FigureSnapshot.objects.newest()
    assert snapshot.data["members"]["total"] == 40
    assert sum(snapshot.data["members"]["by_country"].values()) == 40
