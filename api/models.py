"""Partner applications (OAuth 2.0 clients with their scopes and reach), the webhook outbox
and the audit of what partners did through the API."""

import base64
import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PROGRAM_RESULTS = "programs:results", _("Resultados y credenciales de un programa")
    CHAPTER_EVENTS = "chapters:events", _("Eventos y registros de un capítulo")
    SECTOR_MEMBERS = "pncs:members", _("Personas de un sector que aceptaron el contacto")


class Event(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", _("Registro a un evento creado")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Registro a un evento cancelado")
    INTEREST_DECIDED = "interest.decided", _("Interés en una oportunidad decidido")
    CREDENTIAL_ISSUED = "credential.issued", _("Credencial emitida")
    CREDENTIAL_REVOKED = "credential.revoked", _("Credencial revocada")
    MEMBER_LEFT_CHAPTER = "membership.ended", _("Una persona dejó un capítulo")
    ENGAGEMENT_COMPLETED = "engagement.completed", _("Colaboración concluida")


# Which scope a partner needs to receive each event (and whose reach decides which events).
EVENT_SCOPE = {
    Event.REGISTRATION_CREATED: Scope.CHAPTER_EVENTS,
    Event.REGISTRATION_CANCELLED: Scope.CHAPTER_EVENTS,
    Event.MEMBER_LEFT_CHAPTER: Scope.CHAPTER_EVENTS,
    Event.INTEREST_DECIDED: Scope.SECTOR_MEMBERS,
    Event.CREDENTIAL_ISSUED: Scope.PROGRAM_RESULTS,
    Event.CREDENTIAL_REVOKED: Scope.PROGRAM_RESULTS,
    Event.ENGAGEMENT_COMPLETED: Scope.SECTOR_MEMBERS,
}


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class PartnerApplicationQuerySet(models.QuerySet):
    def active(self):
        """Applications not revoked."""
        return self.filter(revoked_at__isnull=True)

    def subscribed_to(self, event: str):
        """Active applications with a webhook address that subscribed to `event` and hold
        the scope the event needs."""
        return (
            self.active()
            .filter(webhook_events__contains=[event], scopes__contains=[EVENT_SCOPE[event]])
            .exclude(webhook_url="")
        )


class PartnerApplication(models.Model):
    """A partner system (training centre, chapter site, PNCS database) registered by IME
    staff: its OAuth 2.0 client, the scopes it may ask for and what each one reaches."""

    name = models.CharField(_("nombre"), max_length=120)
    oauth_application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="partner",
        editable=False,
        verbose_name=_("cliente OAuth"),
    )
    scopes = ArrayField(
        models.CharField(max_length=32, choices=Scope.choices),
        verbose_name=_("permisos"),
        default=list,
    )
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programa"),
        help_text=_("El programa cuyos resultados importa (permiso de resultados)."),
    )
    chapter = models.ForeignKey(
        "chapters.Chapter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("capítulo"),
        help_text=_("El capítulo cuyos eventos y registros lee (permiso de eventos)."),
    )
    sector = models.ForeignKey(
        "members.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
        help_text=_("El sector cuyas personas lee (permiso de personas de un sector)."),
    )
    webhook_url = models.URLField(_("dirección de los webhooks"), blank=True, max_length=500)
    webhook_events = ArrayField(
        models.CharField(max_length=40, choices=Event.choices),
        verbose_name=_("eventos suscritos"),
        default=list,
        blank=True,
    )
    webhook_secret = models.CharField(
        _("secreto de firma"), max_length=80, default=new_webhook_secret, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    created_at = models.DateTimeField(_("registrada el"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocada el"), null=True, blank=True, editable=False)

    objects = PartnerApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("aplicación de aliado")
        verbose_name_plural = _("aplicaciones de aliados")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def client_id(self) -> str:
        return self.oauth_application.client_id


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now):
        """Deliveries waiting for an attempt whose time has come."""
        return self.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookDelivery(models.Model):
    """One event for one partner: a row first (the outbox), sent by a worker after commit,
    retried with backoff for about a day (settings.API_WEBHOOK_RETRY_DELAYS)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        RETRYING = "retrying", _("Reintentando")
        SENT = "sent", _("Entregado")
        FAILED = "failed", _("Fallido (sin más intentos)")
        WITHHELD = "withheld", _("Retenido (la persona eliminó su cuenta)")

    message_id = models.CharField(
        _("identificador del mensaje"), max_length=40, unique=True, default=new_message_id
    )
    partner = models.ForeignKey(
        PartnerApplication,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("aplicación de aliado"),
    )
    event = models.CharField(_("evento"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("contenido"), default=dict)
    # The member the payload is about: checked at send time (a deleted account's data is
    # never sent) and blanked on deletion (api.personal_data).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persona"),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("último intento"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("respuesta HTTP"), null=True, blank=True)
    last_error = models.CharField(_("último error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("entregado el"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("entrega de webhook")
        verbose_name_plural = _("entregas de webhooks")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="api_delivery_due",
                condition=models.Q(status__in=["pending", "retrying"]),
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.message_id}"


class PartnerAudit(models.Model):
    """What a partner did through the API: imports and reads of members (who, when, what,
    how many rows), never the personal data itself (SECURITY.md D5)."""

    class Action(models.TextChoices):
        RESULTS_IMPORT = "results_import", _("Importación de resultados")
        CERTIFICATIONS_IMPORT = "certifications_import", _("Importación de certificaciones")
        REGISTRATIONS_READ = "registrations_read", _("Lectura de registros")
        MEMBERS_READ = "members_read", _("Lectura de personas de un sector")

    partner = models.ForeignKey(
        PartnerApplication,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("aplicación de aliado"),
    )
    action = models.CharField(_("acción"), max_length=24, choices=Action.choices)
    target = models.CharField(_("objeto"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("filas"), default=0)
    accepted = models.BooleanField(_("aceptada"), default=True)
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("registro de acceso de un aliado")
        verbose_name_plural = _("registros de acceso de aliados")

    def __str__(self):
        return f"{self.partner} · {self.get_action_display()}"
