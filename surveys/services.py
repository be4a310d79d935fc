"""Surveys: the Jornada feedback template and its automatic send, the yearly census, the
invitation through the announcements outbox, and answering once.

Who receives a survey's invitation is decided exactly as for an announcement: the
invitation *is* an announcement (kind "survey"), targeted with its audience fields and sent
by announcements.services, so each recipient gets it at most once, the opt-in
(Profile.notify_surveys) is read again at send time and the one-click unsubscribe works.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement
from announcements.services import AnnouncementError, send_automatic
from chapters.models import Jornada
from members.choices import EducationLevel
from members.models import Contribution, Sector

from .models import Answer, Option, Question, Response, Survey

logger = logging.getLogger(__name__)

# A Jornada's feedback survey goes out when it has ended, up to this long after (a
# Jornada that ended earlier, before this feature or while workers were down, is not
# surveyed months late), and stays open this long.
FEEDBACK_WINDOW = dt.timedelta(days=7)
FEEDBACK_OPEN_FOR = dt.timedelta(days=21)

CLOSED_MESSAGE = _("Esta encuesta no está abierta: ya cerró o todavía no abre.")
ALREADY_ANSWERED_MESSAGE = _("Ya respondiste esta encuesta. ¡Gracias!")
NOT_INVITED_MESSAGE = _("Esta encuesta no está dirigida a tu cuenta.")
CENSUS_EXISTS_MESSAGE = _("Ya existe el censo de ese año.")


class SurveyError(Exception):
    """An answer or a change that cannot happen; `message` is a translatable constant."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Building surveys ----------------------------------------------------------------------


def _bilingual(label) -> tuple[str, str]:
    """A lazy translatable label in Spanish and in English."""
    with translation.override("es"):
        es = str(label)
    with translation.override("en"):
        en = str(label)
    return es, en


def _add_question(
    survey, position, kind, texts, *, required=True, census_field="", options=(), using="default"
):
    question = Question.objects.using(using).create(
        survey=survey,
        position=position,
        kind=kind,
        text_es=texts[0],
        text_en=texts[1],
        required=required,
        census_field=census_field,
    )
    Option.objects.using(using).bulk_create(
        Option(question=question, position=n, text_es=es, text_en=en, code=code)
        for n, (code, es, en) in enumerate(options)
    )
    return question


FEEDBACK_QUESTIONS = [
    (
        Question.Kind.SCALE_5,
        (
            "En general, ¿qué tan útil te resultó la Jornada?",
            "Overall, how useful was the Jornada?",
        ),
        True,
        (),
    ),
    (
        Question.Kind.SINGLE,
        (
            "¿Recomendarías las Jornadas Informativas a otras personas?",
            "Would you recommend the Jornadas Informativas to others?",
        ),
        True,
        (("yes", "Sí", "Yes"), ("maybe", "Tal vez", "Maybe"), ("no", "No", "No")),
    ),
    (
        Question.Kind.MULTIPLE,
        ("¿Qué te resultó más valioso?", "What did you find most valuable?"),
        False,
        (
            ("talks", "Las charlas", "The talks"),
            ("people", "Conocer a otras personas de la red", "Meeting others in the network"),
            (
                "institutions",
                "El contacto con instituciones mexicanas",
                "Contact with Mexican institutions",
            ),
            ("programs", "La información sobre programas", "Information about programs"),
        ),
    ),
    (
        Question.Kind.TEXT,
        ("¿Qué mejorarías para la próxima?", "What would you improve next time?"),
        False,
        (),
    ),
]


def ensure_feedback_template(*, using: str = "default") -> Survey:
    """The Jornada feedback survey IME edits in the admin (created once, with default
    questions, when there is none; never overwritten)."""
    existing = Survey.objects.using(using).filter(is_template=True).first()
    if existing is not None:
        return existing
    now = timezone.now()
    with transaction.atomic(using=using):
        try:
            with transaction.atomic(using=using):
                template = Survey.objects.using(using).create(
                    kind=Survey.Kind.JORNADA_FEEDBACK,
                    is_template=True,
                    title_es="Tu opinión sobre la Jornada Informativa",
                    title_en="Your feedback on the Jornada Informativa",
                    intro_es=(
                        "Gracias por participar. Tus respuestas son anónimas en los "
                        "resultados: solo se publican cifras agregadas."
                    ),
                    intro_en=(
                        "Thank you for taking part. Your answers are anonymous in the "
                        "results: only aggregate figures are published."
                    ),
                    opens_at=now,
                    closes_at=now + FEEDBACK_OPEN_FOR,
                )
        except IntegrityError:  # another process created it first
            return Survey.objects.using(using).get(is_template=True)
        for position, (kind, texts, required, options) in enumerate(FEEDBACK_QUESTIONS):
            _add_question(
                template, position, kind, texts, required=required, options=options, using=using
            )
    return template


def copy_survey(source: Survey, **fields) -> Survey:
    """A new survey with `source`'s questions and options (and `fields` set on it)."""
    values = {
        "kind": source.kind,
        "title_es": source.title_es,
        "title_en": source.title_en,
        "intro_es": source.intro_es,
        "intro_en": source.intro_en,
        "opens_at": source.opens_at,
        "closes_at": source.closes_at,
        "open_to_members": source.open_to_members,
    }
    survey = Survey.objects.create(**{**values, **fields})
    questions = source.questions.prefetch_related("options")
    for question in questions:
        _add_question(
            survey,
            question.position,
            question.kind,
            (question.text_es, question.text_en),
            required=question.required,
            census_field=question.census_field,
            options=[(o.code, o.text_es, o.text_en) for o in question.options.all()],
        )
    return survey


CONTRIBUTE_OPTIONS = (
    ("already", "Sí, ya contribuyo", "Yes, I already contribute"),
    ("yes", "Sí, me gustaría", "Yes, I would like to"),
    ("maybe", "Tal vez", "Maybe"),
    ("no", "Por ahora no", "Not for now"),
)


def create_census(*, year: int, by=None, now=None) -> Survey:
    """The diaspora census of `year` (one a year): country, city, sector, education and
    willingness to contribute, open to every member on the site until the year ends.
    Its aggregates feed the public figures (surveys.figures, under the disclosure rule)."""
    now = now or timezone.now()
    closes = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    if closes <= now:
        raise SurveyError(CLOSED_MESSAGE)
    with transaction.atomic():
        try:
            with transaction.atomic():
                census = Survey.objects.create(
                    kind=Survey.Kind.CENSUS,
                    census_year=year,
                    title_es=f"Censo de la diáspora {year}",
                    title_en=f"Diaspora census {year}",
                    intro_es=(
                        "Cinco preguntas para conocer a la diáspora mexicana calificada. "
                        "Es voluntario; los resultados se publican solo como cifras "
                        "agregadas, nunca por persona."
                    ),
                    intro_en=(
                        "Five questions to know the qualified Mexican diaspora. It is "
                        "voluntary; results are published only as aggregate figures, never "
                        "per person."
                    ),
                    opens_at=now,
                    closes_at=closes,
                    open_to_members=True,
                    created_by=by,
                )
        except IntegrityError as exc:
            raise SurveyError(CENSUS_EXISTS_MESSAGE) from exc
        census_field = Question.CensusField
        _add_question(
            census,
            0,
            Question.Kind.COUNTRY,
            ("¿En qué país vives?", "Which country do you live in?"),
            census_field=census_field.COUNTRY,
        )
        _add_question(
            census,
            1,
            Question.Kind.TEXT,
            ("¿En qué ciudad?", "In which city?"),
            census_field=census_field.CITY,
        )
        _add_question(
            census,
            2,
            Question.Kind.SINGLE,
            ("¿En qué sector trabajas?", "Which sector do you work in?"),
            census_field=census_field.SECTOR,
            options=[(s.slug, s.name_es, s.name_en) for s in Sector.objects.order_by("order")],
        )
        _add_question(
            census,
            3,
            Question.Kind.SINGLE,
            ("¿Cuál es tu último grado de estudios?", "What is your highest level of education?"),
            census_field=census_field.EDUCATION,
            options=[(level.value, *_bilingual(level.label)) for level in EducationLevel],
        )
        _add_question(
            census,
            4,
            Question.Kind.SINGLE,
            (
                "¿Te gustaría contribuir al desarrollo de México con tu experiencia?",
                "Would you like to contribute to Mexico's development with your experience?",
            ),
            census_field=census_field.CONTRIBUTE,
            options=CONTRIBUTE_OPTIONS,
        )
        _add_question(
            census,
            5,
            Question.Kind.MULTIPLE,
            ("¿Cómo podrías contribuir?", "How could you contribute?"),
            required=False,
            options=[
                (c.slug, c.name_es, c.name_en) for c in Contribution.objects.order_by("order")
            ],
        )
    return census


# --- Sending: the invitation is an announcement --------------------------------------------


def _invitation_texts(survey: Survey) -> dict:
    closes = timezone.localdate(survey.closes_at).isoformat()
    return {
        "subject_es": f"Encuesta: {survey.title_es}"[:200],
        "subject_en": f"Survey: {survey.title_en or survey.title_es}"[:200],
        "body_es": (
            f"{survey.intro_es}\n\nLa encuesta está abierta hasta el {closes}. Es voluntaria "
            "y los resultados se publican solo como cifras agregadas. Responde con tu enlace "
            "personal, al final de este correo."
        ).strip(),
        "body_en": (
            f"{survey.intro_en or survey.intro_es}\n\nThe survey is open until {closes}. It "
            "is voluntary and results are published only as aggregate figures. Answer with "
            "your personal link, at the end of this message."
        ).strip(),
    }


def prepare_invitation(*, survey_id: int, by) -> Announcement:
    """The survey's invitation, a draft announcement of kind "survey" written from the
    survey (created once): staff then choose its audience and send it in the announcements
    admin, with that app's confirmation, test message and progress."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
        if survey is None or survey.is_template:
            raise SurveyError(NOT_INVITED_MESSAGE)
        if survey.invitation_id is not None:
            return survey.invitation
        if survey.closes_at <= timezone.now():
            raise SurveyError(CLOSED_MESSAGE)
        announcement = Announcement.objects.create(
            kind=Announcement.Kind.SURVEY, created_by=by, **_invitation_texts(survey)
        )
        survey.invitation = announcement
        survey.save(update_fields=["invitation"])
    return announcement


def jornadas_due_feedback(now):
    """Jornadas that ended within FEEDBACK_WINDOW and have no feedback survey yet."""
    return Jornada.objects.filter(
        ends_at__lte=now, ends_at__gt=now - FEEDBACK_WINDOW, feedback_surveys__isnull=True
    ).order_by("ends_at", "pk")


def send_jornada_feedback(*, jornada_id: int, now=None) -> Survey | None:
    """Copy the feedback template for one Jornada that has ended and send it to its
    registrants through the outbox (an announcement of kind "survey" whose audience is
    that Jornada's confirmed registrants). Idempotent: one survey per Jornada (a unique
    constraint), so a second run, or two at once, sends nothing more. Returns the new
    survey, or None when there was nothing to do."""
    now = now or timezone.now()
    template = ensure_feedback_template()
    with transaction.atomic():
        jornada = (
            # of=("self",): the survey side of the join is nullable (PostgreSQL locks no such row).
            Jornada.objects.select_for_update(of=("self",))
            .filter(pk=jornada_id, feedback_surveys__isnull=True)
            .first()
        )
        if jornada is None:
            return None
        title_es = f"{template.title_es}: {jornada.title_es}"[:200]
        title_en = f"{template.title_en}: {jornada.title_en or jornada.title_es}"[:200]
        try:
            with transaction.atomic():
                survey = copy_survey(
                    template,
                    jornada=jornada,
                    title_es=title_es,
                    title_en=title_en,
                    opens_at=now,
                    closes_at=now + FEEDBACK_OPEN_FOR,
                )
        except IntegrityError:
            return None
        announcement = Announcement.objects.create(
            kind=Announcement.Kind.SURVEY, chapter=jornada.chapter, **_invitation_texts(survey)
        )
        announcement.audience_jornadas.set([jornada.pk])
        survey.invitation = announcement
        survey.save(update_fields=["invitation"])
        try:
            send_automatic(announcement_id=announcement.pk)
        except AnnouncementError:  # no criterion: cannot happen with a Jornada chosen
            logger.warning("surveys: feedback of jornada %s not sent", jornada.pk)
    return survey


# --- Answering -----------------------------------------------------------------------------


def submit_response(*, survey_id: int, user_id: int, answers: dict, now=None) -> Response:
    """Record `user_id`'s answers (question id -> list of values from surveys.forms), once.

    The survey must be open; a second answer (a double submit, two tabs) is refused by the
    unique constraint on (survey, person) and leaves the first untouched."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.filter(pk=survey_id).first()
        if survey is None or not survey.is_open(now):
            raise SurveyError(CLOSED_MESSAGE)
        try:
            with transaction.atomic():
                response = Response.objects.create(survey=survey, user_id=user_id, submitted_at=now)
        except IntegrityError as exc:
            raise SurveyError(ALREADY_ANSWERED_MESSAGE) from exc
        rows = []
        for question_id, values in answers.items():
            for value in values:
                rows.append(Answer(response=response, question_id=question_id, **value))
        Answer.objects.bulk_create(rows)
    return response
