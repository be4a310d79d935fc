"""Training programs (IA 1000): partners, the call, stages, applications, results,
the selection for the next stage and verifiable certificates.

Bilingual content is stored as `<field>_es` / `<field>_en` with a property following
the active language, like the reference rows of the members app.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.images import clean_logo
from members.choices import EducationLevel, MexicanState
from members.storage import public_storage

from .querysets import (
    ApplicationQuerySet,
    CertificateQuerySet,
    EnrolmentQuerySet,
    ProgramQuerySet,
)


def _english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def bilingual(field: str):
    """A read-only property returning `<field>_en` in English (falling back to Spanish)."""

    def getter(self):
        if _english():
            return getattr(self, f"{field}_en") or getattr(self, f"{field}_es")
        return getattr(self, f"{field}_es")

    return property(getter)


SIGNATURE_MESSAGE = _(
    "Sube la firma como PNG, JPEG o WebP de hasta 2 MB y 4000 x 4000 píxeles (de preferencia "
    "PNG con fondo transparente)."
)


def validate_partner_logo(upload):
    """A logo's rule (core.images.clean_logo): size, pixels and format from the content."""
    clean_logo(upload)


def validate_signature(upload):
    clean_logo(upload, message=SIGNATURE_MESSAGE)


def partner_logo_upload_to(instance, filename):
    return f"programs/logos/{secrets.token_hex(16)}.png"


def signature_upload_to(instance, filename):
    return f"programs/signatures/{secrets.token_hex(16)}.png"


class Partner(models.Model):
    """An institution that co-runs a program (a public research centre, a company); its
    logo, and who signs its credentials, appear on the certificates it issues."""

    class Kind(models.TextChoices):
        PUBLIC_CENTRE = "public_centre", _("Centro público de investigación")
        COMPANY = "company", _("Empresa")
        OTHER = "other", _("Otra institución")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    country = CountryField(_("país"), blank=True)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)

    # Public (members.storage): printed on certificates, shown like a chapter's logo.
    logo = models.ImageField(
        _("logotipo"),
        upload_to=partner_logo_upload_to,
        storage=public_storage,
        blank=True,
        validators=[validate_partner_logo],
    )
    signer_name = models.CharField(
        _("nombre de quien firma"),
        max_length=200,
        blank=True,
        help_text=_("Aparece bajo la firma en las constancias y certificaciones que emite."),
    )
    signer_role_es = models.CharField(
        _("cargo de quien firma (español)"), max_length=200, blank=True
    )
    signer_role_en = models.CharField(
        _("cargo de quien firma (inglés)"), max_length=200, blank=True
    )
    # Private (the default storage): read only to print the certificate and by program staff.
    signature = models.ImageField(
        _("imagen de la firma"),
        upload_to=signature_upload_to,
        blank=True,
        validators=[validate_signature],
    )

    description = bilingual("description")
    signer_role = bilingual("signer_role")

    class Meta:
        ordering = ["name"]
        verbose_name = _("institución aliada")
        verbose_name_plural = _("instituciones aliadas")

    def __str__(self):
        return self.name


class Program(models.Model):
    """A training program and its call (convocatoria)."""

    slug = models.SlugField(unique=True)
    name_es = models.CharField(_("nombre (español)"), max_length=200)
    name_en = models.CharField(_("nombre (inglés)"), max_length=200)
    summary_es = models.CharField(_("resumen (español)"), max_length=300)
    summary_en = models.CharField(_("resumen (inglés)"), max_length=300)
    description_es = models.TextField(_("descripción (español)"))
    description_en = models.TextField(_("descripción (inglés)"))
    partners = models.ManyToManyField(
        Partner, related_name="programs", blank=True, verbose_name=_("instituciones aliadas")
    )
    capacity = models.PositiveIntegerField(
        _("cupo"), help_text=_("Cuántas personas pueden ser aceptadas en el programa.")
    )
    call_opens_at = models.DateTimeField(_("la convocatoria abre"))
    call_closes_at = models.DateTimeField(_("la convocatoria cierra"))
    eligibility_es = models.TextField(_("requisitos (español)"), blank=True)
    eligibility_en = models.TextField(_("requisitos (inglés)"), blank=True)
    requires_residence_in_mexico = models.BooleanField(
        _("exige residir en México"),
        default=True,
        help_text=_(
            "Marcado: solo pueden postularse personas que viven en México (de cualquier "
            "nacionalidad), con su entidad federativa. Sin marcar (programas para la "
            "diáspora): se pregunta el país de residencia y la entidad solo si es México."
        ),
    )
    is_published = models.BooleanField(_("publicado"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    name = bilingual("name")
    summary = bilingual("summary")
    description = bilingual("description")
    eligibility = bilingual("eligibility")

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-call_opens_at", "pk"]
        verbose_name = _("programa")
        verbose_name_plural = _("programas")
        constraints = [
            models.CheckConstraint(
                condition=Q(call_closes_at__gt=models.F("call_opens_at")),
                name="programs_program_call_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.name_es

    def get_absolute_url(self):
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def call_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.call_opens_at <= now < self.call_closes_at

    @property
    def call_status(self) -> str:
        now = timezone.now()
        if now < self.call_opens_at:
            return "upcoming"
        if now < self.call_closes_at:
            return "open"
        return "closed"


class Stage(models.Model):
    """An ordered stage of a program (stage 1 virtual, stage 2 in person abroad...)."""

    class Mode(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("Presencial")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="stages", verbose_name=_("programa")
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    name_es = models.CharField(_("nombre (español)"), max_length=200)
    name_en = models.CharField(_("nombre (inglés)"), max_length=200)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)
    mode = models.CharField(_("modalidad"), max_length=12, choices=Mode.choices)
    place_es = models.CharField(_("lugar (español)"), max_length=200, blank=True)
    place_en = models.CharField(_("lugar (inglés)"), max_length=200, blank=True)
    starts_on = models.DateField(_("inicia"))
    ends_on = models.DateField(_("termina"))
    seats = models.PositiveIntegerField(
        _("lugares"),
        null=True,
        blank=True,
        help_text=_("Para etapas con selección: cuántas personas pasan a esta etapa."),
    )
    certifying_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certified_stages",
        verbose_name=_("institución que además certifica"),
    )
    certification_name = models.CharField(
        _("nombre de la certificación"),
        max_length=200,
        blank=True,
        help_text=_(
            "Cómo se llama la certificación de la institución aliada (p. ej. «HCIA-AI»); "
            "la constancia del centro es una credencial aparte."
        ),
    )
    pass_grade = models.DecimalField(
        _("promedio mínimo para concluir"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Promedio ponderado de los módulos, de 0 a 100."),
    )
    min_attendance = models.DecimalField(
        _("asistencia mínima para concluir (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Porcentaje de las sesiones; no cuenta si la etapa no tiene sesiones."),
    )

    # The stage abroad (issue 23): selected people confirm their seat within this many
    # days; a decline or no answer passes the seat to the next in rank.
    offer_days = models.PositiveSmallIntegerField(
        _("días para confirmar el lugar"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Para etapas con selección: cuántos días tiene cada persona seleccionada para "
            "confirmar o declinar su lugar. Si declina o no responde, el lugar pasa a la "
            "siguiente de la lista de espera. Vacío: no se pide confirmación."
        ),
    )
    collects_travel_data = models.BooleanField(
        _("pide datos de viaje"),
        default=False,
        help_text=_(
            "Marcado: quienes confirman su lugar dan vigencia del pasaporte, visa, fechas "
            "de llegada y salida, necesidades alimentarias y médicas y un contacto de "
            "emergencia. Se borran al terminar la etapa."
        ),
    )

    name = bilingual("name")
    description = bilingual("description")
    place = bilingual("place")

    class Meta:
        ordering = ["program", "order"]
        verbose_name = _("etapa")
        verbose_name_plural = _("etapas")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "order"], name="programs_stage_order_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programs_stage_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(pass_grade__gte=0, pass_grade__lte=100)
                & Q(min_attendance__gte=0, min_attendance__lte=100),
                name="programs_stage_thresholds_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.program.name_es} · {self.name_es}"


class Module(models.Model):
    """A graded part of a stage (machine learning, deep learning...) with its weight in the
    stage average. Its code is the column of its grade in a results file."""

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="modules", verbose_name=_("etapa")
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    code = models.SlugField(
        _("clave"),
        max_length=40,
        help_text=_("La columna de sus calificaciones en el archivo de resultados (p. ej. «ml»)."),
    )
    name_es = models.CharField(_("nombre (español)"), max_length=200)
    name_en = models.CharField(_("nombre (inglés)"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("peso"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Peso relativo en el promedio de la etapa (p. ej. 40, 40 y 20)."),
    )

    name = bilingual("name")

    class Meta:
        ordering = ["stage", "order", "pk"]
        verbose_name = _("módulo")
        verbose_name_plural = _("módulos")
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="programs_module_code_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="programs_module_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name_es} ({self.code})"


class Session(models.Model):
    """A class of a stage: virtual (with its link) or in person (with its place). Its code
    is the column of its attendance in a results file."""

    class Mode(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in_person", _("Presencial")

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("etapa")
    )
    code = models.SlugField(
        _("clave"),
        max_length=40,
        help_text=_("La columna de su asistencia en el archivo de resultados (p. ej. «s01»)."),
    )
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200)
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("módulo"),
    )
    mode = models.CharField(_("modalidad"), max_length=12, choices=Mode.choices)
    starts_at = models.DateTimeField(_("inicia"))
    duration_minutes = models.PositiveSmallIntegerField(_("duración (minutos)"), default=120)
    link = models.URLField(
        _("enlace de la sesión virtual"),
        blank=True,
        help_text=_("Solo lo ven las personas inscritas en la etapa."),
    )
    place = models.CharField(_("lugar"), max_length=200, blank=True)

    title = bilingual("title")

    class Meta:
        ordering = ["stage", "starts_at", "pk"]
        verbose_name = _("sesión")
        verbose_name_plural = _("sesiones")
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="programs_session_code_unique"),
            models.CheckConstraint(
                condition=(Q(mode="virtual") & ~Q(link="")) | (Q(mode="in_person") & ~Q(place="")),
                name="programs_session_link_or_place",
            ),
        ]

    def __str__(self):
        return f"{self.title_es} ({self.code})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.mode == self.Mode.VIRTUAL and not self.link:
            raise ValidationError({"link": SESSION_LINK_MESSAGE})
        if self.mode == self.Mode.IN_PERSON and not self.place:
            raise ValidationError({"place": SESSION_PLACE_MESSAGE})


SESSION_LINK_MESSAGE = _("Una sesión virtual necesita su enlace.")
SESSION_PLACE_MESSAGE = _("Una sesión presencial necesita su lugar.")


class Application(models.Model):
    """A person's application to a program; once accepted, they are a participant."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Solicitud recibida")
        ACCEPTED = "accepted", _("Aceptada")
        WAITLISTED = "waitlisted", _("En lista de espera")
        REJECTED = "rejected", _("No aceptada")
        WITHDRAWN = "withdrawn", _("Retirada")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Mujer")
        MAN = "man", _("Hombre")
        NON_BINARY = "non_binary", _("No binaria")
        SELF_DESCRIBED = "self_described", _("Me describo de otra forma")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="applications", verbose_name=_("programa")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="program_applications",
        verbose_name=_("persona"),
    )
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    education_level = models.CharField(
        _("nivel de estudios"), max_length=20, choices=EducationLevel.choices
    )
    education_field = models.CharField(_("área de estudios"), max_length=150)
    institution = models.CharField(_("institución"), max_length=200)
    residence_country = CountryField(_("país de residencia"), default="MX")
    # Blank only for people who do not live in Mexico (programs that do not require it).
    state = models.CharField(
        _("entidad federativa de residencia"),
        max_length=3,
        choices=MexicanState.choices,
        blank=True,
    )
    nationality = CountryField(_("país de nacionalidad"))
    # Optional and self-described; only ever shown in aggregate (inclusion figures).
    gender = models.CharField(_("género"), max_length=16, choices=Gender.choices, blank=True)
    gender_description = models.CharField(_("género (en tus palabras)"), max_length=60, blank=True)
    motivation = models.TextField(_("motivación"), max_length=3000)
    created_at = models.DateTimeField(_("solicitud enviada"), default=timezone.now)
    decided_at = models.DateTimeField(_("decisión tomada"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("solicitud")
        verbose_name_plural = _("solicitudes")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], name="programs_application_once_per_program"
            ),
            models.CheckConstraint(
                condition=Q(residence_country="MX", state__gt="")
                | (~Q(residence_country="MX") & Q(state="")),
                name="programs_application_state_iff_resident",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="programs_app_program_status")]

    def __str__(self):
        return f"{self.user.email} · {self.program.name_es}"


class Enrolment(models.Model):
    """A participant in one stage, with their result for it (score, completed, certified)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Inscrita")
        WAITLISTED = "waitlisted", _("En lista de espera")
        DECLINED = "declined", _("Declinó su lugar")
        EXPIRED = "expired", _("No confirmó a tiempo")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("solicitud"),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("etapa")
    )
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.ENROLLED
    )
    # With modules, the weighted average of the module grades (computed, never typed).
    score = models.DecimalField(
        _("promedio"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    attendance = models.DecimalField(
        _("asistencia (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Porcentaje de sesiones asistidas (vacío si la etapa no tiene sesiones)."),
    )
    completed = models.BooleanField(_("concluyó la etapa"), default=False)
    certified = models.BooleanField(_("certificada"), default=False)
    completed_on = models.DateField(_("concluyó el"), null=True, blank=True)
    # Claimed (conditional update) by the selection notice for the stage that follows
    # this one, so a re-run or a retried task never mails anyone twice.
    selection_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The seat offer of a stage with selection (Stage.offer_days): the place in the
    # selection's ranking, until when the offer stands, and the answer.
    rank = models.PositiveIntegerField(_("lugar en la selección"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("confirmar antes de"), null=True, blank=True)
    seat_confirmed_at = models.DateTimeField(_("confirmó su lugar"), null=True, blank=True)
    released_at = models.DateTimeField(_("liberó su lugar"), null=True, blank=True)
    decline_reason = models.CharField(_("motivo para declinar"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "application"]
        verbose_name = _("participación en etapa")
        verbose_name_plural = _("participaciones y resultados")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage"], name="programs_enrolment_once_per_stage"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="programs_enrolment_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(certified=False) | Q(completed=True),
                name="programs_enrolment_certified_needs_completed",
            ),
            # Only a seat holder confirms; a released seat was released at a time.
            models.CheckConstraint(
                condition=Q(seat_confirmed_at__isnull=True) | Q(status="enrolled"),
                name="programs_enrolment_confirmed_holds_seat",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["declined", "expired"]) | Q(released_at__isnull=False),
                name="programs_enrolment_released_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.application.user.email} · {self.stage.name_es}"

    @property
    def offer_pending(self) -> bool:
        """A seat offered and not answered yet (its deadline may have just passed: the
        beat task releases it, `services.expire_seat_offers`)."""
        return (
            self.status == self.Status.ENROLLED
            and self.offer_expires_at is not None
            and self.seat_confirmed_at is None
        )

    @property
    def travels(self) -> bool:
        """Confirmed on a stage that asks for travel data."""
        return self.seat_confirmed_at is not None and self.stage.collects_travel_data

    def module_rows(self) -> list[tuple]:
        """(module, grade or None) for each module of the stage; reads the prefetched
        modules and grades (ApplicationQuerySet.for_dashboard), no query of its own."""
        grades = {g.module_id: g.grade for g in self.grades.all()}
        return [(m, grades.get(m.pk)) for m in self.stage.modules.all()]

    def session_rows(self) -> list[tuple]:
        """(session, attended True/False/None) for each session of the stage (prefetched)."""
        attended = {a.session_id: a.attended for a in self.attendances.all()}
        return [(s, attended.get(s.pk)) for s in self.stage.sessions.all()]


class ModuleGrade(models.Model):
    """A participant's grade in one module of their stage."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="grades", verbose_name=_("participación")
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="grades", verbose_name=_("módulo")
    )
    grade = models.DecimalField(
        _("calificación"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["module__order", "pk"]
        verbose_name = _("calificación de módulo")
        verbose_name_plural = _("calificaciones de módulo")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module"], name="programs_grade_once_per_module"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=0, grade__lte=100), name="programs_grade_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.module.code}: {self.grade}"


class Attendance(models.Model):
    """Whether a participant attended one session of their stage."""

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("participación"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("sesión")
    )
    attended = models.BooleanField(_("asistió"))

    class Meta:
        ordering = ["session__starts_at", "pk"]
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="programs_attendance_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.session.code}: {self.attended}"


class Selection(models.Model):
    """The confirmed "best N for the next stage" of a stage; at most one per target stage."""

    source_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        related_name="selections_from",
        verbose_name=_("etapa de origen"),
    )
    target_stage = models.OneToOneField(
        Stage, on_delete=models.PROTECT, related_name="selection", verbose_name=_("etapa siguiente")
    )
    selected_count = models.PositiveIntegerField(_("seleccionadas"))
    waitlist_count = models.PositiveIntegerField(_("en lista de espera"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("confirmada por"),
    )
    confirmed_at = models.DateTimeField(_("confirmada"), default=timezone.now)

    class Meta:
        verbose_name = _("selección")
        verbose_name_plural = _("selecciones")

    def __str__(self):
        return f"{self.source_stage.name_es} → {self.target_stage.name_es}"


class Certificate(models.Model):
    """A credential earned in a stage, verifiable by its unguessable code: the centre's
    constancia, or a partner's certification with its own issuer, name, identifier and
    date (imported from the partner or issued here). At most one of each kind per
    participation."""

    class Kind(models.TextChoices):
        CONSTANCIA = "constancia", _("Constancia del centro")
        PARTNER = "partner", _("Certificación de la institución aliada")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("participación"),
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices, default=Kind.CONSTANCIA)
    issuer = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credentials",
        verbose_name=_("emisora"),
    )
    code = models.CharField(_("código"), max_length=32, unique=True, editable=False)
    # What the credential says, fixed when it is issued (a document does not change).
    issuer_name = models.CharField(_("institución emisora"), max_length=200, blank=True)
    title = models.CharField(_("nombre de la credencial"), max_length=200, blank=True)
    external_id = models.CharField(
        _("identificador de la emisora"),
        max_length=100,
        blank=True,
        help_text=_("El número o clave que la institución aliada dio a su certificación."),
    )
    holder_name = models.CharField(_("nombre de la persona"), max_length=300)
    issued_on = models.DateField(_("emitida el"))
    revoked_at = models.DateTimeField(_("revocada el"), null=True, blank=True)
    revoked_reason = models.CharField(_("motivo de la revocación"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "kind", "pk"]
        verbose_name = _("credencial")
        verbose_name_plural = _("credenciales")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind"], name="programs_certificate_one_per_kind"
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("programs:certificate_verify", kwargs={"code": self.code})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def is_partner_certification(self) -> bool:
        return self.kind == self.Kind.PARTNER

    def verification_url(self) -> str:
        """The absolute public verification address (Spanish, unprefixed: the QR's too)."""
        from django.utils import translation

        with translation.override(settings.LANGUAGE_CODE):
            return settings.SITE_URL + self.get_absolute_url()

    def linkedin_add_url(self) -> str:
        """LinkedIn's "add to profile" address for this credential: its name, issuing
        organisation, issue year and month, identifier and verification URL."""
        from urllib.parse import urlencode

        query = urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": self.display_title,
                "organizationName": self.issuer_name,
                "issueYear": self.issued_on.year,
                "issueMonth": self.issued_on.month,
                "certUrl": self.verification_url(),
                "certId": self.external_id or self.code,
            }
        )
        return f"https://www.linkedin.com/profile/add?{query}"

    @property
    def display_title(self) -> str:
        """The credential's name as it was issued; a constancia issued before names were
        stored reads "Constancia de participación"."""
        return self.title or str(_("Constancia de participación"))


class TravelDetails(models.Model):
    """What the trip of a confirmed participant needs, for stages that ask
    (Stage.collects_travel_data). Program staff read it only with a second factor, every
    read is audited (members.ProfileView), and it is deleted once the stage has ended
    (services.purge_travel_details) or with the account (personal_data.erase)."""

    class Visa(models.TextChoices):
        NOT_NEEDED = "not_needed", _("No la necesito")
        TO_APPLY = "to_apply", _("Debo tramitarla")
        APPLIED = "applied", _("En trámite")
        GRANTED = "granted", _("Otorgada")
        REFUSED = "refused", _("Negada")

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="travel", verbose_name=_("participación")
    )
    passport_valid_until = models.DateField(_("pasaporte vigente hasta"))
    visa_status = models.CharField(_("visa"), max_length=12, choices=Visa.choices)
    arrival_on = models.DateField(_("fecha de llegada"))
    departure_on = models.DateField(_("fecha de salida"))
    dietary_needs = models.CharField(_("necesidades alimentarias"), max_length=300, blank=True)
    medical_needs = models.CharField(
        _("necesidades médicas o de accesibilidad"), max_length=500, blank=True
    )
    emergency_contact_name = models.CharField(_("contacto de emergencia"), max_length=200)
    emergency_contact_phone = models.CharField(
        _("teléfono del contacto de emergencia"), max_length=40
    )
    # The express consent the law asks for sensitive data (health, beliefs): when given.
    sensitive_consent_at = models.DateTimeField(
        _("consentimiento para datos sensibles"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("datos de viaje")
        verbose_name_plural = _("datos de viaje")
        constraints = [
            models.CheckConstraint(
                condition=Q(departure_on__gt=models.F("arrival_on")),
                name="programs_travel_departure_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(passport_valid_until__gt=models.F("departure_on")),
                name="programs_travel_passport_beyond_departure",
            ),
            models.CheckConstraint(
                condition=Q(dietary_needs="", medical_needs="")
                | Q(sensitive_consent_at__isnull=False),
                name="programs_travel_sensitive_needs_consent",
            ),
        ]

    def __str__(self):
        return f"travel {self.enrolment_id}"
