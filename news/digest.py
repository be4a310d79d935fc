"""The optional news digest (weekly or monthly, off by default: Profile.notify_digest and
Profile.digest_frequency), sent through the announcements outbox.

For a period that has ended, `prepare_digest` writes one `DigestRun` (unique per frequency
and period: a second call, a retry or a second worker does nothing), groups the subscribers
by the posts that concern them (the network's, their sectors' and their chapters'), and
writes one `Digest` per group with its recipients and one announcement of kind "digest"
whose audience is that group (`audience_digests`, news.audiences). The announcements are
sent by the outbox after commit (announcements.services.send_automatic), with its
guarantees: one delivery per person and announcement, the opt-in read again at send time
(someone who turned the digest off meanwhile gets nothing), the one-click unsubscribe
(RFC 8058) that turns `notify_digest` off.

Memory: one pass over the subscribers' sectors and chapters (ids only, restricted to the
sectors and chapters that published in the period), grouped in a dict of id tuples; the
recipients are written in bounded batches.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from announcements.models import Announcement
from announcements.services import send_automatic
from chapters.models import Membership
from members.models import ProfileSector, User

from .models import Digest, DigestRecipient, DigestRun, Post

RECIPIENTS_BATCH = 5000
POSTS_PER_DIGEST = 30


def period_ending(frequency: str, now=None) -> tuple[datetime.datetime, datetime.datetime]:
    """The last complete period before `now`, in the site's time zone: Monday to Monday
    for "weekly", the first of a month to the next for "monthly"."""
    now = timezone.localtime(now or timezone.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == DigestRun.Frequency.WEEKLY:
        end = midnight - datetime.timedelta(days=midnight.weekday())
        start = end - datetime.timedelta(days=7)
    else:
        end = midnight.replace(day=1)
        start = (end - datetime.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    # Re-localise: a period that crosses a change of daylight saving time keeps midnights.
    return (
        start.replace(tzinfo=None).replace(tzinfo=tz),
        end.replace(tzinfo=None).replace(tzinfo=tz),
    )


def _subscribers(frequency):
    """Who may receive this digest now (the outbox checks again at send time)."""
    return User.objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        email_verified=True,
        profile__notify_digest=True,
        profile__digest_frequency=frequency,
    )


def _groups(frequency, posts) -> dict[tuple, list[int]]:
    """{post ids: subscriber ids}: the subscribers grouped by the posts that concern them."""
    network = sorted(p.pk for p in posts if p.scope == Post.Scope.NETWORK)
    by_sector, by_chapter = defaultdict(list), defaultdict(list)
    for post in posts:
        if post.scope == Post.Scope.SECTOR:
            by_sector[post.sector_id].append(post.pk)
        elif post.scope == Post.Scope.CHAPTER:
            by_chapter[post.chapter_id].append(post.pk)
    subscribers = _subscribers(frequency)
    concerns = defaultdict(set)
    for user_id in subscribers.values_list("pk", flat=True).iterator(chunk_size=RECIPIENTS_BATCH):
        concerns[user_id].update(network)
    if by_sector:
        rows = ProfileSector.objects.filter(
            sector_id__in=list(by_sector), profile__user__in=subscribers.values("pk")
        ).values_list("profile__user_id", "sector_id")
        for user_id, sector_id in rows.iterator(chunk_size=RECIPIENTS_BATCH):
            concerns[user_id].update(by_sector[sector_id])
    if by_chapter:
        rows = (
            Membership.objects.approved()
            .filter(chapter_id__in=list(by_chapter), user__in=subscribers.values("pk"))
            .values_list("user_id", "chapter_id")
        )
        for user_id, chapter_id in rows.iterator(chunk_size=RECIPIENTS_BATCH):
            concerns[user_id].update(by_chapter[chapter_id])
    groups = defaultdict(list)
    for user_id, post_ids in concerns.items():
        if post_ids:
            groups[tuple(sorted(post_ids))].append(user_id)
    return groups


def _body(posts, *, language: str) -> str:
    """The Markdown body of a digest in `language`, links absolute."""
    english = language.startswith("en")
    with translation.override(language):
        lines = []
        for post in posts:
            title = post.title_en if english and post.title_en else post.title_es
            summary = post.summary_en if english and post.summary_en else post.summary_es
            url = f"{settings.SITE_URL}{reverse('news:detail', kwargs={'slug': post.slug})}"
            source = post.source_name
            lines.append(f"### [{title}]({url})\n\n{source} · {summary}\n")
        all_news = f"{settings.SITE_URL}{reverse('news:list')}"
        lines.append(gettext("Todas las noticias: %(url)s") % {"url": all_news})
    return "\n".join(lines)


def _subject(run, *, language: str) -> str:
    with translation.override(language):
        start = date_format(timezone.localtime(run.period_start).date(), "DATE_FORMAT")
        end = date_format(
            (timezone.localtime(run.period_end) - datetime.timedelta(days=1)).date(),
            "DATE_FORMAT",
        )
        if run.frequency == DigestRun.Frequency.WEEKLY:
            return gettext("Noticias de la semana: del %(start)s al %(end)s") % {
                "start": start,
                "end": end,
            }
        return gettext("Noticias del mes: del %(start)s al %(end)s") % {"start": start, "end": end}


def prepare_digest(*, frequency: str, now=None) -> DigestRun | None:
    """Write the digest of the last complete period of `frequency` and hand its messages to
    the outbox (after commit). Once per period: returns None when that period's digest
    exists already. A period without posts or subscribers records an empty run."""
    start, end = period_ending(frequency, now)
    posts = list(
        Post.objects.published(now=end)
        .filter(published_at__gte=start, published_at__lt=end)
        .select_related("sector", "chapter")
        .order_by("-published_at", "-pk")
    )
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(frequency=frequency, period_start=start, period_end=end)
            by_id = {post.pk: post for post in posts}
            total = 0
            for post_ids, user_ids in _groups(frequency, posts).items():
                chosen = sorted(
                    (by_id[pk] for pk in post_ids),
                    key=lambda p: (p.published_at, p.pk),
                    reverse=True,
                )[:POSTS_PER_DIGEST]
                digest = Digest.objects.create(run=run)
                digest.posts.set(chosen)
                for first in range(0, len(user_ids), RECIPIENTS_BATCH):
                    DigestRecipient.objects.bulk_create(
                        DigestRecipient(run=run, digest=digest, user_id=user_id)
                        for user_id in user_ids[first : first + RECIPIENTS_BATCH]
                    )
                total += len(user_ids)
                announcement = Announcement.objects.create(
                    kind=Announcement.Kind.DIGEST,
                    subject_es=_subject(run, language="es-mx"),
                    subject_en=_subject(run, language="en"),
                    body_es=_body(chosen, language="es-mx"),
                    body_en=_body(chosen, language="en"),
                )
                announcement.audience_digests.add(digest)
                send_automatic(announcement_id=announcement.pk)
            run.recipient_count = total
            run.save(update_fields=["recipient_count"])
    except IntegrityError:
        # Another worker (or an earlier run of this task) wrote this period's digest.
        if DigestRun.objects.filter(frequency=frequency, period_start=start).exists():
            return None
        raise
    return run
