"""The answer form of a survey, built from its questions, in the reader's language."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import TEXT_MAX_LENGTH, Question

REQUIRED_MESSAGE = _("Responde esta pregunta; es obligatoria.")
CHOICE_MESSAGE = _("Elige una de las opciones de la lista.")
TEXT_TOO_LONG_MESSAGE = _(
    "Escribe como máximo %(limit_value)s caracteres (escribiste %(show_value)s)."
)


def field_name(question) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question: radio buttons for a single choice or a scale (a fieldset
    with its legend), check boxes for a multiple choice, a list of countries, a short text."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        messages = {"required": REQUIRED_MESSAGE, "invalid_choice": CHOICE_MESSAGE}
        for question in self.questions:
            common = {
                "label": question.text,
                "required": question.required,
                "error_messages": messages,
            }
            if question.has_options:
                choices = [(str(option.pk), option.text) for option in question.options.all()]
                if question.kind == Question.Kind.SINGLE:
                    field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
                else:
                    field = forms.MultipleChoiceField(
                        choices=choices,
                        widget=forms.CheckboxSelectMultiple,
                        error_messages={**messages, "invalid_choice": CHOICE_MESSAGE},
                        label=question.text,
                        required=question.required,
                    )
            elif question.scale() is not None:
                values = question.scale()
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in values],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    help_text=_("De %(low)s (nada) a %(high)s (mucho).")
                    % {"low": values[0], "high": values[-1]},
                    **common,
                )
            elif question.kind == Question.Kind.COUNTRY:
                field = forms.ChoiceField(choices=[("", _("Elige un país")), *countries], **common)
            else:
                field = forms.CharField(
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    **{
                        **common,
                        "error_messages": {**messages, "max_length": TEXT_TOO_LONG_MESSAGE},
                    },
                )
                field.strip = True
            self.fields[field_name(question)] = field

    def answers(self) -> dict:
        """Question id -> the Answer field values to store (surveys.services.submit_response)."""
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if value in (None, "", []):
                continue
            if question.kind == Question.Kind.MULTIPLE:
                rows = [{"option_id": int(pk)} for pk in value]
            elif question.kind == Question.Kind.SINGLE:
                rows = [{"option_id": int(value)}]
            elif question.scale() is not None:
                rows = [{"number": int(value)}]
            elif question.kind == Question.Kind.COUNTRY:
                rows = [{"country": value}]
            else:
                rows = [{"text": value}]
            found[question.pk] = rows
        return found
