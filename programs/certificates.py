"""The certificate as a PDF (fpdf2) with a QR code (segno) to its public verification page.

The text is set in DejaVu Sans, shipped with the app (programs/fonts, free licence),
so names render as written (Zoë, Łukasz, Nguyễn, Ørsted...) and nothing depends on the
fonts of the machine; fpdf2 embeds only the glyphs used. A character the font lacks
(e.g. CJK) is left out rather than failing the document.
"""

import io
from pathlib import Path

import segno
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from members.files import file_response

from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL the QR code points to (Spanish, unprefixed)."""
    return certificate.verification_url()


FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "dejavu"


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def render_certificate_pdf(certificate: Certificate, language: str) -> bytes:
    """The certificate in `language` ("es-mx" or "en") as PDF bytes."""
    enrolment = certificate.enrolment
    stage = enrolment.stage
    program = stage.program
    url = verification_url(certificate)
    with translation.override(language):
        partner = certificate.is_partner_certification
        title = _("Certificación") if partner else _("Constancia de participación")
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        pdf.set_title(f"{title} · {program.name}")
        pdf.set_author("Red de Talentos Mexicanos")
        pdf.set_creator("talentnet")
        pdf.set_auto_page_break(auto=False)
        pdf.add_page()
        pdf.set_draw_color(0, 104, 71)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, 277, 190)

        pdf.set_text_color(0, 104, 71)
        pdf.set_font(FONT, "B", 13)
        pdf.set_xy(20, 20)
        pdf.cell(257, 8, certificate.issuer_name or "Red de Talentos Mexicanos", align="C")

        pdf.set_font(FONT, "B", 28)
        pdf.set_xy(20, 40)
        pdf.cell(257, 14, title, align="C")

        pdf.set_text_color(27, 27, 27)
        pdf.set_font(FONT, "", 14)
        pdf.set_xy(20, 62)
        pdf.cell(257, 8, _("Se otorga a"), align="C")
        pdf.set_font(FONT, "B", 24)
        pdf.set_xy(20, 74)
        pdf.cell(257, 12, certificate.holder_name, align="C")

        pdf.set_font(FONT, "", 14)
        pdf.set_xy(30, 94)
        if partner:
            text = _(
                "por haber acreditado la certificación «%(name)s», en la etapa «%(stage)s» "
                "del programa %(program)s."
            ) % {"name": certificate.display_title, "stage": stage.name, "program": program.name}
        else:
            text = _(
                "por haber concluido y acreditado la etapa «%(stage)s» del programa %(program)s."
            ) % {"stage": stage.name, "program": program.name}
        pdf.multi_cell(237, 8, text, align="C")
        if certificate.external_id:
            pdf.set_x(30)
            pdf.multi_cell(
                237,
                8,
                _("Identificador de %(issuer)s: %(id)s")
                % {"issuer": certificate.issuer_name, "id": certificate.external_id},
                align="C",
            )
        pdf.set_xy(30, 128)
        date_text = formats.date_format(certificate.issued_on, "DATE_FORMAT")
        pdf.cell(237, 8, _("Fecha: %(date)s") % {"date": date_text}, align="C")

        pdf.image(_qr_png(url), x=22, y=142, w=48, h=48)
        pdf.set_font(FONT, "", 10)
        pdf.set_xy(76, 152)
        pdf.cell(200, 6, _("Código de verificación: %(code)s") % {"code": certificate.code})
        pdf.set_xy(76, 160)
        pdf.cell(200, 6, _("Verifica esta constancia en:"))
        pdf.set_xy(76, 166)
        pdf.set_text_color(0, 104, 71)
        pdf.cell(200, 6, url, link=url)
        return bytes(pdf.output())


def certificate_pdf_response(certificate: Certificate, language: str):
    """The certificate PDF as a private download (members.files: nosniff, no-store), the
    one response for the holder's page and the admin's."""
    pdf = render_certificate_pdf(certificate, language)
    suffix = "en" if language == "en" else "es"
    return file_response(
        pdf,
        filename=f"constancia-{certificate.code}-{suffix}.pdf",
        attachment=True,
        private=True,
    )
