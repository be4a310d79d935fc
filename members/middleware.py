"""Request-level behaviour of the members app."""

import logging

from allauth.socialaccount.models import SocialApp
from django.http import Http404

logger = logging.getLogger("talentnet.db")


class UnconfiguredSocialProviderMiddleware:
    """A social provider with no credentials (no settings, no SocialApp row) is not offered
    on any page; its URLs answer the site's 404 instead of allauth's unhandled error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SocialApp.DoesNotExist):
            raise Http404("social provider not configured") from exception
        return None


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
