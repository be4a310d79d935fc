"""The busiest parts of the coordinators' search page, drawn in Python.

A results page has 25 rows of five cells and about thirty facet links: through template
nodes (a lookup, an escape and a {% url %} each) they cost more CPU than the search's
SQL on our 2-core machines. These tags write the same markup with the standard library's
`html.escape` (what Django's `escape` calls) on every value: names, headlines and labels
are member- or staff-written text, never trusted. The page's structure and every
translated string stay in templates/pncs/member_search.html.
"""

import functools
from html import escape

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_ID_MARK = 987654321  # stands for the member id while the detail URL is reversed once


@functools.cache
def _detail_url_parts(language, script_prefix, urlconf) -> tuple[str, str]:
    """The member page's URL around its id, reversed once per language and prefix (URLs do
    not change while a process runs)."""
    before, _mark, after = reverse(
        "pncs:member_detail", args=[_ID_MARK], urlconf=urlconf
    ).partition(str(_ID_MARK))
    return before, after


@register.simple_tag
def result_rows(rows):
    """The <tr> of a results page: name (linked to the member's page), headline, country,
    sectors (primary first) and education level."""
    before, after = _detail_url_parts(
        get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    parts = [
        f'<tr><td><a href="{escape(before)}{int(row.profile_id)}{escape(after)}">'
        f"{escape(row.profile.display_name)}</a></td>"
        f"<td>{escape(row.profile.headline)}</td>"
        f"<td>{escape(row.country_name)}</td>"
        f"<td>{escape(', '.join(row.sector_names))}</td>"
        f"<td>{escape(row.education_name)}</td></tr>"
        for row in rows
    ]
    return mark_safe("\n".join(parts))  # noqa: S308 - every value escaped above


@register.simple_tag
def facet_items(items):
    """The <li> links narrowing the search to one facet value, with its count."""
    parts = [
        f'<li><a href="?{escape(item["query"])}">{escape(item["label"])} ({int(item["count"])})</a></li>'
        for item in items
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
