"""Issue 17, item 7: a real gunicorn run with the project's configuration
(talentnet/gunicorn.conf.py, as the Dockerfile and docker-compose.yml run it) logs no
token-bearing path. Django's own request logging follows the same rule (core.logredact)."""

import logging
import os
import subprocess
import sys
import uuid

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from announcements.mail import unsubscribe_token
from core.logredact import (
    PUBLIC_URL_KWARGS,
    REDACTED,
    SECRET_URL_KWARGS,
    RedactPathsFilter,
    redact_path,
)
from tests.conftest import TEST_BROKER_URL
from tests.factories import member

from .production_server import BASE_DIR, ProductionServer


def _token_urls(user):
    """Every URL of the site that carries a secret, with the secrets it carries."""
    uid = user_pk_to_url_str(user)
    key = default_token_generator.make_token(user)
    unsubscribe = unsubscribe_token(user_id=user.pk, kind="chapter")
    code = "CERT" + uuid.uuid4().hex[:12].upper()
    export = uuid.uuid4()
    oauth_code, oauth_state = "oauth-code-" + uuid.uuid4().hex, "state-" + uuid.uuid4().hex
    return [
        (reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": key}), [key]),
        ("/en" + reverse("account_reset_password_from_key", args=[uid, key]), [key]),
        (reverse("announcements:unsubscribe", args=[unsubscribe]), [unsubscribe]),
        (reverse("programs:certificate_verify", args=[code]), [code]),
        (reverse("programs:certificate_pdf", args=[code]), [code]),
        (reverse("pncs:export_download", args=[export]), [str(export)]),
        (
            reverse("google_callback") + f"?code={oauth_code}&state={oauth_state}",
            [oauth_code, oauth_state],
        ),
        (reverse("pncs:search") + "?q=Zenobia+Quetzalli", ["Zenobia"]),
    ]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), set(pattern.pattern.regex.groupindex)


def test_every_url_kwarg_of_the_project_is_classified_as_secret_or_not():
    """A new URL with a kwarg nobody classified fails here (allauth's URLs included)."""
    names = {}
    for route, kwargs in _walk(get_resolver().url_patterns):
        for name in kwargs:
            names.setdefault(name, route)
    unclassified = {
        n: r for n, r in names.items() if n not in SECRET_URL_KWARGS | PUBLIC_URL_KWARGS
    }
    assert unclassified == {}
    assert {"uidb36", "key", "token", "code"} <= set(names)


@pytest.mark.django_db
def test_redact_path_hides_every_secret_and_keeps_the_shape():
    user = member()
    for url, secrets in _token_urls(user):
        redacted = redact_path(url)
        assert REDACTED in redacted, url
        for secret in secrets:
            assert secret not in redacted, url
        assert redacted.split("/")[1] == url.split("/")[1]
    assert redact_path("/chapters/") == "/chapters/"
    assert redact_path("/members/12/") == "/members/12/"


def test_djangos_request_log_records_are_redacted():
    token = unsubscribe_token(user_id=7, kind="chapter")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Bad Request: %s",
        (f"/unsubscribe/{token}/",), None,
    )  # fmt: skip
    server = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        (f"GET /unsubscribe/{token}/ HTTP/1.1", "400", "12"), None,
    )  # fmt: skip
    for rec in (record, server):
        assert RedactPathsFilter().filter(rec)
        assert token not in rec.getMessage()
        assert f"/unsubscribe/{REDACTED}/" in rec.getMessage()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_keeps_the_request_lines_and_drops_every_token(tmp_path):
    user = member()
    urls = _token_urls(user)
    with ProductionServer(tmp_path) as server:
        answers = {url: server.request(url)[0] for url, _secrets in urls}
        log = server.wait_for_log("/pncs/search/")
    # The reset key was live: the page took it (and sent the visitor on to set a password).
    reset_url = urls[0][0]
    assert answers[reset_url] == 302
    assert answers[urls[2][0]] == 200  # the unsubscribe page took its token
    for url, secrets in urls:
        for secret in secrets:
            assert secret not in log, url
    # Each request is still logged, its line redacted.
    assert log.count(f"/password/reset/key/{REDACTED}-{REDACTED}/ HTTP/1.1") == 2
    assert f"GET /unsubscribe/{REDACTED}/" in log
    assert f"GET /certificates/{REDACTED}/" in log
    # Django's own log of the 404 (django.request) names the path the same way.
    assert f"Not Found: /certificates/{REDACTED}/" in log
    assert f"?code={REDACTED}&state={REDACTED}" in log
    assert f"/pncs/search/?q={REDACTED}" in log


EMIT = """
import logging, django
django.setup()
token = "SeCrEt-token.value"
logging.getLogger("django.request").warning("Not Found: %s", f"/unsubscribe/{token}/")
logging.getLogger("django.server").info('"%s" %s %s', f"GET /unsubscribe/{token}/ HTTP/1.1", "404", "9")
logging.getLogger("members.views").warning("read /en/certificates/%s/", token)
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_djangos_configured_loggers_print_no_token(debug):
    """In a fresh process with the project's LOGGING (runserver's DEBUG, and production):
    runserver's request lines (django.server), Django's 4xx lines (django.request) and the
    project's own loggers print the path with its token redacted."""
    result = subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DEBUG": debug,
            "DJANGO_SETTINGS_MODULE": "talentnet.settings",
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
            "CELERY_BROKER_URL": TEST_BROKER_URL,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = result.stdout + result.stderr
    assert "SeCrEt" not in out
    assert f"Not Found: /unsubscribe/{REDACTED}/" in out
    assert f'"GET /unsubscribe/{REDACTED}/ HTTP/1.1" 404' in out
    assert f"read /en/certificates/{REDACTED}/" in out


def test_gunicorns_error_log_is_redacted_too():
    """gunicorn logs "Error handling request <uri>" on its error log: the same filter."""
    import runpy

    from gunicorn.config import Config

    conf = runpy.run_path(str(BASE_DIR / "talentnet/gunicorn.conf.py"))
    logger = conf["logger_class"](Config())
    token = unsubscribe_token(user_id=3, kind="chapter")
    record = logger.error_log.makeRecord(
        "gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
        (f"/unsubscribe/{token}/",), None,
    )  # fmt: skip
    for log_filter in logger.error_log.filters:
        log_filter.filter(record)
    assert token not in record.getMessage()
