"""Rendered filter forms, cached whole.

A list's filter form is the same HTML for everyone who sends the same query in the same
language while its choices stay the same, and rendering its options through Django's
widget templates costs more CPU than the list's own queries (`make bench`). So a valid form
is rendered once and kept in the answers cache under: the active language, the query's
pairs (without the page: the form does not show it) and the choices of the fields whose
options come from the database (a new chapter or sector is a new key, shown at once). A
form with errors is rendered each time (its errors name what the visitor typed).

Whatever the cache does (Redis down), the form is rendered.
"""

import hashlib
import json

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import get_language

SECONDS = 600


def query_pairs(querydict) -> list[tuple[str, str]]:
    """The (name, value) pairs of a request's query, the page number left out: what a
    list's filters were asked for (the form does not show the page)."""
    return [(key, value) for key, values in querydict.lists() if key != "page" for value in values]


def form_html(form, *, template: str, query, dynamic=()) -> str:
    """The HTML of `form` rendered by `template` (a partial, with `form` in its context).
    `query`: the request's query (a QueryDict) that bound it;
    `dynamic`: the names of the fields whose choices are read from the database."""
    if form.errors:
        return render_to_string(template, {"form": form})
    choices = [
        [(str(value), str(label)) for value, label in form.fields[name].choices] for name in dynamic
    ]
    identity = json.dumps([template, get_language(), sorted(query_pairs(query)), choices])
    key = "forms:" + hashlib.sha256(identity.encode()).hexdigest()
    html = caches["answers"].get(key)
    if html is None:
        html = render_to_string(template, {"form": form})
        caches["answers"].set(key, html, SECONDS)
    return html
