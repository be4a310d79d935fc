"""The container's health check: `python -m core.healthcheck` (docker-compose.yml).

It asks gunicorn on loopback for /healthz the way the TLS proxy in front of it does, so the
answer is the same under the documented production settings (issue 17, item 15): the Host
is the first of ALLOWED_HOSTS (a request for 127.0.0.1 would be refused as a host not
allowed), and with DJANGO_SECURE=true it says the original request was https (the
X-Forwarded-Proto header the proxy sets, SECURE_PROXY_SSL_HEADER), so the SSL redirect does
not answer 301. Exit status 0 when /healthz answers 200, 1 otherwise. Reads only the
environment: it does not load Django."""

import http.client
import os
import sys

TRUE = {"1", "true", "yes", "on"}


def health_host(allowed_hosts: str) -> str:
    """A host name ALLOWED_HOSTS accepts: its first entry, made concrete."""
    first = next((h.strip() for h in allowed_hosts.split(",") if h.strip()), "localhost")
    if first == "*":
        return "localhost"
    return first.lstrip(".")


def check(environ=None, timeout: float = 3.0) -> bool:
    """True when gunicorn on loopback answers /healthz with 200 (a redirect is no answer)."""
    environ = os.environ if environ is None else environ
    headers = {"Host": health_host(environ.get("ALLOWED_HOSTS", "localhost"))}
    if environ.get("DJANGO_SECURE", "").strip().lower() in TRUE:
        headers["X-Forwarded-Proto"] = "https"
    port = int(environ.get("PORT", "8000"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers=headers)
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(0 if check() else 1)
