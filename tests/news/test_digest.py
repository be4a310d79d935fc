"""The optional news digest (weekly or monthly, off by default) through the announcements
outbox: each subscriber gets the posts of the network, their sectors and their chapters,
once per period; the opt-in is read again at send time; one-click unsubscribe turns it off."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from announcements.models import Announcement, Delivery
from members.models import ConsentRecord, Profile
from news.digest import period_ending, prepare_digest
from news.models import DigestRun
from tests.factories import ChapterFactory, PostFactory, coordinator, member, subscriber

pytestmark = pytest.mark.django_db

# A Wednesday: the weekly period that last ended is the week before this one's Monday.
NOW = timezone.make_aware(datetime.datetime(2026, 11, 18, 10, 0))


def _in_last_week(**fields):
    start, _end = period_ending("weekly", NOW)
    return PostFactory(published_at=start + datetime.timedelta(days=2), **fields)


@pytest.fixture
def world():
    coordinator("tic")  # the TIC and Salud PNCS are active
    coordinator("salud")
    chapter = ChapterFactory(slug="houston")
    network = _in_last_week(title_es="De la red")
    tic = _in_last_week(scope="sector", sector_id=_sector("tic"), title_es="De TIC")
    salud = _in_last_week(scope="sector", sector_id=_sector("salud"), title_es="De Salud")
    houston = _in_last_week(scope="chapter", chapter=chapter, title_es="De Houston")
    PostFactory(title_es="Antigua", published_at=NOW - datetime.timedelta(days=40))
    return {"chapter": chapter, "network": network, "tic": tic, "salud": salud, "houston": houston}


def _sector(slug):
    from members.models import Sector

    return Sector.objects.get(slug=slug).pk


def _reader(*, sectors=("tic",), chapter=None, frequency="weekly", on=True, language="es-mx"):
    return subscriber(
        chapter=chapter,
        language=language,
        sectors=list(sectors),
        notify_chapter=False,
        notify_jornadas=False,
        notify_digest=on,
        digest_frequency=frequency,
    )


def _mail_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_the_period_is_the_last_complete_week_or_month():
    start, end = period_ending("weekly", NOW)
    assert (timezone.localtime(start).date(), timezone.localtime(end).date()) == (
        datetime.date(2026, 11, 9),
        datetime.date(2026, 11, 16),
    )
    start, end = period_ending("monthly", NOW)
    assert (timezone.localtime(start).date(), timezone.localtime(end).date()) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    )


def test_each_subscriber_gets_the_posts_of_the_network_their_sectors_and_chapters(
    world, django_capture_on_commit_callbacks
):
    tic_reader = _reader(sectors=["tic"])
    houston_reader = _reader(sectors=["salud"], chapter=world["chapter"], language="en")
    not_subscribed = _reader(on=False)
    monthly = _reader(frequency="monthly")
    with django_capture_on_commit_callbacks(execute=True):
        run = prepare_digest(frequency="weekly", now=NOW)
    assert run.recipient_count == 2
    (tic_mail,) = _mail_to(tic_reader)
    assert "De la red" in tic_mail.body and "De TIC" in tic_mail.body
    assert "De Salud" not in tic_mail.body and "De Houston" not in tic_mail.body
    assert "Antigua" not in tic_mail.body
    assert f"/news/{world['tic'].slug}/" in tic_mail.body
    (houston_mail,) = _mail_to(houston_reader)
    # In their language (English titles and links), their chapter's and sector's posts.
    for post in (world["network"], world["salud"], world["houston"]):
        assert post.title_en in houston_mail.body
        assert f"/en/news/{post.slug}/" in houston_mail.body
    assert world["tic"].title_en not in houston_mail.body
    assert houston_mail.subject.startswith("This week's news")
    assert _mail_to(not_subscribed) == [] and _mail_to(monthly) == []


def test_the_digest_of_a_period_is_written_and_sent_once(world, django_capture_on_commit_callbacks):
    reader = _reader()
    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_digest(frequency="weekly", now=NOW) is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_digest(frequency="weekly", now=NOW + datetime.timedelta(hours=1)) is None
    assert len(_mail_to(reader)) == 1
    assert DigestRun.objects.count() == 1
    assert Delivery.objects.filter(user=reader).count() == 1


def test_turning_the_digest_off_before_it_leaves_stops_it(
    world, django_capture_on_commit_callbacks
):
    reader = _reader()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        prepare_digest(frequency="weekly", now=NOW)
    Profile.objects.filter(user=reader).update(notify_digest=False)
    for callback in callbacks:
        callback()
    assert _mail_to(reader) == []
    # Left out when the recipients were written, or skipped when sent: never sent.
    assert not Delivery.objects.filter(user=reader, status=Delivery.Status.SENT).exists()


def test_the_digest_has_a_one_click_unsubscribe_that_turns_it_off(
    client, world, django_capture_on_commit_callbacks
):
    reader = _reader()
    with django_capture_on_commit_callbacks(execute=True):
        prepare_digest(frequency="weekly", now=NOW)
    (message,) = _mail_to(reader)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    reader.profile.refresh_from_db()
    assert reader.profile.notify_digest is False
    assert ConsentRecord.objects.filter(
        user=reader, purpose="notify_digest", value="no", source="email_link"
    ).exists()


def test_no_posts_means_no_mail(django_capture_on_commit_callbacks):
    _reader()
    with django_capture_on_commit_callbacks(execute=True):
        run = prepare_digest(frequency="monthly", now=NOW)
    assert run.recipient_count == 0
    assert mail.outbox == []
    assert not Announcement.objects.exists()


def test_the_digest_is_off_by_default_and_chosen_on_the_privacy_choices_page(client):
    user = member()
    assert user.profile.notify_digest is False
    client.force_login(user)
    page = client.get(reverse("members:choices")).content.decode()
    assert 'name="notify_digest"' in page
    response = client.post(
        reverse("members:preferences"),
        {"preferred_language": "en", "digest_frequency": "monthly"},
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.digest_frequency == "monthly"
    response = client.post(
        reverse("members:preferences"),
        {"preferred_language": "en", "digest_frequency": "daily"},
    )
    assert response.status_code == 200
    user.profile.refresh_from_db()
    assert user.profile.digest_frequency == "monthly"


def test_the_admin_does_not_offer_the_digest_kind(client):
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF
    from tests.factories import UserFactory, with_totp

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(staff)
    client.force_login(staff)
    page = client.get(reverse("admin:announcements_announcement_add")).content.decode()
    assert 'value="opportunities"' in page
    assert 'value="digest"' not in page
