"""Demo surveys (issue 26): a closed survey with answers (its results page shows the
aggregates, small groups hidden, and some free text), this year's diaspora census open to
every member with answers drawn from the demo profiles (the public figures show it), and
the Jornada feedback template. Fictitious text only. Runs before the figures' demo, whose
snapshot then counts the census."""

import datetime

from django.db import transaction
from django.utils import timezone

from members.checks import DEMO_MEMBER_DOMAIN
from members.models import Profile
from surveys import services
from surveys.models import Answer, Option, Question, Response, Survey

CLOSED_TITLE = "Encuesta de mentoría 2026"
CLOSED_QUESTIONS = [
    (
        "single",
        ("¿Has sido mentor o mentora de una institución mexicana?", "Have you mentored a Mexican institution?"),
        [("Sí, este año", "Yes, this year"), ("Sí, antes", "Yes, before"), ("Nunca", "Never")],
    ),
    ("scale10", ("¿Qué tan probable es que recomiendes la mentoría?", "How likely are you to recommend mentoring?"), []),
    (
        "multiple",
        ("¿Qué formato prefieres?", "Which format do you prefer?"),
        [("En línea", "Online"), ("Presencial", "In person"), ("Por proyecto", "Per project")],
    ),
    ("text", ("¿Qué necesitarías para mentorear más?", "What would you need to mentor more?"), []),
]  # fmt: skip
FREE_TEXTS = [
    "Más tiempo protegido en mi trabajo.",
    "Una lista de instituciones interesadas.",
    "Sesiones en horario de la costa oeste.",
    "Materiales en inglés para mi equipo.",
    "Reconocimiento formal de la mentoría.",
    "Un calendario compartido con las universidades.",
]
CONTRIBUTE_WEIGHTS = {"already": 2, "yes": 5, "maybe": 3, "no": 1}


def _closed_survey(now):
    survey = Survey.objects.filter(title_es=CLOSED_TITLE).first()
    if survey is not None:
        return survey, False
    survey = Survey.objects.create(
        title_es=CLOSED_TITLE,
        title_en="Mentoring survey 2026",
        intro_es="Queremos saber cómo apoyar mejor la mentoría de la red.",
        intro_en="We want to know how to better support mentoring in the network.",
        opens_at=now - datetime.timedelta(days=40),
        closes_at=now - datetime.timedelta(days=10),
        open_to_members=True,
    )
    for position, (kind, (es, en), options) in enumerate(CLOSED_QUESTIONS):
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            text_es=es,
            text_en=en,
            required=kind != "text",
        )
        Option.objects.bulk_create(
            Option(question=question, position=n, text_es=o_es, text_en=o_en)
            for n, (o_es, o_en) in enumerate(options)
        )
    return survey, True


def _answer_closed(survey, people, rng, now):
    questions = list(survey.questions.prefetch_related("options"))
    responses = Response.objects.bulk_create(
        Response(survey=survey, user_id=user_id, submitted_at=now - datetime.timedelta(days=20))
        for user_id in people
    )
    rows = []
    for response in responses:
        for question in questions:
            options = list(question.options.all())
            if question.kind == "single":
                # Weighted: a large, a middle and a small group (the small one is hidden).
                option = rng.choices(options, weights=[12, 8, 1])[0]
                rows.append(Answer(response=response, question=question, option=option))
            elif question.kind == "multiple":
                for option in rng.sample(options, rng.randint(1, 2)):
                    rows.append(Answer(response=response, question=question, option=option))
            elif question.kind == "scale10":
                number = rng.choice([6, 7, 8, 8, 9, 9, 9, 10, 10, 3])
                rows.append(Answer(response=response, question=question, number=number))
            elif rng.random() < 0.4:
                rows.append(
                    Answer(response=response, question=question, text=rng.choice(FREE_TEXTS))
                )
    Answer.objects.bulk_create(rows)


def _answer_census(census, profiles, rng, now):
    fields = {q.census_field: q for q in census.questions.prefetch_related("options")}
    options = {
        field: {o.code: o for o in question.options.all()} for field, question in fields.items()
    }
    contribute_codes = list(CONTRIBUTE_WEIGHTS)
    F = Question.CensusField
    responses = Response.objects.bulk_create(
        Response(survey=census, user_id=profile.user_id, submitted_at=now) for profile in profiles
    )
    rows = []
    for response, profile in zip(responses, profiles, strict=True):
        rows.append(Answer(response=response, question=fields[F.COUNTRY], country=profile.country))
        if profile.city:
            rows.append(Answer(response=response, question=fields[F.CITY], text=profile.city))
        primary = next(
            (ps.sector.slug for ps in profile.profile_sectors.all() if ps.is_primary), None
        )
        if primary in options[F.SECTOR]:
            rows.append(
                Answer(
                    response=response, question=fields[F.SECTOR], option=options[F.SECTOR][primary]
                )
            )
        if profile.education_level in options[F.EDUCATION]:
            option = options[F.EDUCATION][profile.education_level]
            rows.append(Answer(response=response, question=fields[F.EDUCATION], option=option))
        code = rng.choices(contribute_codes, weights=list(CONTRIBUTE_WEIGHTS.values()))[0]
        rows.append(
            Answer(
                response=response, question=fields[F.CONTRIBUTE], option=options[F.CONTRIBUTE][code]
            )
        )
    Answer.objects.bulk_create(rows)


def seed(*, stdout, rng, **kwargs):
    """The feedback template, the closed survey and this year's census (once each)."""
    now = timezone.now()
    services.ensure_feedback_template()
    demo = (
        Profile.objects.filter(user__email__endswith=f"@{DEMO_MEMBER_DOMAIN}")
        .exclude(country="")
        .select_related("user")
        .prefetch_related("profile_sectors__sector")
        .order_by("user_id")
    )
    people = list(demo)
    # The first demo member (miembro0001) answers neither: the demo shows them the census
    # still to answer.
    respondents = people[1:]
    with transaction.atomic():
        survey, created = _closed_survey(now)
        if created:
            chosen = rng.sample(respondents, min(len(respondents), 60))
            _answer_closed(survey, [p.user_id for p in chosen], rng, now)
        census = Survey.objects.filter(census_year=now.year).first()
        if census is None:
            census = services.create_census(year=now.year, now=now)
            chosen = rng.sample(respondents, min(len(respondents), max(len(respondents) // 2, 1)))
            _answer_census(census, chosen, rng, now)
    stdout.write(
        f"surveys: {survey.responses.count()} answers to a closed survey, "
        f"{census.responses.count()} to the {census.census_year} census"
    )
