"""What messaging stores about a person: part of their data download, erased with their
account (the `<app>.personal_data` hook of members.plugins)."""

from django.db.models import Exists, OuterRef

from members.services import neutralise_admin_log
from members.services.merging import MergeRule, move_rows

from .models import (
    Message,
    MessageReport,
    Participant,
    Party,
    Preference,
    Thread,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The person's threads with every message (their correspondence), their reports and
    their notice preference, JSON-ready."""
    threads = Thread.objects.visible_to(user).prefetch_related("parties").order_by("pk")
    mine = dict(Participant.objects.filter(user=user).values_list("party__thread_id", "party_id"))
    sharing = set(
        Participant.objects.filter(user=user, shares_email=True).values_list(
            "party__thread_id", flat=True
        )
    )
    by_thread = {}
    for message in Message.objects.filter(thread__in=threads).select_related("party"):
        by_thread.setdefault(message.thread_id, []).append(
            {
                "from": message.party.label,
                "mine": message.sender_id == user.pk,
                "body": message.body,
                "sent_at": _iso(message.created_at),
            }
        )
    return {
        "threads": [
            {
                "topic": thread.topic,
                "parties": [p.label for p in thread.parties.all()],
                "my_side": next(
                    (p.label for p in thread.parties.all() if p.pk == mine.get(thread.pk)), ""
                ),
                "shares_my_email": thread.pk in sharing,
                "created_at": _iso(thread.created_at),
                "messages": by_thread.get(thread.pk, []),
            }
            for thread in threads
        ],
        "reports": [
            {
                "reason": r.reason,
                "details": r.details,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in MessageReport.objects.filter(reporter=user)
        ],
        "email_notices": not Preference.objects.filter(user=user, email_notices=False).exists(),
        "member_contact": not Preference.objects.filter(user=user, member_contact=False).exists(),
    }


def erase(user) -> None:
    """Account cancellation: the threads of the person's own side go whole (both sides'
    messages: the conversation was with them); in threads where they wrote for a group (an
    organisation), their messages and their place go and the others carry on. Their
    reports and preference go too."""
    own_threads = Thread.objects.filter(
        Exists(Party.objects.filter(thread=OuterRef("pk"), owner=user))
    )
    reports = (
        MessageReport.objects.filter(reporter=user)
        | MessageReport.objects.filter(message__sender=user)
        | MessageReport.objects.filter(message__thread__in=own_threads)
    )
    neutralise_admin_log(reports)
    reports.delete()
    own_threads.delete()
    Message.objects.filter(sender=user).delete()
    Participant.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): the closing account's threads, messages,
    places in groups' threads and reports move to the kept account; its notice preference
    goes unless the kept account has none. A person's side of a thread is keyed by its
    owner ("user:<id>", messaging.services.person_party): the moved sides take the kept
    account's key, except in a thread the two accounts held together (it keeps both)."""
    moved = move_rows(
        [
            MergeRule(Party, "owner"),
            MergeRule(Party, "blocked_by"),
            MergeRule(Participant, "user", unique_with=("party",)),
            MergeRule(Message, "sender"),
            MergeRule(Thread, "last_sender"),
            MergeRule(MessageReport, "reporter", unique_with=("message",)),
            MergeRule(Preference, "user", single=True),
        ],
        kept=kept,
        merged=merged,
    )
    Party.objects.filter(owner=kept, key=f"user:{merged.pk}").exclude(
        Exists(Party.objects.filter(thread=OuterRef("thread"), key=f"user:{kept.pk}"))
    ).update(key=f"user:{kept.pk}")
    return moved
