"""Bad input (SECURITY.md C4): every form the site renders, for each kind of person, receives
arbitrary text in every field (NUL bytes, RTL marks, 10 kB strings, emoji, formula triggers)
and every page receives it in its query string (the filters). Never a 500; a refused form
saves nothing (no table changes size when the page answers with the form again)."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .world import build_world

pytestmark = pytest.mark.django_db

NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\u202e\u200f" * 40,
        "x" * 10_000,
        "😀🇲🇽" * 300,
        "=cmd|' /C calc'!A0",
        "'; DROP TABLE members_user; --",
        "%00%0d%0a",
        "\r\nBcc: x@evil.example",
        "-1",
        "99999999999999999999999",
        "",
        " ",
    ]
)
TEXT = NASTY | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300
)

# Forms that end a session or change the language: posting to them tests nothing here; an
# invitation's one-click refusal acts on any POST by design (RFC 8058, as unsubscribing); so
# does a mailed merge link's confirmation, a form without fields whose signed link is the
# authority (its refusals: tests/members/test_merges.py).
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/", "/invitation/", "/merge/confirm/")


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action"),
                    "fields": [],
                }
            )
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            if attrs.get("type") in ("file", "submit", "button", "image"):
                return
            self.forms[-1]["fields"].append(attrs["name"])


def discover_forms(client, urls):
    found = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or url
            if action.startswith(SKIP_ACTIONS) or not action.startswith("/"):
                continue
            fields = [f for f in form["fields"] if f != "csrfmiddlewaretoken"]
            found.append((form["method"], action, fields, url))
    return found


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


ROLES_TO_FUZZ = ["anonymous", "member", "officer_own", "coord_own"]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES_TO_FUZZ)
def test_every_form_and_filter_takes_arbitrary_text(client, role):
    world = build_world()
    if world.user(role) is not None:
        client.force_login(world.user(role))
    pages = [
        url
        for name, url in world.urls.items()
        if not name.startswith("admin:") and name not in ("members:delete", "members:export")
    ]
    if role == "anonymous":
        pages += ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    forms = discover_forms(client, pages)
    assert len(forms) >= 3, f"too few forms found ({forms}): the walk is broken"

    @settings(
        max_examples=4,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=TEXT, other=TEXT)
    def run(value, other):
        for method, action, fields, _page in forms:
            data = {field: (value if n % 2 == 0 else other) for n, field in enumerate(fields)}
            if method == "get":
                response = client.get(action, data)
                assert response.status_code < 500, (action, data)
                continue
            before = _counts()
            response = client.post(action, data)
            assert response.status_code < 500, (action, fields)
            if response.status_code == 200:
                assert _counts() == before, f"{action} refused the form but saved something"
        for page in pages:
            response = client.get(page, {"q": value, "page": other, "sort": value, "sector": other})
            assert response.status_code < 500, page

    run()
