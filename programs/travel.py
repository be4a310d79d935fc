"""The travel list of a stage abroad for program staff: the page, its CSV and XLSX, each
read audited (members.ProfileView, kind "program_travel": who, when, which stage, how many
rows; never the data itself, SECURITY.md D5). Only confirmed participants of stages that
ask for travel data appear, with the fields the trip needs (an allow-list, D6)."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import csv_response, csv_safe, download
from members.models import full_name
from members.services import record_read

from .models import Enrolment, Stage, TravelDetails

TRAVEL_READ_KIND = "program_travel"


def travellers(stage: Stage):
    """The confirmed participants of `stage` with their travel data (or none yet), in one
    query, by name."""
    return (
        Enrolment.objects.enrolled()
        .filter(stage=stage, seat_confirmed_at__isnull=False)
        .select_related("application__user__profile", "travel")
        .order_by("application__user__profile__paternal_surname", "pk")
    )


def person_name(user) -> str:
    return full_name(user)


def header() -> list[str]:
    return [
        _("Nombre"),
        _("Correo"),
        _("Nacionalidad"),
        _("Pasaporte vigente hasta"),
        _("Visa"),
        _("Llegada"),
        _("Salida"),
        _("Necesidades alimentarias"),
        _("Necesidades médicas o de accesibilidad"),
        _("Contacto de emergencia"),
        _("Teléfono de emergencia"),
    ]


def rows(stage: Stage):
    """One list of cells per traveller (blank travel cells: not given yet)."""
    for enrolment in travellers(stage):
        user = enrolment.application.user
        travel: TravelDetails | None = getattr(enrolment, "travel", None)
        cells = [person_name(user), user.email, enrolment.application.nationality.name]
        if travel is None:
            cells += [""] * 8
        else:
            cells += [
                travel.passport_valid_until.isoformat(),
                travel.get_visa_status_display(),
                travel.arrival_on.isoformat(),
                travel.departure_on.isoformat(),
                travel.dietary_needs,
                travel.medical_needs,
                travel.emergency_contact_name,
                travel.emergency_contact_phone,
            ]
        yield cells


def audit(*, reader, stage: Stage, view: str, row_count: int, enrolment_id=None) -> bool:
    """Record a read of the travel data (False: the reader's daily cap is reached)."""
    page = f"travel-{stage.pk}-{view}" + (f"-{enrolment_id}" if enrolment_id else "")
    filters = {"stage": stage.pk, "view": view}
    if enrolment_id:
        filters["enrolment"] = enrolment_id
    return record_read(
        reader=reader, kind=TRAVEL_READ_KIND, page=page, filters=filters, row_count=row_count
    )


def travel_csv_response(stage: Stage, filename: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for cells in rows(stage):
        writer.writerow([csv_safe(c) for c in cells])
    return csv_response("\ufeff" + buffer.getvalue(), filename=filename)


def travel_xlsx_response(stage: Stage, filename: str):
    from django.http import HttpResponse

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Viajeros")[:31])
    sheet.append(header())
    for cells in rows(stage):
        sheet.append([csv_safe(c) for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return download(response, filename)
