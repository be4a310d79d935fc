"""Mexican organisations (counterparts of the network, issue 20): companies, universities,
research centres, public bodies and civil society. An organisation is registered by a
person, verified by the PNCS of its main sector, and only then shown to the public."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.choices import MexicanState
from members.models import ExpertiseTag, Language, Sector

from .querysets import (
    EngagementQuerySet,
    ExpertiseRequestQuerySet,
    InvitationQuerySet,
    MemberInvitationQuerySet,
    OrganizationQuerySet,
)
from .validators import validate_rfc


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Empresa")
        UNIVERSITY = "university", _("Universidad")
        RESEARCH_CENTRE = "research", _("Centro de investigación")
        PUBLIC_BODY = "public", _("Organismo público")
        CIVIL_SOCIETY = "civil", _("Sociedad civil")

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro (hasta 10 personas)")
        SMALL = "small", _("Pequeña (11 a 50)")
        MEDIUM = "medium", _("Mediana (51 a 250)")
        LARGE = "large", _("Grande (más de 250)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En revisión")
        INFO_REQUESTED = "info", _("Se pidió más información")
        VERIFIED = "verified", _("Verificada")
        DECLINED = "declined", _("No aceptada")

    legal_name = models.CharField(_("razón social"), max_length=200)
    slug = models.SlugField(_("dirección en el sitio"), max_length=80, unique=True)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    rfc = models.CharField(_("RFC"), max_length=13, validators=[validate_rfc])
    state = models.CharField(_("estado"), max_length=3, choices=MexicanState.choices)
    city = models.CharField(_("ciudad"), max_length=100)
    main_sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector principal"),
        on_delete=models.PROTECT,
        related_name="main_organizations",
        help_text=_("El PNCS de este sector verifica la organización."),
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("otros sectores"), related_name="organizations", blank=True
    )
    size = models.CharField(_("tamaño"), max_length=8, choices=Size.choices)
    website = models.URLField(_("sitio web"), blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=2000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=2000, blank=True)
    contact_name = models.CharField(_("persona de contacto"), max_length=150)
    contact_email = models.EmailField(_("correo de contacto"))
    contact_phone = models.CharField(_("teléfono de contacto"), max_length=30, blank=True)
    status = models.CharField(
        _("estado de la verificación"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    decision_reason = models.TextField(
        _("motivo o información pedida"), max_length=2000, blank=True
    )
    decided_at = models.DateTimeField(_("decidido el"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decidido por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrada el"))
    submitted_at = models.DateTimeField(_("enviada a revisión el"))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(Lower("rfc"), name="counterparts_org_rfc_unique"),
        ]
        indexes = [models.Index(fields=["status", "main_sector"], name="counterparts_org_queue")]

    def __str__(self):
        return self.legal_name

    @property
    def description(self):
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_es or self.description_en


class OrganizationMember(models.Model):
    """A person who acts for an organisation: an owner manages its people and data."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Responsable")
        MEMBER = "member", _("Integrante")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="organization_memberships",
    )
    role = models.CharField(_("papel"), max_length=8, choices=Role.choices)
    created_at = models.DateTimeField(_("desde"))

    class Meta:
        verbose_name = _("persona de la organización")
        verbose_name_plural = _("personas de la organización")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="counterparts_person_once"
            ),
        ]

    def __str__(self):
        return f"{self.organization} #{self.user_id}"


class OrganizationInvitation(models.Model):
    """An owner invites someone by e-mail to act for the organisation; the person accepts
    once signed in with that address."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("correo electrónico"))
    role = models.CharField(_("papel"), max_length=8, choices=OrganizationMember.Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitada por"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enviada el"))
    expires_at = models.DateTimeField(_("vence el"))
    accepted_at = models.DateTimeField(_("aceptada el"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitación a una organización")
        verbose_name_plural = _("invitaciones a organizaciones")

    def __str__(self):
        return f"{self.organization} → {self.email}"


class ExpertiseRequest(models.Model):
    """What a verified organisation asks of the network. The PNCS of its sector triages it:
    accepted, it is published as a PNCS opportunity (public or invite-only) and the
    coordinator invites members the matching suggests."""

    class Kind(models.TextChoices):
        MENTORING = "mentoring", _("Mentoría a la institución")
        COMMITTEE = "committee", _("Comité de evaluación")
        VISIT = "visit", _("Recibir la visita o conferencia de un miembro")
        MISSION = "mission", _("Misión comercial o entrada a un mercado")
        BINATIONAL = "binational", _("Proyecto binacional de innovación")
        TRANSFER = "transfer", _("Transferencia de conocimiento o buenas prácticas")
        SKILLS = "skills", _("Orientación sobre habilidades demandadas")
        PROGRAMME = "programme", _("Mentoría de un programa académico")
        INTERNSHIP = "internship", _("Pasantía para sus estudiantes")

    class Mode(models.TextChoices):
        REMOTE = "remote", _("A distancia")
        IN_PERSON = "in_person", _("Presencial")
        EITHER = "either", _("A distancia o presencial")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("En revisión del PNCS")
        CHANGES = "changes", _("Se pidieron cambios")
        ACCEPTED = "accepted", _("Aceptada y publicada")
        DECLINED = "declined", _("No aceptada")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.CASCADE,
        related_name="requests",
    )
    kind = models.CharField(_("tipo de solicitud"), max_length=12, choices=Kind.choices)
    title_es = models.CharField(_("título (español)"), max_length=200, blank=True)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=5000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=5000, blank=True)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector principal"),
        on_delete=models.PROTECT,
        related_name="expertise_requests",
        help_text=_("El PNCS de este sector revisa la solicitud."),
    )
    other_sectors = models.ManyToManyField(
        Sector, verbose_name=_("otros sectores"), related_name="+", blank=True
    )
    expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name=_("especialidades buscadas"), related_name="+", blank=True
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("idiomas"), related_name="+", blank=True
    )
    mode = models.CharField(_("modalidad"), max_length=10, choices=Mode.choices)
    place = models.CharField(_("lugar"), max_length=200, blank=True)
    starts_on = models.DateField(_("desde"))
    ends_on = models.DateField(_("hasta"))
    people_sought = models.PositiveSmallIntegerField(_("personas buscadas"))
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    opportunity = models.OneToOneField(
        "pncs.Opportunity",
        verbose_name=_("oportunidad publicada"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expertise_request",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presentada por"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("presentada el"))
    submitted_at = models.DateTimeField(_("enviada a revisión el"))
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)

    objects = ExpertiseRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("solicitud de una organización")
        verbose_name_plural = _("solicitudes de organizaciones")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "sector", "submitted_at"], name="counterparts_req_queue")
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        if get_language() == "en" and self.title_en:
            return self.title_en
        return self.title_es or self.title_en

    @property
    def description(self):
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_es or self.description_en


class RequestEvent(models.Model):
    """One dated step of a request's history (filed, triaged, corrected)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Presentada")
        RESUBMITTED = "resubmitted", _("Corregida y enviada de nuevo")
        ACCEPTED = "accepted", _("Aceptada y publicada")
        CHANGES = "changes", _("Se pidieron cambios")
        DECLINED = "declined", _("No aceptada")

    request = models.ForeignKey(ExpertiseRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("paso"), max_length=12, choices=Action.choices)
    reason = models.TextField(_("motivo"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha"))

    class Meta:
        verbose_name = _("paso de una solicitud")
        verbose_name_plural = _("pasos de las solicitudes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request_id} {self.action}"


class MemberInvitation(models.Model):
    """The coordinator invites a member the matching suggested to answer an accepted
    request. The organisation sees who only once the member accepts; then a thread opens
    between them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Esperando respuesta")
        ACCEPTED = "accepted", _("Aceptada")
        DECLINED = "declined", _("Declinada")
        EXPIRED = "expired", _("Vencida")

    request = models.ForeignKey(
        ExpertiseRequest,
        verbose_name=_("solicitud"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("miembro"),
        on_delete=models.CASCADE,
        related_name="expertise_invitations",
    )
    # Why the matching suggested the member, in the member's language when invited.
    reasons = models.JSONField(_("por qué se sugirió"), default=list, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer_reason = models.TextField(_("motivo"), max_length=1000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("enviada el"))
    expires_at = models.DateTimeField(_("vence el"))
    answered_at = models.DateTimeField(_("respondida el"), null=True, blank=True)
    thread = models.ForeignKey(
        "messaging.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MemberInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitación a un miembro")
        verbose_name_plural = _("invitaciones a personas integrantes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="counterparts_invite_once")
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="counterparts_inv_due")]

    def __str__(self):
        return f"{self.request_id} → {self.member_id} ({self.status})"


# --- Engagements and their outcomes: the impact ledger (issue 20) --------------------------


class Engagement(models.Model):
    """What an accepted match becomes: a member of the network working with a Mexican
    organisation (or hosting a student, for internships). Planned, then active, then
    completed (with outcomes from both sides) or cancelled (with a reason). Every change
    of state is dated in its history (EngagementEvent): who, when, why."""

    # The kinds of the requests (internship placements included): one list for both.
    Kind = ExpertiseRequest.Kind

    class State(models.TextChoices):
        PLANNED = "planned", _("Planeada")
        ACTIVE = "active", _("En curso")
        COMPLETED = "completed", _("Concluida")
        CANCELLED = "cancelled", _("Cancelada")

    kind = models.CharField(_("tipo"), max_length=12, choices=ExpertiseRequest.Kind.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="engagements",
        help_text=_("El PNCS de este sector da seguimiento a la colaboración."),
    )
    member = models.ForeignKey(
        "members.Profile",
        verbose_name=_("miembro de la red"),
        on_delete=models.CASCADE,
        related_name="engagements",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    # For internships: the Mexican student the member hosts (the internships app links its
    # placements and applications to the engagement, not the other way round).
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("estudiante"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student_engagements",
    )
    request = models.ForeignKey(
        ExpertiseRequest,
        verbose_name=_("solicitud de origen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    invitation = models.OneToOneField(
        MemberInvitation,
        verbose_name=_("invitación de origen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagement",
    )
    title = models.CharField(_("título"), max_length=200)
    state = models.CharField(
        _("estado"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    starts_on = models.DateField(_("inicio previsto"), null=True, blank=True)
    ends_on = models.DateField(_("fin previsto"), null=True, blank=True)
    # Mentoring engagements: what the mentoring should achieve, one goal per line.
    goals = models.TextField(_("objetivos"), max_length=4000, blank=True)
    started_at = models.DateTimeField(_("iniciada el"), null=True, blank=True)
    completed_at = models.DateTimeField(_("concluida el"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelada el"), null=True, blank=True)
    cancel_reason = models.TextField(_("motivo de la cancelación"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("abierta por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("abierta el"))
    updated_at = models.DateTimeField(_("actualizada el"))

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("colaboración")
        verbose_name_plural = _("colaboraciones")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["sector", "state", "created_at"], name="counterparts_eng_pipe"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="counterparts_eng_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_mentoring(self) -> bool:
        return self.kind in MENTORING_KINDS

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PLANNED, self.State.ACTIVE)


# Kinds whose engagements carry goals and dated sessions.
MENTORING_KINDS = frozenset({ExpertiseRequest.Kind.MENTORING, ExpertiseRequest.Kind.PROGRAMME})


class EngagementEvent(models.Model):
    """One dated step of an engagement (opened, started, completed, cancelled, outcome
    recorded): the audit of its state changes, with who and why."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Abierta")
        STARTED = "started", _("Iniciada")
        COMPLETED = "completed", _("Concluida")
        CANCELLED = "cancelled", _("Cancelada")
        OUTCOME = "outcome", _("Resultados registrados")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("paso"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("motivo"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha"))

    class Meta:
        verbose_name = _("paso de una colaboración")
        verbose_name_plural = _("pasos de las colaboraciones")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.engagement_id} {self.action}"


class Milestone(models.Model):
    """A dated milestone of an engagement, marked done by either side."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("hito"), max_length=200)
    due_on = models.DateField(_("fecha prevista"))
    done = models.BooleanField(_("cumplido"), default=False)
    done_at = models.DateTimeField(_("cumplido el"), null=True, blank=True)
    created_at = models.DateTimeField(_("agregado el"))

    class Meta:
        verbose_name = _("hito")
        verbose_name_plural = _("hitos")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class MentoringSession(models.Model):
    """A dated session of a mentoring engagement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("fecha"))
    minutes = models.PositiveSmallIntegerField(_("duración (minutos)"))
    topic = models.CharField(_("tema"), max_length=200)
    notes = models.TextField(_("notas"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registrada el"))

    class Meta:
        verbose_name = _("sesión de mentoría")
        verbose_name_plural = _("sesiones de mentoría")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.engagement_id} {self.held_on}"


class EngagementOutcome(models.Model):
    """What one side (the member or the organisation) records when the engagement is
    completed: the impact figures, a 1 to 5 rating of the collaboration and a short story,
    shown publicly only when both sides agree to it."""

    class Side(models.TextChoices):
        MEMBER = "member", _("Miembro de la red")
        ORGANIZATION = "organization", _("Organización")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="outcomes")
    side = models.CharField(_("lado"), max_length=12, choices=Side.choices)
    hours_given = models.PositiveIntegerField(_("horas dedicadas"), default=0)
    students_hosted = models.PositiveIntegerField(_("estudiantes recibidos"), default=0)
    agreements_signed = models.PositiveIntegerField(_("convenios firmados"), default=0)
    projects_started = models.PositiveIntegerField(
        _("proyectos financiados o iniciados"), default=0
    )
    rating = models.PositiveSmallIntegerField(
        _("calificación"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    story = models.TextField(_("historia breve"), max_length=1000, blank=True)
    share_story = models.BooleanField(_("acepto que la historia se publique"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrados el"))

    class Meta:
        verbose_name = _("resultados de una colaboración")
        verbose_name_plural = _("resultados de las colaboraciones")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "side"], name="counterparts_outcome_once_per_side"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="counterparts_outcome_rating_1_5",
            ),
        ]

    def __str__(self):
        return f"{self.engagement_id} {self.side}"
