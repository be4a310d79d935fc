"""Input of the programs app: the application form and the staff forms of the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import name_empty_choices

from .models import Application

GENDER_DESCRIPTION_MESSAGE = _("Escribe cómo te describes, o elige otra opción.")
STATE_REQUIRED_MESSAGE = _("Elige la entidad federativa donde vives.")


class ApplicationForm(forms.ModelForm):
    """What an applicant tells the program; gender is optional and only used in aggregate."""

    class Meta:
        model = Application
        fields = [
            "education_level",
            "education_field",
            "institution",
            "residence_country",
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
            "residence_country": _("El país donde vives hoy."),
            "gender": _(
                "Opcional. Solo se usa en cifras agregadas sobre la inclusión; nadie más lo ve."
            ),
            "gender_description": _("Opcional, si elegiste «Me describo de otra forma»."),
            "motivation": _("¿Por qué quieres participar? Máximo 3000 caracteres."),
        }
        widgets = {"motivation": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'
        # Eligibility per program: a program for residents of Mexico (IA 1000: any
        # nationality) asks for the state only; a program open to the diaspora asks for
        # the country of residence, and for a state only from people living in Mexico.
        self.residence_required = program.requires_residence_in_mexico
        if self.residence_required:
            del self.fields["residence_country"]
            self.fields["state"].required = True
        else:
            self.fields["residence_country"].initial = "MX"
            self.fields["state"].required = False
            self.fields["state"].help_text = _(
                "Solo si vives en México: la entidad federativa donde vives."
            )
        self.fields["gender"].choices = [
            ("", _("Prefiero no indicarlo")),
            *Application.Gender.choices,
        ]
        self.fields["nationality"].initial = self.fields["nationality"].initial or "MX"

    def clean(self):
        cleaned = super().clean()
        # (For a program that requires residence in Mexico, apply_to_program records it.)
        if self.residence_required:
            return self._clean_gender(cleaned)
        if cleaned.get("residence_country") and cleaned["residence_country"] != "MX":
            cleaned["state"] = ""
        elif cleaned.get("residence_country") == "MX" and not cleaned.get("state"):
            self.add_error("state", STATE_REQUIRED_MESSAGE)
        return self._clean_gender(cleaned)

    def _clean_gender(self, cleaned):
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
        help_text=_(
            "Columnas: correo, calificacion, concluyo, certificado. En una etapa con módulos "
            "o sesiones: correo, una columna por módulo (su clave, con la calificación), una "
            "por sesión (su clave, sí/no) y, si quieres, certificado; el promedio y la "
            "conclusión se calculan."
        ),
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


class CredentialLookupForm(forms.Form):
    """The code printed on a credential (or under its QR code)."""

    code = forms.CharField(
        label=_("Código de verificación"),
        max_length=64,
        help_text=_("Está impreso en la credencial, debajo del código QR."),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


# --- The stage abroad: the seat and the trip ---------------------------------------------

DEPARTURE_AFTER_ARRIVAL_MESSAGE = _("Elige una fecha de salida posterior a la de llegada.")
PASSPORT_BEYOND_DEPARTURE_MESSAGE = _(
    "Tu pasaporte debe seguir vigente después de tu fecha de salida; renuévalo antes de viajar."
)


SENSITIVE_CONSENT_MESSAGE = _(
    "Para guardar tus necesidades alimentarias o médicas, marca tu consentimiento; o deja "
    "esos campos vacíos."
)


class DeclineSeatForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo (opcional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nos ayuda a mejorar el programa; la siguiente persona no lo verá."),
    )


class TravelDetailsForm(forms.ModelForm):
    """What the trip needs; dates are checked against each other and the passport."""

    class Meta:
        from .models import TravelDetails

        model = TravelDetails
        fields = [
            "passport_valid_until",
            "visa_status",
            "arrival_on",
            "departure_on",
            "dietary_needs",
            "medical_needs",
            "emergency_contact_name",
            "emergency_contact_phone",
        ]
        widgets = {
            "passport_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "arrival_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "departure_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dietary_needs": forms.Textarea(attrs={"rows": 2}),
            "medical_needs": forms.Textarea(attrs={"rows": 2}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "dietary_needs": _(
                "Opcional. Por ejemplo: vegetariana, sin gluten, alergia al cacahuate."
            ),
            "medical_needs": _(
                "Opcional. Solo lo que el equipo del programa necesita saber para cuidarte."
            ),
            "emergency_contact_phone": _("Con clave de país, p. ej. +52 55 1234 5678."),
        }

    sensitive_consent = forms.BooleanField(
        label=_(
            "Doy mi consentimiento expreso para que el equipo del programa trate mis "
            "necesidades alimentarias y médicas (datos sensibles) solo para organizar el viaje."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.sensitive_consent_at:
            self.fields["sensitive_consent"].initial = True

    def clean(self):
        data = super().clean()
        if (data.get("dietary_needs") or data.get("medical_needs")) and not data.get(
            "sensitive_consent"
        ):
            self.add_error("sensitive_consent", SENSITIVE_CONSENT_MESSAGE)
        arrival, departure = data.get("arrival_on"), data.get("departure_on")
        passport = data.get("passport_valid_until")
        if arrival and departure and departure <= arrival:
            self.add_error("departure_on", DEPARTURE_AFTER_ARRIVAL_MESSAGE)
        elif departure and passport and passport <= departure:
            self.add_error("passport_valid_until", PASSPORT_BEYOND_DEPARTURE_MESSAGE)
        return data
