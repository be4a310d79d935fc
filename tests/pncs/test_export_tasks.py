"""Exports beyond a page's worth: queued by the request, written by a worker into private
storage, listed on "my exports", downloaded only by the coordinator who asked (with their
second factor) until the link expires, then deleted. Audited like every export."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from members.models import Sector
from pncs import exports, tasks
from pncs.models import MemberExport, SearchAudit
from tests.factories import UserFactory, coordinator, with_totp

from .conftest import contactable

pytestmark = pytest.mark.django_db

CSV = "/pncs/search/export.csv"
XLSX = "/pncs/search/export.xlsx"
EXPORTS = "/pncs/exports/"
PAYLOAD = '=HYPERLINK("http://evil.example","clic")'


@pytest.fixture(autouse=True)
def small_pages(settings):
    """A page's worth is three rows here: four make a large export."""
    settings.PNCS_EXPORT_SYNC_MAX_ROWS = 3


def _members(n, **fields):
    return [contactable(given_names=f"Miembro{i}", sectors=["tic"], **fields) for i in range(n)]


def _ask(client, url, params, capture, *, execute=True):
    """Ask for an export; after commit the task runs (eager here) unless `execute` is off."""
    with capture(execute=execute):
        return client.get(url, params)


def _csv(body: bytes):
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _download(client, export):
    return client.get(reverse("pncs:export_download", args=[export.public_id]))


def test_a_page_worth_is_still_streamed_in_the_request(coord_client):
    _members(3)
    response = coord_client.get(CSV, {"sector": "tic"})
    assert response.status_code == 200 and response.streaming
    assert len(_csv(b"".join(response.streaming_content))) == 4
    assert not MemberExport.objects.exists()


def test_a_large_csv_export_is_written_by_the_task_and_downloaded_by_its_owner(
    coord_client, coord, django_capture_on_commit_callbacks
):
    people = _members(5)
    people[0].given_names = PAYLOAD
    people[0].save()
    contactable(given_names="Salud", sectors=["salud"])

    response = _ask(coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == EXPORTS
    export = MemberExport.objects.get()
    assert (export.user, export.format, export.status, export.row_count) == (
        coord,
        "csv",
        "ready",
        5,
    )
    assert export.filters == {"sector": ["tic"]}
    assert export.expires_at - export.finished_at == timedelta(hours=24)
    audit = SearchAudit.objects.get()
    assert (audit.user, audit.action, audit.filters, audit.row_count) == (
        coord,
        "export_csv",
        {"sector": ["tic"]},
        5,
    )
    page = coord_client.get(EXPORTS)
    assert reverse("pncs:export_download", args=[export.public_id]) in page.content.decode()
    download = _download(coord_client, export)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download["Cache-Control"]
    header, *rows = _csv(b"".join(download.streaming_content))
    assert header[0] == "Nombre(s)"
    assert sorted(r[0] for r in rows) == sorted(
        ["'" + PAYLOAD] + [f"Miembro{i}" for i in range(1, 5)]
    )
    export.refresh_from_db()
    assert export.downloads == 1


def test_a_large_xlsx_export_is_written_by_the_task_and_round_trips(
    coord_client, django_capture_on_commit_callbacks
):
    _members(4)
    tricky = contactable(given_names="+SUM(1,2)", headline='Dijo "hola",\nadiós', sectors=["tic"])

    _ask(coord_client, XLSX, {"sector": "tic"}, django_capture_on_commit_callbacks)

    export = MemberExport.objects.get()
    assert (export.format, export.status, export.row_count) == ("xlsx", "ready", 5)
    download = _download(coord_client, export)
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    header, *rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    by_email = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_email[tricky.user.email]["Nombre(s)"] == "'+SUM(1,2)"
    assert by_email[tricky.user.email]["Titular"] == 'Dijo "hola",\nadiós'
    assert SearchAudit.objects.get().action == "export_xlsx"


def test_only_the_coordinator_who_asked_can_download_it(
    client, coord, django_capture_on_commit_callbacks
):
    _members(4)
    client.force_login(coord)
    _ask(client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    export = MemberExport.objects.get()

    other_coordinator = coordinator("tic")
    staff = UserFactory(is_staff=True, is_superuser=True)
    with_totp(staff)
    for outsider in (other_coordinator, staff):
        client.force_login(outsider)
        assert _download(client, export).status_code == 404
        assert reverse("pncs:export_download", args=[export.public_id]) not in (
            client.get(EXPORTS).content.decode()
        )
    client.force_login(UserFactory())  # a member: not in the PNCS area at all
    assert _download(client, export).status_code == 403
    client.logout()
    response = _download(client, export)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    export.refresh_from_db()
    assert export.downloads == 0


def test_the_owner_without_a_second_factor_is_sent_to_set_it_up(
    client, django_capture_on_commit_callbacks
):
    from allauth.mfa.models import Authenticator

    owner = coordinator("tic")
    _members(4)
    client.force_login(owner)
    _ask(client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    Authenticator.objects.filter(user=owner).delete()

    response = _download(client, MemberExport.objects.get())

    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_an_expired_export_is_gone_and_the_sweeper_deletes_its_file(
    coord_client, exports_root, django_capture_on_commit_callbacks
):
    _members(4)
    _ask(coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    export = MemberExport.objects.get()
    assert (exports_root / export.file_name).exists()
    MemberExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())

    response = _download(coord_client, export)
    assert response.status_code == 410
    assert "ya venció" in response.content.decode()

    assert exports.sweep_exports()["expired"] == 1
    export.refresh_from_db()
    assert (export.status, export.file_name) == ("expired", "")
    assert not list(exports_root.iterdir())
    assert _download(coord_client, export).status_code == 410
    assert "Vencida" in coord_client.get(EXPORTS).content.decode()


def test_the_coordinator_is_told_by_email_with_a_link_to_their_exports_only(
    client, django_capture_on_commit_callbacks
):
    owner = coordinator("tic")
    owner.preferred_language = "en"
    owner.save(update_fields=["preferred_language"])
    people = _members(4)
    client.force_login(owner)

    _ask(client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Your member export is ready"
    assert "/en/pncs/exports/" in message.body
    assert str(MemberExport.objects.get().public_id) not in message.body
    assert not any(person.user.email in message.body for person in people)


def test_the_task_refuses_a_search_whose_filters_no_longer_apply(
    coord_client, exports_root, django_capture_on_commit_callbacks
):
    _members(4)
    response = _ask(
        coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks, execute=False
    )
    assert response.status_code == 302
    tic = Sector.objects.get(slug="tic")  # renamed before the worker runs
    tic.slug = "tic-renombrado"
    tic.save()

    assert exports.write_export(export_id=MemberExport.objects.get().pk) is None

    export = MemberExport.objects.get()
    assert (export.status, export.error, export.file_name) == ("failed", "search-changed", "")
    assert not list(exports_root.iterdir())
    assert "La búsqueda cambió" in coord_client.get(EXPORTS).content.decode()


def test_a_task_delivered_twice_writes_the_export_once(
    coord_client, exports_root, django_capture_on_commit_callbacks
):
    _members(4)
    _ask(coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    export = MemberExport.objects.get()

    assert exports.write_export(export_id=export.pk) is None  # already written

    assert [p.name for p in exports_root.iterdir()] == [export.file_name]
    assert len(mail.outbox) == 1


def test_with_the_broker_down_the_export_waits_and_the_sweeper_enqueues_it(
    coord_client, monkeypatch, django_capture_on_commit_callbacks
):
    _members(4)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.write_export_task, "apply_async", broker_down)
        response = _ask(coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
        assert response.status_code == 302
        export = MemberExport.objects.get()
        assert (export.status, export.enqueued_at) == ("queued", None)
        assert exports.sweep_exports()["enqueued"] == 0

    assert exports.sweep_exports()["enqueued"] == 1  # the broker is back (eager here)

    export.refresh_from_db()
    assert (export.status, export.row_count) == ("ready", 4)


def test_an_export_stuck_in_a_dead_worker_is_queued_again_then_given_up(
    coord, settings, django_capture_on_commit_callbacks
):
    settings.PNCS_EXPORT_STUCK_AFTER = 60
    _members(4)
    long_ago = timezone.now() - timedelta(minutes=5)
    stuck = MemberExport.objects.create(
        user=coord,
        format="csv",
        query="sector=tic",
        filters={"sector": ["tic"]},
        language="es",
        status="running",
        attempts=1,
        started_at=long_ago,
        enqueued_at=long_ago,
    )
    hopeless = MemberExport.objects.create(
        user=coord,
        format="csv",
        query="",
        filters={},
        language="es",
        status="running",
        attempts=exports.MAX_ATTEMPTS,
        started_at=long_ago,
    )

    result = exports.sweep_exports()

    assert (result["requeued"], result["failed"], result["enqueued"]) == (1, 1, 1)
    stuck.refresh_from_db()
    hopeless.refresh_from_db()
    assert (stuck.status, stuck.row_count, stuck.attempts) == ("ready", 4, 2)
    assert (hopeless.status, hopeless.error) == ("failed", "too-long")


def test_my_exports_lists_only_mine_with_their_state_in_both_languages(
    coord_client, coord, django_capture_on_commit_callbacks
):
    _members(4)
    _ask(coord_client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    MemberExport.objects.create(
        user=coordinator("tic"), format="xlsx", query="", filters={}, language="es"
    )

    page = coord_client.get(EXPORTS)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert [e.user for e in page.context["exports"]] == [coord]
    html = page.content.decode()
    assert "Lista para descargar" in html and "Sectores: tic" in html
    english = coord_client.get("/en" + EXPORTS).content.decode()
    assert "My exports" in english and "Ready to download" in english


def test_my_exports_and_downloads_are_not_for_members_or_anonymous(client):
    assert client.get(EXPORTS).status_code == 302
    client.force_login(UserFactory())
    assert client.get(EXPORTS).status_code == 403


def test_a_malformed_or_unknown_download_id_answers_404(coord_client):
    assert coord_client.get("/pncs/exports/not-a-uuid/download/").status_code == 404
    missing = "/pncs/exports/00000000-0000-0000-0000-000000000000/download/"
    assert coord_client.get(missing).status_code == 404


def test_cancelling_the_coordinators_account_deletes_their_exports_and_files(
    coord, exports_root, client, django_capture_on_commit_callbacks
):
    from pncs import personal_data

    _members(4)
    client.force_login(coord)
    _ask(client, CSV, {"sector": "tic"}, django_capture_on_commit_callbacks)
    assert list(exports_root.iterdir())

    personal_data.erase(coord)

    assert not MemberExport.objects.exists()
    assert not list(exports_root.iterdir())


def test_the_beat_schedule_names_the_export_sweeper(settings):
    from talentnet.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["pncs-sweep-exports"]
    assert entry["task"] == "pncs.tasks.sweep_exports_task" in app.tasks
    assert entry["schedule"] <= 60 * 5
    assert settings.PNCS_EXPORT_STUCK_AFTER > settings.CELERY_TASK_TIME_LIMIT
