"""The one font of the PDFs the site prints (certificates, letters, reports): DejaVu Sans,
shipped with the app (core/fonts, free licence), so names render as written (Zoë, Łukasz,
Nguyễn, Ørsted...) and nothing depends on the fonts of the machine; fpdf2 embeds only the
glyphs used."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "dejavu"


def add_fonts(pdf) -> None:
    """Register the regular and bold faces on an fpdf2 document."""
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
