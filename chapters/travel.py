"""The logistics list of a Jornada's participants from abroad, for IME staff: the page,
its CSV, and the letters of invitation (PDF, core.letters) of those who asked for one.
Every read is audited (members.ProfileView, kind "jornada_travel": who, when, which
Jornada, how many rows; never the data itself, SECURITY.md D5), through the same
members.services.record_read as the programs' travel list. Only active registrations of
Jornadas that ask appear, with an allow-list of fields (D6)."""

import csv
import io

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.letters import render_letter_pdf
from core.spreadsheets import csv_response, csv_safe
from members.files import file_response
from members.models import full_name
from members.services import record_read

from .models import Jornada, Registration, TravelNeeds

TRAVEL_READ_KIND = "jornada_travel"


def travellers(jornada: Jornada):
    """The active registrations of `jornada` that gave travel needs, by name, in one query."""
    return (
        Registration.objects.active()
        .filter(jornada=jornada, travel_needs__isnull=False)
        .select_related("user__profile", "travel_needs")
        .order_by("user__profile__paternal_surname", "pk")
    )


def header() -> list[str]:
    return [
        _("Nombre"),
        _("Correo"),
        _("Estado del registro"),
        _("Llegada"),
        _("Salida"),
        _("Hospedaje"),
        _("Carta de invitación"),
        _("Nombre en el pasaporte"),
        _("Nacionalidad"),
    ]


def _yes_no(value: bool) -> str:
    return _("Sí") if value else _("No")


def rows(jornada: Jornada):
    """One list of cells per registrant from abroad."""
    for registration in travellers(jornada):
        needs: TravelNeeds = registration.travel_needs
        yield [
            full_name(registration.user),
            registration.user.email,
            registration.get_status_display(),
            needs.arrival_on.isoformat(),
            needs.departure_on.isoformat(),
            _yes_no(needs.lodging_needed),
            _yes_no(needs.invitation_letter_needed),
            needs.passport_name,
            needs.nationality.name if needs.nationality else "",
        ]


def audit(*, reader, jornada: Jornada, view: str, row_count: int, registration_id=None) -> bool:
    """Record a read of the travel needs (False: the reader's daily cap is reached)."""
    page = f"jornada-travel-{jornada.pk}-{view}" + (
        f"-{registration_id}" if registration_id else ""
    )
    filters = {"jornada": jornada.pk, "view": view}
    if registration_id:
        filters["registration"] = registration_id
    return record_read(
        reader=reader, kind=TRAVEL_READ_KIND, page=page, filters=filters, row_count=row_count
    )


def travel_csv_response(jornada: Jornada, filename: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for cells in rows(jornada):
        writer.writerow([csv_safe(c) for c in cells])
    return csv_response("\ufeff" + buffer.getvalue(), filename=filename)


def _paragraphs(registration: Registration, language: str) -> tuple[str, list[str]]:
    jornada = registration.jornada
    needs = registration.travel_needs
    with translation.override(language):
        local_start = timezone.localtime(jornada.starts_at, jornada.tz).date()
        local_end = timezone.localtime(jornada.ends_at, jornada.tz).date()
        place = ", ".join(p for p in (jornada.venue, jornada.city, jornada.country.name) if p)
        text = [
            _("A quien corresponda:"),
            _(
                "La Red de Talentos Mexicanos y el Instituto de los Mexicanos en el Exterior "
                "invitan a %(name)s, de nacionalidad %(nationality)s, a participar en "
                "«%(jornada)s», que se realizará en %(place)s del %(start)s al %(end)s."
            )
            % {
                "name": needs.passport_name,
                "nationality": needs.nationality.name,
                "jornada": jornada.title,
                "place": place or "—",
                "start": formats.date_format(local_start, "DATE_FORMAT"),
                "end": formats.date_format(local_end, "DATE_FORMAT"),
            },
            _("Su llegada está prevista el %(arrival)s y su salida el %(departure)s.")
            % {
                "arrival": formats.date_format(needs.arrival_on, "DATE_FORMAT"),
                "departure": formats.date_format(needs.departure_on, "DATE_FORMAT"),
            },
            _("Emitida el %(date)s.")
            % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
        ]
        return _("Carta de invitación"), text


def letter_recipients(jornada: Jornada):
    """Those of the list who asked for a letter of invitation."""
    return travellers(jornada).filter(travel_needs__invitation_letter_needed=True)


def invitation_pdf_response(registration: Registration):
    """The letter of invitation of one registrant, as a private download (no-store)."""
    content = render_letter_pdf(
        title=f"Carta de invitación / Letter of invitation · {registration.jornada.title_es}",
        paragraphs=lambda language: _paragraphs(registration, language),
    )
    return file_response(
        content,
        filename=f"carta-invitacion-jornada-{registration.pk}.pdf",
        attachment=True,
        private=True,
    )
