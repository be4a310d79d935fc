"""The staff dashboard's filters (GET): choices come from the snapshot, so no query."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import Filters

PERIOD_CHOICES = [
    ("", _("Todo el tiempo")),
    ("30d", _("Últimos 30 días")),
    ("90d", _("Últimos 90 días")),
    ("12m", _("Últimos 12 meses")),
]


class FiguresFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Periodo"), choices=PERIOD_CHOICES, required=False)
    country = forms.ChoiceField(label=_("País de residencia"), required=False)
    sector = forms.TypedChoiceField(label=_("Sector"), coerce=int, empty_value=None, required=False)
    chapter = forms.TypedChoiceField(
        label=_("Capítulo"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, countries=(), sectors=(), chapters=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Todos"))]
        # Only the countries in the figures: a 250-option list is slow to render and to use.
        self.fields["country"].choices = everything + list(countries)
        self.fields["sector"].choices = everything + list(sectors)
        self.fields["chapter"].choices = everything + list(chapters)
        for name, bound in self.fields.items():
            bound.widget.attrs["aria-describedby"] = f"id_{name}_errors"

    def filters(self) -> Filters:
        """The chosen filters (call after is_valid())."""
        data = self.cleaned_data
        return Filters(
            period=data.get("period") or "",
            country=data.get("country") or "",
            sector=data.get("sector"),
            chapter=data.get("chapter"),
        )
