"""Where webhooks may go (SSRF): to https on the public Internet only, never to this
machine, the private network or the cloud's metadata service. IME staff type the address
in the admin (PartnerApplicationForm refuses what it can tell from the text) and the
worker checks what the name resolves to before every delivery (send_delivery).

`API_WEBHOOK_LOCAL_RECEIVERS` lets development and the tests deliver to a receiver on
loopback over plain http; it is off in production.

Left as it is: the name is resolved once more by the HTTP client after the check, so a
name whose DNS answer changes within that moment (rebinding) is not caught here; the
network's own egress rules are the layer for that."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

NOT_PUBLIC_MESSAGE = _(
    "La dirección de los webhooks debe ser https y de un servidor público en Internet "
    "(no localhost, ni una dirección privada o reservada)."
)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class BlockedDestination(Exception):
    """The webhook address is not on the public Internet (the reason is the message)."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_address(url: str) -> str:
    """What the text alone tells: https, a host that is not a local name, and, if the host
    is an IP address, a public one. Returns the host; raises BlockedDestination."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if settings.API_WEBHOOK_LOCAL_RECEIVERS:
        return host
    if parts.scheme != "https" or not host:
        raise BlockedDestination("not https")
    if _is_ip(host):
        if not _public(host):
            raise BlockedDestination("address not public")
    elif "." not in host.strip(".") or host.rstrip(".").endswith(LOCAL_SUFFIXES):
        # "localhost", "intranet", "printer.local", "metadata.google.internal", ...
        raise BlockedDestination("local name")
    return host


def check_destination(url: str) -> None:
    """Before a delivery: check_address, then every address the host resolves to must be
    public. Raises BlockedDestination (unresolvable names included)."""
    host = check_address(url)
    if settings.API_WEBHOOK_LOCAL_RECEIVERS or _is_ip(host):
        return
    try:
        port = urlsplit(url).port or 443
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as exc:
        raise BlockedDestination("name not resolved") from exc
    if not found or not all(_public(info[4][0]) for info in found):
        raise BlockedDestination("resolves to an address not public")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
