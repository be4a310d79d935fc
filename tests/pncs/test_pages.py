"""Every pncs URL by role, constant query counts of list pages, and forms that never 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Sector
from pncs.models import Interest
from tests.factories import OpportunityFactory, PncsFactory, UserFactory, coordinator, member

from .conftest import contactable

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ime_staff):
    """Two PNCS with an opportunity and an answer each; the roles that look at them."""
    tic_coord = coordinator("tic")
    salud = PncsFactory(sector=Sector.objects.get(slug="salud"))
    ours = OpportunityFactory(pncs=tic_coord.coordinated_pncs.get())
    theirs = OpportunityFactory(pncs=salud)
    target = contactable()
    applicant = member()
    Interest.objects.create(opportunity=ours, member=applicant)
    return {
        "anonymous": None,
        "member": applicant,
        "coordinator": tic_coord,
        "other_coordinator": coordinator("salud"),
        "ime_staff": ime_staff,
        "ours": ours,
        "theirs": theirs,
        "target": target,
    }


LOGIN = "login"
# role -> expected status per page (LOGIN: redirect to the login page)
MATRIX = [
    # name, url builder, anonymous, member, coordinator, other coordinator, IME staff
    ("list", lambda w: reverse("pncs:list"), 200, 200, 200, 200, 200),
    ("sector", lambda w: reverse("pncs:sector", args=["tic"]), 200, 200, 200, 200, 200),
    ("opportunities", lambda w: reverse("pncs:opportunity_list"), 200, 200, 200, 200, 200),
    (
        "detail",
        lambda w: reverse("pncs:opportunity_detail", args=[w["ours"].pk]),
        200,
        200,
        200,
        200,
        200,
    ),
    ("search", lambda w: reverse("pncs:search"), LOGIN, 403, 200, 200, 200),
    ("csv", lambda w: reverse("pncs:export_csv"), LOGIN, 403, 200, 200, 200),
    ("xlsx", lambda w: reverse("pncs:export_xlsx"), LOGIN, 403, 200, 200, 200),
    (
        "member",
        lambda w: reverse("pncs:member_detail", args=[w["target"].pk]),
        LOGIN,
        403,
        200,
        200,
        200,
    ),
    ("manage", lambda w: reverse("pncs:manage"), LOGIN, 403, 200, 200, 200),
    ("create", lambda w: reverse("pncs:opportunity_create"), LOGIN, 403, 200, 200, 200),
    (
        "manage ours",
        lambda w: reverse("pncs:opportunity_manage", args=[w["ours"].pk]),
        LOGIN,
        403,
        200,
        404,
        200,
    ),
    (
        "edit ours",
        lambda w: reverse("pncs:opportunity_edit", args=[w["ours"].pk]),
        LOGIN,
        403,
        200,
        404,
        200,
    ),
    (
        "manage theirs",
        lambda w: reverse("pncs:opportunity_manage", args=[w["theirs"].pk]),
        LOGIN,
        403,
        404,
        200,
        200,
    ),
    ("mine", lambda w: reverse("pncs:my_opportunities"), LOGIN, 200, 200, 200, 200),
    ("affiliations", lambda w: reverse("pncs:affiliations"), LOGIN, 200, 200, 200, 200),
]
ROLES = ["anonymous", "member", "coordinator", "other_coordinator", "ime_staff"]


@pytest.mark.parametrize(
    ("name", "url", "statuses"), [(m[0], m[1], m[2:]) for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_role_by_url_matrix(client, world, name, url, statuses):
    expected = dict(zip(ROLES, statuses, strict=True))
    for role in ROLES:
        client.logout()
        if world[role] is not None:
            client.force_login(world[role])
        response = client.get(url(world))
        if expected[role] == LOGIN:
            assert response.status_code == 302, (name, role)
            assert response["Location"].startswith("/accounts/login/"), (name, role)
        else:
            assert response.status_code == expected[role], (name, role, response.status_code)


def _grow(point, n):
    for _ in range(n):
        opportunity = OpportunityFactory(pncs=point)
        Interest.objects.create(opportunity=opportunity, member=member())


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/pncs/", 1),
        ("/pncs/tic/", 4),  # with the sector's latest news (the news app plugs them in)
        # The sectors read for the cached filter form's key, and again to render it when
        # the cache misses (cleared below): 4 uncached, 3 once the form is cached.
        ("/opportunities/", 4),
    ],
)
def test_public_list_pages_have_constant_queries(
    client, django_assert_num_queries, own_cache_namespace, url, queries
):
    point = PncsFactory(sector=Sector.objects.get(slug="tic"))
    for size in (1, 6):
        _grow(point, size)
        # The sector's member count is cached: measure the uncached page. This test's own
        # keys only (clear() would empty the Redis database other test processes share).
        own_cache_namespace()
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_my_opportunities_has_constant_queries(client, django_assert_num_queries):
    user = member(sectors=["tic"])
    point = PncsFactory(sector=Sector.objects.get(slug="tic"))
    client.force_login(user)
    client.get("/opportunities/mine/")
    for size in (1, 5):
        for _ in range(size):
            Interest.objects.create(opportunity=OpportunityFactory(pncs=point), member=user)
            OpportunityFactory(pncs=point)
        with django_assert_num_queries(9):
            response = client.get("/opportunities/mine/")
        assert response.status_code == 200


def test_opportunity_manage_page_has_constant_queries(
    coord_client, coord, django_assert_num_queries
):
    opportunity = OpportunityFactory(pncs=coord.coordinated_pncs.get())
    coord_client.get(f"/pncs/manage/opportunities/{opportunity.pk}/")
    for size in (1, 5):
        for _ in range(size):
            Interest.objects.create(opportunity=opportunity, member=member())
            contactable(sectors=["tic"])
        # 8: the user comes with its roles and second factor (members.auth_backends).
        with django_assert_num_queries(8):
            response = coord_client.get(f"/pncs/manage/opportunities/{opportunity.pk}/")
        assert response.status_code == 200


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["\x00", "\u202e\u200f", "x" * 10_000, "' OR 1=1 --", "<script>alert(1)</script>"]
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(message=TEXT, institution=TEXT, q=TEXT)
def test_forms_and_search_never_answer_500(client, coord, message, institution, q):
    opportunity = OpportunityFactory(pncs=coord.coordinated_pncs.get())
    client.force_login(coord)
    detail = reverse("pncs:opportunity_detail", args=[opportunity.pk])

    def ok(*values):  # a NUL byte is refused before any view (core.middleware): 400
        return (400,) if any("\x00" in value for value in values) else (200, 302)

    assert client.post(detail, {"message": message}).status_code in ok(message)
    assert client.post(
        reverse("pncs:affiliations"), {"institution": institution, "relation": "other"}
    ).status_code in ok(institution)
    page = 400 if "\x00" in q else 200
    assert client.get(reverse("pncs:search"), {"q": q, "sector": q}).status_code == page
    assert (
        client.get(reverse("pncs:opportunity_list"), {"sector": q, "kind": q}).status_code == page
    )
    Interest.objects.all().delete()


def test_user_text_is_escaped(coord_client):
    contactable(given_names="<script>alert(1)</script>")
    body = coord_client.get(reverse("pncs:search")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_pncs_list_links_the_area_for_coordinators_only(client, coord):
    assert "Área PNCS" not in client.get("/pncs/").content.decode()
    client.force_login(UserFactory())
    assert "Área PNCS" not in client.get("/pncs/").content.decode()
    client.force_login(coord)
    assert "Área PNCS" in client.get("/pncs/").content.decode()
