"""Transactional mail: sent after commit through its own queue, inline when the broker is
away (members.tasks)."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from core.emails import clean_subject

logger = logging.getLogger(__name__)


def deliver_transactional_email(
    *, to: list[str], subject: str, body: str, html_body: str | None = None
) -> None:
    """Send one transactional message now (verification codes, resets, decisions).

    Transactional mail carries no List-Unsubscribe header: it is not an announcement.
    """
    # A subject is one header line of plain text: CR/LF from user-controlled text never
    # reaches it (core.emails).
    subject = clean_subject(subject)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def queue_transactional_email(
    *, to: list[str], subject: str, body: str, html_body: str | None = None
) -> None:
    """Send a transactional message through its own high-priority queue, after commit.

    If the broker cannot take the task (Redis down), the message is sent inline instead:
    a person waiting for a verification code must not wait for the broker to come back.
    """
    from ..tasks import send_transactional_email_task

    kwargs = {"to": list(to), "subject": subject, "body": body, "html_body": html_body}

    def enqueue():
        try:
            # The body holds codes and reset links: task logs and events show a redacted
            # repr, never the secret (SECURITY.md D7).
            send_transactional_email_task.apply_async(
                kwargs=kwargs, kwargsrepr=f"{{'to': {len(kwargs['to'])} address(es), ...}}"
            )
        except KombuOperationalError:
            logger.warning("broker unavailable: sending a transactional email inline")
            deliver_transactional_email(**kwargs)

    transaction.on_commit(enqueue)


def queue_email_to_user(*, user, subject, template: str, context=None) -> None:
    """Render a transactional message in the recipient's language and queue it.

    `subject` (a string, a lazy string or a callable) and `context` (a dict or a callable
    returning one) are evaluated inside that language, so texts and links (/en/...)
    follow it. Every app tells a member about a decision through this one path. A subject
    template is rendered with `core.emails.render_subject` (no HTML escaping).
    """
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        data = context() if callable(context) else dict(context or {})
        body = render_to_string(template, data)
        text = clean_subject(subject() if callable(subject) else subject)
    queue_transactional_email(to=[user.email], subject=text, body=body)
