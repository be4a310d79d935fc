"""The partner API, version 1 (django-ninja): the NinjaAPI, its errors as problem details,
the request's language, ETags, and the OpenAPI 3.1 document generated from the code."""

import functools

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from . import partner, public
from .problems import (
    INVALID_REQUEST_MESSAGE,
    INVALID_TOKEN_MESSAGE,
    NOT_FOUND_MESSAGE,
    PROBLEM_CONTENT_TYPE,
    Problem,
    ProblemError,
    problem_response,
    throttled_response,
    validation_errors,
)

DESCRIPTION = """
The public data of the Red de Talentos Mexicanos (chapters, Jornadas and their agenda, news,
opportunities, programs, verified organisations, the network's figures, credential
verification) for anyone, rate-limited; and, for partner systems registered by IME, OAuth 2.0
client credentials (`POST /api/v1/oauth/token/`) with one scope per use: a program's results
and credentials, a chapter's events and registrations, a sector's consented members.

Lists are paginated by cursor (`cursor`, `page_size`; follow `next`). Every answer carries an
`ETag`: send it back in `If-None-Match` to get `304 Not Modified`. Send `Accept-Language: en`
for English (Spanish otherwise). Errors are `application/problem+json` (RFC 9457).
"""


class TalentNetAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document, with the problem responses every operation may answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_problem_responses(schema)


# Problem responses each operation may answer (on top of what it declares).
COMMON_PROBLEMS = {
    "400": "Bad request",
    "404": "Not found",
    "422": "Invalid input",
    "429": "Too many requests",
}
SECURED_PROBLEMS = {
    "401": "Missing, expired or revoked token",
    "403": "Missing scope",
}


def with_problem_responses(schema):
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = {str(code): value for code, value in operation["responses"].items()}
            wanted = dict(COMMON_PROBLEMS)
            if operation.get("security"):
                wanted |= SECURED_PROBLEMS
            for code, description in wanted.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith("4"):
                    response["content"] = dict(problem)
            # A NUL byte in the path or a parameter is refused by the site before the API
            # sees it (core.middleware.RefuseNulMiddleware), with the site's own 400 page.
            responses["400"]["content"]["text/html"] = {"schema": {"type": "string"}}
            if method == "get":
                responses["304"] = {"description": "Not modified (If-None-Match)"}
            operation["responses"] = responses
    return schema


api = TalentNetAPI(
    title="Red de Talentos Mexicanos API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs/",
    # No deep links: Swagger UI puts them as links inside the operation's button (axe:
    # nested-interactive).
    docs=Swagger(
        settings={"persistAuthorization": False, "tryItOutEnabled": False, "deepLinking": False}
    ),
)


def in_request_language_with_etag(run):
    """Around every operation: the request's language (language cookie, then
    Accept-Language), and for a successful GET an ETag with If-None-Match → 304."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = run(request, *args, **kwargs)
            if request.method in ("GET", "HEAD") and response.status_code == 200:
                if not response.has_header("ETag"):
                    set_response_etag(response)
                response = get_conditional_response(
                    request, etag=response["ETag"], response=response
                )
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = (
                "private, no-store"
                if "HTTP_AUTHORIZATION" in request.META
                else "public, max-age=60"
            )
        return response

    return wrapper


api.add_decorator(in_request_language_with_etag, mode="view")


@api.exception_handler(ProblemError)
def _problem(request, exc):
    return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return problem_response(422, INVALID_REQUEST_MESSAGE, errors=validation_errors(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(401, INVALID_TOKEN_MESSAGE, headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return throttled_response(getattr(exc, "wait", None))


@api.exception_handler(Http404)
def _http404(request, exc):
    return problem_response(404, NOT_FOUND_MESSAGE)


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    return problem_response(404, NOT_FOUND_MESSAGE)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return problem_response(
        status, _("La solicitud no se pudo atender.") if status != 404 else NOT_FOUND_MESSAGE
    )


api.add_router("/", public.router)
api.add_router("/partner/", partner.router)
