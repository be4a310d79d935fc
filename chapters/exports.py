"""Calendar (.ics) and participants (CSV) files."""

import csv
import io
import logging
import re
import unicodedata
from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from core.spreadsheets import csv_response, csv_safe

from .models import Registration, public_name

logger = logging.getLogger(__name__)


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def ical_text(value, *, multiline: bool = False) -> str:
    """Text as it may enter an iCalendar file: no control character at all.

    Every text that reaches the calendar goes through here (titles, descriptions, places,
    the calendar's name, links). A line break in a one-line property (SUMMARY, LOCATION,
    X-WR-CALNAME) becomes a space, as does any other control character; in a DESCRIPTION
    (`multiline`) line breaks stay as "\\n", which the icalendar library escapes. We never
    rely on the library's own `assert` against raw line breaks: asserts vanish under
    `python -O`, and a raw line break would let a title write its own properties.
    """
    text = _LINE_BREAKS.sub("\n" if multiline else " ", str(value or ""))
    cleaned = "".join(
        char if char == "\n" or unicodedata.category(char) != "Cc" else " " for char in text
    )
    if multiline:
        lines = [" ".join(line.split()) for line in cleaned.split("\n")]
        return "\n".join(lines).strip("\n")
    return " ".join(cleaned.split())


def _location(jornada):
    parts = [p for p in (jornada.venue, jornada.city, jornada.get_country_display()) if p]
    return ", ".join(parts) or jornada.online_url


def jornada_event(jornada, *, url):
    event = Event()
    event.add("uid", f"jornada-{jornada.pk}@talentnet")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", jornada.starts_at.astimezone(UTC))
    event.add("dtend", jornada.ends_at.astimezone(UTC))
    event.add("summary", ical_text(jornada.title))
    description = jornada.description
    if jornada.online_url:
        description = f"{description}\n\n{jornada.online_url}".strip()
    description = ical_text(description, multiline=True)
    if description:
        event.add("description", description)
    location = ical_text(_location(jornada))
    if location:
        event.add("location", location)
    event.add("url", ical_text(url))
    event.add("last-modified", jornada.updated_at.astimezone(UTC))
    return event


def calendar_for(jornadas, *, build_url, name):
    """A VCALENDAR with one VEVENT per Jornada; `build_url(jornada)` gives its absolute link."""
    calendar = Calendar()
    calendar.add("prodid", "-//Red de Talentos Mexicanos//talentnet//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", ical_text(name))
    for jornada in jornadas:
        calendar.add_component(jornada_event(jornada, url=build_url(jornada)))
    return calendar.to_ical()


def participants_csv_response(*, jornada_ids, user, filename):
    """The participants CSV as a download, with an audit line (who, which Jornadas, how
    many rows; never the personal data itself: SECURITY.md D5)."""
    content, rows = participants_csv(jornada_ids)
    logger.info(
        "participants export: user=%s jornadas=%s rows=%d",
        user.pk,
        sorted(jornada_ids),
        rows,
    )
    return csv_response(content, filename=filename)


def participants_csv(jornada_ids) -> tuple[bytes, int]:
    """Participants of the given Jornadas as UTF-8 CSV with a BOM (Excel opens accents right),
    and the number of participant rows."""
    rows = (
        Registration.objects.filter(jornada_id__in=list(jornada_ids))
        .select_related("jornada", "user__profile", "representing")
        .order_by("jornada__starts_at", "jornada_id", "status", "queued_at")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            gettext("Jornada"),
            gettext("Nombre"),
            gettext("Correo"),
            gettext("Capítulo que representa"),
            gettext("Estado"),
            gettext("Registrado el"),
            gettext("Asistencia"),
        ]
    )
    tz = timezone.get_default_timezone()
    count = 0
    for registration in rows.iterator(chunk_size=500):
        count += 1
        writer.writerow(
            csv_safe(cell)
            for cell in (
                registration.jornada.title,
                public_name(registration.user),
                registration.user.email,
                registration.representing.name if registration.representing else "",
                registration.get_status_display(),
                registration.registered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                registration.checked_in_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if registration.checked_in_at
                else "",
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count
