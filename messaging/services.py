"""State changes of messaging: opening threads, sending, reading, blocking, reporting,
sharing one's address and the e-mail notice preference. Each service owns its transaction.

Other apps introduce two sides with `open_thread` (an organisation and a member when both
accepted, issue 20; two members, issue 26) and never write the tables themselves.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import render_subject
from members.models import Profile, User, public_name
from members.services import queue_email_to_user

from .models import Message, MessageReport, Participant, Party, Preference, Thread

# Rate limits of one sender, across all their threads (settings may tighten them).
HOURLY_LIMIT = 20
DAILY_LIMIT = 60

BLOCKED_MESSAGE = _("Esta conversación está bloqueada: no se pueden enviar mensajes.")
RATE_LIMITED_MESSAGE = _(
    "Enviaste muchos mensajes en poco tiempo. Espera un rato y vuelve a intentarlo."
)

# Members writing to each other from a profile (issue 26).
CONTACT_OFF_MESSAGE = _(
    "Esta persona no recibe mensajes de otros miembros. Puedes encontrarla en las "
    "actividades de la red."
)
NOT_VISIBLE_MESSAGE = _("No puedes escribir a este perfil.")
SELF_MESSAGE = _("No puedes enviarte mensajes a ti mismo.")


class MessagingError(Exception):
    """A refused action; `message` says why, in words for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class PartySpec:
    """One side of a thread to open: a key unique within the thread ("user:7", "org:3"),
    the name shown to the other side, the people who write for it, and `owner` when the
    side is one person's own (the thread is then deleted with their account)."""

    key: str
    label: str
    users: Sequence = field(default_factory=tuple)
    owner: object = None


def person_party(user, label: str) -> PartySpec:
    """A person's own side of a thread."""
    return PartySpec(key=f"user:{user.pk}", label=label, users=(user,), owner=user)


def hourly_limit() -> int:
    return getattr(settings, "MESSAGING_HOURLY_LIMIT", HOURLY_LIMIT)


def daily_limit() -> int:
    return getattr(settings, "MESSAGING_DAILY_LIMIT", DAILY_LIMIT)


def open_thread(*, topic: str, parties: Sequence[PartySpec], context: str | None = None) -> Thread:
    """Open a thread between exactly two parties, or return the one already open for
    `context` (adding any new participants to it). Idempotent."""
    if len(parties) != 2 or parties[0].key == parties[1].key:
        raise ValueError("a thread has exactly two distinct parties")
    with transaction.atomic():
        thread = None
        if context:
            thread = Thread.objects.select_for_update().filter(context=context).first()
        if thread is None:
            thread = Thread.objects.create(
                topic=topic[:200], context=context or None, created_at=timezone.now()
            )
        for spec in parties:
            party, _created = Party.objects.get_or_create(
                thread=thread,
                key=spec.key,
                defaults={"label": spec.label[:200], "owner": spec.owner},
            )
            for user in spec.users:
                Participant.objects.get_or_create(party=party, user=user)
    return thread


def add_participant(*, thread: Thread, party_key: str, user) -> Participant:
    """Let one more person read and write for a party of the thread (idempotent)."""
    with transaction.atomic():
        party = Party.objects.get(thread=thread, key=party_key)
        participant, _created = Participant.objects.get_or_create(party=party, user=user)
    return participant


def _participant(thread_id: int, user) -> Participant:
    return Participant.objects.select_related("party").get(party__thread_id=thread_id, user=user)


def is_blocked(thread: Thread) -> bool:
    """True when either side blocked the thread."""
    return Party.objects.filter(thread=thread, blocked_at__isnull=False).exists()


def send_message(*, thread: Thread, sender, body: str) -> Message:
    """Post `body` for the sender's party; the other side's participants get one e-mail
    notice per batch of unread messages (if they want notices). Refused (MessagingError)
    when the thread is blocked or the sender went past their hourly or daily limit."""
    body = body.strip()
    if not body:
        raise ValueError("an empty message")
    with transaction.atomic():
        # One sender at a time: two tabs posting at once cannot both pass the limit.
        User.objects.select_for_update().filter(pk=sender.pk).first()
        participant = _participant(thread.pk, sender)
        if is_blocked(thread):
            raise MessagingError(BLOCKED_MESSAGE)
        now = timezone.now()
        recent = Message.objects.filter(sender=sender, created_at__gte=now - timedelta(days=1))
        if (
            recent.count() >= daily_limit()
            or recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= hourly_limit()
        ):
            raise MessagingError(RATE_LIMITED_MESSAGE)
        message = Message.objects.create(
            thread=thread, party=participant.party, sender=sender, body=body, created_at=now
        )
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now, last_sender=sender)
        Participant.objects.filter(pk=participant.pk).update(last_read_at=now)
        _notify_other_side(thread=thread, party=participant.party, now=now)
    return message


def _notify_other_side(*, thread: Thread, party: Party, now) -> None:
    """One notice to each participant of the other side who has read everything notified
    before (or was never notified), wants notices and can receive mail."""
    candidates = (
        Participant.objects.filter(party__thread=thread)
        .exclude(party=party)
        .filter(
            user__is_active=True,
            user__deleted_at__isnull=True,
            user__email_verified=True,
        )
        .exclude(user__messaging_preference__email_notices=False)
        .select_related("user")
    )
    due = Q(notified_at__isnull=True) | Q(last_read_at__gte=F("notified_at"))
    for participant in candidates.filter(due):
        # A conditional claim: a concurrent post cannot send the same notice twice.
        if Participant.objects.filter(due, pk=participant.pk).update(notified_at=now) == 1:
            _queue_notice(
                participant=participant,
                thread=thread,
                from_label=party.label,
                from_url=_profile_url(owner_id=party.owner_id, reader=participant.user),
            )


def _profile_url(*, owner_id, reader) -> str:
    """The absolute link to the profile of a person's side, when the reader may open it
    ("" otherwise: a group's side, or a profile its owner keeps from them)."""
    if owner_id is None or not Profile.objects.visible_to(reader).filter(pk=owner_id).exists():
        return ""
    return settings.SITE_URL + reverse("members:profile", args=[owner_id])


def _queue_notice(
    *, participant: Participant, thread: Thread, from_label: str, from_url: str = ""
) -> None:
    # The notice carries no text of the message: it stays on the site, behind the login.
    # The sender is named by their public name and profile link, never their address.
    def context():
        return {
            "topic": thread.topic,
            "from_label": from_label,
            "from_url": from_url,
            "url": settings.SITE_URL + reverse("messaging:thread", args=[thread.pk]),
            "preferences_url": settings.SITE_URL + reverse("messaging:preferences"),
        }

    queue_email_to_user(
        user=participant.user,
        subject=lambda: render_subject("messaging/email/new_message_subject.txt", context()),
        template="messaging/email/new_message_body.txt",
        context=context,
    )


def mark_read(*, thread: Thread, user) -> None:
    """The user has read the thread up to now."""
    with transaction.atomic():
        Participant.objects.filter(party__thread=thread, user=user).update(
            last_read_at=timezone.now()
        )


def block_thread(*, thread: Thread, user) -> bool:
    """The user's party blocks the thread: nobody can post until it unblocks. Returns
    False when it was already blocked by this side."""
    with transaction.atomic():
        participant = _participant(thread.pk, user)
        return (
            Party.objects.filter(pk=participant.party_id, blocked_at__isnull=True).update(
                blocked_at=timezone.now(), blocked_by=user
            )
            == 1
        )


def unblock_thread(*, thread: Thread, user) -> bool:
    """The user's party lifts its own block (the other side's block stays)."""
    with transaction.atomic():
        participant = _participant(thread.pk, user)
        return (
            Party.objects.filter(pk=participant.party_id, blocked_at__isnull=False).update(
                blocked_at=None, blocked_by=None
            )
            == 1
        )


def report_message(*, message: Message, reporter, reason: str, details: str = "") -> bool:
    """A participant of the other side reports a message to IME staff (once per person
    and message). Returns False when they had reported it already."""
    with transaction.atomic():
        participant = _participant(message.thread_id, reporter)
        if participant.party_id == message.party_id:
            raise ValueError("one's own side's message")
        _report, created = MessageReport.objects.get_or_create(
            message=message,
            reporter=reporter,
            defaults={"reason": reason, "details": details.strip(), "created_at": timezone.now()},
        )
    return created


def set_email_sharing(*, thread: Thread, user, share: bool) -> None:
    """Show (or hide again) the user's e-mail address to the other side of the thread."""
    with transaction.atomic():
        Participant.objects.filter(party__thread=thread, user=user).update(shares_email=share)


def set_email_notices(*, user, enabled: bool) -> None:
    """Turn the e-mail notices of new messages on or off."""
    with transaction.atomic():
        Preference.objects.update_or_create(user=user, defaults={"email_notices": enabled})


def wants_email_notices(user) -> bool:
    """The user's choice (on by default)."""
    return not Preference.objects.filter(user=user, email_notices=False).exists()


def accepts_member_contact(user) -> bool:
    """Whether other members may start a conversation with `user` (on by default)."""
    return not Preference.objects.filter(user=user, member_contact=False).exists()


def set_member_contact(*, user, enabled: bool) -> None:
    """Let other members write to the user from their profile, or stop them."""
    with transaction.atomic():
        Preference.objects.update_or_create(user=user, defaults={"member_contact": enabled})


def member_thread_context(first, second) -> str:
    """The one thread of two members: the same pair (in either order) reopens it."""
    low, high = sorted((first.pk, second.pk))
    return f"members:{low}:{high}"


def write_to_member(*, sender, recipient, body: str) -> Message:
    """A member writes to another member from their profile: the thread of the two (their
    own sides, named by their public names; opened once per pair, so a block stays) gets
    the message, with `send_message`'s limits, block and notices. Refused (MessagingError)
    when the sender may not open the recipient's profile, writes to themselves, or the
    recipient turned contact from other members off."""
    if sender.pk == recipient.pk:
        raise MessagingError(SELF_MESSAGE)
    if not Profile.objects.visible_to(sender).filter(pk=recipient.pk).exists():
        raise MessagingError(NOT_VISIBLE_MESSAGE)
    if not accepts_member_contact(recipient):
        raise MessagingError(CONTACT_OFF_MESSAGE)
    sender_label, recipient_label = public_name(sender), public_name(recipient)
    with transaction.atomic():
        thread = open_thread(
            topic=f"{sender_label} · {recipient_label}",
            parties=[person_party(sender, sender_label), person_party(recipient, recipient_label)],
            context=member_thread_context(sender, recipient),
        )
        return send_message(thread=thread, sender=sender, body=body)
