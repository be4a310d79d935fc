"""Demo threads: demo member 1 talks with a fictitious university (demo member 3 writes for
it), and with demo member 4 (a person's own side each). Runs after the members' demo."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.checks import DEMO_MEMBER_DOMAIN
from members.models import User
from messaging.models import Message, Thread
from messaging.services import PartySpec, open_thread, person_party

THREADS = [
    # (context, topic, (other side's key, label, its demo members' numbers), messages as
    # (demo member's number, text)); demo member 1 is always the first side.
    (
        "demo:messaging:1",
        "Mentoría para el laboratorio de ciencia de datos",
        ("org:demo-1", "Universidad Ficticia del Noreste", (3,)),
        [
            (
                3,
                "Hola, gracias por aceptar. ¿Podríamos hablar del plan de trabajo del laboratorio?",
            ),
            (1, "Con gusto. Propongo una primera sesión en línea la próxima semana."),
            (3, "Perfecto. Les compartimos el temario por este medio."),
        ],
    ),
    (
        "demo:messaging:2",
        "Visita al congreso de energía solar",
        ("user:demo-4", "", (4,)),
        [(4, "¿Vas al congreso de Mérida? Podríamos coordinar la ponencia conjunta.")],
    ),
]


def _demo_user(number):
    return User.objects.filter(email=f"miembro{number:04d}@{DEMO_MEMBER_DOMAIN}").first()


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Open the demo threads (once) and write their messages (if the thread has none)."""
    first = _demo_user(1)
    if first is None:
        return
    created = 0
    for context, topic, (key, label, numbers), lines in THREADS:
        people = [_demo_user(n) for n in numbers]
        if any(p is None for p in people):
            continue
        if key.startswith("user:"):
            other = person_party(people[0], f"Miembro {numbers[0]}")
        else:
            other = PartySpec(key=key, label=label, users=people)
        thread = open_thread(
            topic=topic, parties=[person_party(first, "Miembro 1"), other], context=context
        )
        if Message.objects.filter(thread=thread).exists():
            continue
        # A back-dated history, written directly: the demo sends no notices.
        start = timezone.now() - timedelta(days=len(lines))
        by_number = {1: first, **dict(zip(numbers, people, strict=True))}
        for i, (number, body) in enumerate(lines):
            sender = by_number[number]
            party = thread.parties.get(participants__user=sender)
            Message.objects.create(
                thread=thread,
                party=party,
                sender=sender,
                body=body,
                created_at=start + timedelta(days=i),
            )
        last = Message.objects.filter(thread=thread).order_by("-created_at").first()
        Thread.objects.filter(pk=thread.pk).update(
            last_message_at=last.created_at, last_sender=last.sender
        )
        created += 1
    stdout.write(f"messaging: {created} demo threads with messages")
