"""Facts about the request that every app reads the same way."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

UNKNOWN_CLIENT = "-"


def client_ip(request) -> str:
    """The client's address, by the rule allauth's rate limits use (one rule for limits,
    logs and the sessions list): REMOTE_ADDR, or, behind a configured reverse proxy, the
    address it forwards (ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER in
    settings.py). Without that setting a forged X-Forwarded-For is ignored. "-" when the
    request carries no usable address."""
    if request is None:
        return UNKNOWN_CLIENT
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        # No address, or fewer forwarded addresses than trusted proxies: nothing to log.
        return UNKNOWN_CLIENT
