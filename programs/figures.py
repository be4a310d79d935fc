"""A program's figures: who takes part (education, state, country, gender), completion,
certification and the stage-2 selection, as server-side SVG bar charts with their data.

The public page suppresses small cells: any count from 1 to 4 shows as "<5" and draws
no bar, so nobody can be singled out. A fixed number of queries whatever the size.
"""

import itertools
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django_countries import countries

from members.choices import EducationLevel, MexicanState

from .models import Application, Enrolment, Program

SMALL_CELL = 5
CHART_WIDTH = 640
LABEL_WIDTH = 250
BAR_AREA = 320
ROW_HEIGHT = 30
BAR_HEIGHT = 20


@dataclass
class Row:
    label: str
    count: int
    display: str
    percent: str
    width: int = 0
    y: int = 0
    text_y: int = 0
    value_x: int = 0


@dataclass
class Chart:
    slug: str
    title: str
    rows: list[Row]
    summary: str
    height: int = 0
    total: int = 0
    extra: dict = field(default_factory=dict)


def _display(count: int, public: bool) -> str:
    if public and 0 < count < SMALL_CELL:
        return "<5"
    return str(count)


def _percent(count: int, total: int, public: bool) -> str:
    if not total or (public and 0 < count < SMALL_CELL):
        return "—"
    return f"{100 * count / total:.1f} %"


def _chart(slug, title, pairs, total, public, summary, row_totals=None) -> Chart:
    """Lay out a horizontal bar chart: one bar per (label, count), scaled to the largest.

    Percentages are of `total`, or of `row_totals[label]` when a row has its own base.
    """
    row_totals = row_totals or {}
    shown = [(label, count) for label, count in pairs if count or not public]
    largest = max((c for _label, c in shown if not (public and c < SMALL_CELL)), default=0)
    rows = []
    for n, (label, count) in enumerate(shown):
        suppressed = public and 0 < count < SMALL_CELL
        width = 0 if suppressed or not largest else max(1, round(BAR_AREA * count / largest))
        y = n * ROW_HEIGHT + 5
        rows.append(
            Row(
                label=str(label),
                count=count,
                display=_display(count, public),
                percent=_percent(count, row_totals.get(label, total), public),
                width=width,
                y=y,
                text_y=y + 15,
                value_x=LABEL_WIDTH + width + 8,
            )
        )
    return Chart(
        slug=slug,
        title=title,
        rows=rows,
        summary=summary,
        height=max(1, len(rows)) * ROW_HEIGHT + 10,
        total=total,
    )


def _top(pairs, public):
    visible = [(label, c) for label, c in pairs if c and not (public and c < SMALL_CELL)]
    return max(visible, key=lambda p: p[1], default=None)


def program_figures(program: Program, *, public: bool) -> dict:
    """Every figure of the program's page, computed with a constant number of queries."""
    participants = Application.objects.filter(program=program).accepted()
    total = participants.count()

    def grouped(column):
        return dict(
            participants.order_by()
            .values_list(column)
            .annotate(n=Count("pk"))
            .values_list(column, "n")
        )

    by_education = grouped("education_level")
    by_state = grouped("state")
    by_country = grouped("nationality")
    by_gender = grouped("gender")

    education_pairs = [
        (label, by_education.get(value, 0)) for value, label in EducationLevel.choices
    ]
    state_pairs = sorted(
        ((MexicanState(value).label, n) for value, n in by_state.items() if value),
        key=lambda p: (-p[1], p[0]),
    )
    country_pairs = sorted(
        ((countries.name(code) or code, n) for code, n in by_country.items() if code),
        key=lambda p: (-p[1], p[0]),
    )
    gender_pairs = [
        (label, by_gender.get(value, 0)) for value, label in Application.Gender.choices
    ] + [(_("Prefirió no indicarlo"), by_gender.get("", 0))]

    charts = []
    top = _top(education_pairs, public)
    charts.append(
        _chart(
            "education",
            _("Participantes por nivel de estudios"),
            education_pairs,
            total,
            public,
            _("%(total)s participantes; el nivel más frecuente es %(label)s (%(count)s).")
            % {"total": total, "label": top[0], "count": top[1]}
            if top
            else _("Todavía no hay participantes."),
        )
    )
    states_present = sum(1 for _label, n in state_pairs if n)
    top = _top(state_pairs, public)
    charts.append(
        _chart(
            "states",
            _("Participantes por entidad federativa de residencia"),
            state_pairs,
            total,
            public,
            _(
                "Participan personas de %(states)s entidades federativas; la que más aporta es %(label)s (%(count)s)."
            )
            % {"states": states_present, "label": top[0], "count": top[1]}
            if top
            else _("Todavía no hay participantes."),
        )
    )
    top = _top(country_pairs, public)
    charts.append(
        _chart(
            "countries",
            _("Participantes por país de nacionalidad"),
            country_pairs,
            total,
            public,
            _(
                "Participan personas de %(countries)s países; el más frecuente es %(label)s (%(count)s)."
            )
            % {"countries": len(country_pairs), "label": top[0], "count": top[1]}
            if top
            else _("Todavía no hay participantes."),
        )
    )
    women = by_gender.get(Application.Gender.WOMAN, 0)
    charts.append(
        _chart(
            "gender",
            _("Participantes por género (autodescrito, opcional)"),
            gender_pairs,
            total,
            public,
            _("Las mujeres son el %(percent)s de las personas participantes.")
            % {"percent": _percent(women, total, public)},
        )
    )

    stages = list(program.stages.all())
    stats = {
        row["stage_id"]: row
        for row in Enrolment.objects.filter(stage__program=program)
        .order_by()
        .values("stage_id")
        .annotate(
            enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waitlisted=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
            completed=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED, completed=True)),
            certified=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED, certified=True)),
        )
    }
    stage_rows = []
    for stage in stages:
        s = stats.get(stage.pk, {"enrolled": 0, "waitlisted": 0, "completed": 0, "certified": 0})
        stage_rows.append(
            {
                "stage": stage,
                "enrolled": _display(s["enrolled"], public),
                "waitlisted": _display(s["waitlisted"], public),
                "completed": _display(s["completed"], public),
                "certified": _display(s["certified"], public),
                "completion_rate": _percent(s["completed"], s["enrolled"], public),
                "certification_rate": _percent(s["certified"], s["enrolled"], public),
                "raw": s,
            }
        )
    rate_pairs = []
    rate_totals = {}
    for row in stage_rows:
        # Short labels ("Etapa 1: ...") fit the chart; the table beside it names the stage.
        order = row["stage"].order
        rate_pairs.append(
            (_("Etapa %(order)s: concluyeron") % {"order": order}, row["raw"]["completed"])
        )
        rate_pairs.append(
            (_("Etapa %(order)s: certificadas") % {"order": order}, row["raw"]["certified"])
        )
        # Each stage's rates are of the people enrolled in that stage.
        for label, _count in rate_pairs[-2:]:
            rate_totals[label] = row["raw"]["enrolled"]
    first = stage_rows[0] if stage_rows else None
    charts.append(
        _chart(
            "completion",
            _("Conclusión y certificación por etapa"),
            rate_pairs,
            first["raw"]["enrolled"] if first else 0,
            public,
            _(
                "En la primera etapa concluyó el %(completed)s y se certificó el %(certified)s de las personas inscritas."
            )
            % {"completed": first["completion_rate"], "certified": first["certification_rate"]}
            if first
            else _("El programa todavía no tiene etapas."),
            row_totals=rate_totals,
        )
    )

    selection_rows = []
    for previous, stage in itertools.pairwise(stage_rows):
        completed = previous["raw"]["completed"]
        selected = stage["raw"]["enrolled"]
        selection_rows.append(
            {
                "stage": stage["stage"],
                "from_stage": previous["stage"],
                "seats": stage["stage"].seats,
                "selected": _display(selected, public),
                "waitlisted": stage["waitlisted"],
                "candidates": _display(completed, public),
                "rate": _percent(selected, completed, public),
            }
        )
    if len(stage_rows) >= 2:
        charts.extend(_selection_charts(stage_rows[0], stage_rows[1], total, public))
    return {
        "total": total,
        "total_display": _display(total, public),
        "charts": charts,
        "stages": stage_rows,
        "selections": selection_rows,
        "public": public,
        "chart_width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def _selection_charts(first, second, total, public) -> list[Chart]:
    """The selection for the second stage: the funnel, and who was selected by gender."""
    stage = second["stage"]
    funnel = [
        (_("Participantes"), total),
        (_("Concluyeron la etapa 1"), first["raw"]["completed"]),
        (_("Seleccionadas para la etapa 2"), second["raw"]["enrolled"]),
        (_("En lista de espera"), second["raw"]["waitlisted"]),
    ]
    selected = second["raw"]["enrolled"]
    by_gender = dict(
        Enrolment.objects.filter(stage=stage, status=Enrolment.Status.ENROLLED)
        .order_by()
        .values_list("application__gender")
        .annotate(n=Count("pk"))
        .values_list("application__gender", "n")
    )
    gender_pairs = [
        (label, by_gender.get(value, 0)) for value, label in Application.Gender.choices
    ] + [(_("Prefirió no indicarlo"), by_gender.get("", 0))]
    women = by_gender.get(Application.Gender.WOMAN, 0)
    return [
        _chart(
            "selection",
            _("Selección para %(stage)s") % {"stage": stage.name},
            funnel,
            total,
            public,
            _(
                "De %(completed)s personas que concluyeron la etapa 1, %(selected)s pasaron a %(stage)s (%(rate)s)."
            )
            % {
                "completed": _display(first["raw"]["completed"], public),
                "selected": _display(selected, public),
                "stage": stage.name,
                "rate": _percent(selected, first["raw"]["completed"], public),
            },
        ),
        _chart(
            "selection-gender",
            _("Personas seleccionadas para %(stage)s por género") % {"stage": stage.name},
            gender_pairs,
            selected,
            public,
            _("Las mujeres son el %(percent)s de las personas seleccionadas.")
            % {"percent": _percent(women, selected, public)},
        ),
    ]
