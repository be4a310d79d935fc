"""Webhooks: an outbox row first, sent after commit, signed per Standard Webhooks (checked by
an independent implementation), retried with backoff for about a day, replayable by hand,
and never carrying a deleted member's data."""

import datetime
import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import services, signing
from api.models import Event, Scope, WebhookDelivery
from api.tasks import dispatch_webhooks_task
from members.services.privacy import delete_account
from programs.services import issue_certificates, revoke_certificates
from tests.factories import participant, program_with_stages

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    program, stage1, _stage2 = program_with_stages()
    return program, stage1


def subscribed(program, url, events=("credential.issued", "credential.revoked")):
    partner, _secret = register(
        scopes=[Scope.PROGRAM_RESULTS],
        program=program,
        webhook_url=url,
        webhook_events=list(events),
    )
    return partner


def test_the_signature_is_what_the_reference_library_computes():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"type":"credential.issued","data":{"code":"x"}}'
    ours = signing.signature(
        secret=secret, message_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body
    )
    reference = Webhook(secret).sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        datetime.datetime.fromtimestamp(1614265330, tz=datetime.UTC),
        body.decode(),
    )
    assert ours == reference


def test_a_credential_issued_is_a_row_first_and_sent_only_after_commit(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert issue_certificates(stage=stage, notify=False) == 1
        delivery = WebhookDelivery.objects.get(partner=partner)
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert webhook_receiver.requests == []
    assert callbacks  # the send waits for the commit
    for callback in callbacks:
        callback()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT
    headers, body = webhook_receiver.requests[0]
    assert Webhook(partner.webhook_secret).verify(body, headers)["type"] == "credential.issued"


def test_a_partner_of_another_program_or_not_subscribed_receives_nothing(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    other_program, _s1, _s2 = program_with_stages()
    subscribed(other_program, webhook_receiver.url)
    subscribed(program, webhook_receiver.url, events=("credential.revoked",))
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificates(stage=stage, notify=False)
    assert WebhookDelivery.objects.filter(event=Event.CREDENTIAL_ISSUED).count() == 0
    assert webhook_receiver.requests == []


def test_a_refused_delivery_is_retried_with_growing_delays_then_given_up(
    cohort, webhook_receiver, django_capture_on_commit_callbacks, settings
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    webhook_receiver.status = 503
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificates(stage=stage, notify=False)
    delivery = WebhookDelivery.objects.get(partner=partner)
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.attempts == 1 and delivery.response_status == 503
    delays = settings.API_WEBHOOK_RETRY_DELAYS
    assert sum(delays) >= 24 * 3600  # about a day of attempts
    now = timezone.now()
    for attempt in range(1, len(delays)):
        waited = delivery.next_attempt_at - delivery.last_attempt_at
        assert waited == datetime.timedelta(seconds=delays[attempt])
        # Not before its time...
        assert (
            services.send_delivery(
                delivery_id=delivery.pk,
                now=delivery.next_attempt_at - datetime.timedelta(seconds=1),
            )
            is None
        )
        now = delivery.next_attempt_at
        services.send_delivery(delivery_id=delivery.pk, now=now)
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(delays)
    assert delivery.next_attempt_at is None
    assert len(webhook_receiver.requests) == len(delays)
    # Every attempt carries the same message id (the receiver's deduplication key).
    assert {headers["webhook-id"] for headers, _body in webhook_receiver.requests} == {
        delivery.message_id
    }


def test_staff_replay_a_failed_delivery_by_hand(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    webhook_receiver.status = 500
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificates(stage=stage, notify=False)
    delivery = WebhookDelivery.objects.get(partner=partner)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    webhook_receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.replay_deliveries(delivery_ids=[delivery.pk]) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT
    assert webhook_receiver.requests[-1][0]["webhook-id"] == delivery.message_id


def test_the_dispatcher_sends_what_a_lost_enqueue_left_due(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: nothing sent
        issue_certificates(stage=stage, notify=False)
    assert webhook_receiver.requests == []
    assert dispatch_webhooks_task() == 1
    assert WebhookDelivery.objects.get(partner=partner).status == WebhookDelivery.Status.SENT
    assert dispatch_webhooks_task() == 0  # nothing due any more: never sent twice


def test_a_deleted_members_data_is_never_sent_after_the_deletion(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    enrolment = participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=False):
        issue_certificates(stage=stage, notify=False)
    delivery = WebhookDelivery.objects.get(partner=partner)
    assert delivery.payload["data"]["credential"]["holder_name"]
    delete_account(user=enrolment.application.user)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.WITHHELD
    assert delivery.payload == {}
    dispatch_webhooks_task()
    assert services.replay_deliveries(delivery_ids=[delivery.pk]) == 0
    assert webhook_receiver.requests == []


def test_the_send_time_check_withholds_a_delivery_written_before_a_deletion(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    """Even a row the erase hook missed (written between the deletion's read and its commit)
    is checked against the account when it is sent."""
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    enrolment = participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=False):
        issue_certificates(stage=stage, notify=False)
    user = enrolment.application.user
    type(user).objects.filter(pk=user.pk).update(deleted_at=timezone.now(), is_active=False)
    delivery = WebhookDelivery.objects.get(partner=partner)
    assert services.send_delivery(delivery_id=delivery.pk) == WebhookDelivery.Status.WITHHELD
    assert webhook_receiver.requests == []


def test_a_revoked_credential_is_announced_too(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificates(stage=stage, notify=False)
    certificate_id = WebhookDelivery.objects.get(partner=partner).payload["data"]["credential"][
        "code"
    ]
    from programs.models import Certificate

    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificates(certificate_ids=[Certificate.objects.get(code=certificate_id).pk])
    headers, body = webhook_receiver.requests[-1]
    payload = Webhook(partner.webhook_secret).verify(body, headers)
    assert payload["type"] == "credential.revoked"
    assert payload["data"]["credential"]["revoked_at"]


def test_a_tampered_body_fails_the_independent_verification(
    cohort, webhook_receiver, django_capture_on_commit_callbacks
):
    program, stage = cohort
    partner = subscribed(program, webhook_receiver.url)
    participant(stage, score=90, completed=True, certified=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificates(stage=stage, notify=False)
    headers, body = webhook_receiver.requests[0]
    tampered = json.dumps({**json.loads(body), "type": "credential.revoked"}).encode()
    with pytest.raises(WebhookVerificationError):
        Webhook(partner.webhook_secret).verify(tampered, headers)


def test_chapter_and_sector_events_reach_the_partners_of_that_chapter_and_sector(
    webhook_receiver, django_capture_on_commit_callbacks
):
    from chapters.services import cancel_registration, leave_chapter, register_for_jornada
    from members.models import Sector
    from pncs.models import Interest
    from pncs.services import decide_interest
    from tests.factories import (
        ChapterFactory,
        JornadaFactory,
        MembershipFactory,
        OpportunityFactory,
        PncsFactory,
        member,
    )

    chapter, other_chapter = ChapterFactory(), ChapterFactory()
    tic = Sector.objects.get(slug="tic")
    chapter_partner, _s = register(
        scopes=[Scope.CHAPTER_EVENTS],
        chapter=chapter,
        webhook_url=webhook_receiver.url,
        webhook_events=["registration.created", "registration.cancelled", "membership.ended"],
    )
    register(
        scopes=[Scope.CHAPTER_EVENTS],
        chapter=other_chapter,
        webhook_url=webhook_receiver.url,
        webhook_events=["registration.created"],
    )
    sector_partner, _s = register(
        scopes=[Scope.SECTOR_MEMBERS],
        sector=tic,
        webhook_url=webhook_receiver.url,
        webhook_events=["interest.decided"],
    )
    person = member()
    event = JornadaFactory(chapter=chapter)
    membership = MembershipFactory(chapter=chapter, user=person)
    interest = Interest.objects.create(
        opportunity=OpportunityFactory(pncs=PncsFactory(sector=tic)), member=person
    )
    with django_capture_on_commit_callbacks(execute=True):
        register_for_jornada(jornada_id=event.pk, user=person)
        cancel_registration(jornada_id=event.pk, user=person)
        leave_chapter(chapter=membership.chapter, user=person)
        decide_interest(interest_id=interest.pk, status="accepted", by=member())
    received = {}
    for headers, body in webhook_receiver.requests:
        secret = (
            sector_partner if json.loads(body)["type"] == "interest.decided" else chapter_partner
        ).webhook_secret
        payload = Webhook(secret).verify(body, headers)
        received[payload["type"]] = payload["data"]
    assert sorted(received) == [
        "interest.decided",
        "membership.ended",
        "registration.cancelled",
        "registration.created",
    ]
    assert len(webhook_receiver.requests) == 4  # the other chapter's partner got nothing
    assert received["registration.created"]["registration"]["member"]["id"] == person.pk
    assert received["interest.decided"]["interest"]["status"] == "accepted"


def test_a_completed_engagement_reaches_its_sector_s_partner_naming_only_consenting_members(
    webhook_receiver, django_capture_on_commit_callbacks
):
    from counterparts.engagements import complete_engagement, open_engagement, start_engagement
    from members.models import Profile, Sector
    from tests.factories import member

    tic, salud = Sector.objects.get(slug="tic"), Sector.objects.get(slug="salud")
    partner, _s = register(
        scopes=[Scope.SECTOR_MEMBERS],
        sector=tic,
        webhook_url=webhook_receiver.url,
        webhook_events=["engagement.completed"],
    )
    register(
        scopes=[Scope.SECTOR_MEMBERS],
        sector=salud,
        webhook_url=webhook_receiver.url,
        webhook_events=["engagement.completed"],
    )
    consenting, private = member(), member()
    Profile.objects.filter(user=consenting).update(pncs_contact=True)
    Profile.objects.filter(user=private).update(pncs_contact=False)
    engagements = [
        open_engagement(
            kind="mentoring",
            sector=tic,
            member=Profile.objects.get(user=person),
            title="Mentoría",
            notify=False,
        )
        for person in (consenting, private)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for engagement in engagements:
            start_engagement(engagement_id=engagement.pk, by=None)
            complete_engagement(engagement_id=engagement.pk, by=None)
    payloads = [
        Webhook(partner.webhook_secret).verify(body, headers)
        for headers, body in webhook_receiver.requests
    ]
    assert len(payloads) == 2  # the salud partner got nothing
    assert {p["type"] for p in payloads} == {"engagement.completed"}
    named = {p["data"]["engagement"]["id"]: p["data"]["engagement"]["member"] for p in payloads}
    assert named[engagements[0].pk]["id"] == consenting.pk
    assert named[engagements[1].pk] is None
