"""The active language's variant of bilingual content (Spanish is the source language)."""

from django.conf import settings
from django.utils.translation import get_language


def is_english() -> bool:
    """Whether the active language (or the site's default) is English."""
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def by_language(es, en):
    """`en` under English, `es` otherwise; either falls back to the other when empty."""
    return (en or es) if is_english() else (es or en)
