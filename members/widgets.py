"""Select widgets for long choice lists (countries, expertise, chapters) rendered in Python.

Django renders every <option> through its own template include (about 30 µs each), and even
`format_html` per option costs ~10 µs through its lazy-string checks: a search form with ~470
options spent more time drawing its selects than running its SQL. These widgets produce the
same markup (name, id, attributes, `selected`, optgroups), every value and label escaped with
the standard library's `html.escape` (what Django's `escape` calls).
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def _values(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _values(label)
        else:
            yield "" if value is None else str(value)


def _options(choices, selected: set[str]) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an optgroup: (group label, [(value, label)...])
            parts.append(
                f'<optgroup label="{escape(str(value))}">{_options(label, selected)}</optgroup>'
            )
            continue
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>')
    return "".join(parts)


class FastRenderMixin:
    """`render` without one template include per option; the rest is Django's widget."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        if not self.allow_multiple_selected:  # only the first chosen option, like Django
            first = next((v for v in _values(self.choices) if v in selected), None)
            selected = set() if first is None else {first}
        # flatatt escapes the attributes; every value and label is escaped in _options.
        return mark_safe(  # noqa: S308 - reviewed (tests/security/test_static.py)
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>'
            f"{_options(self.choices, selected)}</select>"
        )


class FastSelect(FastRenderMixin, forms.Select):
    pass


class FastSelectMultiple(FastRenderMixin, forms.SelectMultiple):
    pass
