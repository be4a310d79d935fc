"""The empty choice of a select says what to choose (issue 22): "Cualquier país" / "Any
country" on a filter, "Elige un país" / "Choose a country" on a form, instead of Django's
"---------" or a bare "Cualquiera" / "Todos".

`name_empty_choices(form, filtering=...)` is called by each form and filter set that
members use (their __init__); it rewrites only the generic empty labels, so a field whose
empty choice means something of its own ("Ninguno") keeps it. Multiple choices, radio
buttons and check boxes have no empty choice and are left alone."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A form's empty choice, by field name, where Spanish needs its article.
FORM_EMPTY_LABELS = {
    "country": _("Elige un país"),
    "country_of_residence": _("Elige un país"),
    "nationality": _("Elige una nacionalidad"),
    "state": _("Elige un estado"),
    "sector": _("Elige un sector"),
    "primary_sector": _("Elige un sector"),
    "education_level": _("Elige un nivel de estudios"),
    "gender": _("Elige una opción de género"),
    "chapter": _("Elige un capítulo"),
    "pncs": _("Elige un PNCS"),
    "kind": _("Elige un tipo"),
    "region": _("Elige una región"),
    "language": _("Elige un idioma"),
    "tag": _("Elige una etiqueta"),
}
GENERIC_EMPTY_LABELS = ("---------", _("Todos"), _("Todas"), _("Cualquiera"))


def _lower_first(label) -> str:
    """'País de residencia' -> 'país de residencia'; 'PNCS' stays 'PNCS'."""
    text = str(label or "")
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def empty_label(name: str, label, *, filtering: bool) -> str:
    """The empty choice of one field, in the active language."""
    if filtering:
        return gettext("Cualquier %(field)s") % {"field": _lower_first(label)}
    if name in FORM_EMPTY_LABELS:
        return str(FORM_EMPTY_LABELS[name])
    return gettext("Elige: %(field)s") % {"field": _lower_first(label)}


def _is_generic(text) -> bool:
    generic = {str(label) for label in GENERIC_EMPTY_LABELS}
    generic.add(str(getattr(settings, "FILTERS_EMPTY_CHOICE_LABEL", "---------")))
    return str(text) in generic


def name_empty_choices(form, *, filtering: bool) -> None:
    """Give every single-choice select of `form` an empty choice that names its field."""
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            continue
        if isinstance(field.widget, forms.RadioSelect | forms.HiddenInput):
            continue
        if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            continue
        label = empty_label(name, field.label, filtering=filtering)
        if isinstance(field, forms.ModelChoiceField):
            # Read when the choices are drawn (the widget's iterator is bound to the field).
            if field.empty_label is not None and _is_generic(field.empty_label):
                field.empty_label = label
            continue
        if hasattr(field, "empty_label"):
            # django-filter's choice field: its choices (and its widget's) are an iterator
            # bound to the field it was copied from; set them again from the underlying
            # choices (still lazy: a callable is not called here) to bind them to this one.
            if field.empty_label is not None and _is_generic(field.empty_label):
                field.empty_label = label
                field.choices = field.choices.choices
            continue
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and _is_generic(choices[0][1]):
            field.choices = [("", label), *choices[1:]]


class FilterForm(forms.Form):
    """The form of a filter set (its Meta.form): every empty choice says "Cualquier …"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=True)
