"""The certificate as a PDF (fpdf2) with a QR code (segno) to its public verification page.

Both languages are on the page; the issuer's and the partner's logos, and the signer's
signature, name and role, come from the partners (set in the admin).

The text is set in DejaVu Sans, shipped with the app (core/fonts, core.pdf, free licence),
so names render as written (Zoë, Łukasz, Nguyễn, Ørsted...) and nothing depends on the
fonts of the machine; fpdf2 embeds only the glyphs used. A character the font lacks
(e.g. CJK) is left out rather than failing the document.
"""

import io
import logging

import segno
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from core.pdf import FONT, FONT_DIR
from core.storage import storage_errors
from members.files import file_response

from .models import Certificate

logger = logging.getLogger(__name__)


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL the QR code points to (Spanish, unprefixed)."""
    return certificate.verification_url()


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def _stored_image(field) -> io.BytesIO | None:
    """A stored image (a partner's logo or signature) for the PDF, or None when there is
    none or the store fails (the certificate is still printed, without it)."""
    if not field:
        return None
    try:
        with field.storage.open(field.name, "rb") as stored:
            return io.BytesIO(stored.read())
    except (OSError, *storage_errors()):
        logger.exception("certificate printed without an image: the file store failed")
        return None


def _other_language(language: str) -> str:
    return "es-mx" if language == "en" else "en"


def _texts(certificate: Certificate, language: str) -> dict:
    """What the certificate says, in `language`."""
    stage = certificate.enrolment.stage
    program = stage.program
    issuer = certificate.issuer
    with translation.override(language):
        if certificate.is_partner_certification:
            title = _("Certificación")
            body = _(
                "por haber acreditado la certificación «%(name)s», en la etapa «%(stage)s» "
                "del programa %(program)s."
            ) % {"name": certificate.display_title, "stage": stage.name, "program": program.name}
        else:
            title = _("Constancia de participación")
            body = _(
                "por haber concluido y acreditado la etapa «%(stage)s» del programa %(program)s."
            ) % {"stage": stage.name, "program": program.name}
        identifier = ""
        if certificate.external_id:
            identifier = _("Identificador de %(issuer)s: %(id)s") % {
                "issuer": certificate.issuer_name,
                "id": certificate.external_id,
            }
        return {
            "title": str(title),
            "awarded": str(_("Se otorga a")),
            "body": str(body),
            "identifier": str(identifier),
            "date": _("Fecha: %(date)s")
            % {"date": formats.date_format(certificate.issued_on, "DATE_FORMAT")},
            "code": _("Código de verificación: %(code)s") % {"code": certificate.code},
            "verify": str(_("Verifica esta constancia en:")),
            "role": (issuer.signer_role if issuer else "") or "",
        }


def _logos(certificate: Certificate):
    """The issuer's logo (left) and the other institution's (right): for a constancia, the
    stage's certifying partner; for a partner's certification, the program's centre."""
    from .services import centre_of

    stage = certificate.enrolment.stage
    issuer = certificate.issuer
    if certificate.is_partner_certification:
        other = centre_of(stage.program)
    else:
        other = stage.certifying_partner
    if other is not None and issuer is not None and other.pk == issuer.pk:
        other = None
    return (
        _stored_image(issuer.logo) if issuer else None,
        _stored_image(other.logo) if other else None,
    )


def render_certificate_pdf(certificate: Certificate, language: str) -> bytes:
    """The certificate as PDF bytes, in both languages: `language` ("es-mx" or "en") first,
    the other one beneath each part. Printed with the issuer's and the partner's logos,
    the signer's signature image, name and role (set on the partner in the admin), and the
    QR code of the public verification page."""
    program = certificate.enrolment.stage.program
    url = verification_url(certificate)
    main = _texts(certificate, language)
    second = _texts(certificate, _other_language(language))
    issuer = certificate.issuer
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_title(f"{main['title']} · {second['title']} · {program.name_es}")
    pdf.set_author(certificate.issuer_name or "Red de Talentos Mexicanos")
    pdf.set_creator("talentnet")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(0, 104, 71)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)

    left_logo, right_logo = _logos(certificate)
    if left_logo is not None:
        pdf.image(left_logo, x=18, y=17, w=48, h=22, keep_aspect_ratio=True)
    if right_logo is not None:
        pdf.image(right_logo, x=231, y=17, w=48, h=22, keep_aspect_ratio=True)

    def centred(y, size, text, *, bold=False, grey=False, height=None):
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*((90, 90, 90) if grey else (27, 27, 27)))
        pdf.set_xy(30, y)
        pdf.multi_cell(237, height or size * 0.5, text, align="C")
        return pdf.get_y()

    pdf.set_text_color(0, 104, 71)
    pdf.set_font(FONT, "B", 13)
    pdf.set_xy(70, 22)
    pdf.cell(157, 8, certificate.issuer_name or "Red de Talentos Mexicanos", align="C")

    pdf.set_text_color(0, 104, 71)
    pdf.set_font(FONT, "B", 26)
    pdf.set_xy(20, 42)
    pdf.cell(257, 12, main["title"], align="C")
    y = centred(55, 13, second["title"], grey=True)
    y = centred(y + 3, 12, f"{main['awarded']} · {second['awarded']}")
    y = centred(y + 2, 22, certificate.holder_name, bold=True, height=11)
    y = centred(y + 3, 12, main["body"], height=6)
    y = centred(y + 1, 10, second["body"], grey=True, height=5)
    if main["identifier"]:
        y = centred(y + 2, 10, f"{main['identifier']} · {second['identifier']}", height=5)
    centred(y + 2, 11, f"{main['date']} · {second['date']}", height=6)

    pdf.image(_qr_png(url), x=20, y=148, w=44, h=44)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(27, 27, 27)
    lines = [main["code"], second["code"], f"{main['verify']} / {second['verify']}"]
    for offset, line in enumerate(lines):
        pdf.set_xy(68, 160 + offset * 5)
        pdf.cell(120, 5, line)
    pdf.set_xy(68, 175)
    pdf.set_text_color(0, 104, 71)
    pdf.cell(120, 5, url, link=url)

    signature = _stored_image(issuer.signature) if issuer else None
    if signature is not None:
        pdf.image(signature, x=205, y=146, w=70, h=22, keep_aspect_ratio=True)
    if issuer is not None and issuer.signer_name:
        pdf.set_draw_color(27, 27, 27)
        pdf.set_line_width(0.3)
        pdf.line(200, 170, 280, 170)
        pdf.set_text_color(27, 27, 27)
        pdf.set_font(FONT, "B", 10)
        pdf.set_xy(195, 171)
        pdf.cell(90, 5, issuer.signer_name, align="C")
        pdf.set_font(FONT, "", 9)
        for offset, role in enumerate(r for r in (main["role"], second["role"]) if r):
            if offset and role == main["role"]:
                continue
            pdf.set_xy(195, 176 + offset * 5)
            pdf.cell(90, 5, role, align="C")
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
