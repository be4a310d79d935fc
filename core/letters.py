"""A letter of invitation as a bilingual PDF (Spanish, then English, on one page), in
DejaVu Sans shipped with the project (core/fonts and core.pdf, free licence), so names render as written
and nothing depends on the machine's fonts. The one layout of every letter of the site:
each app writes the paragraphs (programs: a stage abroad; chapters: a Jornada), this
module sets them."""

from collections.abc import Callable

from django.conf import settings
from fpdf import FPDF

from .pdf import FONT, add_fonts

GREEN = (0, 104, 71)
INK = (27, 27, 27)
LETTERHEAD = "Red de Talentos Mexicanos · Mexican Talent Network"


def render_letter_pdf(*, title: str, paragraphs: Callable[[str], tuple[str, list[str]]]) -> bytes:
    """The letter as PDF bytes. `paragraphs(language)` returns (heading, paragraphs) in
    that language; it is called for Spanish, then English."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    add_fonts(pdf)
    pdf.set_author("Red de Talentos Mexicanos")
    pdf.set_creator("talentnet")
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_text_color(*GREEN)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, LETTERHEAD, align="C")
    pdf.ln(12)
    for language in (settings.LANGUAGE_CODE, "en"):
        heading, text = paragraphs(language)
        pdf.set_text_color(*GREEN)
        pdf.set_font(FONT, "B", 16)
        pdf.cell(0, 10, heading)
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
