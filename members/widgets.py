"""Select widgets for long choice lists (countries, expertise, chapters) rendered in Python.

Django renders every <option> through its own template include: about 30 µs each, so a
search form with ~470 options spent more time drawing its selects than running its SQL.
These widgets produce the same markup (name, id, attributes, `selected`, optgroups) with
`format_html`, which escapes every value and label exactly as the templates do.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

SELECTED = format_html(" {}", "selected")
NOT_SELECTED = format_html("{}", "")


def _options(choices, selected: set[str]):
    flat = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an optgroup: (group label, [(value, label)...])
            flat.append(
                format_html('<optgroup label="{}">{}</optgroup>', value, _options(label, selected))
            )
            continue
        value = "" if value is None else str(value)
        flat.append(
            format_html(
                '<option value="{}"{}>{}</option>',
                value,
                SELECTED if value in selected else NOT_SELECTED,
                label,
            )
        )
    return format_html_join("", "{}", ((option,) for option in flat))


class FastRenderMixin:
    """`render` without one template include per option; the rest is Django's widget."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            _options(self.choices, selected),
        )


class FastSelect(FastRenderMixin, forms.Select):
    pass


class FastSelectMultiple(FastRenderMixin, forms.SelectMultiple):
    pass
