"""PDF documents of the project (fpdf2): the fonts every document uses, and a plain report
(title, a line under it, sections of tables) for the yearly reports of work programmes.

The text is set in DejaVu Sans, shipped with the project (core/fonts, free licence), so names
render as written (Zoë, Łukasz, Nguyễn...) and nothing depends on the fonts of the machine;
fpdf2 embeds only the glyphs used. Every PDF of the site (certificates, letters, reports)
uses them.
"""

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "dejavu"
GREEN = (0, 104, 71)
INK = (27, 27, 27)
GREY = (90, 90, 90)


@dataclass
class Section:
    """A heading, the table's column names, its rows (strings) and the relative widths of
    its columns (equal when empty)."""

    title: str
    header: list[str]
    rows: list[list[str]]
    widths: tuple = ()
    note: str = ""
    empty: str = ""


@dataclass
class Report:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)


def add_fonts(pdf) -> None:
    """Register the regular and bold faces on an fpdf2 document."""
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")


def new_document(*, title: str, landscape: bool = False) -> FPDF:
    """An A4 document with the project's fonts, author and title set."""
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    add_fonts(pdf)
    pdf.set_author("Red de Talentos Mexicanos")
    pdf.set_creator("talentnet")
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def render_report(report: Report, *, landscape: bool = True) -> bytes:
    """The report as PDF bytes: its title, subtitle, then each section's table."""
    pdf = new_document(title=report.title, landscape=landscape)
    pdf.add_page()
    pdf.set_text_color(*GREEN)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 6, "Red de Talentos Mexicanos · Mexican Talent Network")
    pdf.ln(8)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    if report.subtitle:
        pdf.set_text_color(*GREY)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(4)
        pdf.set_text_color(*GREEN)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        if section.note:
            pdf.set_font(FONT, "", 9)
            pdf.multi_cell(0, 5, section.note, new_x="LMARGIN", new_y="NEXT")
        if not section.rows:
            pdf.set_font(FONT, "", 9)
            pdf.multi_cell(0, 5, section.empty or "—", new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.set_font(FONT, "", 8)
        widths = section.widths or tuple(1 for _column in section.header)
        with pdf.table(
            col_widths=widths,
            headings_style=_headings_style(),
            line_height=4.5,
            text_align="LEFT",
        ) as table:
            table.row(section.header)
            for row in section.rows:
                table.row([str(cell) for cell in row])
    return bytes(pdf.output())


def _headings_style():
    return FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=GREEN)
