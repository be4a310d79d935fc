"""The member directory: what it lists, filters only on what its cards show, pages read
after a key (no OFFSET, no COUNT(*) of the directory), and every page is a read counted
against a daily cap and logged without personal data (issue 17 item 5, issue 18)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members import directory as pages
from members import messages as msg
from members.models import Contribution, Profile, ProfileView, User
from members.services import get_or_create_tags
from tests.factories import ChapterFactory, MembershipFactory, ProfileFactory

pytestmark = pytest.mark.django_db
MEMBERS = Profile.Visibility.MEMBERS
CARD_NAME = re.compile(r'<h3><a href="[^"]+">([^<]+)</a></h3>')


def names_on(response) -> list[str]:
    return CARD_NAME.findall(response.content.decode())


def listed(**fields):
    fields.setdefault("directory_visibility", MEMBERS)
    return ProfileFactory(**fields)


@pytest.fixture
def two_members():
    """Zamudio (health, cardiology, Houston) and Quetzal (Berlin, robotics), with what the
    cards do not show set apart: state of origin, contributions, employer, chapter."""
    zamudio = listed(
        given_names="Ana",
        paternal_surname="Zamudio",
        maternal_surname="Olvera",
        sectors=["salud"],
        headline="Cardiología pediátrica",
        state_of_origin="JAL",
        employer="Hospital Norteño",
    )
    zamudio.contributions.add(Contribution.objects.get(slug="misiones"))
    quetzal = listed(
        given_names="Íñigo",
        paternal_surname="Quetzal",
        maternal_surname="Ybarra",
        country="DE",
        city="Berlín",
        headline="Ingeniero",
        state_of_origin="YUC",
        employer="Fábrica Secreta",
        education_field="física cuántica",
    )
    quetzal.expertise.set(get_or_create_tags(["Robótica"]))
    chapter = ChapterFactory(slug="houston")
    MembershipFactory(chapter=chapter, user=zamudio.user, status="approved")
    return zamudio, quetzal


def test_directory_lists_only_members_who_chose_to_be_visible(client, me):
    visible = listed(paternal_surname="Visible")
    ProfileFactory(directory_visibility=Profile.Visibility.PNCS, paternal_surname="Reservada")
    ProfileFactory(directory_visibility=Profile.Visibility.IME, paternal_surname="Privada")
    html = client.get(reverse("members:directory")).content.decode()
    assert "Visible" in html
    assert "Reservada" not in html and "Privada" not in html
    assert visible.user.email not in html


def test_a_deactivated_or_unverified_member_never_shows_even_if_listed(client, me):
    listed(paternal_surname="Activa")
    gone = listed(paternal_surname="Desactivada")
    unverified = listed(paternal_surname="Sinverificar")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    User.objects.filter(pk=unverified.pk).update(email_verified=False)
    html = client.get(reverse("members:directory")).content.decode()
    assert "Activa" in html
    assert "Desactivada" not in html and "Sinverificar" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "salud"}, {"Zamudio"}),
        ({"country": "DE"}, {"Quetzal"}),
        ({"country": "Alemania"}, {"Quetzal"}),
        ({"country": "germany"}, {"Quetzal"}),
        ({"q": "cardiologia"}, {"Zamudio"}),  # accents and case ignored
        ({"q": "ROBÓTICA"}, {"Quetzal"}),  # an expertise tag
        ({"q": "inigo quetzal"}, {"Quetzal"}),  # the name as the card shows it
        ({"q": "berlin"}, {"Quetzal"}),  # the city
        ({"q": "robotica zamudio"}, set()),  # every word must match
        ({"q": "pediatrica", "country": "DE"}, set()),
        ({"q": "ingeniero", "sector": "tic"}, {"Quetzal"}),  # text, then the sector
        ({"q": "cardiologia", "sector": "tic"}, set()),
        ({"country": "US", "sector": "salud"}, {"Zamudio"}),
    ],
)
def test_the_directory_filters_on_what_the_cards_show(client, me, two_members, params, expected):
    response = client.get(reverse("members:directory"), params)
    assert response.status_code == 200
    shown = {name for name in ("Zamudio", "Quetzal") if name in response.content.decode()}
    assert shown == expected


@pytest.mark.parametrize(
    "params",
    [
        {"state": "YUC"},
        {"state_of_origin": "YUC"},
        {"contribution": "misiones"},
        {"chapter": "houston"},
        {"employer": "Fábrica Secreta"},
        {"education_level": "doctorado"},
        {"pncs_contact": "true"},
    ],
)
def test_a_filter_on_what_the_cards_do_not_show_is_ignored_and_reveals_nothing(
    client, me, two_members, params
):
    response = client.get(reverse("members:directory"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zamudio" in html and "Quetzal" in html  # the same list as without it


@pytest.mark.parametrize(
    "hidden",
    ["Olvera", "Ybarra", "Norteño", "Secreta", "cuantica", "Jalisco", "misiones", "Yucatan"],
)
def test_the_text_search_finds_nobody_by_what_the_cards_do_not_show(
    client, me, two_members, hidden
):
    response = client.get(reverse("members:directory"), {"q": hidden})
    assert response.status_code == 200
    assert names_on(response) == []


@pytest.mark.parametrize(
    "params",
    [
        {"sector": "no-existe"},
        {"country": "Atlantida"},
        {"country": "ZZ"},
        {"q": "x" * 101},
    ],
)
def test_a_tampered_filter_value_shows_no_one_and_no_error(client, me, two_members, params):
    response = client.get(reverse("members:directory"), params)
    assert response.status_code == 200
    assert names_on(response) == []
    assert not ProfileView.objects.filter(viewer=me, kind=ProfileView.Kind.DIRECTORY).exists()


@pytest.mark.parametrize(
    "position", ["after=abc", "before=-3", "after=99999999999", "after=1e9", "page=10000"]
)
def test_a_bad_or_stale_position_answers_a_page_and_no_error(client, me, two_members, position):
    response = client.get(reverse("members:directory") + "?" + position)
    assert response.status_code == 200


def _walk(client, url, direction):
    """Follow the rel=next (or prev) links from `url`, returning the names of each page."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.append(names_on(response))
        found = re.search(rf'rel="{direction}" href="([^"]+)"', response.content.decode())
        url = reverse("members:directory") + found.group(1).replace("&amp;", "&") if found else None
    return seen


def test_the_pages_follow_each_other_in_name_order_and_back(client, me, settings):
    settings.MEMBERS_DAILY_DIRECTORY_PAGE_CAP = 100
    surnames = [f"Apellido{n:02d}" for n in range(45)]
    for surname in reversed(surnames):
        listed(given_names="Ana", paternal_surname=surname, preferred_name="")
    listed(given_names="Álvaro", paternal_surname="Ábrego", preferred_name="")  # accent: first
    forward = _walk(client, reverse("members:directory"), "next")
    assert [len(page) for page in forward] == [20, 20, 6]
    flat = [name for page in forward for name in page]
    assert flat == ["Álvaro Ábrego"] + [f"Ana {surname}" for surname in surnames]
    after = Profile.objects.get(paternal_surname="Apellido24").pk
    backward = _walk(client, reverse("members:directory") + f"?after={after}", "prev")
    assert backward[0] == forward[1][6:] + forward[2]
    assert backward[1] == [f"Ana Apellido{n:02d}" for n in range(5, 25)]
    assert backward[2] == forward[0]  # near the start, the previous page is the first page
    assert len(backward) == 3


def test_no_directory_page_counts_or_skips_the_whole_directory(client, me, settings):
    settings.MEMBERS_DAILY_DIRECTORY_PAGE_CAP = 100
    for _n in range(25):
        listed(headline="Ingeniera de datos")
    urls = [
        reverse("members:directory"),
        reverse("members:directory") + "?q=ingeniera",
        reverse("members:directory") + "?country=US&sector=tic",
        reverse("members:directory") + f"?after={Profile.objects.order_by('pk').first().pk}",
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        for query in ctx.captured_queries:
            sql = query["sql"].upper()
            assert "OFFSET" not in sql, sql
            if "COUNT(" in sql and '"MEMBERS_PROFILE"' in sql:
                assert "LIMIT" in sql, sql  # a capped count: at most WINDOW + 1 rows


def test_the_first_page_says_more_than_the_window_instead_of_counting(client, me, monkeypatch):
    monkeypatch.setattr(pages, "WINDOW", 3)
    for _n in range(5):
        listed()
    html = client.get(reverse("members:directory")).content.decode()
    assert "Miembros encontrados: más de 3" in html
    html = client.get(reverse("members:directory"), {"country": "DE"}).content.decode()
    assert "Miembros encontrados: 0" in html
    # A sector is not answered by the index alone: its first page does not count.
    html = client.get(reverse("members:directory"), {"sector": "tic"}).content.decode()
    assert "Miembros encontrados" not in html


def test_a_text_matching_more_than_the_window_shows_a_window_and_asks_to_narrow(
    client, me, monkeypatch
):
    monkeypatch.setattr(pages, "WINDOW", 3)
    for _n in range(5):
        listed(headline="Bioinformática")
    response = client.get(reverse("members:directory"), {"q": "bioinformatica"})
    assert "Afina la búsqueda" in response.content.decode()
    assert len(names_on(response)) == 3


@pytest.mark.parametrize("size", [3, 30])
def test_directory_query_count_does_not_grow_with_rows(client, me, size, django_assert_num_queries):
    for profile in ProfileFactory.create_batch(size, directory_visibility=MEMBERS):
        profile.expertise.set(get_or_create_tags(["datos", f"tema {profile.pk}"]))
    client.get(reverse("members:directory"))  # the first look at this page is recorded
    # Session, user (with its roles); ids of the page, the capped count, the cards (their sectors
    # and expertise as arrays); whether this page was read today (it was: nothing
    # written); the sectors of the filter.
    with django_assert_num_queries(7):
        response = client.get(reverse("members:directory"))
    assert len(names_on(response)) == min(size, pages.PAGE_SIZE)


def test_the_directory_in_english(client, me, two_members):
    response = client.get("/en/members/", {"country": "Germany"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quetzal" in html and "Zamudio" not in html
    assert "Members found: 1" in html


def test_country_suggestions_follow_the_language_and_ignore_accents(client, me):
    url = reverse("members:country_suggestions")
    assert "México" in client.get(url, {"q": "mexi"}).json()["results"]
    assert "Mexico" in client.get("/en/members/countries/", {"q": "mexi"}).json()["results"]
    assert client.get(url, {"q": "x"}).json()["results"] == []
    assert client.get(url, {"q": "x" * 500}).json()["results"] == []
    assert client.get(url, {"q": "\x00" * 500}).status_code == 400  # refused at the door


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    for url in (reverse("members:directory"), reverse("members:country_suggestions")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- Every page is a read: daily cap and audit --------------------------------------------


def test_each_directory_page_is_logged_with_its_filters_and_cards_and_no_personal_data(
    client, me, two_members
):
    zamudio, _quetzal = two_members
    client.get(reverse("members:directory"), {"q": "Cardiología", "sector": "salud"})
    read = ProfileView.objects.get(viewer=me, kind=ProfileView.Kind.DIRECTORY)
    assert read.filters == {"q": "cardiologia", "sector": "salud"}
    assert read.row_count == 1
    assert read.profile_id is None and read.viewed_on == timezone.localdate()
    stored = repr(ProfileView.objects.filter(pk=read.pk).values().get())  # every column
    for personal in ("Zamudio", "Ana", zamudio.user.email, "Olvera", "Houston"):
        assert personal not in stored


def test_the_same_page_twice_the_same_day_counts_once(client, me, two_members):
    for _n in range(3):
        client.get(reverse("members:directory"), {"country": "DE"})
    client.get(reverse("members:directory"), {"country": "US"})
    assert ProfileView.objects.filter(viewer=me, kind=ProfileView.Kind.DIRECTORY).count() == 2


def test_the_page_past_the_daily_cap_is_refused_with_a_clear_message(
    client, me, two_members, settings
):
    settings.MEMBERS_DAILY_DIRECTORY_PAGE_CAP = 2
    assert client.get(reverse("members:directory")).status_code == 200
    assert client.get(reverse("members:directory"), {"country": "DE"}).status_code == 200
    refused = client.get(reverse("members:directory"), {"sector": "salud"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert str(msg.DIRECTORY_CAP_REACHED) in html
    assert "Zamudio" not in html and "Quetzal" not in html
    assert client.get(reverse("members:directory")).status_code == 200  # a page already read
    english = client.get("/en/members/", {"sector": "salud"})
    assert english.status_code == 429
    assert "maximum number of directory pages" in english.content.decode()
    assert ProfileView.objects.filter(viewer=me, kind=ProfileView.Kind.DIRECTORY).count() == 2


def test_directory_pages_and_profile_views_have_their_own_caps(client, me, two_members, settings):
    settings.MEMBERS_DAILY_DIRECTORY_PAGE_CAP = 1
    settings.MEMBERS_DAILY_PROFILE_VIEW_CAP = 1
    zamudio, quetzal = two_members
    assert client.get(reverse("members:directory")).status_code == 200
    assert client.get(reverse("members:profile", args=[zamudio.pk])).status_code == 200
    assert client.get(reverse("members:profile", args=[quetzal.pk])).status_code == 429
    assert client.get(reverse("members:directory"), {"q": "x"}).status_code == 429
