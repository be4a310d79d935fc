"""The beat task's work, done by a real Celery worker process on Redis."""

import time

import pytest

from figures.models import FigureSnapshot
from figures.tasks import refresh_figures_task
from tests.factories import member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_refreshes_the_figures_snapshot(celery_worker_process):
    for country in ("US", "US", "CA"):
        member(country=country)
    refresh_figures_task.delay()
    deadline = time.monotonic() + 30
    while not FigureSnapshot.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    snapshot = FigureSnapshot.objects.get()
    assert snapshot.data["members"]["by_country"] == {"US": 2, "CA": 1}
    assert "refresh_figures_task" in celery_worker_process.read_log()


def test_a_visitor_finding_no_figures_queues_them_for_a_real_worker(celery_worker_process, client):
    member(country="MX")
    page = client.get("/figures/")
    assert "se están calculando" in page.content.decode()
    assert not FigureSnapshot.objects.exists()  # the request computed nothing
    deadline = time.monotonic() + 30
    while not FigureSnapshot.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert FigureSnapshot.objects.get().data["members"]["by_country"] == {"MX": 1}
    assert "se están calculando" not in client.get("/figures/").content.decode()
