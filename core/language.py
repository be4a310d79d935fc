"""The active language's variant of bilingual content (Spanish is the source language), and
the order in which people expect a list of names: by letter, accents aside."""

import unicodedata

from django.conf import settings
from django.utils.translation import get_language


def is_english() -> bool:
    """Whether the active language (or the site's default) is English."""
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def by_language(es, en):
    """`en` under English, `es` otherwise; either falls back to the other when empty."""
    return (en or es) if is_english() else (es or en)


def collation_key(text: str) -> str:
    """Sort key for names as a reader expects them in Spanish and English: accents and case
    aside ("Árabe" with the A's, not after "Zulú"), "ñ" after "n" as in Spanish dictionaries.
    (The database's collation is not locale-aware everywhere; lists sort with this key.)"""
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    decomposed = decomposed.replace("n\u0303", "n\U0010ffff")  # ñ: after every other n…
    return "".join(c for c in decomposed if not unicodedata.combining(c))
