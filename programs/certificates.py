"""The certificate as a PDF (fpdf2) with a QR code (segno) to its public verification page.

fpdf2's bundled core fonts (Helvetica) cover latin-1, which holds every Spanish accent
and ñ; nothing depends on fonts installed on the machine. A character outside latin-1
(a name written with another alphabet's letters) is reduced to its base letter when it
has one (ő → o) and to "?" otherwise, so the document never fails to render.
"""

import io
import unicodedata

import segno
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL the QR code points to (Spanish, unprefixed)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + certificate.get_absolute_url()


# Letters that have no Unicode decomposition to a latin-1 base letter.
_FALLBACKS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "\u0131": "i", "Ŧ": "T"}


def _latin1(text: str) -> str:
    out = []
    for char in text:
        if char in _FALLBACKS:
            out.append(_FALLBACKS[char])
            continue
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append("".join(c for c in base if not unicodedata.combining(c)) or "?")
        else:
            out.append(char)
    return "".join(out)


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
        title = _("Constancia de participación")
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_title(_latin1(f"{title} · {program.name}"))
        pdf.set_author("Red de Talentos Mexicanos")
        pdf.set_creator("talentnet")
        pdf.set_auto_page_break(auto=False)
        pdf.add_page()
        pdf.set_draw_color(0, 104, 71)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, 277, 190)

        pdf.set_text_color(0, 104, 71)
        pdf.set_font("helvetica", "B", 13)
        pdf.set_xy(20, 20)
        partners = ", ".join(p.name for p in program.partners.all())
        pdf.cell(257, 8, _latin1(partners or "Red de Talentos Mexicanos"), align="C")

        pdf.set_font("helvetica", "B", 28)
        pdf.set_xy(20, 40)
        pdf.cell(257, 14, _latin1(title), align="C")

        pdf.set_text_color(27, 27, 27)
        pdf.set_font("helvetica", "", 14)
        pdf.set_xy(20, 62)
        pdf.cell(257, 8, _latin1(_("Se otorga a")), align="C")
        pdf.set_font("helvetica", "B", 24)
        pdf.set_xy(20, 74)
        pdf.cell(257, 12, _latin1(certificate.holder_name), align="C")

        pdf.set_font("helvetica", "", 14)
        pdf.set_xy(30, 94)
        text = _(
            "por haber concluido y acreditado la etapa «%(stage)s» del programa %(program)s."
        ) % {
            "stage": stage.name,
            "program": program.name,
        }
        pdf.multi_cell(237, 8, _latin1(text), align="C")
        if stage.certifying_partner_id:
            pdf.set_x(30)
            pdf.multi_cell(
                237,
                8,
                _latin1(
                    _("Incluye la certificación otorgada por %(partner)s.")
                    % {"partner": stage.certifying_partner.name}
                ),
                align="C",
            )
        pdf.set_xy(30, 128)
        date_text = formats.date_format(certificate.issued_on, "DATE_FORMAT")
        pdf.cell(237, 8, _latin1(_("Fecha: %(date)s") % {"date": date_text}), align="C")

        pdf.image(_qr_png(url), x=22, y=142, w=48, h=48)
        pdf.set_font("helvetica", "", 10)
        pdf.set_xy(76, 152)
        pdf.cell(
            200, 6, _latin1(_("Código de verificación: %(code)s") % {"code": certificate.code})
        )
        pdf.set_xy(76, 160)
        pdf.cell(200, 6, _latin1(_("Verifica esta constancia en:")))
        pdf.set_xy(76, 166)
        pdf.set_text_color(0, 104, 71)
        pdf.cell(200, 6, _latin1(url), link=url)
        return bytes(pdf.output())
