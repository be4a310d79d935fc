"""The figures of each page, built from the apps' aggregates (figures.services) under the
one disclosure rule (figures.disclosure) and the one chart layout (figures.charts).

- `public_figures(data)`: the network in figures (/figures/ and its CSVs): no names,
  small cells hidden, secondary suppression, the headcount rounded.
- `staff_figures(data)`: the IME dashboard: exact counts and percentages.
- `program_figures(aggregates, public=...)`: one program's figures (its own page, and its
  section of the two pages above).

Labels are translated here, in the active language; the data is language-neutral.
"""

import itertools

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chapters.models import Officer
from counterparts.models import Engagement
from members.choices import EducationLevel, MexicanState
from programs.models import Application

from . import charts
from .charts import country_name, language
from .disclosure import (
    AT_MOST,
    EQUAL,
    NOT_SHOWN,
    Breakdown,
    Count,
    breakdown,
    count,
    percent,
    rounded_total,
    shown,
)
from .survey_pages import census_figures

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
    "total se redondea; cuando un total exacto permitiría deducir un grupo pequeño, se "
    "reserva también otro grupo («≥5»), para que nadie pueda ser identificado."
)
WITHHELD = _("Desglose reservado: con tan pocas personas, mostrarlo permitiría identificarlas.")
PROGRAM_NOTE = _(
    "Cifras agregadas: los grupos de menos de cinco personas se muestran como «<5»; cuando "
    "el total permitiría deducir un grupo pequeño, se reserva también otro grupo («≥5»)."
)


def _name(entry: dict) -> str:
    if language() == "en":
        return entry.get("name_en") or entry["name_es"]
    return entry["name_es"]


def _top_summary(table: Breakdown, template, empty=None, **values) -> str:
    """A sentence about the largest count shown exactly (never about a hidden one)."""
    if table.withheld:
        return str(WITHHELD)
    exact = [(label, cell) for label, cell in table.rows if cell.exact and cell.value]
    if not exact:
        return str(empty or NO_DATA)
    label, cell = max(exact, key=lambda row: row[1].value)
    groups = len([1 for _label, c in table.rows if c.hidden or c.value])
    return template % {"label": label, "count": cell.text, "groups": groups, **values}


# --- Members -------------------------------------------------------------------------------


def _sector_pairs(data):
    counts = data["members"]["by_sector"]
    return [(_name(s), counts.get(str(s["id"]), 0)) for s in data["reference"]["sectors"]]


def _state_pairs(data):
    counts = data["members"]["by_state"]
    return [
        (MexicanState(code).label, n) for code, n in counts.items() if code in MexicanState.values
    ]


def _country_table(by_country, *, public, total):
    codes = {country_name(code): code for code in by_country}
    pairs = [(country_name(code), n) for code, n in by_country.items() if n]
    table = breakdown(pairs, public=public, total=total, relation=AT_MOST).ranked()
    return table, codes


def member_figures(data, *, public) -> list:
    """Countries (map), states of origin and sectors: on both pages."""
    members = data["members"]
    total = rounded_total(members["total"]) if public else shown(members["total"])
    base = None if public else total
    countries, codes = _country_table(members["by_country"], public=public, total=total)
    states = breakdown(_state_pairs(data), public=public, total=total, relation=AT_MOST)
    states.ranked()
    # A member counts in each of their sectors (up to three): no total to add up to.
    sectors = breakdown(_sector_pairs(data), public=public)
    world = charts.map_figure(
        "countries",
        gettext("Miembros por país de residencia"),
        countries,
        codes,
        summary=_top_summary(
            countries,
            gettext(
                "Países con miembros: %(groups)s. El país con más miembros es %(label)s (%(count)s)."
            ),
        ),
    )
    if base is not None:
        _with_percent(world, countries, base)
    return [
        world,
        charts.bar_figure(
            "states",
            gettext("Miembros por estado de origen en México"),
            states,
            base=base,
            summary=_top_summary(
                states,
                gettext(
                    "Estados de origen representados: %(groups)s. El que más aporta es %(label)s (%(count)s)."
                ),
            ),
        ),
        charts.bar_figure(
            "sectors",
            gettext("Miembros por sector"),
            sectors,
            base=base,
            summary=_top_summary(
                sectors,
                gettext(
                    "Cada miembro cuenta en cada uno de sus sectores (hasta tres); el sector más frecuente es %(label)s (%(count)s)."
                ),
            ),
        ),
    ]


def _with_percent(figure, table, base):
    """A staff map's table with the percentage column of the bar tables."""
    figure.headers.append(gettext("Porcentaje"))
    for row, (_label, cell) in zip(figure.rows, table.rows, strict=True):
        row.append(percent(cell, base))
    return figure


def completeness_pairs(data):
    """Profiles per bucket of completeness (members.completeness), and the average."""
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


def _chapter_names(data):
    return {str(row["id"]): row["name"] for row in data["chapters"]["list"]}


def staff_member_figures(data) -> list:
    members = data["members"]
    total = shown(members["total"])
    verified = shown(members["verified"])
    growth, running = [], 0
    for month, n in members["growth"]:
        running += n
        growth.append([month, str(n), str(running)])
    if members["growth"]:
        last_month, last = members["growth"][-1]
        growth_summary = gettext(
            "Total de registros: %(total)s; meses con registros: %(months)s; en %(month)s: %(count)s."
        ) % {"total": running, "months": len(growth), "month": last_month, "count": last}
    else:
        growth_summary = str(NO_DATA)
    figures = [
        charts.table_figure(
            "totals",
            gettext("Total de miembros"),
            gettext("Miembros: %(total)s; con correo verificado: %(verified)s (%(percent)s).")
            % {"total": total, "verified": verified, "percent": percent(verified, total)},
            [gettext("Cifra"), gettext("Personas"), gettext("Porcentaje")],
            [
                [gettext("Miembros"), total, percent(total, total)],
                [gettext("Con correo verificado"), verified, percent(verified, total)],
            ],
        ),
        charts.column_figure(
            "growth",
            gettext("Nuevos miembros por mes"),
            growth_summary,
            [(month, shown(n)) for month, n in members["growth"]],
            headers=[gettext("Mes"), gettext("Nuevos miembros"), gettext("Total acumulado")],
            rows=growth,
        ),
        *member_figures(data, public=False),
    ]
    names = _chapter_names(data)
    chapters = breakdown(
        [
            (names[chapter_id], counts["approved"])
            for chapter_id, counts in members["by_chapter"].items()
            if chapter_id in names
        ],
        public=False,
    ).ranked()
    education_counts = members["by_education"]
    education = breakdown(
        [(label, education_counts.get(value, 0)) for value, label in EducationLevel.choices],
        public=False,
    )
    contribution_counts = members["by_contribution"]
    contributions = breakdown(
        [
            (_name(c), contribution_counts.get(str(c["id"]), 0))
            for c in data["reference"]["contributions"]
        ],
        public=False,
    )
    buckets, average = completeness_pairs(data)
    figures += [
        charts.bar_figure(
            "chapters",
            gettext("Miembros por capítulo"),
            chapters,
            base=total,
            summary=_top_summary(
                chapters,
                gettext(
                    "Capítulos con miembros: %(groups)s. El más grande es %(label)s (%(count)s)."
                ),
            ),
        ),
        charts.bar_figure(
            "education",
            gettext("Miembros por nivel de estudios"),
            education,
            base=total,
            summary=_top_summary(
                education, gettext("El nivel de estudios más frecuente es %(label)s (%(count)s).")
            ),
        ),
        charts.bar_figure(
            "contributions",
            gettext("Miembros por tipo de aportación"),
            contributions,
            base=total,
            summary=_top_summary(
                contributions,
                gettext("La aportación que más miembros ofrecen es %(label)s (%(count)s)."),
            ),
        ),
        charts.bar_figure(
            "completeness",
            gettext("Perfiles por grado de completitud"),
            breakdown(buckets, public=False),
            base=total,
            summary=gettext(
                "En promedio, los perfiles tienen el %(average).0f %% de %(items)s datos clave llenos."
            )
            % {"average": average, "items": members["completeness_items"]},
        ),
    ]
    return figures


# --- Chapters, Jornadas, PNCS, announcements (staff) -----------------------------------------


def chapter_figures(data) -> list:
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
                counts["approved"],
                counts["pending"],
                row["last_event"] or NOT_SHOWN,
                gettext("Sí") if row["id"] in idle else gettext("No"),
            ]
        )
    names = {row["id"]: row["name"] for row in chapters["list"]}
    roles = dict(Officer.Role.choices)
    officers = [
        [names.get(o["chapter"], o["chapter"]), roles.get(o["role"], o["role"]), o["term_end"]]
        for o in chapters["officers_ending"]
    ]
    return [
        charts.table_figure(
            "chapter-health",
            gettext("Salud de los capítulos"),
            gettext("Capítulos: %(count)s. Sin ningún evento en los últimos 12 meses: %(idle)s.")
            % {"count": len(rows), "idle": len(idle)},
            [
                gettext("Capítulo"),
                gettext("Ciudad"),
                gettext("País"),
                gettext("Miembros"),
                gettext("Solicitudes pendientes"),
                gettext("Último evento"),
                gettext("Sin eventos en 12 meses"),
            ],
            rows,
        ),
        charts.table_figure(
            "officers-ending",
            gettext("Cargos cuyo periodo termina en los próximos 60 días"),
            gettext("Cargos que terminan su periodo en los próximos 60 días: %(count)s.")
            % {"count": len(officers)},
            [gettext("Capítulo"), gettext("Cargo"), gettext("Fin del periodo")],
            officers,
        ),
    ]


def jornada_figures(data) -> list:
    jornadas = data["jornadas"]
    totals = jornadas["totals"]
    en = language() == "en"
    rows = [
        [
            (row["title_en"] or row["title_es"]) if en else row["title_es"],
            row["starts_at"],
            row["registrations"],
            row["confirmed"],
            row["waitlisted"],
            row["attended"] if row["past"] else NOT_SHOWN,
            percent(shown(row["attended"]), shown(row["confirmed"])) if row["past"] else NOT_SHOWN,
        ]
        for row in jornadas["list"]
    ]
    rate = percent(shown(totals["attended_past"]), shown(totals["confirmed_past"]))
    return [
        charts.table_figure(
            "jornadas",
            gettext("Jornadas: registros, lista de espera y asistencia"),
            gettext(
                "Jornadas y eventos: %(count)s; registros: %(registrations)s; en lista de espera: %(waitlisted)s. Asistió el %(rate)s de las personas confirmadas en los eventos ya realizados."
            )
            % {
                "count": jornadas["count"],
                "registrations": totals["registrations"],
                "waitlisted": totals["waitlisted"],
                "rate": rate,
            },
            [
                gettext("Jornada o evento"),
                gettext("Fecha"),
                gettext("Registros"),
                gettext("Confirmados"),
                gettext("En lista de espera"),
                gettext("Asistieron"),
                gettext("Tasa de asistencia"),
            ],
            rows,
        )
    ]


def pncs_figures(data) -> list:
    rows = data["pncs"]["list"]
    keys = ("searches", "exports", "opportunities_open", "interests", "accepted")
    table = [[_name(row), *(row[key] for key in keys)] for row in rows]
    sums = {key: sum(row[key] for row in rows) for key in keys}
    return [
        charts.table_figure(
            "pncs",
            gettext("PNCS: búsquedas, exportaciones, oportunidades e interés"),
            gettext(
                "Búsquedas: %(searches)s; exportaciones: %(exports)s; oportunidades abiertas: %(open)s; muestras de interés: %(interests)s, aceptadas: %(accepted)s."
            )
            % {
                "searches": sums["searches"],
                "exports": sums["exports"],
                "open": sums["opportunities_open"],
                "interests": sums["interests"],
                "accepted": sums["accepted"],
            },
            [
                gettext("PNCS (sector)"),
                gettext("Búsquedas"),
                gettext("Exportaciones"),
                gettext("Oportunidades abiertas"),
                gettext("Interés expresado"),
                gettext("Aceptadas"),
            ],
            table,
        )
    ]


def announcement_figures(data) -> list:
    announcements = data.get("announcements") or {"list": []}
    rows = [
        [row["label"], row["sent"], row["failed"], row["unsubscribes"]]
        for row in announcements["list"]
    ]
    return [
        charts.table_figure(
            "announcements",
            gettext("Anuncios: enviados, fallidos y bajas"),
            gettext("Anuncios recientes: %(count)s.") % {"count": len(rows)}
            if rows
            else gettext("Todavía no se ha enviado ningún anuncio."),
            [gettext("Anuncio"), gettext("Enviados"), gettext("Fallidos"), gettext("Bajas")],
            rows,
        )
    ]


# --- Programs ------------------------------------------------------------------------------


def _stage_name(stage) -> str:
    return (stage["name_en"] or stage["name_es"]) if language() == "en" else stage["name_es"]


def _women(table: Breakdown):
    """The women's count of a gender table (a zero row is left out; a withheld table
    shows nothing, so no percentage either)."""
    if table.withheld:
        return Count(0, NOT_SHOWN, 0, None)
    return dict(table.rows).get(str(Application.Gender.WOMAN.label), shown(0))


def _gender_pairs(counts):
    return [(label, counts.get(value, 0)) for value, label in Application.Gender.choices] + [
        (gettext("Prefirió no indicarlo"), counts.get("", 0))
    ]


def program_figures(program: dict, *, public: bool) -> dict:
    """One program's figures from programs.figures' aggregates: who takes part, each
    stage, the selection for the second stage. Public: small cells hidden and every
    breakdown of the participants (or of those selected) protected against subtraction."""
    slug = program["slug"]
    total = count(program["total"], public=public)
    prefix = f"program-{slug}"

    def table(pairs, *, of=total, ranked=False):
        result = breakdown(pairs, public=public, total=of, relation=EQUAL)
        return result.ranked() if ranked else result

    def summary_or_empty(text):
        return text if program["total"] else str(gettext("Todavía no hay participantes."))

    education = table(
        [(label, program["by_education"].get(value, 0)) for value, label in EducationLevel.choices]
    )
    states = table(
        [(MexicanState(code).label, n) for code, n in program["by_state"].items()], ranked=True
    )
    countries = table(
        [(country_name(code), n) for code, n in program["by_country"].items()], ranked=True
    )
    gender = table(_gender_pairs(program["by_gender"]))
    women = _women(gender)
    figures = [
        charts.bar_figure(
            f"{prefix}-education",
            gettext("Participantes por nivel de estudios"),
            education,
            base=total,
            summary=_top_summary(
                education,
                gettext(
                    "%(total)s participantes; el nivel más frecuente es %(label)s (%(count)s)."
                ),
                empty=gettext("Todavía no hay participantes."),
                total=total.text,
            ),
        ),
        charts.bar_figure(
            f"{prefix}-states",
            gettext("Participantes por entidad federativa de residencia"),
            states,
            base=total,
            summary=_top_summary(
                states,
                gettext(
                    "Participan personas de %(groups)s entidades federativas; la que más aporta es %(label)s (%(count)s)."
                ),
                empty=gettext("Todavía no hay participantes."),
            ),
        ),
        charts.bar_figure(
            f"{prefix}-countries",
            gettext("Participantes por país de nacionalidad"),
            countries,
            base=total,
            summary=_top_summary(
                countries,
                gettext(
                    "Participan personas de %(groups)s países; el más frecuente es %(label)s (%(count)s)."
                ),
                empty=gettext("Todavía no hay participantes."),
            ),
        ),
        charts.bar_figure(
            f"{prefix}-gender",
            gettext("Participantes por género (autodescrito, opcional)"),
            gender,
            base=total,
            summary=summary_or_empty(
                gettext("Las mujeres son el %(percent)s de las personas participantes.")
                % {"percent": percent(women, total)}
            ),
        ),
    ]

    stages = program["stages"]
    counted = [
        {key: count(stage[key], public=public) for key in ("enrolled", "completed", "certified")}
        | {"waitlisted": count(stage["waitlisted"], public=public)}
        for stage in stages
    ]
    rate_rows, bases = [], {}
    for stage, cells in zip(stages, counted, strict=True):
        done = gettext("Etapa %(order)s: concluyeron") % {"order": stage["order"]}
        certified = gettext("Etapa %(order)s: certificadas") % {"order": stage["order"]}
        rate_rows += [(done, cells["completed"]), (certified, cells["certified"])]
        bases[done] = bases[certified] = cells["enrolled"]  # each stage's own enrolment
    first = counted[0] if counted else None
    figures.append(
        charts.bar_figure(
            f"{prefix}-completion",
            gettext("Conclusión y certificación por etapa"),
            Breakdown(rate_rows),
            bases=bases,
            summary=gettext(
                "En la primera etapa concluyó el %(completed)s y se certificó el %(certified)s de las personas inscritas."
            )
            % {
                "completed": percent(first["completed"], first["enrolled"]),
                "certified": percent(first["certified"], first["enrolled"]),
            }
            if first
            else gettext("El programa todavía no tiene etapas."),
        )
    )
    if len(stages) >= 2:
        figures += _selection_figures(
            prefix, stages, counted, total, program["selected_by_gender"], public=public
        )
    figures.append(
        charts.table_figure(
            f"{prefix}-stages",
            gettext("Etapas: inscripción, conclusión y certificación"),
            gettext("Personas participantes: %(total)s.") % {"total": total.text},
            [
                gettext("Etapa"),
                gettext("Inscritas"),
                gettext("Concluyeron"),
                gettext("Tasa de conclusión"),
                gettext("Certificadas"),
                gettext("Tasa de certificación"),
            ],
            [
                [
                    _stage_name(stage),
                    cells["enrolled"],
                    cells["completed"],
                    percent(cells["completed"], cells["enrolled"]),
                    cells["certified"],
                    percent(cells["certified"], cells["enrolled"]),
                ]
                for stage, cells in zip(stages, counted, strict=True)
            ],
        )
    )
    selections = [
        [
            _stage_name(stage),
            NOT_SHOWN if stage["seats"] is None else stage["seats"],
            before["completed"],
            cells["enrolled"],
            cells["waitlisted"],
            percent(cells["enrolled"], before["completed"]),
        ]
        for (_previous, before), (stage, cells) in itertools.pairwise(
            zip(stages, counted, strict=True)
        )
    ]
    if selections:
        figures.append(
            charts.table_figure(
                f"{prefix}-selections",
                gettext("Selección para la siguiente etapa"),
                gettext(
                    "Lugares de cada etapa y personas seleccionadas entre quienes concluyeron la anterior."
                ),
                [
                    gettext("Etapa"),
                    gettext("Lugares"),
                    gettext("Candidatas (concluyeron la etapa anterior)"),
                    gettext("Seleccionadas"),
                    gettext("En lista de espera"),
                    gettext("Proporción seleccionada"),
                ],
                selections,
            )
        )
    name = program["name_en"] if language() == "en" and program["name_en"] else program["name_es"]
    return {"name": name, "slug": slug, "total": total, "figures": figures}


def _selection_figures(prefix, stages, counted, total, selected_by_gender, *, public):
    """The selection for the second stage: the funnel, and who was selected by gender (a
    breakdown of the selected, whose number the funnel shows)."""
    stage_name = _stage_name(stages[1])
    first, second = counted[0], counted[1]
    selected = second["enrolled"]
    funnel = Breakdown(
        [
            (gettext("Participantes"), total),
            (gettext("Concluyeron la etapa 1"), first["completed"]),
            (gettext("Seleccionadas para la etapa 2"), selected),
            (gettext("En lista de espera"), second["waitlisted"]),
        ]
    )
    by_gender = breakdown(
        _gender_pairs(selected_by_gender), public=public, total=selected, relation=EQUAL
    )
    women = _women(by_gender)
    return [
        charts.bar_figure(
            f"{prefix}-selection",
            gettext("Selección para %(stage)s") % {"stage": stage_name},
            funnel,
            summary=gettext(
                "De %(completed)s personas que concluyeron la etapa 1, %(selected)s pasaron a %(stage)s (%(rate)s)."
            )
            % {
                "completed": first["completed"].text,
                "selected": selected.text,
                "stage": stage_name,
                "rate": percent(selected, first["completed"]),
            },
        ),
        charts.bar_figure(
            f"{prefix}-selection-gender",
            gettext("Personas seleccionadas para %(stage)s por género") % {"stage": stage_name},
            by_gender,
            base=selected,
            summary=gettext("Las mujeres son el %(percent)s de las personas seleccionadas.")
            % {"percent": percent(women, selected)},
        ),
    ]


def program_sections(data, *, public) -> list:
    """Each published program's figures (the snapshot's aggregates), in the active language."""
    return [program_figures(program, public=public) for program in data.get("programs") or []]


# --- Pages -----------------------------------------------------------------------------------


def public_chapter_figure(data):
    per_chapter = data["members"]["by_chapter"]
    rows = [
        [
            row["name"],
            row["city"],
            country_name(row["country"]),
            count(per_chapter.get(str(row["id"]), {}).get("approved", 0), public=True),
        ]
        for row in data["chapters"]["list"]
        if row["public"]
    ]
    cities = len({(row[1], row[2]) for row in rows})
    return charts.table_figure(
        "chapters",
        gettext("Capítulos y sus ciudades"),
        gettext("Capítulos: %(count)s; ciudades: %(cities)s.")
        % {"count": len(rows), "cities": cities},
        [gettext("Capítulo"), gettext("Ciudad"), gettext("País"), gettext("Miembros")],
        rows,
    )


# --- Engagements with Mexican organisations (issue 20) --------------------------------------


def engagement_figures(data, *, public) -> list:
    """The impact ledger: engagements by state, kind, sector and the member's country, and
    the members engaged and organisations served, through the one disclosure rule (small
    cells hidden on the public page, the total rounded there). Nothing when a snapshot
    predates them."""
    engagements = data.get("engagements")
    if not engagements or not engagements["total"]:
        return []
    total = rounded_total(engagements["total"]) if public else shown(engagements["total"])
    base = None if public else total

    def table(pairs, *, ranked=True):
        result = breakdown(pairs, public=public, total=total)
        return result.ranked() if ranked else result

    states = table(
        [
            (label, engagements["by_state"].get(value, 0))
            for value, label in Engagement.State.choices
        ],
        ranked=False,
    )
    kinds = table(
        [(label, engagements["by_kind"].get(value, 0)) for value, label in Engagement.Kind.choices]
    )
    sectors = table(
        [
            (_name(s), engagements["by_sector"].get(str(s["id"]), 0))
            for s in data["reference"]["sectors"]
        ]
    )
    countries = breakdown(
        [(country_name(code), n) for code, n in engagements["by_country"].items() if code and n],
        public=public,
        total=total,
        relation=AT_MOST,
    ).ranked()
    reach = breakdown(
        [
            (gettext("Miembros de la red participantes"), engagements["members"]),
            (gettext("Organizaciones atendidas"), engagements["organizations"]),
        ],
        public=public,
    )
    unit = gettext("Colaboraciones")
    summary = gettext("Colaboraciones registradas: %(total)s.") % {"total": total.text}
    return [
        charts.bar_figure(
            "engagement_states",
            gettext("Colaboraciones con organizaciones mexicanas por estado"),
            states,
            base=base,
            unit=unit,
            summary=summary,
        ),
        charts.bar_figure(
            "engagement_kinds",
            gettext("Colaboraciones por tipo"),
            kinds,
            base=base,
            unit=unit,
            summary=_top_summary(kinds, gettext("El tipo más frecuente es %(label)s (%(count)s).")),
        ),
        charts.bar_figure(
            "engagement_sectors",
            gettext("Colaboraciones por sector"),
            sectors,
            base=base,
            unit=unit,
            summary=_top_summary(
                sectors, gettext("El sector con más colaboraciones es %(label)s (%(count)s).")
            ),
        ),
        charts.bar_figure(
            "engagement_countries",
            gettext("Colaboraciones por país de residencia del miembro"),
            countries,
            base=base,
            unit=unit,
            summary=_top_summary(
                countries, gettext("El país con más colaboraciones es %(label)s (%(count)s).")
            ),
        ),
        charts.bar_figure(
            "engagement_reach",
            gettext("Miembros participantes y organizaciones atendidas"),
            reach,
            unit=gettext("Cantidad"),
            summary=gettext("Personas de la red y organizaciones mexicanas en colaboraciones."),
        ),
    ]


def public_figures(data) -> dict:
    """Everything the public page shows: aggregate counts only, under the disclosure rule."""
    members = data["members"]
    return {
        "total": rounded_total(members["total"]),
        "countries": len([c for c, n in members["by_country"].items() if n]),
        "figures": [
            *member_figures(data, public=True),
            public_chapter_figure(data),
            *engagement_figures(data, public=True),
        ],
        "programs": program_sections(data, public=True),
        "census": census_figures(data),
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
                "slug": "engagements",
                "title": gettext("Colaboraciones con organizaciones"),
                "figures": engagement_figures(data, public=False),
            },
            {
                "slug": "announcements",
                "title": gettext("Anuncios"),
                "figures": announcement_figures(data),
            },
        ],
        "programs": program_sections(data, public=False),
    }


def country_choices(data):
    """Countries that appear in the figures (members or chapters), by name."""
    codes = set(data["members"]["by_country"]) | {
        row["country"] for row in data["chapters"]["list"]
    }
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


def sector_choices(data):
    return [(s["id"], _name(s)) for s in data["reference"]["sectors"]]


def chapter_choices(data):
    return [(row["id"], row["name"]) for row in data["chapters"]["list"]]
