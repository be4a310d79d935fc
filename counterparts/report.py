"""The yearly report of a PNCS (issue 20): what the network did with the Mexican
organisations of its sector in a calendar year — requests, invitations, engagements by state
and kind, organisations served, members engaged and the outcomes both sides recorded — as
CSV and as PDF (fpdf2, the font of core.pdf, like the certificates).

The report is for the PNCS and IME (behind the coordinator's login and second factor), so
its counts are exact; the public figures go through figures/disclosure.py instead."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Avg, Count, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from core.pdf import FONT, add_fonts
from core.spreadsheets import csv_safe

from .models import Engagement, EngagementOutcome, ExpertiseRequest, MemberInvitation


@dataclass
class Section:
    title: str
    rows: list = field(default_factory=list)  # (label, value)


def _year_bounds(year: int):
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    return start, end


def yearly_report(*, pncs, year: int) -> list[Section]:
    """The sections of the report of `pncs` (its sector) for `year`: a fixed number of
    queries whatever the rows. Requests count by the date they were filed, invitations by
    the date sent, engagements by the date opened, outcomes by the date recorded."""
    start, end = _year_bounds(year)
    sector = pncs.sector_id
    requests = ExpertiseRequest.objects.filter(
        sector=sector, created_at__gte=start, created_at__lt=end
    )
    request_counts = dict(requests.order_by().values_list("status").annotate(n=Count("pk")))
    invitations = MemberInvitation.objects.filter(
        request__sector=sector, created_at__gte=start, created_at__lt=end
    )
    invitation_counts = dict(invitations.order_by().values_list("status").annotate(n=Count("pk")))
    engagements = Engagement.objects.filter(
        sector=sector, created_at__gte=start, created_at__lt=end
    )
    state_counts = dict(engagements.order_by().values_list("state").annotate(n=Count("pk")))
    kind_counts = dict(engagements.order_by().values_list("kind").annotate(n=Count("pk")))
    reach = engagements.aggregate(
        organizations=Count("organization", distinct=True),
        members=Count("member", distinct=True),
    )
    outcomes = EngagementOutcome.objects.filter(
        engagement__sector=sector, recorded_at__gte=start, recorded_at__lt=end
    ).aggregate(
        recorded=Count("pk"),
        hours=Sum("hours_given"),
        students=Sum("students_hosted"),
        agreements=Sum("agreements_signed"),
        projects=Sum("projects_started"),
        mean_rating=Avg("rating"),
        member_rating=Avg("rating", filter=Q(side="member")),
        organization_rating=Avg("rating", filter=Q(side="organization")),
    )

    def rating(value):
        return formats.number_format(value, 1) if value is not None else "—"

    return [
        Section(
            _("Solicitudes de organizaciones"),
            [(_("Presentadas"), requests.count())]
            + [
                (label, request_counts.get(value, 0))
                for value, label in ExpertiseRequest.Status.choices
            ],
        ),
        Section(
            _("Invitaciones a miembros"),
            [(_("Enviadas"), invitations.count())]
            + [
                (label, invitation_counts.get(value, 0))
                for value, label in MemberInvitation.Status.choices
            ],
        ),
        Section(
            _("Colaboraciones por estado"),
            [(_("Abiertas en el año"), engagements.count())]
            + [(label, state_counts.get(value, 0)) for value, label in Engagement.State.choices],
        ),
        Section(
            _("Colaboraciones por tipo"),
            [(label, kind_counts.get(value, 0)) for value, label in Engagement.Kind.choices],
        ),
        Section(
            _("Alcance"),
            [
                (_("Organizaciones atendidas"), reach["organizations"]),
                (_("Miembros de la red participantes"), reach["members"]),
            ],
        ),
        Section(
            _("Resultados registrados"),
            [
                (_("Registros de resultados"), outcomes["recorded"]),
                (_("Horas dedicadas"), outcomes["hours"] or 0),
                (_("Estudiantes recibidos"), outcomes["students"] or 0),
                (_("Convenios firmados"), outcomes["agreements"] or 0),
                (_("Proyectos financiados o iniciados"), outcomes["projects"] or 0),
                (_("Calificación media (1 a 5)"), rating(outcomes["mean_rating"])),
                (_("Calificación media de los miembros"), rating(outcomes["member_rating"])),
                (
                    _("Calificación media de las organizaciones"),
                    rating(outcomes["organization_rating"]),
                ),
            ],
        ),
    ]


def title(*, pncs, year: int) -> str:
    return _("Informe anual %(year)s del PNCS de %(sector)s") % {
        "year": year,
        "sector": pncs.sector.name,
    }


def filename(*, pncs, year: int, extension: str) -> str:
    return f"informe-pncs-{pncs.sector.slug}-{year}.{extension}"


def report_csv(*, pncs, year: int) -> str:
    """The report as CSV (UTF-8 with BOM): section, indicator, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Sección"), _("Indicador"), _("Valor")])
    for section in yearly_report(pncs=pncs, year=year):
        for label, value in section.rows:
            writer.writerow([csv_safe(section.title), csv_safe(label), csv_safe(value)])
    return "\ufeff" + buffer.getvalue()


def report_pdf(*, pncs, year: int) -> bytes:
    """The report as a one- or two-page A4 PDF, in the active language."""
    pdf = FPDF(format="A4")
    add_fonts(pdf)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(title(pncs=pncs, year=year))
    pdf.set_lang(_("es-MX"))
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title(pncs=pncs, year=year), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        0,
        5,
        _("Red de Talentos Mexicanos · %(host)s · generado el %(day)s")
        % {
            "host": pncs.host_institution,
            "day": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        },
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for section in yearly_report(pncs=pncs, year=year):
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        for label, value in section.rows:
            pdf.cell(140, 6, str(label), border="B")
            pdf.cell(0, 6, str(value), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def report_years(today: date | None = None) -> list[int]:
    """The years offered: the first with data (or this one) to this one."""
    today = today or timezone.localdate()
    first = Engagement.objects.order_by("created_at").values_list("created_at", flat=True).first()
    since = timezone.localdate(first).year if first else today.year
    return list(range(today.year, min(since, today.year) - 1, -1))
