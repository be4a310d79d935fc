"""Webhooks go to public https servers only (SSRF): the admin refuses an address it can
tell is local from the text, with a message in the staff's language, and changes nothing;
the worker refuses, before every delivery, a name that resolves to a local address, and
sends nothing there."""

import pytest
from django.urls import reverse
from django.utils import timezone

from api import destinations, services
from api.models import PartnerApplication, Scope, WebhookDelivery
from tests.factories import program_with_stages

from .conftest import register
from .test_end_to_end import ime_client  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_rule(settings):
    settings.API_WEBHOOK_LOCAL_RECEIVERS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example.org/hooks",  # not https
        "https://127.0.0.1/hooks",
        "https://127.1.2.3:8443/hooks",
        "https://10.0.0.5/hooks",
        "https://192.168.1.20/hooks",
        "https://172.16.0.1/hooks",
        "https://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
        "https://100.64.0.1/hooks",  # carrier-grade NAT
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://localhost/hooks",
        "https://LOCALHOST/hooks",
        "https://api.localhost/hooks",
        "https://intranet.localdomain/hooks",
        "https://printer.local/hooks",
        "https://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_the_admin_refuses_a_webhook_address_that_is_not_public(ime_client, url):  # noqa: F811
    program, _stage1, _stage2 = program_with_stages()
    response = ime_client.post(
        reverse("admin:api_partnerapplication_add"),
        {
            "name": "Aliado con dirección local",
            "scopes": [Scope.PROGRAM_RESULTS],
            "program": program.pk,
            "webhook_url": url,
            "webhook_events": ["credential.issued"],
        },
    )
    assert response.status_code == 200
    assert str(destinations.NOT_PUBLIC_MESSAGE) in response.content.decode()
    assert not PartnerApplication.objects.exists()


def test_the_refusal_is_in_english_under_en(ime_client):  # noqa: F811
    program, _stage1, _stage2 = program_with_stages()
    response = ime_client.post(
        "/en" + reverse("admin:api_partnerapplication_add"),
        {
            "name": "Partner",
            "scopes": [Scope.PROGRAM_RESULTS],
            "program": program.pk,
            "webhook_url": "https://10.1.1.1/hooks",
        },
    )
    assert "The webhook address must be https" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://partner.example.org/hooks", "partner.example.org"),
        ("https://8.8.8.8/hooks", "8.8.8.8"),
        ("https://[2001:4860:4860::8888]:8443/hooks", "2001:4860:4860::8888"),
    ],
)
def test_a_public_https_address_is_accepted(url, host):
    assert destinations.check_address(url) == host


def test_the_worker_sends_nothing_to_a_name_that_resolves_to_this_machine(webhook_receiver):
    """An address saved before the rule, or a public-looking name whose DNS points inside:
    checked on every attempt, recorded as blocked, retried later as any failure."""
    program, _stage1, _stage2 = program_with_stages()
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    partner, _secret = register(
        scopes=[Scope.PROGRAM_RESULTS],
        program=program,
        webhook_url=f"https://localhost:{port}/hooks",
        webhook_events=["credential.issued"],
    )
    delivery = WebhookDelivery.objects.create(
        partner=partner,
        event="credential.issued",
        payload={"type": "credential.issued"},
        next_attempt_at=timezone.now(),
    )
    status = services.send_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert status == WebhookDelivery.Status.RETRYING
    assert delivery.last_error.startswith("blocked:") and delivery.response_status is None
    assert webhook_receiver.requests == []


@pytest.mark.parametrize(
    "url",
    ["https://localhost./hooks", "https://intranet/hooks", "https://[::ffff:10.0.0.1]/x", ""],
)
def test_addresses_the_url_field_lets_through_or_saved_earlier_are_refused_too(url):
    with pytest.raises(destinations.BlockedDestination):
        destinations.check_destination(url)
