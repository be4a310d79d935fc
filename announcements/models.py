"""Announcements to the network, and their per-recipient deliveries (outbox).

An announcement is written in Spanish and English (Markdown). Sending it marks it
"sending" with its recipients still to be written (`recipients_ready_at` empty): that row
is the intent. A Celery task then writes one `Delivery` row per recipient, in bounded
batches (unique per announcement and recipient), and other tasks send the pending rows
in batches. The rows are the outbox: a broker outage or a dead worker delays the mail,
it never loses it.

The tables keep the names they had in the chapters app (`db_table`), where these models
lived before; the relations to the models of chapters, pncs, programs and news are named by
string (`"chapters.Chapter"`, `"programs.Stage"`, `"news.Digest"`): this app never imports those apps, which
plug their audiences in (announcements.audiences).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.language import by_language


class AnnouncementQuerySet(models.QuerySet):
    def awaiting_approval(self):
        """Written by coordinators, waiting for IME's review."""
        return self.filter(status=Announcement.Status.AWAITING_APPROVAL)

    def written_by(self, user):
        """The announcements `user` wrote (a coordinator's own list)."""
        return self.filter(created_by=user)

    def due(self, now):
        """Scheduled sends whose time has come."""
        return self.filter(status=Announcement.Status.SCHEDULED, scheduled_for__lte=now)


class Announcement(models.Model):
    """A message to an audience of members, bilingual, sent once to each recipient."""

    class Kind(models.TextChoices):
        # Each kind follows one of the member's opt-ins (Profile.notify_*).
        CHAPTER = "chapter", _("Aviso de capítulo")
        JORNADAS = "jornadas", _("Aviso de Jornadas Informativas")
        PROGRAMS = "programs", _("Aviso de programas de formación")
        OPPORTUNITIES = "opportunities", _("Aviso de oportunidades PNCS")
        # Written by the system (news.digest), never by hand: the news digest.
        DIGEST = "digest", _("Resumen de noticias")
        # Written by the system when staff confirm an import of known people (issue 26):
        # one invitation per person imported, to an address with no account.
        INVITATION = "invitation", _("Invitación a unirse a la red")
        # Written by the surveys app (issue 26): the invitation to answer a survey, each
        # recipient with a personal link (announcements.mail, the `<app>.mail_links` hook).
        SURVEY = "survey", _("Invitación a una encuesta")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        SCHEDULED = "scheduled", _("Programado")
        SENDING = "sending", _("Enviándose")
        SENT = "sent", _("Enviado")
        CANCELLED = "cancelled", _("Cancelado")
        # Written by a PNCS coordinator to their sector (issue 21): IME approves (then it is
        # sent as any other) or declines it with a reason (services.review_announcement).
        AWAITING_APPROVAL = "awaiting", _("En espera de aprobación del IME")
        DECLINED = "declined", _("No aprobado")

    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices, default=Kind.CHAPTER)
    chapter = models.ForeignKey(
        "chapters.Chapter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("capítulo que publica"),
        help_text=_("Vacío: aviso del IME a toda la red."),
    )
    subject_es = models.CharField(_("asunto (español)"), max_length=200)
    subject_en = models.CharField(_("asunto (inglés)"), max_length=200)
    body_es = models.TextField(
        _("mensaje (español)"), max_length=20000, help_text=_("En formato Markdown.")
    )
    body_en = models.TextField(
        _("mensaje (inglés)"), max_length=20000, help_text=_("En formato Markdown.")
    )
    # The audience: the union of every criterion below, one message per person.
    audience_chapters = models.ManyToManyField(
        "chapters.Chapter",
        blank=True,
        related_name="+",
        verbose_name=_("integrantes de los capítulos"),
    )
    audience_jornadas = models.ManyToManyField(
        "chapters.Jornada",
        blank=True,
        related_name="announcements",
        verbose_name=_("registrados confirmados de las Jornadas"),
    )
    audience_all_members = models.BooleanField(_("todas las personas integrantes"), default=False)
    audience_sectors = models.ManyToManyField(
        "members.Sector",
        blank=True,
        related_name="+",
        verbose_name=_("integrantes de los sectores"),
    )
    audience_countries = CountryField(_("integrantes con residencia en"), multiple=True, blank=True)
    audience_programs = models.ManyToManyField(
        "programs.Program",
        blank=True,
        related_name="+",
        verbose_name=_("solicitantes de los programas"),
        help_text=_("Toda solicitud, decidida o no, salvo las retiradas."),
    )
    audience_stages = models.ManyToManyField(
        "programs.Stage",
        blank=True,
        related_name="+",
        verbose_name=_("generación de las etapas"),
        help_text=_(
            "Inscritos en la etapa: los aceptados en la primera, los seleccionados en las "
            "siguientes (sin la lista de espera)."
        ),
    )
    # The rest of a stage's cohort (issue 23, programs.audiences).
    audience_stages_completed = models.ManyToManyField(
        "programs.Stage",
        blank=True,
        related_name="+",
        verbose_name=_("quienes concluyeron las etapas"),
        help_text=_("Inscritos que concluyeron la etapa."),
    )
    audience_stages_selected = models.ManyToManyField(
        "programs.Stage",
        blank=True,
        related_name="+",
        verbose_name=_("seleccionados para las etapas"),
        help_text=_(
            "Quienes tienen un lugar por la selección (confirmado o por confirmar), sin la "
            "lista de espera ni quienes declinaron."
        ),
    )
    audience_stages_travelling = models.ManyToManyField(
        "programs.Stage",
        blank=True,
        related_name="+",
        verbose_name=_("quienes viajan a las etapas"),
        help_text=_("Quienes confirmaron su lugar en una etapa presencial."),
    )

    audience_digests = models.ManyToManyField(
        "news.Digest",
        blank=True,
        related_name="announcements",
        verbose_name=_("personas destinatarias del resumen de noticias"),
        help_text=_("Lo llena el resumen de noticias (news), nunca a mano."),
    )

    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("programado para"), null=True, blank=True)
    reminder_for = models.OneToOneField(
        "chapters.Jornada",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder",
        verbose_name=_("recordatorio de la Jornada"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creado por"),
        editable=False,
    )
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)
    # IME's review of an announcement a coordinator wrote (Status.AWAITING_APPROVAL).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisado por"),
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("revisado el"), null=True, blank=True, editable=False)
    review_reason = models.TextField(
        _("motivo de la revisión"), max_length=1000, blank=True, editable=False
    )
    started_at = models.DateTimeField(_("envío iniciado el"), null=True, blank=True)
    finished_at = models.DateTimeField(_("envío terminado el"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelado el"), null=True, blank=True)
    # A send in progress: empty until every recipient has its Delivery row (written by
    # announcements.tasks.create_deliveries_task), so the send is never closed half written.
    recipients_ready_at = models.DateTimeField(
        _("personas destinatarias calculadas el"), null=True, blank=True, editable=False
    )
    # When that task was last handed to the broker: the dispatcher enqueues it again when
    # it never was (broker down) or long ago (its worker died).
    recipients_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        db_table = "chapters_announcement"  # the table of before the move (see the docstring)
        ordering = ["-created_at"]
        verbose_name = _("aviso")
        verbose_name_plural = _("avisos")
        indexes = [models.Index(fields=["status", "scheduled_for"], name="chapters_ann_status")]

    def __str__(self):
        return self.subject_es

    @property
    def subject(self):
        return by_language(self.subject_es, self.subject_en)

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    @property
    def is_preparing(self):
        """Sending, with its recipients' delivery rows still being written."""
        return self.status == self.Status.SENDING and self.recipients_ready_at is None


# Which Profile opt-in each kind of announcement follows.
KIND_FLAGS = {
    Announcement.Kind.CHAPTER: "notify_chapter",
    Announcement.Kind.JORNADAS: "notify_jornadas",
    Announcement.Kind.PROGRAMS: "notify_programs",
    Announcement.Kind.OPPORTUNITIES: "notify_opportunities",
    Announcement.Kind.DIGEST: "notify_digest",
    Announcement.Kind.SURVEY: "notify_surveys",
}
# Kinds only the system writes (the admin does not offer them for a new announcement; a
# survey's invitation, written by the surveys app, is then targeted and sent in the admin).
AUTOMATIC_KINDS = (Announcement.Kind.DIGEST, Announcement.Kind.INVITATION, Announcement.Kind.SURVEY)


class InvitationImport(models.Model):
    """The audit of one confirmed import of known people: who, when, from which source
    and file, and what happened to its lines (no personal data of the people here)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("importado por"),
    )
    created_at = models.DateTimeField(_("importado el"))
    source = models.CharField(_("fuente"), max_length=200)
    filename = models.CharField(_("archivo"), max_length=200)
    counts = models.JSONField(_("resultado por línea"), default=dict)
    announcement = models.OneToOneField(
        Announcement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation_import",
        verbose_name=_("envío de las invitaciones"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("importación de personas conocidas")
        verbose_name_plural = _("importaciones de personas conocidas")

    def __str__(self):
        return f"{self.source} ({self.created_at:%Y-%m-%d})"


class Invitee(models.Model):
    """A person IME already knows, imported from a list, invited once to join. Not a
    member: no account, no profile, listed nowhere; forgotten (the row deleted) when they
    refuse, when they do not answer within INVITATION_RETENTION_DAYS, or kept as
    "accepted" (without the imported details) once they sign up with the address."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invitada")
        ACCEPTED = "accepted", _("Se unió a la red")

    email = models.EmailField(_("correo electrónico"), max_length=254)
    name = models.CharField(_("nombre"), max_length=200, blank=True)
    country = CountryField(_("país"), blank=True)
    sector = models.ForeignKey(
        "members.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    source = models.CharField(_("fuente"), max_length=200)
    imported = models.ForeignKey(
        InvitationImport,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitees",
        verbose_name=_("importación"),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    invited_at = models.DateTimeField(_("invitada el"))
    accepted_at = models.DateTimeField(_("se unió el"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("cuenta"),
    )

    class Meta:
        ordering = ["-invited_at", "pk"]
        verbose_name = _("persona invitada")
        verbose_name_plural = _("personas invitadas")
        constraints = [
            # One invitation per address, ever (until refused or purged).
            models.UniqueConstraint(Lower("email"), name="announcements_invitee_email"),
        ]
        indexes = [models.Index(fields=["status", "invited_at"], name="announcements_invitee_due")]

    def __str__(self):
        return f"#{self.pk}"


class InvitationRefusal(models.Model):
    """An address that refused an invitation, kept only as a keyed digest (HMAC with the
    site's secret): enough to never invite it again, not enough to read it back."""

    digest = models.CharField(_("huella del correo"), max_length=64, unique=True)
    refused_at = models.DateTimeField(_("rechazó el"))

    class Meta:
        verbose_name = _("invitación rechazada")
        verbose_name_plural = _("invitaciones rechazadas")

    def __str__(self):
        return self.digest[:12]


class Delivery(models.Model):
    """One recipient of one announcement: the unit of work of the fan-out (the outbox row)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SENDING = "sending", _("Enviándose")
        SENT = "sent", _("Enviado")
        FAILED = "failed", _("Fallido")
        SKIPPED = "skipped", _("Omitido")
        CANCELLED = "cancelled", _("Cancelado")

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("aviso")
    )
    # A member; or, for an invitation (Kind.INVITATION), an invitee (no account yet).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcement_deliveries",
        verbose_name=_("persona destinataria"),
    )
    invitee = models.ForeignKey(
        "Invitee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("persona invitada"),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("motivo"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    enqueued_at = models.DateTimeField(_("encolado el"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("tomado el"), null=True, blank=True)
    sent_at = models.DateTimeField(_("enviado el"), null=True, blank=True)
    # Set when the recipient used this message's unsubscribe link (figures: bajas per aviso).
    unsubscribed_at = models.DateTimeField(_("se dio de baja el"), null=True, blank=True)

    class Meta:
        db_table = "chapters_delivery"
        ordering = ["announcement", "pk"]
        verbose_name = _("entrega")
        verbose_name_plural = _("entregas")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="chapters_delivery_unique"
            ),
            models.UniqueConstraint(
                fields=["announcement", "invitee"], name="announcements_delivery_invitee"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True, invitee__isnull=False)
                | Q(user__isnull=False, invitee__isnull=True),
                name="announcements_delivery_one_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["announcement", "status"], name="chapters_delivery_status"),
            models.Index(
                fields=["status", "claimed_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="chapters_delivery_open",
            ),
        ]

    def __str__(self):
        return f"{self.announcement_id} → {self.user_id or f'invitee {self.invitee_id}'}"
