"""NUL bytes (issue 17, item 10): PostgreSQL refuses NUL in text, so a NUL that reached a
lookup answered 500 (`/certificates/%00/`, an admin filter `?status__exact=a%00b`). One
middleware refuses it everywhere before any view: 400 with the site's error page in the
visitor's language, for every URL pattern, anonymous or staff, in the path, the query, a
form field or a cookie; nothing is saved."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Profile
from tests.factories import UserFactory, member, with_totp

from .urlwalk import CONVERTER_SAMPLES, walk

pytestmark = pytest.mark.django_db

HEADING = {"es": "No pudimos procesar esta solicitud", "en": "We could not process this request"}
NUL_QUERY = {"q": "a\x00b", "status__exact": "a\x00b", "page": "\x00", "x\x00": "1"}


def _language(path):
    return "en" if path.startswith("/en/") else "es"


def _with_nul_in_path(path):
    """The route's path with a NUL where a value goes (or at its end)."""
    for sample in CONVERTER_SAMPLES.values():
        if sample in path:
            return path.replace(sample, "a%00b", 1)
    stem, slash = (path[:-1], "/") if path.endswith("/") else (path, "")
    return f"{stem}%00{slash}"


def _routes():
    return sorted({route.path for route in walk()})


def _admin_filtered_changelists():
    """Every admin changelist with a NUL in each of its list filters (and the issue's
    `status__exact`), as staff would click them."""
    urls = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        params = ["status__exact", "q"]
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                params.append(f"{entry}__exact")
            elif isinstance(entry, tuple | list):
                params.append(f"{entry[0]}__id__exact")
            else:  # a SimpleListFilter class
                params.append(entry.parameter_name)
        for param in params:
            urls.append((changelist, {param: "a\x00b"}))
    return urls


def _assert_refused(response, path):
    assert response.status_code == 400, (path, response.status_code)
    assert HEADING[_language(path)] in response.content.decode(), path


@pytest.fixture
def staff_client(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    with_totp(superuser)
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_a_nul_in_the_path_of_every_url_answers_400_in_the_visitors_language(
    client, staff_client, who
):
    http = staff_client if who == "staff" else client
    routes = _routes()
    assert len(routes) > 100, "the walk is broken"
    for path in routes:
        nul_path = _with_nul_in_path(path)
        _assert_refused(http.get(nul_path), nul_path)


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_a_nul_in_the_query_of_every_url_answers_400(client, staff_client, who):
    http = staff_client if who == "staff" else client
    for path in _routes():
        _assert_refused(http.get(path, NUL_QUERY), path)


def test_a_nul_in_any_admin_list_filter_answers_400_to_staff(staff_client):
    urls = _admin_filtered_changelists()
    assert len({url for url, _params in urls}) > 10, "no admin changelists found"
    for url, params in urls:
        _assert_refused(staff_client.get(url, params), url)
        _assert_refused(staff_client.get("/en" + url, params), "/en" + url)


def test_the_issues_two_requests_answer_400_not_500(client, staff_client):
    _assert_refused(client.get("/certificates/%00/"), "/certificates/%00/")
    changelist = reverse("admin:chapters_membership_changelist")
    _assert_refused(staff_client.get(changelist, {"status__exact": "a\x00b"}), changelist)


def test_a_nul_in_a_form_field_answers_400_and_saves_nothing(client):
    user = member(given_names="Ana")
    client.force_login(user)
    url = reverse("members:profile_edit")
    before = Profile.objects.filter(user=user).values().get()
    _assert_refused(client.post(url, {"given_names": "Ana\x00Beta"}), url)
    _assert_refused(client.post(url, {"given\x00names": "Beta"}), url)
    photo = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff", "image/jpeg")
    _assert_refused(client.post(url, {"given_names": "Beta", "photo\x00": photo}), url)
    assert Profile.objects.filter(user=user).values().get() == before


def test_a_nul_in_a_cookie_answers_400_before_the_session_is_read(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    _assert_refused(client.get("/"), "/")
    _assert_refused(client.get("/en/"), "/en/")


def test_text_without_nul_still_reaches_the_view(client):
    # %2500 is the text "%00", not a NUL: a search for it is ordinary input.
    response = client.get("/chapters/?q=%2500&country=%25")
    assert response.status_code == 200
