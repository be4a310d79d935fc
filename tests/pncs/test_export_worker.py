"""A large export with the real parts: the request answers at once, a Celery worker
process on Redis writes the file into private storage, and the download link works only
for the coordinator who asked, 404 for anyone else, and is gone once expired."""

import csv
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from pncs import exports
from pncs.models import MemberExport, SearchAudit
from tests.factories import coordinator

from .conftest import contactable

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MEMBERS = 40
SYNC_MAX_ROWS = 10


@pytest.fixture(autouse=True)
def _a_page_is_ten_rows(settings, monkeypatch):
    settings.PNCS_EXPORT_SYNC_MAX_ROWS = SYNC_MAX_ROWS
    monkeypatch.setenv("PNCS_EXPORT_SYNC_MAX_ROWS", str(SYNC_MAX_ROWS))


def _wait_until_written(export_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        export = MemberExport.objects.get(pk=export_id)
        if export.status not in ("queued", "running"):
            return export
        time.sleep(0.3)
    return MemberExport.objects.get(pk=export_id)


def test_a_large_export_is_written_by_the_worker_and_only_its_owner_downloads_it(
    client, exports_root, celery_worker_process
):
    people = [contactable(given_names=f"Lote{n}", sectors=["tic"]) for n in range(MEMBERS)]
    contactable(given_names="OtroSector", sectors=["salud"])
    owner = coordinator("tic")
    client.force_login(owner)

    started = time.monotonic()
    response = client.get("/pncs/search/export.csv", {"sector": "tic"})
    answered = time.monotonic() - started

    assert response.status_code == 302 and response["Location"] == "/pncs/exports/"
    assert answered < 30  # the request never writes a large export itself
    queued = MemberExport.objects.get()
    export = _wait_until_written(queued.pk)
    assert export.status == "ready", celery_worker_process.read_log()[-3000:]
    assert export.row_count == MEMBERS
    assert (exports_root / export.file_name).is_file()
    assert "write_export_task" in celery_worker_process.read_log()
    assert SearchAudit.objects.get().row_count == MEMBERS

    url = reverse("pncs:export_download", args=[export.public_id])
    download = client.get(url)
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    _header, *rows = list(csv.reader(io.StringIO(body)))
    assert sorted(row[3] for row in rows) == sorted(p.user.email for p in people)

    client.force_login(coordinator("tic"))  # another coordinator of the same sector
    assert client.get(url).status_code == 404

    client.force_login(owner)
    MemberExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 410
    exports.sweep_exports()
    assert not (exports_root / export.file_name).exists()
    assert client.get(url).status_code == 410
