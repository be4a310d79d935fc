"""Likely duplicate accounts (issue 26): found per profile by a handful of index reads, for
staff to review; and the sign-up warning about the same mailbox written differently.

Work per profile is bounded whatever the size of the network: each signal is one statement
over an expression index (members.matching, migration 0013) that returns at most
MATCHES_PER_SIGNAL rows; the similar names are the nearest ones by trigram distance, read
in order from a GiST index (a k-nearest-neighbour scan, not a comparison with every row).
The periodic task (members.tasks) looks at the profiles changed since its last window,
at most SCAN_BATCH of them a run."""

import logging
from datetime import timedelta

from django.contrib.postgres.search import TrigramDistance
from django.db import transaction
from django.db.models import Q, Value
from django.utils import timezone

from ..matching import LOCAL_PART_MIN, LinkKey, LocalPartKey, MailboxKey, NameKey

logger = logging.getLogger(__name__)

MATCHES_PER_SIGNAL = 10
# A similar name: trigram similarity at least this (distance = 1 - similarity).
NAME_SIMILARITY_MIN = 0.6
SCAN_BATCH = 2000

_NAME = ("given_names", "paternal_surname", "maternal_surname")


def _named():
    """The profiles the name indexes hold (both a given name and a surname)."""
    return ~Q(given_names="") & ~Q(paternal_surname="")


def _live_profiles():
    from ..models import Profile

    return Profile.objects.filter(user__is_active=True, user__deleted_at__isnull=True)


def nearest_names(*, name_key: str, exclude_user_id: int):
    """(user id, trigram distance) of the MATCHES_PER_SIGNAL live profiles whose full
    name is nearest `name_key`, nearest first: a k-nearest-neighbour scan of the GiST
    index `members_profile_name_trgm`, however many members there are."""
    return (
        _live_profiles()
        .exclude(user_id=exclude_user_id)
        .filter(_named())
        .annotate(distance=TrigramDistance(NameKey(*_NAME), Value(name_key)))
        .order_by("distance")
        .values_list("user_id", "distance")[:MATCHES_PER_SIGNAL]
    )


def candidates_for(*, user_id: int) -> dict[int, dict]:
    """The accounts that may be the same person as `user_id`: {other user id: {"reasons":
    set of DuplicateCandidate.Reason, "similarity": float}}. At most MATCHES_PER_SIGNAL
    accounts per signal; deleted and deactivated accounts are never proposed."""
    from ..models import DuplicateCandidate, Profile, User

    Reason = DuplicateCandidate.Reason
    found: dict[int, dict] = {}

    def add(other_id, reason, similarity=0.0):
        entry = found.setdefault(other_id, {"reasons": set(), "similarity": 0.0})
        entry["reasons"].add(reason)
        entry["similarity"] = max(entry["similarity"], similarity)

    row = (
        Profile.objects.filter(user_id=user_id)
        .annotate(
            name_key=NameKey(*_NAME),
            linkedin_key=LinkKey("linkedin_url"),
            website_key=LinkKey("website"),
            mailbox=MailboxKey("user__email"),
            local=LocalPartKey("user__email"),
        )
        .values(
            "name_key",
            "country",
            "orcid",
            "linkedin_key",
            "website_key",
            "mailbox",
            "local",
            "given_names",
            "paternal_surname",
        )
        .first()
    )
    if row is None:
        return found
    others = _live_profiles().exclude(user_id=user_id)
    if row["given_names"] and row["paternal_surname"]:
        name_key = row["name_key"]
        if row["country"]:
            same = (
                others.filter(_named(), country=row["country"])
                .annotate(name_key=NameKey(*_NAME))
                .filter(name_key=name_key)
                .values_list("user_id", flat=True)[:MATCHES_PER_SIGNAL]
            )
            for other_id in same:
                add(other_id, Reason.NAME_COUNTRY, 1.0)
        for other_id, distance in nearest_names(name_key=name_key, exclude_user_id=user_id):
            if 1 - distance >= NAME_SIMILARITY_MIN:
                add(other_id, Reason.SIMILAR_NAME, round(1 - distance, 3))
    links = Q()
    if row["orcid"]:
        links |= Q(orcid=row["orcid"])
    if row["linkedin_key"]:
        links |= Q(linkedin_key=row["linkedin_key"]) & ~Q(linkedin_url="")
    if row["website_key"]:
        links |= Q(website_key=row["website_key"]) & ~Q(website="")
    if links:
        same_link = (
            others.annotate(linkedin_key=LinkKey("linkedin_url"), website_key=LinkKey("website"))
            .filter(links)
            .values_list("user_id", flat=True)[:MATCHES_PER_SIGNAL]
        )
        for other_id in same_link:
            add(other_id, Reason.LINK)
    accounts = User.objects.filter(is_active=True, deleted_at__isnull=True).exclude(pk=user_id)
    for other_id in (
        accounts.annotate(mailbox=MailboxKey("email"))
        .filter(mailbox=row["mailbox"])
        .values_list("pk", flat=True)[:MATCHES_PER_SIGNAL]
    ):
        add(other_id, Reason.MAILBOX)
    if len(row["local"]) >= LOCAL_PART_MIN:
        for other_id in (
            accounts.filter(email__regex=r"^[^@]{6,}@")
            .annotate(local=LocalPartKey("email"))
            .filter(local=row["local"])
            .values_list("pk", flat=True)[:MATCHES_PER_SIGNAL]
        ):
            add(other_id, Reason.EMAIL_LOCAL)
    return found


def flag_duplicates(*, user_id: int) -> int:
    """Record the likely duplicates of `user_id` for staff review. A pair seen before has
    its reasons refreshed; one staff dismissed or merged keeps its status. Returns how
    many pairs were written."""
    from ..models import DuplicateCandidate

    found = candidates_for(user_id=user_id)
    if not found:
        return 0
    now = timezone.now()
    rows = [
        DuplicateCandidate(
            first_id=min(user_id, other_id),
            second_id=max(user_id, other_id),
            reasons=sorted(entry["reasons"]),
            similarity=entry["similarity"],
            found_at=now,
        )
        for other_id, entry in sorted(found.items())
    ]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["first", "second"],
            update_fields=["reasons", "similarity"],
        )
    return len(rows)


def flag_recent_duplicates(*, since=None, limit: int = SCAN_BATCH) -> int:
    """The periodic pass: flag the likely duplicates of the profiles created or changed
    since `since` (default: the last hour and a quarter, the schedule's period with a
    margin), at most `limit` of them, newest first (the `members_profile_updated` index).
    Returns how many profiles were looked at."""
    since = since or timezone.now() - timedelta(minutes=75)
    user_ids = list(
        _live_profiles()
        .filter(updated_at__gte=since)
        .order_by("-updated_at")
        .values_list("user_id", flat=True)[:limit]
    )
    for user_id in user_ids:
        flag_duplicates(user_id=user_id)
    logger.info("duplicates: %s profiles looked at", len(user_ids))
    return len(user_ids)


def shares_mailbox_with_another_account(*, user) -> bool:
    """True when another live account's address reaches the same mailbox as `user`'s
    (MailboxKey: dots and +tags of Gmail, one provider's aliases). Asked only of a member
    whose own address is verified, so it says nothing about a mailbox they do not hold;
    it never says which account."""
    from ..models import User

    return (
        User.objects.filter(is_active=True, deleted_at__isnull=True)
        .exclude(pk=user.pk)
        .annotate(mailbox=MailboxKey("email"))
        .filter(mailbox=MailboxKey(Value(user.email)))
        .exists()
    )


def dismiss_candidate(*, candidate_id: int, by) -> bool:
    """Staff: "not a duplicate". Only an open pair changes; returns whether it did."""
    from ..models import DuplicateCandidate

    return (
        DuplicateCandidate.objects.filter(
            pk=candidate_id, status=DuplicateCandidate.Status.OPEN
        ).update(
            status=DuplicateCandidate.Status.DISMISSED,
            reviewed_at=timezone.now(),
            reviewed_by=by,
        )
        == 1
    )
