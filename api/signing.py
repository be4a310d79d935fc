"""Standard Webhooks signatures (https://www.standardwebhooks.com/): the three headers a
delivery carries, HMAC-SHA256 over "<id>.<timestamp>.<body>" with the partner's secret."""

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def secret_key(secret: str) -> bytes:
    """The HMAC key of a "whsec_<base64>" secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header's value: "v1," and the base64 HMAC-SHA256."""
    signed = b"%s.%d.%s" % (message_id.encode("ascii"), timestamp, body)
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one delivery attempt (the timestamp is the attempt's, in seconds)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
        "Content-Type": "application/json",
    }
