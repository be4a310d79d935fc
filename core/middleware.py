"""Request-level behaviour of the whole site: no-store for signed-in visitors and account
pages, a cancelled statement answers 503, a NUL byte in the request answers 400 before any
view."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.defaults import bad_request

security_logger = logging.getLogger("talentnet.security")

logger = logging.getLogger("talentnet.db")


ACCOUNT_AREA = "accounts/"  # where talentnet/urls.py mounts allauth.urls


def _is_account_page(request) -> bool:
    """A page of allauth's account area (/accounts/..., /en/accounts/...: login, addresses,
    sessions, second factor, password, and allauth's own redirects between them)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    route = match.route or ""
    return route.startswith(ACCOUNT_AREA) or route.partition("/")[2].startswith(ACCOUNT_AREA)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in visitor and on every page of
    allauth's account area (SECURITY.md D6), in one place: a page added later, ours or
    allauth's, cannot forget it. An answer that chose its own caching keeps it (public
    files: members.files; pages with `never_cache` already carry no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        chosen = response.get("Cache-Control", "")
        if "no-store" in chosen or "public" in chosen:
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _is_account_page(request):
            add_never_cache_headers(response)
        return response


class StatementTimeoutMiddleware:
    """A statement the database cancelled (DB_STATEMENT_TIMEOUT, settings.py) answers the
    site's 503 "try again" page instead of a server error: the page asked too much of a busy
    database, nothing broke. Logged as a warning with the path, for whoever tunes the
    query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.shortcuts import render
        from psycopg.errors import QueryCanceled

        if not (
            isinstance(exception, OperationalError)
            and isinstance(exception.__cause__, QueryCanceled)
        ):
            return None
        logger.warning("statement timeout on %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response


# Form bodies whose fields Django parses into request.POST; any other body (JSON, a file)
# is the view's to read and validate.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _querydict_holds_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in querydict.lists()
    )


class RefuseNulMiddleware:
    """NUL (U+0000) is never valid input: PostgreSQL refuses it in text, so a NUL that reached
    a lookup (`/certificates/%00/`, an admin filter `?status__exact=a%00b`) answered 500.

    One place, before any view or database lookup: a NUL in the path, a query parameter, a
    form field (name or value) or a cookie answers 400 with the site's error
    page in the visitor's language (after LocaleMiddleware, so `/en/...` is in English).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._holds_nul(request):
            # The site's 400 page (django.views.defaults.bad_request renders 400.html), and
            # one log line rather than the traceback a raised BadRequest would log.
            security_logger.warning(
                "refused a request with a NUL byte: %s %r", request.method, request.path[:200]
            )
            return bad_request(request, BadRequest("NUL byte in the request"))
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request) -> bool:
        if "\x00" in request.path or _querydict_holds_nul(request.GET):
            return True
        # A cookie too: the session cookie is looked up in the database.
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            return True
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            if _querydict_holds_nul(request.POST):
                return True
            # File names need no check: Django keeps only their printable characters.
            return any("\x00" in key for key in request.FILES)
        return False


class PreferredLanguageMiddleware:
    """A visitor who has chosen no language (no language cookie) and whose browser prefers
    English is sent to the English page on a visit to an unprefixed (Spanish) page.

    The choice made with the language switcher (Django's `set_language`, which sets the
    cookie) always wins: with the cookie present nothing is redirected, so someone who
    picks Spanish stays in Spanish. Only safe methods, only pages that exist under /en/
    (not /healthz or the media routes); a temporary redirect, and LocaleMiddleware already
    marks unprefixed answers `Vary: Accept-Language`. Placed after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and translation.get_language_from_path(request.path_info) is None
        ):
            # Without the cookie this is the browser's Accept-Language (else LANGUAGE_CODE).
            preferred = translation.get_language_from_request(request)
            if preferred != settings.LANGUAGE_CODE:
                with translation.override(preferred):
                    prefixed = f"/{preferred}{request.path_info}"
                    if is_valid_path(prefixed, getattr(request, "urlconf", None)):
                        query = request.META.get("QUERY_STRING", "")
                        target = get_script_prefix().rstrip("/") + prefixed
                        response = HttpResponseRedirect(f"{target}?{query}" if query else target)
                        patch_vary_headers(response, ("Accept-Language", "Cookie"))
                        return response
        return self.get_response(request)


class PublicGZipMiddleware(GZipMiddleware):
    """Compress what is public, never what a secret or personal data is in (BREACH).

    BREACH reads a secret out of a compressed page by reflecting the attacker's guesses
    into the same page (a search box) and watching its size. Django masks the CSRF token
    per response and this middleware's parent pads each compressed body with random bytes,
    which slows the attack but does not rule it out. So only answers to anonymous visitors
    are compressed (the public pages: chapters, Jornadas, programs, figures, the home;
    the bulk of the traffic and nothing secret but the masked CSRF token). Anything shown to
    a signed-in visitor (other members' data, search results) and every page of the account
    area (TOTP secrets, recovery codes) goes uncompressed; static files come compressed
    from WhiteNoise."""

    def process_response(self, request, response):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _is_account_page(request):
            return response
        return super().process_response(request, response)
