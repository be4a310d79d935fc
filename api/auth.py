"""Partner authentication: an OAuth 2.0 bearer token from django-oauth-toolkit (client
credentials), valid and unexpired, of an application not revoked, holding the scope the
operation needs; and the throttles of anonymous and partner calls, and of the token
endpoint."""

from dataclasses import dataclass

from django.conf import settings
from ninja.security.base import AuthBase
from ninja.throttling import AnonRateThrottle, AuthRateThrottle
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import TokenView

from members.http import client_ip

from .models import PartnerApplication, Scope
from .problems import (
    INVALID_TOKEN_MESSAGE,
    MISSING_SCOPE_MESSAGE,
    ProblemError,
    throttled_response,
)

TOKEN_URL = "/api/v1/oauth/token/"  # noqa: S105 - an address, not a secret


@dataclass(frozen=True)
class PartnerGrant:
    """Who is calling: the partner application and the scopes of its token."""

    partner: PartnerApplication
    scopes: frozenset

    def __str__(self):  # the partner throttle's key
        return f"partner-{self.partner.pk}"


def _invalid_token():
    return ProblemError(
        401, INVALID_TOKEN_MESSAGE, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


class PartnerToken(AuthBase):
    """`Authorization: Bearer <token>` of a partner application holding `scope`."""

    openapi_type = "oauth2"
    openapi_flows = {
        "clientCredentials": {
            "tokenUrl": TOKEN_URL,
            "scopes": {scope.value: str(scope.label) for scope in Scope},
        }
    }

    def __init__(self, scope: str | None):
        self.scope = scope
        super().__init__()

    def __call__(self, request):
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            raise _invalid_token()
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid:
            raise _invalid_token()
        token = oauth_request.access_token
        partner = (
            PartnerApplication.objects.active()
            .select_related("oauth_application")
            .filter(oauth_application_id=token.application_id)
            .first()
        )
        if partner is None:
            raise _invalid_token()
        scopes = frozenset(token.scope.split()) & frozenset(partner.scopes)
        if self.scope is not None and self.scope not in scopes:
            raise ProblemError(403, MISSING_SCOPE_MESSAGE % {"scope": self.scope})
        return PartnerGrant(partner=partner, scopes=scopes)


class _RateFromSettings:
    """The rate read from settings on every call (tests and operators change it), the
    client's address by the site's one rule (members.http.client_ip)."""

    setting = ""

    def __init__(self):
        super().__init__(getattr(settings, self.setting))

    def allow_request(self, request):
        self.num_requests, self.duration = self.parse_rate(getattr(settings, self.setting))
        return super().allow_request(request)

    def get_ident(self, request):
        return client_ip(request)


class AnonymousThrottle(_RateFromSettings, AnonRateThrottle):
    setting = "API_ANON_RATE"


class PartnerThrottle(_RateFromSettings, AuthRateThrottle):
    setting = "API_PARTNER_RATE"


class TokenThrottle(_RateFromSettings, AnonRateThrottle):
    """Token requests per client address. Each one checks a client secret, hashed like a
    password (PBKDF2): without a limit, anyone who knows a client_id could keep the web
    workers hashing."""

    setting = "API_TOKEN_RATE"
    scope = "token"


class ThrottledTokenView(TokenView):
    """django-oauth-toolkit's token endpoint behind TokenThrottle: over the rate, a 429
    problem (RFC 9457) with Retry-After, as the API's own throttles answer, and no secret
    checked."""

    def post(self, request, *args, **kwargs):
        throttle = TokenThrottle()
        if not throttle.allow_request(request):
            return throttled_response(throttle.wait())
        return super().post(request, *args, **kwargs)
