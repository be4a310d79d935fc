"""Two workers on the same batch at once (a redelivered task, a dispatcher re-enqueue):
real concurrent transactions on PostgreSQL, and still one message per recipient."""

from collections import Counter

import pytest
from django.core import mail

from announcements import delivery as outbox
from announcements import services
from announcements.models import Delivery
from tests.factories import AnnouncementFactory, ChapterFactory, subscriber
from tests.parallel import run_at_once

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _run_twice_at_once(target):
    results, errors = run_at_once([target, target], timeout=60)
    assert errors == []
    return results


def _outbox_rows(chapter):
    """A sending announcement and its pending deliveries, written as send_announcement
    does but without enqueueing (tasks are eager here: the test runs the workers)."""
    announcement = AnnouncementFactory(
        chapter=chapter, audience_chapters=[chapter], status="sending"
    )
    outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False)
    return sorted(Delivery.objects.values_list("pk", flat=True))


def test_two_claims_of_the_same_deliveries_never_overlap(settings):
    settings.ANNOUNCEMENT_CLAIM_CHUNK = 40
    chapter = ChapterFactory()
    for _ in range(40):
        subscriber(chapter=chapter)
    ids = _outbox_rows(chapter)

    first, second = _run_twice_at_once(lambda: outbox._claim(ids))

    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(ids)


def test_two_workers_sending_the_same_batch_send_each_message_once(settings):
    settings.ANNOUNCEMENT_CLAIM_CHUNK = 5
    chapter = ChapterFactory()
    people = [subscriber(chapter=chapter) for _ in range(30)]
    ids = _outbox_rows(chapter)
    announcement = Delivery.objects.get(pk=ids[0]).announcement

    results = _run_twice_at_once(
        lambda: outbox.send_batch(announcement_id=announcement.pk, first_id=ids[0], last_id=ids[-1])
    )

    assert sum(r["sent"] for r in results) == 30
    assert Counter(m.to[0] for m in mail.outbox) == Counter({p.email: 1 for p in people})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_cancel_racing_the_writing_of_recipients_leaves_nothing_pending(settings):
    """Staff cancel while the task writes the recipients, batch by batch: whichever comes
    first, no pending delivery is left behind and nothing is sent."""
    from announcements.models import Announcement

    settings.ANNOUNCEMENT_RECIPIENTS_BATCH = 7
    chapter = ChapterFactory()
    for _ in range(60):
        subscriber(chapter=chapter)
    announcement = AnnouncementFactory(
        chapter=chapter, audience_chapters=[chapter], status="sending"
    )

    _results, errors = run_at_once(
        [
            lambda: outbox.create_deliveries(announcement_id=announcement.pk, enqueue=False),
            lambda: services.cancel_announcement(announcement_id=announcement.pk, by=None),
        ],
        timeout=60,
    )

    assert errors == []
    assert Announcement.objects.get(pk=announcement.pk).status == "cancelled"
    assert not Delivery.objects.exclude(status="cancelled").exists()
    assert Delivery.objects.count() <= 60
    assert mail.outbox == []
