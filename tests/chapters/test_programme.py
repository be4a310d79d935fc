"""A chapter's own programme (issue 21): lines of action in its words, kept by its officers
(and the region's coordinator, and IME) in the officer area, with a target and progress
computed from its events, posts and members; its statutes (a PDF, public or private as the
officers choose); and its yearly activity report (page, CSV, PDF)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chapters.forms import MEASURE_MESSAGE, STATUTES_REQUIRED_MESSAGE, TARGET_MESSAGE
from chapters.models import STATUTES_MESSAGE, ChapterLine, RegionalCoordinator
from chapters.services import READ_ONLY_MESSAGE, grant_officer_access
from members.progress import last_year, year_message
from tests.factories import (
    JornadaFactory,
    MembershipFactory,
    PostFactory,
    RegistrationFactory,
    member,
    with_totp,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PDF = b"%PDF-1.7\n%fictitious statutes\n"


def _mid_year():
    return timezone.now().replace(year=YEAR, month=6, day=15, hour=12)


def _url(chapter, name="chapters:programme", **kwargs):
    return reverse(name, kwargs={"slug": chapter.slug, **kwargs})


def _form(**changes):
    data = {
        "year": YEAR,
        "title_es": "Mentorías a estudiantes de Monterrey",
        "title_en": "Mentoring students in Monterrey",
        "description_es": "",
        "description_en": "",
        "measure": "chapters.events",
        "target": 4,
    }
    data.update(changes)
    return data


def _line(chapter, **fields):
    defaults = {
        "year": YEAR,
        "title_es": "Línea",
        "title_en": "Line",
        "measure": "chapters.events",
        "target": 2,
    }
    defaults.update(fields)
    return ChapterLine.objects.create(chapter=chapter, **defaults)


def test_an_officer_adds_a_free_line_and_its_progress_counts_the_chapters_events(
    client, chapter_a, officer_a
):
    client.force_login(officer_a)
    response = client.post(_url(chapter_a), _form(), follow=True)
    assert response.status_code == 200
    line = ChapterLine.objects.get()
    assert (line.chapter, line.target, line.created_by) == (chapter_a, 4, officer_a)
    JornadaFactory(chapter=chapter_a, starts_at=_mid_year(), ends_at=_mid_year())
    JornadaFactory(
        chapter=chapter_a, starts_at=_mid_year(), ends_at=_mid_year(), is_published=False
    )
    JornadaFactory(starts_at=_mid_year(), ends_at=_mid_year())  # IME's, network-wide
    page = client.get(_url(chapter_a))
    shown = page.context["lines"][0]
    assert (shown.achieved, shown.percent) == (1, 25)
    assert "Mentorías a estudiantes de Monterrey" in page.content.decode()


@pytest.mark.parametrize("target", ["-1", "0", "", "x"])
def test_a_bad_target_is_refused_and_nothing_saved(client, chapter_a, officer_a, target):
    client.force_login(officer_a)
    response = client.post(_url(chapter_a), _form(target=target))
    assert response.status_code == 400
    assert str(TARGET_MESSAGE) in response.content.decode()
    assert not ChapterLine.objects.exists()


@pytest.mark.parametrize("year", ["2004", "next+1", "dos mil"])
def test_a_wrong_year_is_refused_and_nothing_saved(client, chapter_a, officer_a, year):
    if year == "next+1":
        year = str(last_year() + 1)
    client.force_login(officer_a)
    response = client.post(_url(chapter_a), _form(year=year))
    assert response.status_code == 400
    assert response.context["form"].errors["year"]
    assert not ChapterLine.objects.exists()
    assert client.get(f"{_url(chapter_a)}?year=1990").status_code == 400
    report = client.get(f"{_url(chapter_a, 'chapters:report')}?year=1990")
    assert report.status_code == 400 and year_message() in report.content.decode()
    assert client.get(f"{_url(chapter_a, 'chapters:report_csv')}?year=x").status_code == 400


def test_an_unknown_measure_is_refused(client, chapter_a, officer_a):
    client.force_login(officer_a)
    response = client.post(_url(chapter_a), _form(measure="pncs.opportunities"))
    assert response.status_code == 400
    assert str(MEASURE_MESSAGE) in response.content.decode()
    assert not ChapterLine.objects.exists()


def test_another_chapters_officer_and_members_get_404_and_change_nothing(
    client, chapter_a, chapter_b, officer_b
):
    line = _line(chapter_a, title_es="Nuestra")
    for person in (officer_b, member()):
        client.force_login(person)
        assert client.get(_url(chapter_a)).status_code == 404
        assert client.post(_url(chapter_a), _form()).status_code == 404
        assert client.get(_url(chapter_a, "chapters:line_edit", pk=line.pk)).status_code == 404
        assert client.post(_url(chapter_a, "chapters:line_delete", pk=line.pk)).status_code == 404
        assert client.get(_url(chapter_a, "chapters:report")).status_code == 404
        assert client.get(_url(chapter_a, "chapters:report_pdf")).status_code == 404
    # Through their own chapter's address, another chapter's line is not found either.
    client.force_login(officer_b)
    assert client.get(_url(chapter_b, "chapters:line_edit", pk=line.pk)).status_code == 404
    assert client.post(_url(chapter_b, "chapters:line_delete", pk=line.pk)).status_code == 404
    line.refresh_from_db()
    assert line.title_es == "Nuestra" and ChapterLine.objects.count() == 1


def test_an_officer_edits_and_deletes_a_line(client, chapter_a, officer_a):
    line = _line(chapter_a)
    client.force_login(officer_a)
    edit = _url(chapter_a, "chapters:line_edit", pk=line.pk)
    assert client.post(edit, _form(target=9)).status_code == 302
    line.refresh_from_db()
    assert line.target == 9
    assert client.post(edit, _form(target=-9)).status_code == 400
    line.refresh_from_db()
    assert line.target == 9
    assert client.post(_url(chapter_a, "chapters:line_delete", pk=line.pk)).status_code == 302
    assert not ChapterLine.objects.exists()


def test_the_regional_coordinator_keeps_the_lines_of_their_regions_chapters(client, chapter_a):
    person = member()
    RegionalCoordinator.objects.create(
        user=person,
        region=chapter_a.region,
        term_start=timezone.localdate() - datetime.timedelta(days=3),
    )
    grant_officer_access(user=person)
    with_totp(person)
    client.force_login(person)
    assert client.post(_url(chapter_a), _form()).status_code == 302
    assert ChapterLine.objects.get().created_by == person


def test_a_suspended_chapter_keeps_its_lines_but_its_officers_cannot_write(
    client, chapter_a, officer_a
):
    line = _line(chapter_a)
    chapter_a.suspended_at = timezone.now()
    chapter_a.save(update_fields=["suspended_at"])
    client.force_login(officer_a)
    response = client.post(_url(chapter_a), _form(), follow=True)
    assert str(READ_ONLY_MESSAGE) in response.content.decode()
    client.post(_url(chapter_a, "chapters:line_delete", pk=line.pk))
    assert list(ChapterLine.objects.all()) == [line]


# --- statutes ----------------------------------------------------------------------------


def _upload(client, chapter, content=PDF, name="estatutos.pdf", public=False):
    data = {"statutes": SimpleUploadedFile(name, content, content_type="application/pdf")}
    if public:
        data["statutes_public"] = "on"
    return client.post(_url(chapter, "chapters:statutes"), data)


def test_private_statutes_are_for_the_officers_only(client, chapter_a, officer_a, officer_b):
    client.force_login(officer_a)
    assert _upload(client, chapter_a).status_code == 302
    chapter_a.refresh_from_db()
    assert chapter_a.statutes.name.startswith("chapters/statutes/")
    assert "estatutos" not in chapter_a.statutes.name.rsplit("/", 1)[-1]  # a random name
    url = chapter_a.statutes.url
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "no-store" in download["Cache-Control"]
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert url not in client.get(chapter_a.get_absolute_url()).content.decode()


def test_public_statutes_are_linked_on_the_chapter_page(client, chapter_a, officer_a):
    client.force_login(officer_a)
    _upload(client, chapter_a, public=True)
    chapter_a.refresh_from_db()
    client.logout()
    assert chapter_a.statutes.url in client.get(chapter_a.get_absolute_url()).content.decode()
    assert client.get(chapter_a.statutes.url).status_code == 200
    # The officers make them private again without uploading anything.
    client.force_login(officer_a)
    assert client.post(_url(chapter_a, "chapters:statutes"), {}).status_code == 302
    client.logout()
    assert client.get(chapter_a.statutes.url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("estatutos.pdf", b"\x89PNG\r\n\x1a\n not a pdf"),
        ("estatutos.txt", PDF),
        ("estatutos.pdf", b""),
        ("estatutos.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
    ],
)
def test_a_bad_statutes_file_is_refused_and_nothing_changes(
    client, chapter_a, officer_a, name, content
):
    client.force_login(officer_a)
    response = _upload(client, chapter_a, content=content, name=name, public=True)
    assert response.status_code == 400
    page = response.content.decode()
    assert str(STATUTES_MESSAGE) in page or "vacío" in page or "empty" in page
    chapter_a.refresh_from_db()
    assert not chapter_a.statutes and not chapter_a.statutes_public


def test_no_statutes_yet_and_no_file_asks_for_one(client, chapter_a, officer_a):
    client.force_login(officer_a)
    response = client.post(_url(chapter_a, "chapters:statutes"), {"statutes_public": "on"})
    assert response.status_code == 400
    assert str(STATUTES_REQUIRED_MESSAGE) in response.content.decode()
    chapter_a.refresh_from_db()
    assert not chapter_a.statutes_public


# --- the yearly activity report ------------------------------------------------------------


def test_the_report_counts_events_posts_and_members_of_the_year(client, chapter_a, officer_a):
    _line(chapter_a, title_es="Dos eventos", measure="chapters.events", target=2)
    event = JornadaFactory(
        chapter=chapter_a, title_es="Encuentro de junio", starts_at=_mid_year(), ends_at=_mid_year()
    )
    RegistrationFactory(jornada=event, status="confirmed")
    PostFactory(scope="chapter", chapter=chapter_a, title_es="Crónica del encuentro")
    MembershipFactory(chapter=chapter_a, decided_at=timezone.now())
    client.force_login(officer_a)
    page = client.get(_url(chapter_a, "chapters:report"))
    assert page.status_code == 200
    counts = {row["measure"].key: row["count"] for row in page.context["activity"]}
    assert counts["chapters.events"] == 1
    assert counts["news.chapter_posts"] == 1
    assert counts["chapters.new_members"] == 1
    assert counts["chapters.participants"] == 1
    text = page.content.decode()
    assert "Encuentro de junio" in text and "Crónica del encuentro" in text
    csv_text = client.get(_url(chapter_a, "chapters:report_csv")).content.decode()
    assert "Dos eventos,2,1,50" in csv_text and "Encuentro de junio" in csv_text
    pdf = client.get(_url(chapter_a, "chapters:report_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "no-store" in pdf["Cache-Control"]


def test_the_members_engagements_of_the_chapter_are_counted(chapter_a, chapter_b):
    from counterparts import services as counterparts_services
    from members.models import Sector
    from members.progress import CHAPTER, compute_progress
    from tests.counterparts.factories import organization

    ours = MembershipFactory(chapter=chapter_a).user
    pending = MembershipFactory(chapter=chapter_a, status="pending").user
    theirs = MembershipFactory(chapter=chapter_b).user
    for person in (ours, ours, pending, theirs):
        counterparts_services.open_engagement(
            kind="mentoring",
            sector=Sector.objects.get(slug="tic").pk,
            member=person.profile,
            title="Mentoría ficticia",
            organization=organization(),
        )
    lines = [_line(chapter_a, measure="counterparts.members_engagements")]
    compute_progress(lines, subject=CHAPTER, owner_attr="chapter_id")
    assert lines[0].achieved == 2
