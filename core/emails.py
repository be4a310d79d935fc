"""Email subjects: one helper renders every subject the project sends.

A subject is one header line of plain text. HTML escaping has no place in it (a title with
quotes arrived as `&quot;`), nor has a line break (a header injection) or any other control
character. Subject templates (`*_subject.txt`, the project's and allauth's) are rendered
here with autoescaping off, whatever the template says; subjects written in code
(`gettext(...) % {...}`) pass through `clean_subject`. Every sender calls one of the two:
members.services.mail (transactional mail), members.adapter (allauth's mail) and
announcements.mail (announcements).
"""

import unicodedata

from django.template import Context, Engine


def clean_subject(text) -> str:
    """One line of plain text: control characters and line breaks become spaces, runs of
    whitespace one space, no space at either end."""
    spaced = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
        for char in str(text or "")
    )
    return " ".join(spaced.split())


def render_subject(template_name: str, context: dict | None = None) -> str:
    """Render a subject template without HTML escaping, as one clean line."""
    template = Engine.get_default().get_template(template_name)
    context = {} if context is None else context
    return clean_subject(template.render(Context(context, autoescape=False)))
