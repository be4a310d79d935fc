"""Issue 17 item 14 (SECURITY.md D6): allauth's account pages (addresses, sessions, second
factor, password...) are never kept by a browser or shared cache. One rule
(core.middleware.NoStoreMiddleware) covers every allauth URL, signed in or not, and every
answer to a signed-in visitor; the walk finds allauth's URLs, so one added by an upgrade is
covered too."""

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.factories import DEFAULT_PASSWORD, member

from .urlwalk import walk

pytestmark = pytest.mark.django_db


def _allauth_routes():
    """Every page under /accounts/ (allauth.urls, mounted there), with sample arguments."""
    routes = {}
    for route in walk():
        if route.route.startswith("accounts/") and route.path.startswith("/accounts/"):
            try:
                resolve(route.path)
            except Resolver404:
                continue  # a regular expression the walk cannot fill (a provider's id)
            routes[route.path] = route
    return sorted(routes.values(), key=lambda r: r.path)


ALLAUTH_ROUTES = _allauth_routes()


@pytest.fixture
def signed_in(client):
    """A member signed in through the login form (a real, recent authentication)."""
    user = member()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_the_walk_finds_allauths_account_pages():
    names = {route.name for route in ALLAUTH_ROUTES}
    assert {
        "account_email",
        "account_change_password",
        "usersessions_list",
        "mfa_index",
        "account_login",
    } <= names


@pytest.mark.parametrize("route", ALLAUTH_ROUTES, ids=lambda r: r.name)
def test_every_allauth_page_is_no_store_for_a_signed_in_member(signed_in, route):
    response = signed_in.get(route.path)
    assert response.status_code < 500, response.status_code
    assert "no-store" in response.get("Cache-Control", ""), (route.path, response.status_code)


@pytest.mark.parametrize("route", ALLAUTH_ROUTES, ids=lambda r: r.name)
def test_every_allauth_page_is_no_store_for_a_visitor(client, route):
    response = client.get(route.path)
    assert response.status_code < 500, response.status_code
    assert "no-store" in response.get("Cache-Control", ""), (route.path, response.status_code)


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/sessions/", "/accounts/2fa/", "/en/accounts/2fa/"]
)
def test_the_issues_account_pages_show_personal_data_and_are_no_store(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_password_change_page_is_no_store(signed_in):
    response = signed_in.get(reverse("account_change_password"))
    assert response.status_code in (200, 302)
    assert "no-store" in response["Cache-Control"]


def test_a_public_file_keeps_its_long_lived_caching_for_a_signed_in_member(signed_in):
    from django.core.files.base import ContentFile

    from tests.factories import ChapterFactory

    chapter = ChapterFactory()
    chapter.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    response = signed_in.get(chapter.logo.url)
    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
