"""No token-bearing path in a log line (issue 17, item 7; SECURITY.md D7).

A password-reset key, an e-mail confirmation key, an unsubscribe token or a certificate's
code in a URL is a bearer secret: whoever reads the access log could replay it. The rule is
written once here and used by gunicorn's access log (talentnet/gunicorn.conf.py,
`RedactingLogger`) and by Django's own request logging (`RedactPathsFilter` in
settings.LOGGING: django.request's "Not Found: /path", runserver's request lines).

Which parts of a path are secret is read from the URL configuration: the captured values of
the URL kwargs named in SECRET_URL_KWARGS are replaced by REDACTED (tests/security/
test_access_log.py walks every pattern, allauth's included, so a new kwarg must be
classified). Query strings keep their names and lose their values: they carry OAuth codes
and states, and searched names."""

import logging
from urllib.parse import parse_qsl, quote, unquote, urlsplit

REDACTED = "[redacted]"

# URL kwargs whose value is a secret (or identifies a person to whoever holds the link).
SECRET_URL_KWARGS = frozenset({"token", "key", "uidb36", "code", "public_id"})
# URL kwargs that are no secret: ids and slugs of pages the visitor must be allowed to see,
# admin internals and file names (private files are checked per request, members.files).
PUBLIC_URL_KWARGS = frozenset(
    {
        "pk",
        "slug",
        "name",
        "object_id",
        "app_label",
        "model_name",
        "url",
        "content_type_id",
        "provider_id",
        "id",
        "path",
        "stage_id",
        "enrolment_id",
        # messaging: a message of a thread; counterparts: a person of an organisation, one
        # of its requests.
        "message_pk",
        "person_pk",
        "request_pk",
        # engagements: a milestone; the yearly report of a PNCS, its year and file type;
        # a Jornada proposal's kind; the API's events and registrations (by id).
        "milestone_pk",
        "pncs_pk",
        "year",
        "extension",
        "kind",
        "event_id",
        "jornada_id",
        "registration_id",
    }
)


def redact_query(query: str) -> str:
    if not query:
        return query
    names = [name for name, _value in parse_qsl(query, keep_blank_values=True)]
    if not names:
        return REDACTED
    return "&".join(f"{name}={REDACTED}" for name in names)


def redact_path(path: str) -> str:
    """`path` (a path with an optional query, or a full URL) with its secrets replaced."""
    if not path or path == "-":
        return path
    try:
        parts = urlsplit(path)
    except ValueError:
        return REDACTED
    route = parts.path
    try:
        from django.urls import Resolver404, resolve
        from django.utils import translation

        decoded = unquote(route)
        # i18n_patterns resolve the prefix of the active language: /en/... in English.
        with translation.override(translation.get_language_from_path(decoded)):
            match = resolve(decoded)
    except Resolver404:
        match = None
    except Exception:  # settings not ready, a broken path: give nothing away
        return REDACTED
    if match is not None:
        secrets = {
            form
            for name, value in match.kwargs.items()
            if name in SECRET_URL_KWARGS and str(value)
            for form in (str(value), quote(str(value), safe=""), quote(str(value)))
        }
        # Longest first: a short value (a user id) inside a longer one (the key) must not
        # break the longer one's replacement.
        for secret in sorted(secrets, key=len, reverse=True):
            route = route.replace(secret, REDACTED)
    query = redact_query(parts.query)
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.scheme or parts.netloc else ""
    return f"{prefix}{route}{'?' + query if query else ''}"


def redact_text(text: str) -> str:
    """Every path or URL inside `text` (a request line, a log message) redacted."""
    if not isinstance(text, str) or "/" not in text:
        return text
    return " ".join(
        redact_path(word) if word.startswith(("/", "http://", "https://")) else word
        for word in text.split(" ")
    )


class RedactPathsFilter(logging.Filter):
    """Redacts the paths of a log record's message and arguments (Django's loggers)."""

    def filter(self, record):
        # The message is formatted first (a path may come in the arguments or in the text
        # itself), then redacted: the record carries the finished, redacted text.
        try:
            message = record.getMessage()
        except Exception:  # a broken record: left for logging's own error report
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
