"""Countries typed by name: the directory's country filter and its suggestions.

django-countries holds ~250 names per language; a page never renders them all (a select of
250 options costs more than the rest of the page): the field is a text input whose
suggestions come from `members:country_suggestions`, and a typed name is resolved here.
"""

import unicodedata

from django.utils import translation
from django_countries import countries


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return " ".join(
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().split()
    )


def _names(language: str):
    """(code, name) of every country in `language`."""
    with translation.override(language):
        return [(code, str(name)) for code, name in countries]


def country_code(text: str) -> str:
    """The ISO code of the country `text` names ("México", "mexico", "Mexico", "MX"), in
    Spanish or English; "" when none."""
    folded = _folded(text)
    if not folded:
        return ""
    if len(folded) == 2 and folded.upper() in countries:
        return folded.upper()
    for language in ("es", "en"):
        for code, name in _names(language):
            if _folded(name) == folded:
                return code
    return ""


def country_suggestions(text: str, *, limit: int = 10, shortest: int = 2) -> list[str]:
    """Up to `limit` country names in the active language that begin with `text` (then
    those that contain it), accents and case ignored; none for fewer than `shortest`
    letters."""
    folded = _folded(text)
    if len(folded) < max(shortest, 1):
        return []
    names = _names(translation.get_language() or "es")
    starting = [name for _code, name in names if _folded(name).startswith(folded)]
    containing = [name for _code, name in names if folded in _folded(name) and name not in starting]
    return (starting + containing)[:limit]
