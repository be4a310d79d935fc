"""Select and input widgets for the busiest forms (the PNCS search) rendered in Python.

Django renders every <option> through its own template include (about 30 µs each), and even
`format_html` per option costs ~10 µs through its lazy-string checks: a search form with ~470
options spent more time drawing its selects than running its SQL. These widgets produce the
same markup (name, id, attributes, `selected`, optgroups), every value and label escaped with
the standard library's `html.escape` (what Django's `escape` calls).
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe


class ChoiceList(BaseChoiceIterator):
    """A fixed list of (value, label) strings without option groups, with what its form
    field and select need prepared once: the allowed values, the labels by value and every
    <option> drawn. Built once per language and process for the search's long lists
    (pncs.filters), it spares each request ~470 option normalisations (Django keeps a
    BaseChoiceIterator as it is), a set built per field to validate, and drawing every
    option again."""

    def __init__(self, pairs):
        self.pairs = tuple((str(value), str(label)) for value, label in pairs)
        self.allowed = frozenset(value for value, _label in self.pairs)
        self.labels = dict(self.pairs)
        self._drawn = None

    def __copy__(self):
        """Itself: it never changes, and a form's widgets copy their choices on every form
        built (a copy would draw every option again)."""
        return self

    def __deepcopy__(self, memo):
        return self

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        return self.pairs[index]

    def options_html(self, selected: set[str]) -> str:
        """Every <option>, those whose value is in `selected` marked selected."""
        if self._drawn is None:
            drawn = [
                f'<option value="{escape(value)}">{escape(label)}</option>'
                for value, label in self.pairs
            ]
            positions = {value: i for i, (value, _label) in enumerate(self.pairs)}
            self._drawn = (drawn, "".join(drawn), positions)
        drawn, joined, positions = self._drawn
        marked = [positions[value] for value in selected if value in positions]
        if not marked:
            return joined
        parts = list(drawn)
        for i in marked:
            value, label = self.pairs[i]
            parts[i] = f'<option value="{escape(value)}" selected>{escape(label)}</option>'
        return "".join(parts)


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
        if isinstance(self.choices, ChoiceList):
            options = self.choices.options_html(selected)
        else:
            options = _options(self.choices, selected)
        # flatatt escapes the attributes; every value and label is escaped in _options and
        # ChoiceList.options_html.
        return mark_safe(  # noqa: S308 - reviewed (tests/security/test_static.py)
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>{options}</select>'
        )


class FastSelect(FastRenderMixin, forms.Select):
    pass


class FastInputMixin:
    """`render` of an <input> without Django's two templates (input.html and attrs.html):
    the same context (`get_context`), the same markup."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
        # flatatt escapes the attributes (True: the bare name, False: left out, as
        # attrs.html does); the type, name and value pass html.escape.
        return mark_safe(  # noqa: S308 - reviewed (tests/security/test_static.py)
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
            f"{value_attr}{flatatt(widget['attrs'])}>"
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    pass


class FastSelectMultiple(FastRenderMixin, forms.SelectMultiple):
    pass
