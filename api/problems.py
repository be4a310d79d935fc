"""Errors as RFC 9457 problem details (application/problem+json), in the request's language."""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"

# The titles of the problems the API answers (RFC 9457: a short summary of the type).
TITLES = {
    400: gettext_lazy("Solicitud incorrecta"),
    401: gettext_lazy("Se requiere autenticación"),
    403: gettext_lazy("Permiso insuficiente"),
    404: gettext_lazy("No encontrado"),
    405: gettext_lazy("Método no permitido"),
    409: gettext_lazy("Conflicto"),
    422: gettext_lazy("Datos no válidos"),
    429: gettext_lazy("Demasiadas solicitudes"),
}
INVALID_TOKEN_MESSAGE = gettext_lazy(
    "Falta el token de acceso, venció o la aplicación fue revocada: pide uno nuevo."
)
MISSING_SCOPE_MESSAGE = gettext_lazy("Tu aplicación no tiene el permiso «%(scope)s».")
NOT_FOUND_MESSAGE = gettext_lazy("No existe o no está a tu alcance.")
INVALID_REQUEST_MESSAGE = gettext_lazy("Revisa los parámetros de la solicitud.")
INVALID_CURSOR_MESSAGE = gettext_lazy("El cursor no es válido: usa el enlace «next» o «previous».")
THROTTLED_MESSAGE = gettext_lazy("Hiciste demasiadas solicitudes: espera unos segundos.")


class Problem(Schema):
    """RFC 9457 problem details; `errors` lists each problem of the input."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[str] | None = None


class ProblemError(Exception):
    """Raised by an endpoint: answered as a problem with this status and detail."""

    def __init__(self, status: int, detail, *, errors: list[str] | None = None, headers=None):
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(status: int, detail, *, errors=None, headers=None) -> JsonResponse:
    title = TITLES.get(status) or HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": str(title), "status": status, "detail": str(detail)}
    if errors is not None:
        body["errors"] = [str(error) for error in errors]
    response = JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def throttled_response(wait) -> JsonResponse:
    """429 for a throttle's refusal; Retry-After in whole seconds, rounded up (60 when the
    throttle cannot tell how long)."""
    seconds = int(wait) + 1 if wait else 60
    return problem_response(429, THROTTLED_MESSAGE, headers={"Retry-After": str(seconds)})


def not_found():
    return ProblemError(404, NOT_FOUND_MESSAGE)


def validation_errors(exc) -> list[str]:
    """The input's problems as "where: what" lines (pydantic's own messages)."""
    lines = []
    for error in getattr(exc, "errors", []) or []:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        lines.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")))
    return lines or [_("Revisa los parámetros de la solicitud.")]
