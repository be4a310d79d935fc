"""Internships for Mexican students (issue 20): members offer placements at the
institutions where they work abroad, the PNCS of the placement's sector reviews each one
before it is published, and Mexican students (an account with a student profile, not a
member's profile) apply with their CV. The host and the PNCS shortlist, accept or decline;
seats are never overbooked."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.language import by_language
from members.choices import MexicanState
from members.models import Language, Sector

from .querysets import ApplicationQuerySet, PlacementQuerySet, StudentProfileQuerySet

MAX_CV_BYTES = 5 * 1024 * 1024
CV_SIZE_MESSAGE = _("El CV pesa más de 5 MB. Sube un PDF más ligero.")
CV_TYPE_MESSAGE = _("El CV debe ser un archivo PDF (el contenido, no solo el nombre).")
DEADLINE_AFTER_START = _("La fecha límite para postular debe ser anterior al inicio.")
SEATS_RANGE = _("Indica entre 1 y 50 lugares.")
CV_EMPTY_MESSAGE = _("El archivo del CV está vacío. Sube tu CV en PDF.")


def validate_cv(upload):
    """Size cap, then the content must start with the PDF signature (not the name)."""
    if upload.size is not None and upload.size > MAX_CV_BYTES:
        raise ValidationError(CV_SIZE_MESSAGE, code="too_large")
    if not upload.size:
        raise ValidationError(CV_EMPTY_MESSAGE, code="empty")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(CV_TYPE_MESSAGE, code="type")


def cv_upload_to(instance, filename):
    # A random stored name in the private storage: the student's file name never becomes
    # a path, and the name is no key to the file (the views check who asks).
    return f"internships/cv/{secrets.token_hex(16)}.pdf"


class Placement(models.Model):
    """A placement a member offers at the institution where they work abroad."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("En revisión del PNCS")
        CHANGES = "changes", _("Se pidieron cambios")
        PUBLISHED = "published", _("Publicada")
        DECLINED = "declined", _("No aceptada")

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("anfitrión"),
        on_delete=models.CASCADE,
        related_name="hosted_placements",
    )
    title_es = models.CharField(_("título (español)"), max_length=200, blank=True)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=5000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=5000, blank=True)
    institution = models.CharField(_("institución anfitriona"), max_length=200)
    country = CountryField(_("país"))
    city = models.CharField(_("ciudad"), max_length=100)
    field = models.CharField(_("área o disciplina"), max_length=120)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="placements",
        help_text=_("El PNCS de este sector revisa la pasantía antes de publicarla."),
    )
    language = models.ForeignKey(
        Language,
        verbose_name=_("idioma de trabajo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("inicio"))
    duration_weeks = models.PositiveSmallIntegerField(
        _("duración (semanas)"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    paid = models.BooleanField(_("con apoyo económico"), default=False)
    stipend = models.CharField(
        _("monto del apoyo"),
        max_length=120,
        blank=True,
        help_text=_("Por ejemplo: 1,500 USD al mes."),
    )
    seats = models.PositiveSmallIntegerField(
        _("lugares"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    deadline = models.DateField(_("fecha límite para postular"))
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_at = models.DateTimeField(_("creada el"))
    submitted_at = models.DateTimeField(_("enviada a revisión el"))
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("pasantía")
        verbose_name_plural = _("pasantías")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1),
                name="internships_placement_seats",
                violation_error_message=SEATS_RANGE,
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__lt=models.F("starts_on")),
                name="internships_placement_deadline_first",
                violation_error_message=DEADLINE_AFTER_START,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="internships_pl_listing"),
            models.Index(fields=["status", "sector"], name="internships_pl_queue"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return by_language(self.title_es, self.title_en)

    @property
    def description(self):
        return by_language(self.description_es, self.description_en)


class PlacementEvent(models.Model):
    """One dated step of a placement's review (submitted, corrected, published, ...)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Enviada a revisión")
        RESUBMITTED = "resubmitted", _("Corregida y enviada de nuevo")
        PUBLISHED = "published", _("Aprobada y publicada")
        CHANGES = "changes", _("Se pidieron cambios")
        DECLINED = "declined", _("No aceptada")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("paso"), max_length=12, choices=Action.choices)
    reason = models.TextField(_("motivo"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha"))

    class Meta:
        verbose_name = _("paso de una pasantía")
        verbose_name_plural = _("pasos de las pasantías")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.placement_id} {self.action}"


class StudentProfile(models.Model):
    """A Mexican student's profile: what hosts see of an applicant (with the CV, only for
    the placements the student applied to)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cuenta"),
        on_delete=models.CASCADE,
        related_name="student_profile",
    )
    full_name = models.CharField(_("nombre completo"), max_length=200)
    university = models.CharField(_("universidad"), max_length=200)
    programme = models.CharField(_("carrera o programa"), max_length=200)
    semester = models.PositiveSmallIntegerField(
        _("semestre"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    state = models.CharField(_("estado"), max_length=3, choices=MexicanState.choices)
    # Private storage (STORAGES["default"]); served only by the permission-checked views.
    cv = models.FileField(
        _("CV (PDF)"),
        upload_to=cv_upload_to,
        blank=True,
        validators=[validate_cv],
        help_text=_("Un PDF de hasta 5 MB."),
    )
    cv_uploaded_at = models.DateTimeField(_("CV subido el"), null=True, blank=True)
    created_at = models.DateTimeField(_("registrado el"))

    objects = StudentProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("perfil de estudiante")
        verbose_name_plural = _("perfiles de estudiantes")

    def __str__(self):
        return self.full_name


class Application(models.Model):
    """A student's application to a placement. Applying records the student's consent to
    share their CV with the host (and the PNCS) of this placement only; withdrawing it
    (before a decision) revokes that consent: the CV is no longer shown for it."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Recibida")
        SHORTLISTED = "shortlisted", _("Preseleccionada")
        ACCEPTED = "accepted", _("Aceptada")
        DECLINED = "declined", _("No seleccionada")
        WITHDRAWN = "withdrawn", _("Retirada por la persona estudiante")

    placement = models.ForeignKey(
        Placement,
        verbose_name=_("pasantía"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("estudiante"),
        on_delete=models.CASCADE,
        related_name="internship_applications",
    )
    motivation = models.TextField(_("motivación"), max_length=2000)
    cv_consent_at = models.DateTimeField(_("consentimiento para compartir el CV"))
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    decision_reason = models.TextField(_("motivo"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enviada el"))
    # An accepted application becomes an engagement of the network (counterparts' ledger
    # of outcomes) between the host and the student.
    engagement = models.ForeignKey(
        "counterparts.Engagement",
        verbose_name=_("colaboración"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="internship_applications",
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("postulación a una pasantía")
        verbose_name_plural = _("postulaciones a pasantías")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "student"], name="internships_apply_once"),
        ]

    def __str__(self):
        return f"{self.placement_id} ← {self.student_id} ({self.status})"

    @property
    def undecided(self) -> bool:
        """Received or shortlisted: the host or the PNCS may still decide it, and the
        student may still withdraw it."""
        return self.status in (self.Status.APPLIED, self.Status.SHORTLISTED)
