"""Input of the programs app: the application form and the staff forms of the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Application

GENDER_DESCRIPTION_MESSAGE = _("Escribe cómo te describes, o elige otra opción.")


class ApplicationForm(forms.ModelForm):
    """What an applicant tells the program; gender is optional and only used in aggregate."""

    class Meta:
        model = Application
        fields = [
            "education_level",
            "education_field",
            "institution",
            "state",
            "nationality",
            "gender",
            "gender_description",
            "motivation",
        ]
        help_texts = {
            "education_field": _(
                "Por ejemplo: ingeniería química, economía, bachillerato general."
            ),
            "state": _("La entidad federativa donde vives."),
            "gender": _(
                "Opcional. Solo se usa en cifras agregadas sobre la inclusión; nadie más lo ve."
            ),
            "gender_description": _("Opcional, si elegiste «Me describo de otra forma»."),
            "motivation": _("¿Por qué quieres participar? Máximo 3000 caracteres."),
        }
        widgets = {"motivation": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = [
            ("", _("Prefiero no indicarlo")),
            *Application.Gender.choices,
        ]
        self.fields["nationality"].initial = self.fields["nationality"].initial or "MX"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("gender") != Application.Gender.SELF_DESCRIBED:
            cleaned["gender_description"] = ""
        elif not cleaned.get("gender_description", "").strip():
            self.add_error("gender_description", GENDER_DESCRIPTION_MESSAGE)
        return cleaned


class ResultsImportForm(forms.Form):
    """A CSV or XLSX file of results for one stage."""

    stage = forms.ModelChoiceField(queryset=None, label=_("Etapa"))
    file = forms.FileField(
        label=_("Archivo CSV o XLSX"),
        help_text=_("Columnas: correo, calificacion, concluyo, certificado."),
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("El archivo no puede pesar más de 5 MB."))
        return upload


class SelectionForm(forms.Form):
    """How many to select for the next stage, and how many to waitlist after them."""

    count = forms.IntegerField(label=_("Seleccionar a las mejores"), min_value=1, max_value=100_000)
    waitlist = forms.IntegerField(
        label=_("Lista de espera"), min_value=0, max_value=100_000, initial=0
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la revocación"), max_length=300)
