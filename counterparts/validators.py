"""The RFC (Registro Federal de Contribuyentes) of a Mexican organisation: its shape, its
date and its check digit, as the SAT computes it (Anexo 20 / the SAT's published algorithm).

An organisation (persona moral) has 12 characters: 3 letters, the date of incorporation
(YYMMDD) and a 3-character homoclave whose last character is the check digit; a person
with business activity (persona física) has 13 (4 letters). The check digit weighs the
first 12 characters (a 12-character RFC is padded with a leading space) from 13 down to 2
over the SAT's alphabet, modulo 11."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RFC_PATTERN = re.compile(r"^([A-ZÑ&]{3,4})(\d{2})(\d{2})(\d{2})([A-Z\d]{2})([A-Z\d])$")
ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

RFC_FORMAT_MESSAGE = _(
    "Escribe un RFC de 12 caracteres (persona moral, p. ej. ABC680524P73) o 13 "
    "(persona física): letras, fecha AAMMDD y homoclave."
)
RFC_DATE_MESSAGE = _("La fecha del RFC (AAMMDD) no es una fecha válida.")
RFC_CHECK_DIGIT_MESSAGE = _(
    "El dígito verificador del RFC no coincide. Revisa que esté bien escrito."
)


def normalise_rfc(value: str) -> str:
    """Upper case, without spaces or hyphens (as people often type it)."""
    return re.sub(r"[\s-]", "", str(value or "")).upper()


def rfc_check_digit(first_twelve_or_eleven: str) -> str:
    """The check digit of an RFC given without it (11 or 12 characters)."""
    padded = first_twelve_or_eleven.rjust(12)
    total = sum(ALPHABET.index(char) * (13 - i) for i, char in enumerate(padded))
    remainder = total % 11
    if remainder == 0:
        return "0"
    digit = 11 - remainder
    return "A" if digit == 10 else str(digit)


def validate_rfc(value: str) -> None:
    """Refuse an RFC with the wrong shape, an impossible date or a wrong check digit."""
    rfc = normalise_rfc(value)
    match = RFC_PATTERN.match(rfc)
    if not match:
        raise ValidationError(RFC_FORMAT_MESSAGE, code="rfc_format")
    _letters, yy, mm, dd, _homoclave, digit = match.groups()
    try:
        # The century does not matter for validity; 2000 is a leap year, so 29 Feb passes.
        datetime.date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        raise ValidationError(RFC_DATE_MESSAGE, code="rfc_date") from None
    if rfc_check_digit(rfc[:-1]) != digit:
        raise ValidationError(RFC_CHECK_DIGIT_MESSAGE, code="rfc_check_digit")
