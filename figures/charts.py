"""One layout for every chart: horizontal bars, monthly columns and the world map, drawn
as server-side SVG by one template (figures/_figure.html) beside a data table that is also
the figure's CSV.

Charts draw what figures.disclosure lets a page show: a bar only for a count shown
exactly; a hidden count ("<5", "≥5") has its row in the table and no bar, so the length of
a bar never gives a hidden count back. Every page, public or staff, network or program,
goes through here.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext, override
from django_countries import countries

from core.worldmap import world_geometry

from .disclosure import NOT_SHOWN, Breakdown, Count, percent

CHART_WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = 330
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARACTERS = 32
COLUMN_CHART_HEIGHT = 220
COLUMN_AREA_HEIGHT = 170
COLUMNS_SHOWN = 36  # months on the growth chart; its table keeps them all
MAP_CLASSES = 5


@dataclass
class Bar:
    label: str
    display: str
    width: int = 0
    height: int = 0
    x: int = 0
    y: int = 0
    text_x: int = 0
    text_y: int = 0
    value_x: int = 0
    value_y: int = 0
    show_label: bool = True


@dataclass
class Shape:
    code: str
    name: str
    path: str
    css_class: str
    display: str


@dataclass
class Figure:
    """One figure: what the page shows and what its CSV holds (`headers` + `rows`)."""

    slug: str
    title: str
    summary: str
    headers: list
    rows: list
    kind: str = "table"  # "bar", "column", "map" or "table"
    bars: list = field(default_factory=list)
    shapes: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    height: int = 0
    width: int = CHART_WIDTH
    no_data: bool = False
    withheld: bool = False  # a breakdown that could not be shown without giving a cell away
    paths: str = ""
    baseline: int = 0


def language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()[:2]


@cache
def _country_names(code: str) -> dict:
    """ISO alpha-2 -> country name in a language (translating names one by one is slow)."""
    with override(code):
        return {alpha2: str(name) for alpha2, name in countries}


def country_name(code: str) -> str:
    return _country_names(language()).get(code) or code


def bar_figure(
    slug, title, table: Breakdown, *, summary, unit=None, base: Count | None = None, bases=None
) -> Figure:
    """Horizontal bars of a table's rows, scaled to the largest count shown exactly.

    With `base` (or per-row `bases`, by label) the table gets a percentage column under
    figures.disclosure.percent; without, none (a public network page shows no percentages:
    its total is rounded)."""
    largest = max((cell.value for cell in table.cells if cell.exact), default=0)
    bars, rows = [], []
    for index, (label, cell) in enumerate(table.rows):
        width = max(1, round(BAR_AREA * cell.value / largest)) if cell.exact and cell.value else 0
        y = index * ROW_HEIGHT + 5
        bars.append(
            Bar(
                label=label,
                display=cell.text,
                width=width,
                height=BAR_HEIGHT,
                x=LABEL_WIDTH,
                y=y,
                text_x=LABEL_WIDTH - 8,
                text_y=y + 14,
                value_x=LABEL_WIDTH + width + 6,
                value_y=y + 14,
            )
        )
        row = [label, cell.text]
        if base is not None or bases is not None:
            row_base = (bases or {}).get(label, base)
            row.append(percent(cell, row_base) if row_base is not None else NOT_SHOWN)
        rows.append(row)
    headers = [gettext("Grupo"), str(unit or gettext("Personas"))]
    if base is not None or bases is not None:
        headers.append(gettext("Porcentaje"))
    return Figure(
        slug=slug,
        title=str(title),
        summary=str(summary),
        headers=headers,
        rows=rows,
        kind="bar",
        bars=bars,
        height=max(1, len(bars)) * ROW_HEIGHT + 10,
        no_data=not bars,
        withheld=table.withheld,
    )


def column_figure(slug, title, summary, columns, *, headers, rows) -> Figure:
    """Vertical columns of (label, Count), the last COLUMNS_SHOWN of them, with a table."""
    shown = columns[-COLUMNS_SHOWN:]
    largest = max((cell.value for _label, cell in shown if cell.exact), default=0)
    slot = (CHART_WIDTH - 40) / max(1, len(shown))
    every = max(1, len(shown) // 12)
    bars = []
    for index, (label, cell) in enumerate(shown):
        height = 0
        if largest and cell.exact and cell.value:
            height = max(1, round(COLUMN_AREA_HEIGHT * cell.value / largest))
        x = round(20 + index * slot)
        bars.append(
            Bar(
                label=label,
                display=cell.text,
                width=max(2, min(40, round(slot * 0.8))),
                height=height,
                x=x,
                y=10 + COLUMN_AREA_HEIGHT - height,
                text_x=x,
                text_y=COLUMN_CHART_HEIGHT - 20,
                show_label=index % every == 0,
            )
        )
    return Figure(
        slug=slug,
        title=str(title),
        summary=str(summary),
        headers=headers,
        rows=rows,
        kind="column",
        bars=bars,
        height=COLUMN_CHART_HEIGHT,
        baseline=10 + COLUMN_AREA_HEIGHT,
        no_data=not columns,
    )


def table_figure(slug, title, summary, headers, rows) -> Figure:
    return Figure(
        slug=slug,
        title=str(title),
        summary=str(summary),
        headers=[str(h) for h in headers],
        rows=[[str(value) for value in row] for row in rows],
        no_data=not rows,
    )


# --- The world map -----------------------------------------------------------------


def map_figure(slug, title, table: Breakdown, codes: dict, *, summary) -> Figure:
    """A choropleth of a table of countries (`codes`: row label -> ISO alpha-2) with the
    table beside it: classes at quantiles of the counts shown exactly; a hidden count is
    drawn in its own colour ("<5" and "≥5"), never in a class that would place it."""
    geometry = world_geometry()
    by_code = {codes[label]: cell for label, cell in table.rows}
    visible = sorted(cell.value for cell in by_code.values() if cell.exact and cell.value)
    breaks = []
    if visible:
        for k in range(1, MAP_CLASSES):
            breaks.append(visible[min(len(visible) - 1, (len(visible) * k) // MAP_CLASSES)])

    def css_class(cell):
        if cell is None or (cell.exact and not cell.value):
            return "map-none"
        if cell.small:
            return "map-small"
        if cell.hidden:
            return "map-reserved"
        return f"map-q{1 + sum(1 for b in breaks if cell.value > b)}"

    shapes = []
    for code, path in geometry["countries"].items():
        cell = by_code.get(code)
        shapes.append(
            Shape(
                code=code,
                name=country_name(code),
                path=path,
                css_class=css_class(cell),
                display=cell.text if cell is not None else "0",
            )
        )
    legend = [{"css_class": "map-none", "label": gettext("Sin miembros")}]
    if any(cell.small for cell in by_code.values()):
        legend.append({"css_class": "map-small", "label": gettext("Menos de cinco")})
    if any(cell.hidden and not cell.small for cell in by_code.values()):
        legend.append({"css_class": "map-reserved", "label": gettext("Cinco o más (reservado)")})
    lower = visible[0] if visible else 0
    for index, upper in enumerate([*breaks, visible[-1] if visible else 0]):
        if not visible:
            break
        if upper < lower:
            continue
        legend.append(
            {
                "css_class": f"map-q{index + 1}",
                "label": f"{lower}\u2013{upper}" if upper != lower else f"{upper}",
            }
        )
        lower = upper + 1
    figure = bar_figure(slug, title, table, summary=summary)
    figure.kind = "map"
    figure.headers[0] = gettext("País de residencia")
    figure.shapes = shapes
    # ~175 paths: joined here with format_html (escaped) rather than in a template loop,
    # which is the slowest part of rendering the page.
    figure.paths = format_html_join(
        "",
        '<path class="{}" d="{}"><title>{}: {}</title></path>',
        ((shape.css_class, shape.path, shape.name, shape.display) for shape in shapes),
    )
    figure.legend = legend
    figure.width = geometry["width"]
    figure.height = geometry["height"]
    return figure


def by_slug(figures) -> dict:
    """Figures by slug (for the CSV downloads)."""
    return {figure.slug: figure for figure in figures}
