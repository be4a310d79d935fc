"""Fixtures of the API tests: partner applications with their OAuth clients, tokens from
the real token endpoint, and a webhook receiver (a real HTTP server on loopback)."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api import services
from api.models import PartnerApplication

TOKEN_URL = "/api/v1/oauth/token/"


@pytest.fixture(autouse=True)
def quick_secret_hashing(settings):
    """Client secrets are hashed like passwords (django-oauth-toolkit): PBKDF2's million
    rounds per partner and per token request would make these tests minutes long; what is
    tested is who gets a token, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def local_webhook_receivers(settings):
    """The receivers these tests start listen on loopback over plain http, which production
    refuses (api.destinations; tests/api/test_webhook_destinations.py turns this off)."""
    settings.API_WEBHOOK_LOCAL_RECEIVERS = True


def register(*, name="Aliado", scopes=(), by=None, **fields):
    """A partner application registered as the admin does it; returns (partner, secret)."""
    partner = PartnerApplication(name=name, scopes=list(scopes), **fields)
    secret = services.register_partner(partner=partner, by=by)
    return partner, secret


def obtain_token(client, partner, secret, scope=None, **extra):
    """POST the client credentials grant (HTTP Basic client authentication)."""
    credentials = base64.b64encode(f"{partner.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return client.post(TOKEN_URL, data, HTTP_AUTHORIZATION=f"Basic {credentials}", **extra)


def token(client, partner, secret, scope=None) -> str:
    response = obtain_token(client, partner, secret, scope)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(access_token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token}"}


class Receiver:
    """What a partner's webhook endpoint received: (headers, raw body) per request."""

    def __init__(self):
        self.requests = []
        self.status = 204
        self.event = threading.Event()
        self.url = ""

    def json(self, index=-1):
        return json.loads(self.requests[index][1])


@pytest.fixture
def webhook_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(receiver.status)
            self.end_headers()
            receiver.event.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield receiver
    server.shutdown()
    server.server_close()
