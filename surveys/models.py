"""Surveys to the network and the yearly diaspora census (issue 26).

IME staff build a bilingual survey in the admin (questions and their options in Spanish and
English), then send it like an announcement: the survey's invitation is an announcement of
kind "survey" (announcements), targeted with the same audience fields and sent through the
same outbox, each recipient's message carrying their own signed link (surveys.mail_links).

A member answers once (`Response`, unique per survey and person). The answers are read
only as aggregates, through the disclosure rule of the figures app (which composes
surveys.figures, as it does every app's figures): small groups are suppressed, free text
is shown to IME staff without names, and no export links an answer to a person. A
member's own answers are in their data download and deleted with their account
(surveys.personal_data).

The relations to chapters' Jornadas and to announcements are named by string; this app
imports those apps' services, never the other way round.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.language import by_language

from .querysets import SurveyQuerySet

TEXT_MAX_LENGTH = 500


class Survey(models.Model):
    """A bilingual questionnaire, open between two dates, answered once per person."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("Encuesta")
        JORNADA_FEEDBACK = "jornada_feedback", _("Opinión sobre una Jornada Informativa")
        CENSUS = "census", _("Censo de la diáspora")

    kind = models.CharField(
        _("tipo"), max_length=20, choices=Kind.choices, default=Kind.GENERAL, editable=False
    )
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200)
    intro_es = models.TextField(_("presentación (español)"), max_length=2000, blank=True)
    intro_en = models.TextField(_("presentación (inglés)"), max_length=2000, blank=True)
    opens_at = models.DateTimeField(_("abre el"))
    closes_at = models.DateTimeField(_("cierra el"))
    open_to_members = models.BooleanField(
        _("cualquier persona integrante puede responder en el sitio"),
        default=False,
        help_text=_(
            "Si no, solo quienes recibieron la invitación (con su enlace personal o "
            "entrando a su cuenta)."
        ),
    )
    is_template = models.BooleanField(
        _("plantilla de la encuesta de opinión de las Jornadas"),
        default=False,
        editable=False,
        help_text=_(
            "Se copia y se envía sola a quienes se registraron en cada Jornada al terminar."
        ),
    )
    jornada = models.ForeignKey(
        "chapters.Jornada",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_surveys",
        verbose_name=_("Jornada evaluada"),
        editable=False,
    )
    census_year = models.PositiveSmallIntegerField(
        _("año del censo"), null=True, blank=True, editable=False
    )
    invitation = models.OneToOneField(
        "announcements.Announcement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey",
        verbose_name=_("invitación (aviso)"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creada por"),
        editable=False,
    )
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("encuesta")
        verbose_name_plural = _("encuestas")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="surveys_survey_closes_after"
            ),
            # One feedback survey per Jornada: the periodic task may run twice.
            models.UniqueConstraint(
                fields=["jornada"],
                condition=Q(jornada__isnull=False),
                name="surveys_survey_one_per_jornada",
            ),
            models.UniqueConstraint(
                fields=["census_year"],
                condition=Q(census_year__isnull=False),
                name="surveys_survey_one_census_a_year",
            ),
            models.UniqueConstraint(
                fields=["is_template"],
                condition=Q(is_template=True),
                name="surveys_survey_one_template",
            ),
        ]

    def __str__(self):
        return self.title_es

    @property
    def title(self):
        return by_language(self.title_es, self.title_en)

    @property
    def intro(self):
        return by_language(self.intro_es, self.intro_en)

    def is_open(self, now) -> bool:
        return not self.is_template and self.opens_at <= now < self.closes_at


class Question(models.Model):
    """One question of a survey, bilingual, in its place."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Opción única")
        MULTIPLE = "multiple", _("Opción múltiple")
        SCALE_5 = "scale5", _("Escala del 1 al 5")
        SCALE_10 = "scale10", _("Escala del 0 al 10")
        TEXT = "text", _("Texto breve")
        COUNTRY = "country", _("País")

    class CensusField(models.TextChoices):
        # What a census question feeds in the public figures (surveys.figures).
        COUNTRY = "country", _("País de residencia")
        CITY = "city", _("Ciudad")
        SECTOR = "sector", _("Sector")
        EDUCATION = "education", _("Escolaridad")
        CONTRIBUTE = "contribute", _("Disposición a contribuir")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("encuesta")
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    kind = models.CharField(_("tipo de pregunta"), max_length=10, choices=Kind.choices)
    text_es = models.CharField(_("pregunta (español)"), max_length=300)
    text_en = models.CharField(_("pregunta (inglés)"), max_length=300)
    required = models.BooleanField(_("obligatoria"), default=True)
    census_field = models.CharField(
        _("dato del censo"), max_length=12, choices=CensusField.choices, blank=True, editable=False
    )

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("pregunta")
        verbose_name_plural = _("preguntas")

    def __str__(self):
        return self.text_es

    @property
    def text(self):
        return by_language(self.text_es, self.text_en)

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    def scale(self) -> range | None:
        """The values of a scale question (None for the others)."""
        if self.kind == self.Kind.SCALE_5:
            return range(1, 6)
        if self.kind == self.Kind.SCALE_10:
            return range(0, 11)
        return None


class Option(models.Model):
    """One choice of a single- or multiple-choice question, bilingual."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("pregunta")
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    text_es = models.CharField(_("opción (español)"), max_length=200)
    text_en = models.CharField(_("opción (inglés)"), max_length=200)
    # A census option's reference (a sector's slug, an education level): language-neutral.
    code = models.CharField(_("código"), max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("opción")
        verbose_name_plural = _("opciones")

    def __str__(self):
        return self.text_es

    @property
    def text(self):
        return by_language(self.text_es, self.text_en)


class Response(models.Model):
    """One person's answers to one survey: at most one (the unique constraint settles a
    double submit). Linked to the person for their data download and the deletion of their
    account only: results are read as aggregates (surveys.figures), never per person."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("encuesta")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("persona"),
    )
    submitted_at = models.DateTimeField(_("respondida el"))

    class Meta:
        ordering = ["survey", "pk"]
        verbose_name = _("respuesta")
        verbose_name_plural = _("respuestas")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="surveys_response_once"),
        ]

    def __str__(self):
        return f"#{self.pk}"


class Answer(models.Model):
    """One answer to one question: a chosen option (one row per option of a multiple
    choice), a number on a scale, a country, or a short text."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("respuesta")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("pregunta")
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("opción"),
    )
    number = models.SmallIntegerField(_("valor"), null=True, blank=True)
    country = CountryField(_("país"), blank=True)
    text = models.CharField(_("texto"), max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["response", "question", "pk"]
        verbose_name = _("respuesta a una pregunta")
        verbose_name_plural = _("respuestas a preguntas")
        indexes = [models.Index(fields=["question", "option"], name="surveys_answer_option")]

    def __str__(self):
        return f"#{self.pk}"
