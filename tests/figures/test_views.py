"""The public page and the staff dashboard: content, suppression, privacy, access, CSV,
both languages and a query count that does not grow with the network."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.access import MFA_REQUIRED_MESSAGE
from figures.models import FigureSnapshot
from figures.services import refresh_figures
from tests.factories import ChapterFactory, MembershipFactory, member

pytestmark = pytest.mark.django_db

PUBLIC = "/figures/"
STAFF = "/staff/figures/"


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _network(n_us, n_ca=0):
    for _ in range(n_us):
        member(country="US", state_of_origin="JAL")
    for _ in range(n_ca):
        member(country="CA", state_of_origin="OAX")


def test_the_contract_urls_and_the_footer_link():
    assert reverse("figures") == PUBLIC
    assert reverse("figures_staff") == STAFF


def test_public_page_shows_map_charts_tables_and_as_of_when(client):
    _network(6, 2)
    refresh_figures()  # the beat's work: pages only read snapshots
    response = client.get(PUBLIC)
    html = response.content.decode()
    assert response.status_code == 200
    assert "La red en cifras" in html
    assert 'data-testid="world-map"' in html
    assert "Datos al" in html
    assert "<caption" in html
    assert "Descargar «Miembros por país de residencia» (CSV)" in html
    # 6 in the US shown exactly, 2 in Canada suppressed, in the table and the map tooltip.
    assert '<th scope="row">Estados Unidos</th><td>6</td>' in html
    assert '<th scope="row">Canadá</th><td>&lt;5</td>' in html
    assert "Canadá: &lt;5" in html
    assert "<td>2</td>" not in html
    assert FigureSnapshot.objects.count() == 1  # computed on the first view


def test_public_page_has_no_names_or_emails_even_for_three_members(client):
    people = [
        member(given_names="Zacarías", paternal_surname="Quetzalcóatl-Pérez", country="NZ"),
        member(given_names="Ximena", paternal_surname="Wolfenstein", country="NZ"),
        member(given_names="Yolotl", paternal_surname="Vandermeer", country="IS"),
    ]
    chapter = ChapterFactory(name="Capítulo Aotearoa", city="Wellington", country="NZ")
    for person in people[:2]:
        MembershipFactory(chapter=chapter, user=person)
    refresh_figures()  # the beat's work: pages only read snapshots
    for path in (PUBLIC, "/en/figures/", "/figures/countries.csv", "/figures/chapters.csv"):
        body = client.get(path).content.decode("utf-8-sig")
        for person in people:
            profile = person.profile
            for private in (profile.given_names, profile.paternal_surname, person.email):
                assert private not in body, (path, private)
        assert "@" not in body.replace("@media", "")
    html = client.get(PUBLIC).content.decode()
    assert '<th scope="row">Nueva Zelanda</th><td>&lt;5</td>' in html
    assert "Capítulo Aotearoa" in html  # chapters and their cities are public


def test_public_csv_suppresses_small_cells(client):
    _network(5, 3)
    refresh_figures()  # the beat's work: pages only read snapshots
    rows = _csv(client.get("/figures/countries.csv"))
    # No percentages in public: with their base they would give back the suppressed cells.
    assert rows == [["País de residencia", "Personas"], ["Estados Unidos", "5"], ["Canadá", "<5"]]
    states = _csv(client.get("/figures/states.csv"))
    assert states[1:] == [["Jalisco", "5"], ["Oaxaca", "<5"]]


def test_public_ranking_does_not_order_the_suppressed_cells_by_size(client):
    for country, n in (("US", 6), ("NZ", 1), ("AR", 4), ("IS", 2)):
        for _ in range(n):
            member(country=country)
    refresh_figures()  # the beat's work: pages only read snapshots
    rows = _csv(client.get("/figures/countries.csv"))
    assert [row[0] for row in rows[1:]] == [
        "Estados Unidos",
        "Argentina",
        "Islandia",
        "Nueva Zelanda",
    ]


def test_public_total_is_rounded_so_it_cannot_give_back_a_suppressed_cell(client):
    _network(6, 1)
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get(PUBLIC).content.decode()
    assert "<strong>menos de 100</strong>" in html
    assert "<strong>7</strong>" not in html


def test_unknown_csv_is_404(client):
    refresh_figures()  # the beat's work: pages only read snapshots
    assert client.get("/figures/nothing-here.csv").status_code == 404


def test_public_page_in_english(client):
    _network(5)
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get("/en/figures/").content.decode()
    assert "The network in figures" in html
    assert "Members by country of residence" in html
    assert "United States" in html
    rows = _csv(client.get("/en/figures/countries.csv"))
    assert rows[0] == ["Country of residence", "People"]


@pytest.mark.parametrize("size", [3, 12])
def test_public_page_query_count_is_fixed(client, django_assert_num_queries, size):
    _network(size, size)
    ChapterFactory.create_batch(size // 3 + 1)
    refresh_figures()
    with django_assert_num_queries(1):
        assert client.get(PUBLIC).status_code == 200


def test_staff_dashboard_sends_anonymous_visitors_to_login(client):
    response = client.get(STAFF)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get("/staff/figures/countries.csv").status_code == 302


def test_staff_dashboard_is_forbidden_to_members(client):
    client.force_login(member())
    assert client.get(STAFF).status_code == 403
    assert client.get("/staff/figures/countries.csv").status_code == 403


def test_staff_dashboard_is_forbidden_to_staff_outside_ime(client):
    user = member()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    assert client.get(STAFF).status_code == 403


def test_ime_staff_without_a_second_factor_are_sent_to_set_it_up(client, ime_staff):
    client.force_login(ime_staff(totp=False))
    response = client.get(STAFF)
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [str(MFA_REQUIRED_MESSAGE)]


def test_ime_staff_see_exact_figures_of_every_section(client, ime_staff):
    _network(6, 2)
    chapter = ChapterFactory(name="Capítulo Houston")
    MembershipFactory.create_batch(2, chapter=chapter)
    MembershipFactory(chapter=chapter, status="pending")
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    response = client.get(STAFF)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    for title in (
        "Nuevos miembros por mes",
        "Miembros por país de residencia",
        "Miembros por estado de origen en México",
        "Miembros por sector",
        "Miembros por capítulo",
        "Miembros por nivel de estudios",
        "Miembros por tipo de aportación",
        "Perfiles por grado de completitud",
        "Salud de los capítulos",
        "Cargos cuyo periodo termina en los próximos 60 días",
        "Jornadas: registros, lista de espera y asistencia",
        "PNCS: búsquedas, exportaciones, oportunidades e interés",
        "Anuncios: enviados, fallidos y bajas",
        "Todavía no se ha enviado ningún anuncio.",
    ):
        assert title in html, title
    assert '<th scope="row">Canadá</th><td>2</td>' in html  # exact, not suppressed
    assert 'data-testid="world-map"' in html
    health = _csv(client.get("/staff/figures/chapter-health.csv"))
    assert health[1][:5] == ["Capítulo Houston", "Austin", "Estados Unidos", "2", "1"]


@pytest.mark.parametrize("size", [3, 12])
def test_staff_dashboard_query_count_is_fixed(client, ime_staff, django_assert_num_queries, size):
    _network(size, size)
    ChapterFactory.create_batch(size // 3 + 1)
    client.force_login(ime_staff())
    refresh_figures()
    # session, user (with its IME group and TOTP authenticator), snapshot; counterparts'
    # summary plugged in (requests waiting, overdue, open engagements: issue 20)
    with django_assert_num_queries(6):
        assert client.get(STAFF).status_code == 200


@pytest.mark.parametrize("size", [3, 12])
def test_filtered_dashboard_query_count_is_fixed(
    client, ime_staff, django_assert_num_queries, size
):
    _network(size, size)
    ChapterFactory.create_batch(size // 3 + 1)
    client.force_login(ime_staff())
    refresh_figures()
    # the 6 above, then the live aggregates of the filtered view (then cached), announcements
    # and engagements (issue 20) included
    with django_assert_num_queries(32):
        assert client.get(STAFF, {"country": "CA", "period": "12m"}).status_code == 200


def test_filters_apply_to_the_whole_page_and_its_csv(client, ime_staff):
    _network(6, 2)
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get(STAFF, {"country": "CA"}).content.decode()
    assert '<th scope="row">Canadá</th><td>2</td>' in html
    assert "Estados Unidos</th><td>6" not in html
    assert "Cifras filtradas" in html
    assert "?country=CA" in html  # the CSV links carry the filters
    rows = _csv(client.get("/staff/figures/countries.csv", {"country": "CA"}))
    assert rows[1:] == [["Canadá", "2", "100.0 %"]]
    totals = _csv(client.get("/staff/figures/totals.csv", {"country": "CA"}))
    assert totals[1] == ["Miembros", "2", "100.0 %"]


def test_bad_filter_values_show_an_error_and_the_unfiltered_figures(client, ime_staff):
    _network(6, 2)
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    response = client.get(
        STAFF, {"country": "ZZZ", "sector": "abc", "chapter": "99999", "period": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="errorlist"') == 4
    assert '<th scope="row">Estados Unidos</th><td>6</td>' in html
    assert "Cifras filtradas" not in html


def test_staff_dashboard_in_english(client, ime_staff):
    _network(5)
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get("/en" + STAFF).content.decode()
    assert "Network figures dashboard" in html
    assert "Chapter health" in html
    assert "Apply filters" in html


def test_csv_neutralises_formulas_in_chapter_names(client, ime_staff):
    ChapterFactory(name='=HYPERLINK("http://evil")', city="+Cali")
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    rows = _csv(client.get("/staff/figures/chapter-health.csv"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][1] == "'+Cali"


def _program(women=6, men=3):
    from tests.factories import participant, program_with_stages

    program, stage1, _stage2 = program_with_stages(
        name_es="Programa Alfa", name_en="Alpha Program", slug="alfa"
    )
    for n in range(women + men):
        participant(
            stage1,
            completed=True,
            gender="woman" if n < women else "man",
            education_level="licenciatura",
        )
    return program


def test_public_page_shows_program_figures_from_the_programs_app_with_suppression(client):
    _program(women=6, men=3)
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get(PUBLIC).content.decode()
    assert "Programa Programa Alfa" in html
    assert "Participantes por género (autodescrito, opcional)" in html
    rows = _csv(client.get("/figures/program-alfa-gender.csv"))
    table = {row[0]: row[1] for row in rows[1:]}
    # 9 participants shown exactly: 6 women beside "<5" men would give 3 back (9 - 6).
    assert table["Hombre"] == "<5"
    assert table["Mujer"] == "≥5"
    assert rows[0] == ["Grupo", "Personas", "Porcentaje"]
    assert {row[0]: row[2] for row in rows[1:]}["Mujer"] == "—"  # no percentage of a hidden count
    stages = _csv(client.get("/figures/program-alfa-stages.csv"))
    assert stages[1][:3] == ["Etapa 1", "9", "9"]


def test_staff_dashboard_shows_exact_program_figures_in_english(client, ime_staff):
    _program(women=6, men=3)
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    html = client.get("/en" + STAFF).content.decode()
    assert "Alpha Program" in html
    rows = _csv(client.get("/en/staff/figures/program-alfa-gender.csv"))
    table = {row[0]: row[1] for row in rows[1:]}
    assert table["Man"] == "3"


def test_a_new_snapshot_and_another_language_are_not_served_from_the_cached_fragment(client):
    _network(5)
    refresh_figures()  # the beat's work: pages only read snapshots
    assert '<th scope="row">Estados Unidos</th><td>5</td>' in client.get(PUBLIC).content.decode()
    english = client.get("/en/figures/").content.decode()
    assert "Members by country of residence" in english
    assert "Miembros por país" not in english
    _network(2)
    # Until the next refresh the page shows the snapshot it says it shows.
    assert "Estados Unidos</th><td>5</td>" in client.get(PUBLIC).content.decode()
    refresh_figures()
    assert "Estados Unidos</th><td>7</td>" in client.get(PUBLIC).content.decode()


def test_filtered_and_unfiltered_dashboards_are_cached_apart(client, ime_staff):
    _network(6, 2)
    client.force_login(ime_staff())
    refresh_figures()  # the beat's work: pages only read snapshots
    assert "Canadá</th><td>2</td>" in client.get(STAFF).content.decode()
    assert "Estados Unidos</th><td>6</td>" in client.get(STAFF).content.decode()
    filtered = client.get(STAFF, {"country": "CA"}).content.decode()
    table = filtered.split('id="figure-countries"')[1].split("<table>")[1].split("</table>")[0]
    assert "Canadá</th><td>2</td>" in table
    assert "Estados Unidos" not in table
