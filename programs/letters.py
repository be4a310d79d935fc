"""The letter of invitation of a confirmed participant to a stage abroad, as a bilingual
PDF (Spanish, then English, on one page), set by core.letters."""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.letters import render_letter_pdf
from members.files import file_response

from .models import Enrolment
from .travel import person_name


def _paragraphs(enrolment: Enrolment, language: str) -> tuple[str, list[str]]:
    stage = enrolment.stage
    program = stage.program
    user = enrolment.application.user
    travel = getattr(enrolment, "travel", None)
    with translation.override(language):
        title = _("Carta de invitación")
        text = [
            _("A quien corresponda:"),
            _(
                "La Red de Talentos Mexicanos invita a %(name)s, de nacionalidad %(nationality)s, "
                "a participar en «%(stage)s» del programa %(program)s, que se realizará en "
                "%(place)s del %(start)s al %(end)s."
            )
            % {
                "name": person_name(user),
                "nationality": enrolment.application.nationality.name,
                "stage": stage.name,
                "program": program.name,
                "place": stage.place or "—",
                "start": formats.date_format(stage.starts_on, "DATE_FORMAT"),
                "end": formats.date_format(stage.ends_on, "DATE_FORMAT"),
            },
        ]
        if travel is not None:
            text.append(
                _("Su llegada está prevista el %(arrival)s y su salida el %(departure)s.")
                % {
                    "arrival": formats.date_format(travel.arrival_on, "DATE_FORMAT"),
                    "departure": formats.date_format(travel.departure_on, "DATE_FORMAT"),
                }
            )
        text.append(
            _(
                "Fue seleccionada o seleccionado entre quienes obtuvieron los mejores "
                "resultados de la etapa anterior y confirmó su lugar."
            )
        )
        text.append(
            _("Emitida el %(date)s.")
            % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")}
        )
    return title, text


def render_invitation_pdf(enrolment: Enrolment) -> bytes:
    """The letter as PDF bytes: Spanish first, then English (core.letters' layout)."""
    return render_letter_pdf(
        title=f"Carta de invitación / Letter of invitation · {enrolment.stage.program.name_es}",
        paragraphs=lambda language: _paragraphs(enrolment, language),
    )


def invitation_pdf_response(enrolment: Enrolment):
    """The letter as a private download (no-store, nosniff)."""
    return file_response(
        render_invitation_pdf(enrolment),
        filename=f"carta-invitacion-{enrolment.pk}.pdf",
        attachment=True,
        private=True,
    )
