"""Threads between two parties (issue 20; reused by issue 26 for member-to-member mail).

A thread has exactly two parties. A party is one side of the conversation: a person alone
(`owner` set: the member's own side, deleted with their account) or a group acting together
(an organisation's people: `owner` empty, `key` names the group, e.g. "org:12"). The people
who read and write for a party are its participants. Addresses are never shown: a
participant may choose to share theirs with the thread (`shares_email`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import MessageReportQuerySet, ThreadQuerySet

BODY_MAX_LENGTH = 5000


class Thread(models.Model):
    """A conversation between two parties about one topic."""

    topic = models.CharField(_("asunto"), max_length=200)
    # What the thread is about ("app.model:pk"): one thread per context, so introducing
    # the same two sides twice reopens the same conversation.
    context = models.CharField(_("contexto"), max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("creado el"))
    last_message_at = models.DateTimeField(_("último mensaje"), null=True, blank=True)
    last_sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remitente del último mensaje"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversación")
        verbose_name_plural = _("conversaciones")
        indexes = [models.Index(fields=["-last_message_at"], name="messaging_thread_recent")]

    def __str__(self):
        return self.topic


class Party(models.Model):
    """One side of a thread."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("conversación"), on_delete=models.CASCADE, related_name="parties"
    )
    key = models.CharField(_("clave"), max_length=60)
    label = models.CharField(_("nombre visible"), max_length=200)
    # A person's own side (their personal data: the thread goes with their account).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    blocked_at = models.DateTimeField(_("bloqueó la conversación el"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bloqueada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("parte")
        verbose_name_plural = _("partes")
        constraints = [
            models.UniqueConstraint(fields=["thread", "key"], name="messaging_party_unique"),
        ]

    def __str__(self):
        return self.label


class Participant(models.Model):
    """A person who reads and writes for a party."""

    party = models.ForeignKey(
        Party, verbose_name=_("parte"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="message_participations",
    )
    last_read_at = models.DateTimeField(_("leído hasta"), null=True, blank=True)
    # One notice per batch of unread messages: set when a notice goes out, so the next one
    # waits until the participant has read the thread.
    notified_at = models.DateTimeField(_("último aviso"), null=True, blank=True)
    shares_email = models.BooleanField(_("comparte su correo"), default=False)

    class Meta:
        verbose_name = _("participante")
        verbose_name_plural = _("participantes")
        constraints = [
            models.UniqueConstraint(fields=["party", "user"], name="messaging_participant_unique"),
        ]

    def __str__(self):
        return f"{self.party} #{self.user_id}"


class Message(models.Model):
    """One message of a thread, written by a participant for their party."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("conversación"), on_delete=models.CASCADE, related_name="messages"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("parte"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remitente"),
        on_delete=models.CASCADE,
        related_name="sent_messages",
    )
    body = models.TextField(_("mensaje"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("enviado el"))

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="messaging_message_thread"),
            # The rate limit counts a sender's recent messages.
            models.Index(fields=["sender", "-created_at"], name="messaging_message_sender"),
        ]

    def __str__(self):
        return f"{self.thread} #{self.pk}"


class MessageReport(models.Model):
    """A participant tells IME staff that a message of the other side is abusive."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Publicidad o correo no deseado")
        ABUSE = "abuse", _("Acoso o lenguaje ofensivo")
        FRAUD = "fraud", _("Fraude o suplantación")
        OTHER = "other", _("Otro motivo")

    class Status(models.TextChoices):
        OPEN = "open", _("Pendiente")
        REVIEWED = "reviewed", _("Revisado")

    message = models.ForeignKey(
        Message, verbose_name=_("mensaje"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reportado por"),
        on_delete=models.CASCADE,
        related_name="message_reports",
    )
    reason = models.CharField(_("motivo"), max_length=10, choices=Reason.choices)
    details = models.TextField(_("detalles"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reportado el"))
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    staff_note = models.TextField(_("nota del personal"), max_length=1000, blank=True)

    objects = MessageReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporte de mensaje")
        verbose_name_plural = _("reportes de mensajes")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"], name="messaging_report_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} #{self.pk}"


class Preference(models.Model):
    """A person's choices about messages: e-mail notices of new messages (on unless they
    turn it off: a message is a reply they are waiting for, not an announcement), and
    whether other members may start a conversation with them from their profile (issue 26;
    on unless they turn it off, like the notices)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="messaging_preference",
    )
    email_notices = models.BooleanField(_("Avisarme por correo de mensajes nuevos"), default=True)
    member_contact = models.BooleanField(
        _("Permitir que otras personas de la red me escriban"), default=True
    )

    class Meta:
        verbose_name = _("preferencia de mensajes")
        verbose_name_plural = _("preferencias de mensajes")

    def __str__(self):
        return f"#{self.user_id}"
