"""Issue 25's "done when": a partner application created in the admin imports a program's
results through the API, receives a `credential.issued` webhook and verifies its signature
with an independent implementation of Standard Webhooks (the `standardwebhooks` package)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from api.models import PartnerApplication, PartnerAudit, Scope, WebhookDelivery
from core.access import IME_STAFF
from programs.models import Certificate
from tests.factories import UserFactory, participant, program_with_stages

from .conftest import bearer, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def ime_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    return client


def test_a_partner_registered_in_the_admin_imports_results_and_verifies_the_credential_webhook(
    ime_client, client, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage1, _stage2 = program_with_stages()
    enrolment = participant(stage1)
    email = enrolment.application.user.email

    response = ime_client.post(
        reverse("admin:api_partnerapplication_add"),
        {
            "name": "Centro de formación IA",
            "scopes": [Scope.PROGRAM_RESULTS],
            "program": program.pk,
            "webhook_url": webhook_receiver.url,
            "webhook_events": ["credential.issued"],
        },
    )
    assert response.status_code == 302, response.content
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    client_id, secret = re.search(r"client_id «([^»]+)».*client_secret «([^»]+)»", shown).groups()
    partner = PartnerApplication.objects.get(name="Centro de formación IA")
    assert partner.client_id == client_id
    assert partner.oauth_application.client_secret != secret  # only its hash is stored

    ime_client.logout()
    access_token = token(client, partner, secret)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/partner/program/stages/{stage1.pk}/results",
            {
                "columns": ["correo", "calificacion", "concluyo", "certificado"],
                "rows": [[email, "95.5", "sí", "sí"]],
            },
            content_type="application/json",
            **bearer(access_token),
        )
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 1, "stage": stage1.pk}
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert PartnerAudit.objects.filter(
        partner=partner, action="results_import", row_count=1, accepted=True
    ).exists()

    assert webhook_receiver.event.wait(10)
    headers, body = webhook_receiver.requests[0]
    # The independent implementation: raises if the signature, id or timestamp is wrong.
    payload = Webhook(partner.webhook_secret).verify(body, headers)
    assert payload["type"] == "credential.issued"
    assert payload["data"]["credential"]["code"] == certificate.code
    assert payload["data"]["credential"]["program"] == program.slug
    delivery = WebhookDelivery.objects.get(partner=partner)
    assert headers["webhook-id"] == delivery.message_id
    assert delivery.status == WebhookDelivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.response_status == 204
