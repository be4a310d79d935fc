"""Admin changelists over big tables: no COUNT(*) of the table without a LIMIT, no facets,
a search through indexes (accent-insensitive names, expertise, e-mail), constant query
counts; and the staff's view of the top readers of the day (issue 17 item 5, issue 18)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.access import IME_STAFF
from members.admin_lists import BoundedPaginator
from members.models import ProfileView
from members.services import get_or_create_tags, record_read
from tests.factories import (
    MembershipFactory,
    OfficerFactory,
    ProfileFactory,
    UserFactory,
    member,
    with_totp,
)

pytestmark = pytest.mark.django_db

BIG_CHANGELISTS = [
    "/admin/members/user/",
    "/admin/members/user/?q=persona",
    "/admin/members/profile/",
    "/admin/members/profile/?q=garcia",
    "/admin/members/profile/?sector=tic&country=US",
    "/admin/members/profile/?_facets=1",
    "/admin/members/consentrecord/",
    "/admin/members/consentrecord/?q=persona%40",
    "/admin/members/privacyacceptance/",
    "/admin/members/profileview/",
    "/admin/members/profileview/?q=garcia",
    "/admin/account/emailaddress/",
    "/admin/account/emailaddress/?q=garcia",
    "/admin/members/signedinsession/",
    "/admin/members/secondfactor/",
    "/admin/members/signedinsession/?q=garcia",
    "/admin/chapters/membership/",
    "/admin/chapters/membership/?q=garcia&status__exact=approved",
    "/admin/chapters/registration/",
    "/admin/pncs/searchaudit/",
    "/admin/pncs/interest/",
    "/admin/programs/application/",
    "/admin/programs/enrolment/",
    "/admin/programs/certificate/",
]


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    with_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def ime_staff(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def people():
    """A few members with chapters, consents and reads, so every list has rows."""
    profiles = [ProfileFactory(paternal_surname="García") for _n in range(3)]
    for profile in profiles:
        MembershipFactory(user=profile.user)
        record_read(reader=profile.user, kind="directory", page="p", row_count=20)
    return profiles


@pytest.mark.parametrize("url", BIG_CHANGELISTS)
def test_no_big_changelist_counts_its_table_without_a_limit(client, superuser, people, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    for sql in counts:
        assert "COUNT(*)" in sql and "LIMIT" in sql.upper(), sql  # the capped paginator only
        assert "FILTER" not in sql.upper(), sql  # no facet counts
    assert len(counts) <= 1


def test_the_changelist_says_more_than_the_cap_and_offers_no_page_past_it(
    client, superuser, monkeypatch
):
    monkeypatch.setattr(BoundedPaginator, "cap", 2)
    ProfileFactory.create_batch(3)
    html = client.get("/admin/members/profile/").content.decode()
    assert "más de 2 perfiles" in html
    html = client.get("/admin/members/profile/?q=zzz").content.decode()
    assert "0 perfiles" in html


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("perez", {"Pérez"}),
        ("PÉREZ OLMOS", {"Pérez"}),  # every word, accents and case ignored
        ("olmos", {"Pérez"}),  # the maternal surname (staff see every name part)
        ("robotica", {"Robot"}),  # an expertise tag
        ("quantum-lab", set()),
        ("ana.robot@", {"Robot"}),  # an e-mail address
        ("ANA.ROBOT@EXAMPLE.ORG", {"Robot"}),
        ("@example.org", {"Pérez", "Robot"}),
    ],
)
def test_the_profile_search_finds_by_name_expertise_and_email(client, superuser, term, expected):
    ProfileFactory(given_names="María", paternal_surname="Pérez", maternal_surname="Olmos")
    robot = ProfileFactory(
        given_names="Ana",
        paternal_surname="Robot",
        maternal_surname="Ruiz",
        user=UserFactory(email="ana.robot@example.org"),
    )
    robot.expertise.set(get_or_create_tags(["Robótica"]))
    response = client.get("/admin/members/profile/", {"q": term})
    assert response.status_code == 200
    shown = {profile.paternal_surname for profile in response.context["cl"].result_list}
    assert shown == expected


def test_the_membership_search_finds_the_member_by_name(client, superuser):
    MembershipFactory(user=member(paternal_surname="Núñez"))
    MembershipFactory(user=member(paternal_surname="Otro"))
    response = client.get("/admin/chapters/membership/", {"q": "nunez"})
    shown = [m.user.profile.paternal_surname for m in response.context["cl"].result_list]
    assert shown == ["Núñez"]


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("query", ["", "?q=garcia", "?q=persona%40"])
def test_the_profile_changelist_query_count_does_not_grow_with_rows(
    client, superuser, size, query, django_assert_num_queries
):
    ProfileFactory.create_batch(size, paternal_surname="García")
    client.get("/admin/members/profile/" + query)
    # Session, user (with its roles and TOTP: members.auth_backends); the capped count, the page (with the user), the sectors
    # of the sector filter.
    with django_assert_num_queries(5):
        response = client.get("/admin/members/profile/" + query)
    assert response.status_code == 200


def test_a_broken_admin_search_answers_a_page(client, superuser):
    for term in ("\x00", "'; DROP TABLE x; --", "@" * 300, "ñ" * 5000):
        response = client.get("/admin/members/profile/", {"q": term})
        assert response.status_code in (200, 400)


# --- The top readers of the day ------------------------------------------------------------


TOP_READERS = "/admin/members/profileview/top-readers/"


def test_ime_staff_see_the_top_readers_of_the_day(client, ime_staff):
    heavy, light = member(), member()
    others = [ProfileFactory() for _n in range(3)]
    for n, profile in enumerate(others):
        record_read(reader=heavy, kind="profile", profile_id=profile.pk)
        record_read(reader=heavy, kind="directory", page=f"page {n}", row_count=20)
    record_read(reader=light, kind="pncs_member", profile_id=others[0].pk)
    response = client.get(TOP_READERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(heavy.email) < html.index(light.email)
    row = re.search(rf"{re.escape(heavy.email)}</a></td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:5] == ["3", "3", "60", "0", "6"]
    for profile in others:  # who was read is not listed: only who read
        assert profile.paternal_surname not in html


def test_the_top_readers_of_another_day_and_a_bad_day(client, ime_staff):
    reader = member()
    ProfileView.objects.create(
        viewer=reader,
        kind="directory",
        page="x",
        viewed_on=timezone.localdate() - timezone.timedelta(days=2),
    )
    day = (timezone.localdate() - timezone.timedelta(days=2)).isoformat()
    assert reader.email in client.get(TOP_READERS, {"day": day}).content.decode()
    assert reader.email not in client.get(TOP_READERS).content.decode()
    for bad in ("2001-01-01", "ayer", "9999-99-99"):
        response = client.get(TOP_READERS, {"day": bad})
        assert response.status_code == 200
        assert 'class="errornote"' in response.content.decode()
    # A NUL is refused at the door for every page (core.middleware.RefuseNulMiddleware).
    assert client.get(TOP_READERS, {"day": "\x00"}).status_code == 400


def test_a_chapter_officer_in_the_admin_gets_403_on_the_reads(client):
    officer = OfficerFactory().user
    client.force_login(officer)
    assert client.get(TOP_READERS).status_code == 403
    assert client.get("/admin/members/profileview/").status_code == 403


def test_a_member_or_a_visitor_is_sent_to_the_admin_login(client):
    response = client.get(TOP_READERS)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(member())
    response = client.get(TOP_READERS)
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_without_a_second_factor_are_sent_to_set_it_up(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    client.force_login(user)
    response = client.get(TOP_READERS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_reads_changelist_links_to_the_top_readers(client, ime_staff):
    html = client.get("/admin/members/profileview/").content.decode()
    assert TOP_READERS in html
