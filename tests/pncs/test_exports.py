"""CSV and XLSX exports: allow-list, round trip, formula injection, streaming, audit, scope."""

import csv
import io

import pytest
from openpyxl import load_workbook

from members.models import ExpertiseTag
from members.spreadsheets import csv_safe as neutralise
from pncs.models import SearchAudit
from tests.factories import ProfileFactory, UserFactory

from .conftest import contactable

pytestmark = pytest.mark.django_db

CSV = "/pncs/search/export.csv"
XLSX = "/pncs/search/export.xlsx"
TRICKY_HEADLINE = 'Ingeniera, "senior"\nen energía'
PAYLOAD = '=HYPERLINK("http://evil.example","clic")'


def _tricky():
    profile = contactable(
        given_names=PAYLOAD,
        paternal_surname="Muñoz, Peña",
        maternal_surname="+SUM(1,2)",
        headline=TRICKY_HEADLINE,
        bio="Semblanza que no se exporta",
        city="@Querétaro",
        sectors=["energia"],
    )
    profile.expertise.add(ExpertiseTag.objects.create(name="-hidrógeno", slug="hidrogeno"))
    return profile


def _csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("normal", "normal"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_round_trips_awkward_text_and_neutralises_formulas(coord_client):
    profile = _tricky()
    ProfileFactory(given_names="NoContactar", pncs_contact=False, sectors=["energia"])
    response = coord_client.get(CSV, {"sector": "energia"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = _csv_rows(response)
    assert header[:4] == ["Nombre(s)", "Apellido paterno", "Apellido materno", "Correo"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Nombre(s)"] == "'" + PAYLOAD
    assert row["Apellido paterno"] == "Muñoz, Peña"
    assert row["Apellido materno"] == "'+SUM(1,2)"
    assert row["Titular"] == TRICKY_HEADLINE
    assert row["Ciudad"] == "'@Querétaro"
    assert row["Especialidades"] == "'-hidrógeno"
    assert row["Correo"] == profile.user.email
    assert row["Sectores"] == "Hidrocarburos y Energías Alternativas"
    assert "Semblanza que no se exporta" not in ",".join(rows[0])


def test_csv_export_is_audited_with_its_row_count(coord_client, coord):
    contactable(sectors=["tic"])
    contactable(sectors=["tic"])
    contactable(sectors=["salud"])
    response = coord_client.get(CSV, {"sector": "tic"})
    assert len(_csv_rows(response)) == 3
    audit = SearchAudit.objects.get()
    assert (audit.user, audit.action, audit.row_count, audit.filters) == (
        coord,
        "export_csv",
        2,
        {"sector": ["tic"]},
    )


def test_csv_export_streams_in_batches(coord_client, monkeypatch):
    from pncs import exports

    monkeypatch.setattr(exports, "BATCH", 2)
    for n in range(5):
        contactable(given_names=f"Lote{n}")
    rows = _csv_rows(coord_client.get(CSV))[1:]
    assert sorted(r[0] for r in rows) == [f"Lote{n}" for n in range(5)]


def test_xlsx_round_trips_and_is_audited(coord_client):
    _tricky()
    response = coord_client.get(XLSX)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, *rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Nombre(s)"] == "'" + PAYLOAD
    assert row["Titular"] == TRICKY_HEADLINE
    assert row["Apellido paterno"] == "Muñoz, Peña"
    assert SearchAudit.objects.get().row_count == 1


def test_exports_in_english_have_english_headers(coord_client):
    contactable()
    header = _csv_rows(coord_client.get("/en" + CSV))[0]
    assert header[:2] == ["Given names", "Paternal surname"]


def test_exports_are_not_for_members_or_anonymous(client):
    contactable()
    assert client.get(CSV).status_code == 302
    client.force_login(UserFactory())
    assert client.get(CSV).status_code == 403
    assert client.get(XLSX).status_code == 403
    assert not SearchAudit.objects.exists()


def test_tampered_export_parameters_never_widen(coord_client):
    contactable(given_names="Sí", sectors=["salud"])
    ProfileFactory(given_names="No", pncs_contact=False, sectors=["salud"])
    rows = _csv_rows(coord_client.get(CSV, {"sector": ["salud", "zzz"], "pncs_contact": "0"}))[1:]
    assert [r[0] for r in rows] == ["Sí"]
