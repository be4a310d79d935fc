"""Survey results and the diaspora census, under the one disclosure rule (figures.disclosure)
and the one chart layout (figures.charts), from surveys.figures' aggregates.

Survey answers are opinions of small, known audiences (a Jornada's thirty registrants), so
their results go through the public rule on every page, the IME staff results page
included: counts of 1 to 4 are shown as "<5", with secondary suppression against the
number who answered, and a question answered by fewer than five people shows no breakdown.
Free text is for IME staff only, without names, sorted by its text, and only once at least
MIN_CELL people answered the question; it never goes into a CSV.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import charts
from .charts import country_name, language
from .disclosure import AT_MOST, EQUAL, MIN_CELL, breakdown, count

SURVEY_NOTE = _(
    "Resultados agregados: los grupos de menos de cinco personas se muestran como «<5» y, "
    "cuando el número de respuestas permitiría deducir un grupo pequeño, se reserva también "
    "otro («≥5»). Una pregunta con menos de cinco respuestas no muestra su desglose. Nadie ve "
    "las respuestas de una persona."
)
TEXTS_WITHHELD = _(
    "Las respuestas de texto se muestran cuando al menos cinco personas respondieron la pregunta."
)


def _label(entry: dict, key: str = "label") -> str:
    if language() == "en":
        return entry.get(f"{key}_en") or entry[f"{key}_es"]
    return entry[f"{key}_es"]


def _answered_summary(answered) -> str:
    return gettext("Personas que respondieron esta pregunta: %(count)s.") % {"count": answered.text}


def question_figure(question: dict):
    """One question's figure (None for a free-text question, which has no counts)."""
    answered = count(question["answered"], public=True)
    slug = f"question-{question['id']}"
    title = _label(question, "text")
    summary = _answered_summary(answered)
    unit = gettext("Respuestas")
    kind = question["kind"]
    if kind == "country":
        pairs = [(country_name(code), n) for code, n in question["countries"].items() if n]
        table = breakdown(pairs, public=True, total=answered, relation=EQUAL).ranked()
        return charts.bar_figure(slug, title, table, summary=summary, unit=unit)
    if kind == "text":
        return None
    pairs = [(_label(row), row["count"]) for row in question["rows"]]
    if kind == "multiple":
        # One person may choose several options: the cells add up to no total, and only a
        # question answered by fewer than five hides its breakdown whole.
        total = answered if answered.small else None
        table = breakdown(pairs, public=True, total=total, keep_zeros=True)
    else:
        table = breakdown(pairs, public=True, total=answered, relation=EQUAL, keep_zeros=True)
    return charts.bar_figure(slug, title, table, summary=summary, unit=unit)


def survey_results(aggregates: dict) -> dict:
    """The results page of one survey: a figure per counted question, the free texts."""
    figures, texts = [], []
    for question in aggregates["questions"]:
        figure = question_figure(question)
        if figure is not None:
            figures.append(figure)
            continue
        shown = question["answered"] >= MIN_CELL
        texts.append(
            {
                "id": question["id"],
                "title": _label(question, "text"),
                "answered": count(question["answered"], public=True),
                "texts": question["texts"] if shown else [],
                "withheld": not shown and question["answered"] > 0,
            }
        )
    return {
        "title": _label(aggregates, "title"),
        "respondents": count(aggregates["respondents"], public=True),
        "figures": figures,
        "texts": texts,
    }


def census_figures(data) -> dict | None:
    """The latest diaspora census on the public page: respondents, and who they are by
    country, city, sector, education and willingness to contribute (None: no census yet)."""
    census = data.get("census")
    if not census:
        return None
    respondents = count(census["respondents"], public=True)
    year = census["year"]

    def table(pairs):
        # Each respondent in at most one row (some skip a question): at most the total.
        return breakdown(pairs, public=True, total=respondents, relation=AT_MOST).ranked()

    def bar(slug, title, pairs):
        return charts.bar_figure(
            f"census-{slug}",
            title,
            table(pairs),
            summary=gettext("Censo %(year)s; personas que respondieron: %(count)s.")
            % {"year": year, "count": respondents.text},
        )

    countries = [(country_name(code), n) for code, n in census["country"].items() if n]
    return {
        "year": year,
        "respondents": respondents,
        "figures": [
            bar("countries", gettext("Censo: país de residencia"), countries),
            bar("cities", gettext("Censo: ciudad"), list(census["city"].items())),
            bar(
                "sectors",
                gettext("Censo: sector"),
                [(_label(row), row["count"]) for row in census["sector"]],
            ),
            bar(
                "education",
                gettext("Censo: escolaridad"),
                [(_label(row), row["count"]) for row in census["education"]],
            ),
            bar(
                "contribute",
                gettext("Censo: disposición a contribuir con México"),
                [(_label(row), row["count"]) for row in census["contribute"]],
            ),
        ],
    }
