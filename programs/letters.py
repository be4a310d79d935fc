"""The letter of invitation of a confirmed participant to a stage abroad, as a bilingual
PDF (Spanish, then English, on one page), with the certificates' fonts (programs.certificates:
DejaVu Sans shipped with the app, so names render as written)."""

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from members.files import file_response

from .certificates import FONT, FONT_DIR
from .models import Enrolment
from .travel import person_name

GREEN = (0, 104, 71)
INK = (27, 27, 27)


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
    """The letter as PDF bytes: Spanish first, then English."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_author("Red de Talentos Mexicanos")
    pdf.set_creator("talentnet")
    pdf.set_title(f"Carta de invitación / Letter of invitation · {enrolment.stage.program.name_es}")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_text_color(*GREEN)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "Red de Talentos Mexicanos · Mexican Talent Network", align="C")
    pdf.ln(12)
    for language in (settings.LANGUAGE_CODE, "en"):
        title, text = _paragraphs(enrolment, language)
        pdf.set_text_color(*GREEN)
        pdf.set_font(FONT, "B", 16)
        pdf.cell(0, 10, title)
        pdf.ln(12)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 11)
        for paragraph in text:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
        pdf.ln(6)
        pdf.set_draw_color(*GREEN)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(8)
    return bytes(pdf.output())


def invitation_pdf_response(enrolment: Enrolment):
    """The letter as a private download (no-store, nosniff)."""
    return file_response(
        render_invitation_pdf(enrolment),
        filename=f"carta-invitacion-{enrolment.pk}.pdf",
        attachment=True,
        private=True,
    )
