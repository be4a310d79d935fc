"""Demo data of the figures app: runs last (seed_demo's order) and refreshes the
snapshot so `make run` shows the demo network's figures."""

from figures.services import refresh_figures


def seed(*, stdout, rng, members, **kwargs):
    snapshot = refresh_figures()
    stdout.write(f"figures: snapshot computed in {snapshot.duration_ms} ms")
