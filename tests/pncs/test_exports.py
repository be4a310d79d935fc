"""CSV and XLSX exports: allow-list, round trip, formula injection, streaming, audit, scope."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from psycopg.pq import TransactionStatus

from core.spreadsheets import csv_safe as neutralise
from members.models import (
    Contribution,
    ExpertiseTag,
    Language,
    Profile,
    ProfileSector,
    Sector,
    User,
)
from pncs.filters import MemberSearchFilter
from pncs.models import MemberSearchIndex, SearchAudit
from pncs.search import base_queryset
from pncs.services import finish_audit, record_audit
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


def test_csv_export_streams_in_chunks(coord_client, monkeypatch):
    from pncs import exports

    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    for n in range(5):
        contactable(given_names=f"Lote{n}")
    chunks = list(coord_client.get(CSV).streaming_content)
    assert len(chunks) == 1 + 3  # the header, then 2 + 2 + 1 rows
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))[1:]
    assert [r[0] for r in rows] == [f"Lote{n}" for n in range(5)]


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
    refused = coord_client.get(CSV, {"sector": ["salud", "zzz"], "pncs_contact": "0"})
    assert refused.status_code == 302  # back to the search, which shows the error
    assert refused["Location"].startswith("/pncs/search/?") and "zzz" in refused["Location"]
    assert not SearchAudit.objects.exists()
    rows = _csv_rows(coord_client.get(CSV, {"sector": "salud", "pncs_contact": "0"}))[1:]
    assert [r[0] for r in rows] == ["Sí"]


# --- The CSV written by PostgreSQL (COPY) --------------------------------------------


def _varied_members():
    """Members whose cells test every rule: formulas in each text cell, commas, quotes,
    newlines and carriage returns, accents and other scripts, empty cells, an unknown
    country code, a date that is another day in UTC, lists in two languages."""
    first, second, third = Sector.objects.order_by("order")[:3]
    languages = list(Language.objects.all()[:3])
    contributions = list(Contribution.objects.all()[:3])
    tags = [
        ExpertiseTag.objects.create(name=name, slug=slug)
        for name, slug in [("=1+1", "formula"), ("Ñandú", "nandu"), ("agua", "agua")]
    ]
    rich = _tricky()
    ProfileSector.objects.filter(profile=rich).delete()
    ProfileSector.objects.create(profile=rich, sector=third, is_primary=True)
    ProfileSector.objects.create(profile=rich, sector=first, is_primary=False)
    ProfileSector.objects.create(profile=rich, sector=second, is_primary=False)
    rich.expertise.add(*tags)
    rich.languages.set(languages)
    rich.contributions.set(contributions)
    rich.willing_to_travel = True
    rich.save()
    bare = contactable(
        given_names="\tTabulado",
        maternal_surname="",
        headline="línea 1\r\nlínea 2\rlínea 3",
        city="",
        country="",
        state_of_origin="",
        education_level="",
        sectors=[second],
    )
    Profile.objects.filter(pk=bare.pk).update(
        updated_at=datetime(2024, 3, 1, 3, 30, tzinfo=UTC)  # Feb 29 in Mexico City
    )
    scripts = contactable(
        given_names="José 🚀 日本語",
        paternal_surname="-5",
        maternal_surname=" =espacio",
        headline="'ya citado",
        city="São Paulo",
        country="BR",
        state_of_origin="OAX",
        education_level="doctorado",
        sectors=[first, third],
    )
    scripts.expertise.add(tags[1])
    scripts.languages.set(languages[:1])
    unknown_country = contactable(given_names="Zeta", sectors=[first])
    Profile.objects.filter(pk=unknown_country.pk).update(country="ZZ")
    User.objects.filter(pk=unknown_country.pk).update(email="+reply@example.org")
    ProfileFactory(given_names="NoContactar", pncs_contact=False, sectors=[first])
    return [rich, bare, scripts, unknown_country]


def _body(chunks) -> str:
    body = b"".join(chunk for chunk, _rows in chunks)
    assert body.startswith("\ufeff".encode())
    return body.decode("utf-8-sig")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_csv_and_the_workbook_hold_the_same_cells(language):
    from pncs import exports

    members = _varied_members()
    queryset = MemberSearchFilter(QueryDict(), queryset=base_queryset()).qs
    with translation.override(language):
        copied = _body(exports._copy_chunks(queryset))
        written = _workbook_rows(queryset)
    assert list(csv.reader(io.StringIO(copied))) == written
    header, *rows = list(csv.reader(io.StringIO(copied)))
    assert len(rows) == len(members)
    cells = dict(zip(header, rows[0], strict=True))
    assert cells[header[0]] == "'" + PAYLOAD
    assert cells[header[10]].startswith("'")  # the expertise list starts with "-hidrógeno"
    assert "\r\n" not in copied.replace("\r\nlínea", "")  # COPY ends lines in LF


def test_copy_lists_are_in_the_active_language_and_order(monkeypatch):
    from pncs import exports

    first, second, third = Sector.objects.order_by("order")[:3]
    profile = contactable(sectors=[third, first, second])
    profile.languages.set(Language.objects.filter(code__in=["en", "fr"]))
    queryset = MemberSearchFilter(QueryDict(), queryset=base_queryset()).qs
    for language, name in (("es", "name_es"), ("en", "name_en")):
        with translation.override(language):
            row = list(csv.reader(io.StringIO(_body(exports._copy_chunks(queryset)))))[1]
        sectors = [getattr(s, name) for s in (third, first, second)]
        languages = sorted(getattr(lang, name) for lang in profile.languages.all())
        assert row[9] == "; ".join(sectors)
        assert row[12] == "; ".join(languages)


def _ooxml_text(cell) -> str:
    """A cell's text as Excel and LibreOffice show it: the `_xHHHH_` escapes of ECMA-376's
    ST_Xstring (a carriage return, a control character, a literal "_x…_"), which openpyxl
    leaves encoded, decoded in one pass."""
    if cell is None:
        return ""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), cell)


def _workbook_rows(queryset):
    """The header and rows of the XLSX export as a spreadsheet reads them back, every cell
    a string ("" for an empty one), as a CSV reader gives them."""
    from pncs import exports

    handle = io.BytesIO()
    count = exports.write_xlsx(queryset, handle)
    handle.seek(0)
    sheet = load_workbook(handle, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == count + 1
    assert all(isinstance(c, str | None) for row in rows for c in row)  # text, never a number
    return [[_ooxml_text(c) for c in row] for row in rows]


def _both_exports(language="es"):
    """The CSV rows written by PostgreSQL (COPY, the lists aggregated per list) and the
    workbook's rows, in `language`."""
    from pncs import exports

    queryset = MemberSearchFilter(QueryDict(), queryset=base_queryset()).qs
    with translation.override(language):
        copied = list(csv.reader(io.StringIO(_body(exports._copy_chunks(queryset)))))
        written = _workbook_rows(queryset)
    return copied, written


def _lists_of(profile, language="es"):
    copied, written = _both_exports(language)
    assert copied == written
    row = next(r for r in copied[1:] if r[0] == profile.given_names)
    return row[9:13]


def test_exported_lists_follow_each_change_of_a_members_lists():
    first, second, third = Sector.objects.order_by("order")[:3]
    spanish, english, french = (Language.objects.get(code=c) for c in ("es", "en", "fr"))
    mentor, invest = Contribution.objects.order_by("pk")[:2]
    tag = ExpertiseTag.objects.create(name="Hidrología", slug="hidrologia")
    profile = contactable(given_names="Lista", sectors=[first])
    profile.languages.add(french, spanish)  # no save(): the m2m signal alone
    profile.contributions.set([invest])
    english.profiles.add(profile)  # from the other side
    tag.profiles.add(profile)
    assert _lists_of(profile) == [
        first.name_es,
        "Hidrología",
        invest.name_es,
        "; ".join(sorted([spanish.name_es, english.name_es, french.name_es])),
    ]
    profile.languages.remove(french)
    mentor.profiles.add(profile)
    tag.profiles.clear()
    ProfileSector.objects.create(profile=profile, sector=third, is_primary=False)
    ProfileSector.objects.filter(profile=profile, sector=first).update(is_primary=False)
    ProfileSector.objects.create(profile=profile, sector=second, is_primary=True)
    assert _lists_of(profile, "en") == [
        "; ".join([second.name_en, first.name_en, third.name_en]),
        "",
        "; ".join(sorted([mentor.name_en, invest.name_en])),
        "; ".join(sorted([spanish.name_en, english.name_en])),
    ]
    profile.contributions.clear()
    assert _lists_of(profile)[2] == ""


def test_exported_lists_follow_renamed_and_deleted_names():
    first, second = Sector.objects.order_by("order")[:2]
    french = Language.objects.get(code="fr")
    contribution = Contribution.objects.order_by("pk").first()
    tag = ExpertiseTag.objects.create(name="Acuicultura", slug="acuicultura")
    profile = contactable(given_names="Renombres", sectors=[first, second])
    profile.languages.add(french)
    profile.contributions.add(contribution)
    profile.expertise.add(tag)
    ProfileSector.objects.filter(profile=profile, sector=first).update(is_primary=False)
    ProfileSector.objects.filter(profile=profile, sector=second).update(is_primary=False)
    profile.save()

    first.name_es, second.order = "Zeta renombrado", first.order - 1
    first.save()
    second.save()
    french.name_en = "French (France)"
    french.save()
    contribution.name_es = "Aportación renombrada"
    contribution.save()
    tag.name = "Acuacultura"
    tag.save()
    assert _lists_of(profile) == [
        f"{second.name_es}; Zeta renombrado",
        "Acuacultura",
        "Aportación renombrada",
        french.name_es,
    ]
    assert _lists_of(profile, "en")[3] == "French (France)"

    tag.delete()
    contribution.delete()
    french.delete()
    assert _lists_of(profile)[1:] == ["", "", ""]


def test_saving_unchanged_reference_data_rewrites_no_list():
    sector = Sector.objects.order_by("order").first()
    contactable(given_names="Quieta", sectors=[sector])
    with CaptureQueriesContext(connection) as queries:
        sector.save()  # what loading the reference data after a migrate does
    assert not [q for q in queries if "pncs_" in q["sql"]]


def test_csv_export_leaves_out_members_the_index_still_calls_contactable(coord_client):
    contactable(given_names="Activa")
    gone = contactable(given_names="Desactivada")
    User.objects.filter(pk=gone.pk).update(is_active=False)  # no signal: index unchanged
    assert MemberSearchIndex.objects.get(pk=gone.pk).contactable
    rows = _csv_rows(coord_client.get(CSV))[1:]
    assert [r[0] for r in rows] == ["Activa"]


def test_csv_export_audit_counts_rows_not_newlines(coord_client):
    for headline in ("una\nlínea", "dos\r\nlíneas", "tres\n\n\nlíneas", "sin salto"):
        contactable(headline=headline)
    response = coord_client.get(CSV)
    body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 1 + 4 + 1 + 1 + 3  # header, rows, newlines in cells
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 5
    assert SearchAudit.objects.get().row_count == 4


def test_csv_export_lines_are_rows_when_no_cell_holds_a_newline(coord_client):
    for n in range(3):
        contactable(given_names=f"Fila{n}")
    body = b"".join(coord_client.get(CSV).streaming_content)
    assert body.count(b"\n") == 1 + 3  # what the bench counts as lines_per_s
    assert SearchAudit.objects.get().row_count == 3


def test_a_download_stopped_half_way_ends_the_copy_and_audits_what_was_sent(coord, monkeypatch):
    from pncs import exports

    monkeypatch.setattr(exports, "CHUNK_ROWS", 1)
    for n in range(3):
        contactable(given_names=f"Parcial{n}")
    audit = record_audit(
        user=coord, action=SearchAudit.Action.EXPORT_CSV, filters={}, row_count=None
    )
    savepoints = list(connection.savepoint_ids)
    queryset = MemberSearchFilter(QueryDict(), queryset=base_queryset()).qs
    stream = exports.csv_stream(
        queryset,
        on_done=lambda n: finish_audit(audit_id=audit.pk, row_count=n),  # as the view does
        language="es",
    )
    next(stream)  # the header
    assert next(stream).startswith(b"Parcial0,")
    stream.close()  # the client went away: the server closes the response
    assert connection.savepoint_ids == savepoints  # the COPY's savepoint rolled back
    assert connection.connection.info.transaction_status == TransactionStatus.INTRANS
    audit.refresh_from_db()
    assert audit.row_count == 1


# --- An invalid search exports nothing (issue 17, item 4) -------------------------------


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_an_invalid_search_exports_nothing_and_says_why(coord_client, url):
    from pncs.exports import INVALID_SEARCH_MESSAGE

    for n in range(3):
        contactable(given_names=f"Tic{n}", sectors=["tic"])
    contactable(given_names="Salud", sectors=["salud"])

    response = coord_client.get(url, {"q": "a" * 204, "sector": "tic"})

    assert response.status_code == 302
    assert response["Location"].startswith("/pncs/search/?")
    assert "Content-Disposition" not in response
    assert not SearchAudit.objects.exists()  # nothing exported, nothing to audit
    page = coord_client.get(response["Location"])
    assert str(INVALID_SEARCH_MESSAGE) in page.content.decode()


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_nul_byte_in_the_search_exports_nothing(coord_client, url):
    """Refused at the door (core.middleware.RefuseNulMiddleware): 400, no file, no audit."""
    contactable(given_names="Tic", sectors=["tic"])

    response = coord_client.get(url, {"q": "Ana\x00Ruiz", "sector": "tic"})

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert not SearchAudit.objects.exists()


def test_an_invalid_search_is_refused_in_english_too(coord_client):
    contactable(sectors=["tic"])
    response = coord_client.get("/en" + CSV, {"q": "x" * 204}, follow=True)
    assert "Nothing was exported" in response.content.decode()
    assert not SearchAudit.objects.exclude(action="search").exists()


def test_the_audit_records_exactly_the_filters_that_were_applied(coord_client, coord):
    traveller = contactable(given_names="Ana", sectors=["tic"], willing_to_travel=True)
    contactable(given_names="Ana", sectors=["tic"], willing_to_travel=False)
    contactable(given_names="Ana", sectors=["salud"], willing_to_travel=True)
    contactable(given_names="Beto", sectors=["tic"], willing_to_travel=True)

    rows = _csv_rows(coord_client.get(CSV, {"q": "Ana", "sector": "tic", "travel": "on"}))[1:]

    assert [r[3] for r in rows] == [traveller.user.email]
    audit = SearchAudit.objects.get()
    assert audit.filters == {"q": "Ana", "sector": ["tic"], "travel": True}
    assert audit.row_count == 1
