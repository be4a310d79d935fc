"""The PNCS work programmes (issue 21): lines of action grouped by the seed's headings,
their progress computed from what each PNCS did (members.progress), and the yearly report
IME downloads (CSV, PDF). Pages and downloads read the lines through their querysets
(`WorkLine.objects.managed_by(user)`, `.public()`)."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from core import pdf
from core.spreadsheets import csv_safe
from members.models import public_name
from members.progress import PNCS, compute_progress

from .models import Pncs, WorkLine


def with_progress(lines) -> list[WorkLine]:
    """The lines with `achieved`, `percent` and `measure_def` set (one query per measure)."""
    lines = list(lines)
    compute_progress(lines, subject=PNCS, owner_attr="pncs_id")
    return lines


def by_heading(lines) -> list[tuple[str, str, list[WorkLine]]]:
    """(heading value, label, lines) in the seed's order, headings without lines left out."""
    groups = []
    for value, label in WorkLine.Heading.choices:
        found = [line for line in lines if line.heading == value]
        if found:
            groups.append((value, label, found))
    return groups


def programme_lines(queryset, year):
    """The lines of `queryset` for `year`, joined for the pages, with their progress."""
    return with_progress(
        queryset.of_year(year)
        .select_related("pncs__sector", "responsible__profile")
        .order_by("pncs__sector__order", "heading", "pk")
    )


def overview(year, lines):
    """IME's side-by-side table: for each active PNCS and heading, how many lines and
    their mean completion (each line capped at 100 %), and the PNCS's overall mean."""
    headings = WorkLine.Heading.choices
    rows = []
    for point in Pncs.objects.active().select_related("sector"):
        mine = [line for line in lines if line.pncs_id == point.pk]
        cells = []
        for value, _label in headings:
            found = [line.percent for line in mine if line.heading == value]
            cells.append(
                {"lines": len(found), "percent": round(sum(found) / len(found)) if found else None}
            )
        overall = round(sum(line.percent for line in mine) / len(mine)) if mine else None
        rows.append({"pncs": point, "cells": cells, "lines": len(mine), "percent": overall})
    return {"headings": headings, "rows": rows}


def _responsible(line) -> str:
    return public_name(line.responsible) if line.responsible_id else ""


def report_header() -> list[str]:
    return [
        _("Año"),
        _("PNCS"),
        _("Rubro"),
        _("Línea de acción (español)"),
        _("Línea de acción (inglés)"),
        _("Qué cuenta"),
        _("Meta"),
        _("Logrado"),
        _("Avance (%)"),
        _("Persona responsable"),
    ]


def report_csv(year, lines) -> str:
    """The yearly report as CSV: one row per line of action (cells safe for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_header())
    for line in lines:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    line.year,
                    line.pncs.sector.name,
                    line.get_heading_display(),
                    line.title_es,
                    line.title_en,
                    line.measure_def.label if line.measure_def else line.measure,
                    line.target,
                    line.achieved,
                    line.percent,
                    _responsible(line),
                )
            ]
        )
    return buffer.getvalue()


def report_pdf(year, lines) -> bytes:
    """The yearly report as PDF: a section per PNCS, a row per line of action."""
    sections = []
    for point in Pncs.objects.active().select_related("sector"):
        mine = [line for line in lines if line.pncs_id == point.pk]
        sections.append(
            pdf.Section(
                title=f"PNCS {point.sector.name}",
                header=[
                    _("Rubro"),
                    _("Línea de acción"),
                    _("Qué cuenta"),
                    _("Meta"),
                    _("Logrado"),
                    _("Avance (%)"),
                    _("Persona responsable"),
                ],
                widths=(3, 5, 4, 1, 1, 1, 3),
                rows=[
                    [
                        line.get_heading_display(),
                        line.title,
                        str(line.measure_def.label) if line.measure_def else line.measure,
                        line.target,
                        line.achieved,
                        line.percent,
                        _responsible(line),
                    ]
                    for line in mine
                ],
                empty=_("Sin líneas de acción este año."),
            )
        )
    report = pdf.Report(
        title=_("Programas de trabajo de los PNCS %(year)s") % {"year": year},
        subtitle=_("Avance calculado el %(date)s a partir de lo que cada PNCS hizo en el año.")
        % {"date": timezone.localdate().isoformat()},
        sections=sections,
    )
    return pdf.render_report(report)
