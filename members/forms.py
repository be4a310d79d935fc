"""Forms of the members app: sign-up extras, profile, privacy choices, ARCO, deletion."""

import re

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from core.choices import name_empty_choices
from core.images import process_photo
from core.language import collation_key

from .models import ArcoRequest, Contribution, Language, PrivacyNotice, Profile, Sector
from .services.privacy import CONSENT_PURPOSES

PRIVACY_REQUIRED = _("Para crear tu cuenta, lee y acepta el aviso de privacidad.")
PRIVACY_CHANGED = _("El aviso de privacidad cambió mientras lo leías. Léelo de nuevo y acéptalo.")
SECTORS_COUNT = _("Elige de uno a tres sectores.")
PRIMARY_NOT_CHOSEN = _("Tu sector principal debe ser uno de los sectores que elegiste.")
TOO_MANY_TAGS = _("Escribe como máximo 15 especialidades.")
ORCID_INVALID = _("Escribe el ORCID con el formato 0000-0002-1825-0097.")
DELETE_CONFIRM_REQUIRED = _("Marca la casilla para confirmar que quieres eliminar tu cuenta.")

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
MAX_TAGS = 15

VOLUNTARY_LABELS = {
    "show_in_directory": _("Mostrar mi perfil a otros miembros verificados en el directorio"),
    "pncs_contact": _("La coordinación de los PNCS puede contactarme"),
    "notify_chapter": _("Quiero recibir avisos de mis capítulos"),
    "notify_jornadas": _("Quiero recibir avisos de Jornadas Informativas"),
    "notify_programs": _("Quiero recibir avisos de programas de formación"),
    "notify_opportunities": _("Quiero recibir avisos de oportunidades de los PNCS"),
    "notify_surveys": _("Quiero recibir invitaciones a encuestas y al censo de la diáspora"),
}


class NameOrderedChoiceIterator(ModelChoiceIterator):
    """Choices in the order of their labels in the active language (core.language)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = sorted(
            self.queryset, key=lambda obj: collation_key(self.field.label_from_instance(obj))
        )
        for obj in rows:
            yield self.choice(obj)


class NameOrderedMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = NameOrderedChoiceIterator


class SignupExtrasForm(forms.Form):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the privacy notice
    acceptance (required, unticked) and the voluntary purposes (separate, unticked)."""

    privacy_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    accept_privacy = forms.BooleanField(
        label=_("He leído y acepto el aviso de privacidad"),
        required=True,
        error_messages={"required": PRIVACY_REQUIRED},
    )
    show_in_directory = forms.BooleanField(
        label=VOLUNTARY_LABELS["show_in_directory"], required=False
    )
    pncs_contact = forms.BooleanField(label=VOLUNTARY_LABELS["pncs_contact"], required=False)
    notify_chapter = forms.BooleanField(label=VOLUNTARY_LABELS["notify_chapter"], required=False)
    notify_jornadas = forms.BooleanField(label=VOLUNTARY_LABELS["notify_jornadas"], required=False)
    notify_programs = forms.BooleanField(label=VOLUNTARY_LABELS["notify_programs"], required=False)
    notify_opportunities = forms.BooleanField(
        label=VOLUNTARY_LABELS["notify_opportunities"], required=False
    )
    notify_surveys = forms.BooleanField(label=VOLUNTARY_LABELS["notify_surveys"], required=False)

    VOLUNTARY_FIELDS = (
        "show_in_directory",
        "pncs_contact",
        "notify_chapter",
        "notify_jornadas",
        "notify_programs",
        "notify_opportunities",
        "notify_surveys",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.privacy_notice = PrivacyNotice.objects.current()
        if self.privacy_notice is not None:
            self.fields["privacy_version"].initial = self.privacy_notice.version

    def clean(self):
        cleaned = super().clean()
        notice = self.privacy_notice
        shown = cleaned.get("privacy_version")
        if notice is not None and shown is not None and shown != notice.version:
            self.add_error("accept_privacy", PRIVACY_CHANGED)
        return cleaned

    def consent_choices(self) -> dict:
        data = self.cleaned_data
        return {
            "directory_visibility": (
                Profile.Visibility.MEMBERS
                if data.get("show_in_directory")
                else Profile.Visibility.IME
            ),
            **{name: bool(data.get(name)) for name in self.VOLUNTARY_FIELDS[1:]},
        }

    def signup(self, request, user):
        """Called by allauth once the user row exists. Emails follow the sign-up language."""
        from django.utils.translation import get_language

        from .services import complete_signup

        language = "en" if (get_language() or "").startswith("en") else "es-mx"
        complete_signup(
            user=user,
            notice=self.privacy_notice,
            choices=self.consent_choices(),
            language=language,
        )


class ProfileForm(forms.ModelForm):
    """The member's profile (onboarding and later edits)."""

    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectores (de uno a tres)"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": SECTORS_COUNT},
    )
    primary_sector = forms.ModelChoiceField(
        label=_("Sector principal"),
        queryset=Sector.objects.all(),
        empty_label=_("Elige uno de los sectores que marcaste"),
    )
    expertise = forms.CharField(
        label=_("Especialidades"),
        required=False,
        max_length=1000,
        help_text=_("Separadas por comas, por ejemplo: machine learning, salud pública."),
        widget=forms.TextInput(attrs={"list": "expertise-options", "autocomplete": "off"}),
    )
    languages = NameOrderedMultipleChoiceField(
        label=_("Idiomas que hablas"),
        queryset=Language.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contributions = forms.ModelMultipleChoiceField(
        label=_("¿Cómo puedes aportar?"),
        queryset=Contribution.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_("Opcional. JPEG, PNG o WebP; hasta 5 MB y 25 megapíxeles."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    linkedin_url = forms.URLField(label=_("LinkedIn"), required=False, assume_scheme="https")
    website = forms.URLField(label=_("Sitio web"), required=False, assume_scheme="https")

    class Meta:
        model = Profile
        fields = [
            "given_names",
            "paternal_surname",
            "maternal_surname",
            "preferred_name",
            "headline",
            "bio",
            "country",
            "city",
            "state_of_origin",
            "education_level",
            "education_field",
            "institution",
            "employer",
            "position",
            "willing_to_travel",
            "linkedin_url",
            "orcid",
            "website",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6, "maxlength": 2000})}
        help_texts = {
            "preferred_name": _("Cómo quieres que te llamen en el portal (opcional)."),
            "headline": _("Una línea: tu puesto o tu especialidad."),
            "bio": _("Hasta 2000 caracteres."),
            "orcid": _("Por ejemplo 0000-0002-1825-0097."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'
        for name in ("given_names", "paternal_surname", "country"):
            self.fields[name].required = True
        blank_labels = {
            "country": _("Elige un país"),
            "state_of_origin": _("Sin especificar"),
            "education_level": _("Sin especificar"),
        }
        for name, label in blank_labels.items():
            choices = [c for c in self.fields[name].choices if c[0] != ""]
            self.fields[name].choices = [("", label), *choices]
        profile = self.instance
        if profile.pk and not self.is_bound:
            chosen = list(profile.profile_sectors.all())
            self.initial["sectors"] = [ps.sector_id for ps in chosen]
            primary = next((ps.sector_id for ps in chosen if ps.is_primary), None)
            if primary:
                self.initial["primary_sector"] = primary
            self.initial["expertise"] = ", ".join(t.name for t in profile.expertise.all())
            self.initial["languages"] = [lang.pk for lang in profile.languages.all()]
            self.initial["contributions"] = [c.pk for c in profile.contributions.all()]
        self.fields["photo"].initial = profile.photo if profile.pk else None

    def clean_sectors(self):
        sectors = self.cleaned_data["sectors"]
        if not 1 <= len(sectors) <= 3:
            raise forms.ValidationError(SECTORS_COUNT)
        return sectors

    def clean_expertise(self):
        from .services import normalise_tag

        names = []
        for part in self.cleaned_data["expertise"].split(","):
            tag = normalise_tag(part)
            if tag and tag not in names:
                names.append(tag)
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(TOO_MANY_TAGS)
        return names

    def clean_orcid(self):
        orcid = self.cleaned_data["orcid"].strip().upper()
        if orcid and not ORCID_RE.match(orcid):
            raise forms.ValidationError(ORCID_INVALID)
        return orcid

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo is False or not photo or not hasattr(photo, "size"):
            return photo  # False: "clear" ticked; None or the current file: unchanged
        # Counted against the member's hourly image uploads before anything is decoded.
        return process_photo(photo, account_id=self.instance.user_id)

    def clean(self):
        cleaned = super().clean()
        sectors = cleaned.get("sectors")
        primary = cleaned.get("primary_sector")
        if sectors and primary and primary not in sectors:
            self.add_error("primary_sector", PRIMARY_NOT_CHOSEN)
        return cleaned


class PrivacyChoicesForm(forms.ModelForm):
    """The voluntary purposes, each on its own: opting out is as easy as opting in."""

    class Meta:
        model = Profile
        fields = list(CONSENT_PURPOSES)
        widgets = {"directory_visibility": forms.RadioSelect}


class PreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Idioma de los correos que te enviamos"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    digest_frequency = forms.ChoiceField(
        label=_("Frecuencia del resumen de noticias"),
        choices=Profile._meta.get_field("digest_frequency").choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Solo si activaste el resumen de noticias en tus opciones de privacidad "
            "(está desactivado si no lo elegiste)."
        ),
    )


class PrivacyAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(
        label=_("He leído y acepto el aviso de privacidad"),
        required=True,
        error_messages={"required": PRIVACY_REQUIRED},
    )


class ArcoRequestForm(forms.ModelForm):
    class Meta:
        model = ArcoRequest
        fields = ["kind", "description"]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        }
        help_texts = {
            "description": _(
                "Qué necesitas y, si aplica, qué dato y por qué (hasta 4000 caracteres)."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("json", "JSON"), ("csv", "CSV")])


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Entiendo que mi cuenta se eliminará y que esto no se puede deshacer"),
        required=True,
        error_messages={"required": DELETE_CONFIRM_REQUIRED},
    )


TOP_READERS_DAYS = 90


class TopReadersForm(forms.Form):
    """The day of the staff's list of top readers: today or one of the last 90 days."""

    day = forms.DateField(
        label=_("Día"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def clean_day(self):
        from datetime import timedelta

        from django.utils import timezone

        day = self.cleaned_data.get("day")
        today = timezone.localdate()
        if day and not today - timedelta(days=TOP_READERS_DAYS) <= day <= today:
            raise forms.ValidationError(
                _("Elige un día de los últimos %(days)d días.") % {"days": TOP_READERS_DAYS}
            )
        return day


class MergeStartForm(forms.Form):
    """A member names the address of their other account (members:merge_start)."""

    email = forms.EmailField(
        label=_("Correo de tu otra cuenta"),
        max_length=254,
        help_text=_("Le enviaremos un enlace para confirmar que también es tuya."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        from .messages import MERGE_SAME_ACCOUNT

        email = self.cleaned_data["email"].strip()
        if self.user is not None and email.lower() == self.user.email.lower():
            raise forms.ValidationError(MERGE_SAME_ACCOUNT)
        return email


class StaffMergeForm(forms.Form):
    """IME staff choose which account of a likely duplicate is kept."""

    keep = forms.TypedChoiceField(
        label=_("Cuenta que se conserva"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = candidate.first, candidate.second
        self.fields["keep"].choices = [
            (first.pk, f"{first.email} (#{first.pk})"),
            (second.pk, f"{second.email} (#{second.pk})"),
        ]
        self.fields["keep"].initial = first.pk
