"""The surveys app's aggregates (composed by the figures app, which surveys never imports):
counts per option, scale value and country, never a row per person. The figures app puts
every count through its one disclosure rule (small groups suppressed) before anyone,
staff included, sees it.

Free text is returned for IME staff's results page only, sorted by its text (never in the
order it came in, which the sending times could match to people) and with no link to a
response; the figures app never puts it in a CSV.
"""

from django.db.models import Count
from django.db.models.functions import Lower, Trim

from .models import Answer, Question, Survey


def _counts_of(survey) -> tuple[dict, dict, dict, dict]:
    """(answered, options, numbers, countries) counts of a survey's answers, per question."""
    answers = Answer.objects.filter(response__survey=survey).order_by()
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    options = dict(
        answers.filter(option__isnull=False)
        .values("option_id")
        .annotate(n=Count("pk"))
        .values_list("option_id", "n")
    )
    numbers, countries = {}, {}
    for question_id, number, n in (
        answers.filter(number__isnull=False)
        .values("question_id", "number")
        .annotate(n=Count("pk"))
        .values_list("question_id", "number", "n")
    ):
        numbers.setdefault(question_id, {})[number] = n
    for question_id, country, n in (
        answers.exclude(country="")
        .values("question_id", "country")
        .annotate(n=Count("pk"))
        .values_list("question_id", "country", "n")
    ):
        countries.setdefault(question_id, {})[country] = n
    return answered, options, numbers, countries


def survey_aggregates(survey: Survey, *, with_texts: bool) -> dict:
    """A survey's respondents and, per question, its counts (options, scale values or
    countries) and, `with_texts`, its free-text answers sorted by text (staff only)."""
    questions = list(survey.questions.prefetch_related("options"))
    answered, options, numbers, countries = _counts_of(survey)
    texts = {}
    if with_texts:
        for question_id, text in (
            Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.TEXT)
            .exclude(text="")
            .order_by("question_id", Lower("text"), "text")
            .values_list("question_id", "text")
        ):
            texts.setdefault(question_id, []).append(text)
    rows = []
    for question in questions:
        entry = {
            "id": question.pk,
            "kind": question.kind,
            "text_es": question.text_es,
            "text_en": question.text_en,
            "answered": answered.get(question.pk, 0),
            "rows": [],
            "countries": {},
            "texts": texts.get(question.pk, []),
        }
        if question.has_options:
            entry["rows"] = [
                {"label_es": o.text_es, "label_en": o.text_en, "count": options.get(o.pk, 0)}
                for o in question.options.all()
            ]
        elif question.scale() is not None:
            per_value = numbers.get(question.pk, {})
            entry["rows"] = [
                {"label_es": str(n), "label_en": str(n), "count": per_value.get(n, 0)}
                for n in question.scale()
            ]
        elif question.kind == Question.Kind.COUNTRY:
            entry["countries"] = countries.get(question.pk, {})
        rows.append(entry)
    return {
        "id": survey.pk,
        "title_es": survey.title_es,
        "title_en": survey.title_en,
        "kind": survey.kind,
        "respondents": survey.responses.count(),
        "questions": rows,
    }


def census_aggregates() -> dict | None:
    """The latest census that has opened (its year, respondents, and counts by country,
    city, sector, education and willingness to contribute), for the public figures; None
    when there is none yet."""
    census = (
        Survey.objects.filter(kind=Survey.Kind.CENSUS, census_year__isnull=False)
        .order_by("-census_year")
        .first()
    )
    if census is None:
        return None
    data = survey_aggregates(census, with_texts=False)
    fields = dict(census.questions.exclude(census_field="").values_list("census_field", "pk"))
    by_id = {question["id"]: question for question in data["questions"]}
    result = {"year": census.census_year, "respondents": data["respondents"]}
    for field in (Question.CensusField.SECTOR, Question.CensusField.EDUCATION,
                  Question.CensusField.CONTRIBUTE):  # fmt: skip
        question = by_id.get(fields.get(field))
        result[field] = question["rows"] if question else []
    country = by_id.get(fields.get(Question.CensusField.COUNTRY))
    result["country"] = country["countries"] if country else {}
    city_id = fields.get(Question.CensusField.CITY)
    cities = {}
    if city_id:
        # The same city written differently ("  monterrey", "Monterrey") counts once.
        for name, n in (
            Answer.objects.filter(question_id=city_id)
            .exclude(text="")
            .annotate(city=Lower(Trim("text")))
            .order_by()
            .values("city")
            .annotate(n=Count("pk"))
            .values_list("city", "n")
        ):
            cities[name.title()] = n
    result["city"] = cities
    return result
