"""Turning computed figures into accessible figures: SVG layout, data table, CSV rows.

Every figure has a title, a text summary, a data table (the same rows as its CSV) and,
for charts, the geometry of a server-side SVG (bars, monthly columns or the world map).
On the public page every count from 1 to 4 is replaced by "<5" here, before anything is
rendered or written to CSV, and draws no bar.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from chapters.models import Chapter, Officer
from members.choices import EducationLevel, MexicanState

SMALL_CELL = 5
SUPPRESSED = "<5"
CHART_WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = 330
ROW_HEIGHT = 28
BAR_HEIGHT = 18
COLUMN_CHART_HEIGHT = 220
COLUMN_AREA_HEIGHT = 170
MAP_CLASSES = 5
WORLD_MAP = Path(__file__).resolve().parent / "data" / "world_110m.json"

COMPLETENESS_BUCKETS = (
    (0, 25, "0\u201324 %"),
    (25, 50, "25\u201349 %"),
    (50, 75, "50\u201374 %"),
    (75, 100, "75\u201399 %"),
    (100, 101, "100 %"),
)

NO_DATA = _("Sin datos todavía.")
SUPPRESSION_NOTE = _(
    "Cifras agregadas: los grupos de menos de cinco personas se muestran como «<5» y el "
    "total se redondea, para que nadie pueda ser identificado."
)


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
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    baseline: int = 0
    no_data: bool = False
    paths: str = ""


@cache
def _country_names(language: str) -> dict:
    """ISO alpha-2 -> country name in `language` (translating names one by one is slow)."""
    with override(language):
        return {code: str(name) for code, name in countries}


def country_name(code: str) -> str:
    return _country_names(_lang()).get(code) or code


def _lang() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()[:2]


def _name(entry: dict) -> str:
    return entry.get("name_en") or entry.get("name_es") if _lang() == "en" else entry["name_es"]


def cell(count, public: bool) -> str:
    """A count as shown: small cells suppressed on the public page."""
    if count is None:
        return "—"
    if public and 0 < count < SMALL_CELL:
        return SUPPRESSED
    return f"{count}"


def percent(count, total, public: bool) -> str:
    if not total or count is None or (public and 0 < count < SMALL_CELL):
        return "—"
    return f"{100 * count / total:.1f} %"


def _visible(count, public) -> bool:
    return not (public and 0 < count < SMALL_CELL)


def bar_figure(slug, title, pairs, *, total, public, summary, unit=None) -> Figure:
    """A horizontal bar chart of (label, count), scaled to the largest shown count."""
    shown = [(label, n) for label, n in pairs if n or not public]
    largest = max((n for _label, n in shown if _visible(n, public)), default=0)
    bars, rows = [], []
    for index, (label, n) in enumerate(shown):
        width = 0
        if _visible(n, public) and largest and n:
            width = max(1, round(BAR_AREA * n / largest))
        y = index * ROW_HEIGHT + 5
        bars.append(
            Bar(
                label=str(label),
                display=cell(n, public),
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
        row = [str(label), cell(n, public)]
        if not public:
            # Public pages show no percentages: with the base they are computed on, they
            # would give back the suppressed cells (complementary disclosure).
            row.append(percent(n, total, public))
        rows.append(row)
    headers = [gettext("Grupo"), str(unit or gettext("Personas"))]
    if not public:
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
    )


def _ranked(pairs, public=False):
    """Largest first. On public pages the suppressed cells come last in name order, so
    their order does not tell which of them is larger."""

    def key(pair):
        label, n = pair
        if public and not _visible(n, public):
            return (1, 0, label)
        return (0, -n, label)

    return sorted(pairs, key=key)


def _top_summary(pairs, public, template, empty=None):
    visible = [(label, n) for label, n in pairs if n and _visible(n, public)]
    if not visible:
        return str(empty or NO_DATA)
    label, n = max(visible, key=lambda p: p[1])
    return template % {"label": label, "count": n, "groups": len([p for p in pairs if p[1]])}


# --- The world map -----------------------------------------------------------------


@cache
def world_geometry() -> dict:
    """The committed Natural Earth 110m outlines (figures/data/world_110m.json)."""
    return json.loads(WORLD_MAP.read_text(encoding="utf-8"))


def map_figure(slug, title, by_country: dict, *, total, public, summary) -> Figure:
    """A choropleth of counts by ISO alpha-2 country, with the ranked table beside it."""
    geometry = world_geometry()
    visible = sorted(n for n in by_country.values() if n and _visible(n, public))
    # Class breaks at quantiles of the shown counts (five classes, fewer when few values).
    breaks = []
    if visible:
        for k in range(1, MAP_CLASSES):
            breaks.append(visible[min(len(visible) - 1, (len(visible) * k) // MAP_CLASSES)])

    def css_class(n):
        if not n:
            return "map-none"
        if not _visible(n, public):
            return "map-small"
        return f"map-q{1 + sum(1 for b in breaks if n > b)}"

    shapes = [
        Shape(
            code=code,
            name=country_name(code),
            path=path,
            css_class=css_class(by_country.get(code, 0)),
            display=cell(by_country.get(code, 0), public),
        )
        for code, path in geometry["countries"].items()
    ]
    pairs = _ranked(((country_name(code), n) for code, n in by_country.items() if n), public)
    legend = [{"css_class": "map-none", "label": gettext("Sin miembros")}]
    if public:
        legend.append({"css_class": "map-small", "label": gettext("Menos de cinco")})
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
    figure = bar_figure(slug, title, pairs, total=total, public=public, summary=summary)
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


# --- Monthly growth ----------------------------------------------------------------


def growth_figure(growth, *, public) -> Figure:
    """New members per month (columns) and the running total (table)."""
    months = growth[-36:]  # the last three years on the chart; the table keeps them all
    largest = max((n for _m, n in months if _visible(n, public)), default=0)
    count = max(1, len(months))
    slot = (CHART_WIDTH - 40) / count
    bars = []
    every = max(1, count // 12)
    for index, (month, n) in enumerate(months):
        height = 0
        if largest and n and _visible(n, public):
            height = max(1, round(COLUMN_AREA_HEIGHT * n / largest))
        x = round(20 + index * slot)
        bars.append(
            Bar(
                label=month,
                display=cell(n, public),
                width=max(2, min(40, round(slot * 0.8))),
                height=height,
                x=x,
                y=10 + COLUMN_AREA_HEIGHT - height,
                text_x=x,
                text_y=COLUMN_CHART_HEIGHT - 20,
                show_label=index % every == 0,
            )
        )
    rows, running = [], 0
    for month, n in growth:
        running += n
        rows.append([month, cell(n, public), cell(running, public)])
    if growth:
        last_month, last = growth[-1]
        summary = gettext(
            "Total de registros: %(total)s; meses con registros: %(months)s; en %(month)s: %(count)s."
        ) % {
            "total": cell(running, public),
            "months": len(growth),
            "month": last_month,
            "count": cell(last, public),
        }
    else:
        summary = str(NO_DATA)
    return Figure(
        slug="growth",
        title=gettext("Nuevos miembros por mes"),
        summary=summary,
        headers=[gettext("Mes"), gettext("Nuevos miembros"), gettext("Total acumulado")],
        rows=rows,
        kind="column",
        bars=bars,
        height=COLUMN_CHART_HEIGHT,
        baseline=10 + COLUMN_AREA_HEIGHT,
        no_data=not growth,
    )


# --- Member figures (both pages) ---------------------------------------------------


def _sector_pairs(data):
    counts = data["members"]["by_sector"]
    return [(_name(s), counts.get(str(s["id"]), 0)) for s in data["reference"]["sectors"]]


def _state_pairs(data, public=False):
    counts = data["members"]["by_state"]
    return _ranked(
        (
            (MexicanState(code).label, n)
            for code, n in counts.items()
            if code in MexicanState.values
        ),
        public,
    )


def member_figures(data, *, public) -> list[Figure]:
    members = data["members"]
    total = members["total"]
    figures = []
    by_country = members["by_country"]
    figures.append(
        map_figure(
            "countries",
            gettext("Miembros por país de residencia"),
            by_country,
            total=total,
            public=public,
            summary=_top_summary(
                _ranked((country_name(c), n) for c, n in by_country.items()),
                public,
                gettext(
                    "Países con miembros: %(groups)s. El país con más miembros es %(label)s (%(count)s)."
                ),
            ),
        )
    )
    states = _state_pairs(data, public)
    figures.append(
        bar_figure(
            "states",
            gettext("Miembros por estado de origen en México"),
            states,
            total=total,
            public=public,
            summary=_top_summary(
                states,
                public,
                gettext(
                    "Estados de origen representados: %(groups)s. El que más aporta es %(label)s (%(count)s)."
                ),
            ),
        )
    )
    sectors = _sector_pairs(data)
    figures.append(
        bar_figure(
            "sectors",
            gettext("Miembros por sector"),
            sectors,
            total=total,
            public=public,
            summary=_top_summary(
                sectors,
                public,
                gettext(
                    "Cada miembro cuenta en cada uno de sus sectores (hasta tres); el sector más frecuente es %(label)s (%(count)s)."
                ),
            ),
        )
    )
    return figures


def _education_pairs(data):
    counts = data["members"]["by_education"]
    return [(str(label), counts.get(value, 0)) for value, label in EducationLevel.choices]


def _contribution_pairs(data):
    counts = data["members"]["by_contribution"]
    return [(_name(c), counts.get(str(c["id"]), 0)) for c in data["reference"]["contributions"]]


def _chapter_names(data):
    return {str(row["id"]): row["name"] for row in data["chapters"]["list"]}


def completeness_pairs(data):
    members = data["members"]
    items = members["completeness_items"] or 1
    buckets = {label: 0 for _lo, _hi, label in COMPLETENESS_BUCKETS}
    weighted = 0
    for score, n in members["completeness"].items():
        share = 100 * int(score) / items
        weighted += share * n
        for lo, hi, label in COMPLETENESS_BUCKETS:
            if lo <= share < hi:
                buckets[label] += n
    average = weighted / members["total"] if members["total"] else 0
    return list(buckets.items()), average


def staff_member_figures(data) -> list[Figure]:
    members = data["members"]
    total = members["total"]
    figures = [
        Figure(
            slug="totals",
            title=gettext("Total de miembros"),
            summary=gettext(
                "Miembros: %(total)s; con correo verificado: %(verified)s (%(percent)s)."
            )
            % {
                "total": total,
                "verified": members["verified"],
                "percent": percent(members["verified"], total, False),
            },
            headers=[gettext("Cifra"), gettext("Personas"), gettext("Porcentaje")],
            rows=[
                [gettext("Miembros"), str(total), percent(total, total, False)],
                [
                    gettext("Con correo verificado"),
                    str(members["verified"]),
                    percent(members["verified"], total, False),
                ],
            ],
        ),
        growth_figure(members["growth"], public=False),
        *member_figures(data, public=False),
    ]
    names = _chapter_names(data)
    chapter_pairs = _ranked(
        (names.get(chapter_id, chapter_id), counts["approved"])
        for chapter_id, counts in members["by_chapter"].items()
        if chapter_id in names
    )
    figures.append(
        bar_figure(
            "chapters",
            gettext("Miembros por capítulo"),
            chapter_pairs,
            total=total,
            public=False,
            summary=_top_summary(
                chapter_pairs,
                False,
                gettext(
                    "Capítulos con miembros: %(groups)s. El más grande es %(label)s (%(count)s)."
                ),
            ),
        )
    )
    education = _education_pairs(data)
    figures.append(
        bar_figure(
            "education",
            gettext("Miembros por nivel de estudios"),
            education,
            total=total,
            public=False,
            summary=_top_summary(
                education,
                False,
                gettext("El nivel de estudios más frecuente es %(label)s (%(count)s)."),
            ),
        )
    )
    contributions = _contribution_pairs(data)
    figures.append(
        bar_figure(
            "contributions",
            gettext("Miembros por tipo de aportación"),
            contributions,
            total=total,
            public=False,
            summary=_top_summary(
                contributions,
                False,
                gettext("La aportación que más miembros ofrecen es %(label)s (%(count)s)."),
            ),
        )
    )
    buckets, average = completeness_pairs(data)
    figures.append(
        bar_figure(
            "completeness",
            gettext("Perfiles por grado de completitud"),
            buckets,
            total=total,
            public=False,
            summary=gettext(
                "En promedio, los perfiles tienen el %(average).0f %% de %(items)s datos clave llenos."
            )
            % {"average": average, "items": members["completeness_items"]},
        )
    )
    return figures


# --- Chapters, Jornadas, PNCS, announcements (staff) -------------------------------


def chapter_figures(data) -> list[Figure]:
    chapters = data["chapters"]
    per_chapter = data["members"]["by_chapter"]
    idle = set(chapters["idle"])
    rows = []
    for row in chapters["list"]:
        counts = per_chapter.get(str(row["id"]), {"approved": 0, "pending": 0})
        rows.append(
            [
                row["name"],
                row["city"],
                country_name(row["country"]),
                str(counts["approved"]),
                str(counts["pending"]),
                row["last_event"] or "—",
                gettext("Sí") if row["id"] in idle else gettext("No"),
            ]
        )
    names = {row["id"]: row["name"] for row in chapters["list"]}
    roles = dict(Officer.Role.choices)
    officers = [
        [
            names.get(o["chapter"], str(o["chapter"])),
            str(roles.get(o["role"], o["role"])),
            o["term_end"],
        ]
        for o in chapters["officers_ending"]
    ]
    return [
        Figure(
            slug="chapter-health",
            title=gettext("Salud de los capítulos"),
            summary=gettext(
                "Capítulos: %(count)s. Sin ningún evento en los últimos 12 meses: %(idle)s."
            )
            % {"count": len(rows), "idle": len(idle)},
            headers=[
                gettext("Capítulo"),
                gettext("Ciudad"),
                gettext("País"),
                gettext("Miembros"),
                gettext("Solicitudes pendientes"),
                gettext("Último evento"),
                gettext("Sin eventos en 12 meses"),
            ],
            rows=rows,
            no_data=not rows,
        ),
        Figure(
            slug="officers-ending",
            title=gettext("Cargos cuyo periodo termina en los próximos 60 días"),
            summary=gettext("Cargos que terminan su periodo en los próximos 60 días: %(count)s.")
            % {"count": len(officers)},
            headers=[gettext("Capítulo"), gettext("Cargo"), gettext("Fin del periodo")],
            rows=officers,
            no_data=not officers,
        ),
    ]


def jornada_figures(data) -> list[Figure]:
    jornadas = data["jornadas"]
    totals = jornadas["totals"]
    en = _lang() == "en"
    rows = [
        [
            (row["title_en"] or row["title_es"]) if en else row["title_es"],
            row["starts_at"],
            str(row["registrations"]),
            str(row["confirmed"]),
            str(row["waitlisted"]),
            str(row["attended"]) if row["past"] else "—",
            percent(row["attended"], row["confirmed"], False) if row["past"] else "—",
        ]
        for row in jornadas["list"]
    ]
    return [
        Figure(
            slug="jornadas",
            title=gettext("Jornadas: registros, lista de espera y asistencia"),
            summary=gettext(
                "Jornadas y eventos: %(count)s; registros: %(registrations)s; en lista de espera: %(waitlisted)s. Asistió el %(rate)s de las personas confirmadas en los eventos ya realizados."
            )
            % {
                "count": jornadas["count"],
                "registrations": totals["registrations"],
                "waitlisted": totals["waitlisted"],
                "rate": percent(totals["attended_past"], totals["confirmed_past"], False),
            },
            headers=[
                gettext("Jornada o evento"),
                gettext("Fecha"),
                gettext("Registros"),
                gettext("Confirmados"),
                gettext("En lista de espera"),
                gettext("Asistieron"),
                gettext("Tasa de asistencia"),
            ],
            rows=rows,
            no_data=not rows,
        )
    ]


def pncs_figures(data) -> list[Figure]:
    rows = data["pncs"]["list"]
    table = [
        [
            _name(row),
            str(row["searches"]),
            str(row["exports"]),
            str(row["opportunities_open"]),
            str(row["interests"]),
            str(row["accepted"]),
        ]
        for row in rows
    ]
    return [
        Figure(
            slug="pncs",
            title=gettext("PNCS: búsquedas, exportaciones, oportunidades e interés"),
            summary=gettext(
                "Búsquedas: %(searches)s; exportaciones: %(exports)s; oportunidades abiertas: %(open)s; muestras de interés: %(interests)s, aceptadas: %(accepted)s."
            )
            % {
                "searches": sum(r["searches"] for r in rows),
                "exports": sum(r["exports"] for r in rows),
                "open": sum(r["opportunities_open"] for r in rows),
                "interests": sum(r["interests"] for r in rows),
                "accepted": sum(r["accepted"] for r in rows),
            },
            headers=[
                gettext("PNCS (sector)"),
                gettext("Búsquedas"),
                gettext("Exportaciones"),
                gettext("Oportunidades abiertas"),
                gettext("Interés expresado"),
                gettext("Aceptadas"),
            ],
            rows=table,
            no_data=not table,
        )
    ]


def announcement_figures(data) -> list[Figure]:
    announcements = data.get("announcements") or {"list": []}
    rows = [
        [row["label"], str(row["sent"]), str(row["failed"]), cell(row["unsubscribes"], False)]
        for row in announcements["list"]
    ]
    return [
        Figure(
            slug="announcements",
            title=gettext("Anuncios: enviados, fallidos y bajas"),
            summary=gettext("Anuncios recientes: %(count)s.") % {"count": len(rows)}
            if rows
            else gettext("Todavía no se ha enviado ningún anuncio."),
            headers=[
                gettext("Anuncio"),
                gettext("Enviados"),
                gettext("Fallidos"),
                gettext("Bajas"),
            ],
            rows=rows,
            no_data=not rows,
        )
    ]


def program_sections(data, *, public) -> list[dict]:
    """Each published program's figures from programs.figures, in the active language."""
    sections = []
    for program in data.get("programs") or []:
        stored = program.get(f"{'public' if public else 'staff'}_{_lang()}") or program.get(
            f"{'public' if public else 'staff'}_es"
        )
        figures = []
        for chart in stored["charts"]:
            pairs = [(row["label"], row["count"]) for row in chart["rows"]]
            figure = bar_figure(
                f"program-{program['slug']}-{chart['slug']}",
                chart["title"],
                pairs,
                total=stored["total"],
                public=public,
                summary=chart["summary"],
            )
            # programs.figures computed the percentages (some have their own base).
            if not public and len(figure.rows) == len(chart["rows"]):
                for row, source in zip(figure.rows, chart["rows"], strict=True):
                    row[2] = source["percent"]
            figures.append(figure)
        stages = Figure(
            slug=f"program-{program['slug']}-stages",
            title=gettext("Etapas: inscripción, conclusión y certificación"),
            summary=gettext("Personas participantes: %(total)s.")
            % {"total": stored["total_display"]},
            headers=[
                gettext("Etapa"),
                gettext("Inscritas"),
                gettext("Concluyeron"),
                gettext("Tasa de conclusión"),
                gettext("Certificadas"),
                gettext("Tasa de certificación"),
            ],
            rows=[
                [
                    s["name"],
                    s["enrolled"],
                    s["completed"],
                    s["completion_rate"],
                    s["certified"],
                    s["certification_rate"],
                ]
                for s in stored["stages"]
            ],
            no_data=not stored["stages"],
        )
        name = program["name_en"] if _lang() == "en" and program["name_en"] else program["name_es"]
        sections.append(
            {
                "name": name,
                "slug": program["slug"],
                "total": stored["total_display"],
                "figures": [*figures, stages],
            }
        )
    return sections


# --- Public page -------------------------------------------------------------------


def public_chapter_figure(data) -> Figure:
    per_chapter = data["members"]["by_chapter"]
    rows = [
        [
            row["name"],
            row["city"],
            country_name(row["country"]),
            cell(per_chapter.get(str(row["id"]), {}).get("approved", 0), True),
        ]
        for row in data["chapters"]["list"]
        if row["public"]
    ]
    cities = len({(row[1], row[2]) for row in rows})
    return Figure(
        slug="chapters",
        title=gettext("Capítulos y sus ciudades"),
        summary=gettext("Capítulos: %(count)s; ciudades: %(cities)s.")
        % {"count": len(rows), "cities": cities},
        headers=[gettext("Capítulo"), gettext("Ciudad"), gettext("País"), gettext("Miembros")],
        rows=rows,
        no_data=not rows,
    )


def rounded_total(total: int) -> str:
    """The public headcount, rounded down to hundreds: an exact total minus the shown
    cells would give back the suppressed ones."""
    if total < 100:
        return gettext("menos de 100")
    return gettext("%(count)s o más") % {"count": f"{total - total % 100:,}"}


def public_figures(data) -> dict:
    """Everything the public page shows: aggregate counts only, small cells suppressed."""
    members = data["members"]
    return {
        "total": rounded_total(members["total"]),
        "countries": len([c for c, n in members["by_country"].items() if n]),
        "figures": [*member_figures(data, public=True), public_chapter_figure(data)],
        "programs": program_sections(data, public=True),
    }


def staff_figures(data) -> dict:
    """Everything the staff dashboard shows, grouped in sections."""
    return {
        "sections": [
            {
                "slug": "members",
                "title": gettext("Miembros"),
                "figures": staff_member_figures(data),
            },
            {"slug": "chapters", "title": gettext("Capítulos"), "figures": chapter_figures(data)},
            {"slug": "jornadas", "title": gettext("Jornadas"), "figures": jornada_figures(data)},
            {"slug": "pncs", "title": gettext("PNCS"), "figures": pncs_figures(data)},
            {
                "slug": "announcements",
                "title": gettext("Anuncios"),
                "figures": announcement_figures(data),
            },
        ],
        "programs": program_sections(data, public=False),
    }


def all_figures(figure_groups) -> dict:
    """Figures by slug (for the CSV downloads)."""
    found = {}
    for figure in figure_groups:
        found[figure.slug] = figure
    return found


def country_choices(data):
    """Countries that appear in the figures (members or chapters), by name."""
    codes = set(data["members"]["by_country"]) | {
        row["country"] for row in data["chapters"]["list"]
    }
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


def chapter_choices(data):
    return [(row["id"], row["name"]) for row in data["chapters"]["list"]]


def is_inactive(status) -> bool:
    return status == Chapter.Status.INACTIVE
