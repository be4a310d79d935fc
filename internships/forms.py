from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import FilterForm, name_empty_choices
from counterparts.forms import (
    DESCRIPTION_WITHOUT_TITLE,
    TITLE_REQUIRED,
    TITLE_WITHOUT_DESCRIPTION,
)
from members.models import Language, Sector

from .models import DEADLINE_AFTER_START, SEATS_RANGE, Application, Placement, StudentProfile

DEADLINE_IN_PAST = _("Elige una fecha límite de hoy en adelante.")
STIPEND_REQUIRED = _("Escribe el monto del apoyo económico, o desmarca «con apoyo económico».")
REASON_REQUIRED = _("Escribe el motivo: se envía a la persona anfitriona.")
CONSENT_REQUIRED = _(
    "Para postular, acepta compartir tu CV con la persona anfitriona de esta pasantía."
)
MAX_SEATS = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = [
            "title_es",
            "description_es",
            "title_en",
            "description_en",
            "institution",
            "country",
            "city",
            "field",
            "sector",
            "language",
            "starts_on",
            "duration_weeks",
            "paid",
            "stipend",
            "seats",
            "deadline",
        ]
        widgets = {
            "description_es": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "starts_on": DATE,
            "deadline": DATE,
            "seats": forms.NumberInput(attrs={"min": 1, "max": MAX_SEATS}),
            "duration_weeks": forms.NumberInput(attrs={"min": 1, "max": 104}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("order")
        self.fields["language"].queryset = Language.objects.all()
        self.fields["seats"].error_messages["min_value"] = SEATS_RANGE
        self.fields["seats"].error_messages["max_value"] = SEATS_RANGE
        name_empty_choices(self, filtering=False)

    def clean_seats(self):
        value = self.cleaned_data["seats"]
        if not 1 <= value <= MAX_SEATS:
            raise forms.ValidationError(SEATS_RANGE)
        return value

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate() and "deadline" in self.changed_data:
            raise forms.ValidationError(DEADLINE_IN_PAST)
        return value

    def clean(self):
        data = super().clean()
        for language in ("es", "en"):
            title = data.get(f"title_{language}", "").strip()
            description = data.get(f"description_{language}", "").strip()
            if title and not description:
                self.add_error(f"description_{language}", TITLE_WITHOUT_DESCRIPTION)
            if description and not title:
                self.add_error(f"title_{language}", DESCRIPTION_WITHOUT_TITLE)
        if not any(data.get(f"title_{lang}", "").strip() for lang in ("es", "en")) and not any(
            data.get(f"description_{lang}", "").strip() for lang in ("es", "en")
        ):
            self.add_error("title_es", TITLE_REQUIRED)
        if data.get("paid") and not data.get("stipend", "").strip():
            self.add_error("stipend", STIPEND_REQUIRED)
        if not data.get("paid"):
            data["stipend"] = ""
        starts, deadline = data.get("starts_on"), data.get("deadline")
        if starts and deadline and deadline >= starts:
            self.add_error("deadline", DEADLINE_AFTER_START)
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        widget=forms.RadioSelect,
        choices=[
            (Placement.Status.PUBLISHED, _("Aprobar y publicar")),
            (Placement.Status.CHANGES, _("Pedir cambios")),
            (Placement.Status.DECLINED, _("No aceptar")),
        ],
    )
    reason = forms.CharField(
        label=_("Motivo o cambios pedidos"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (Placement.Status.CHANGES, Placement.Status.DECLINED)
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", REASON_REQUIRED)
        return data


class StudentProfileForm(forms.ModelForm):
    class Meta:
        model = StudentProfile
        fields = ["full_name", "university", "programme", "semester", "state", "cv"]
        widgets = {
            "semester": forms.NumberInput(attrs={"min": 1, "max": 20}),
            "cv": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].label = pgettext_lazy("entidad federativa", "Estado")
        name_empty_choices(self, filtering=False)


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("¿Por qué te interesa esta pasantía?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Unas líneas: qué aprenderías y qué aportarías."),
    )
    share_cv = forms.BooleanField(
        label=_(
            "Acepto compartir mi CV y mi perfil de estudiante con la persona anfitriona y "
            "el PNCS de esta pasantía."
        ),
        required=True,
        error_messages={"required": CONSENT_REQUIRED},
    )


class ApplicationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        widget=forms.RadioSelect,
        choices=[
            (Application.Status.SHORTLISTED, _("Preseleccionar")),
            (Application.Status.ACCEPTED, _("Aceptar")),
            (Application.Status.DECLINED, _("No seleccionar")),
        ],
    )
    reason = forms.CharField(
        label=_("Mensaje para la persona estudiante (opcional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlacementFilterForm(FilterForm):
    """The public list's filters; an unknown value is an error shown next to its field."""

    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("order"),
        required=False,
        to_field_name="slug",
        empty_label=_("Todos"),
    )
    country = forms.ChoiceField(label=_("País"), required=False)
    field = forms.CharField(label=_("Área o disciplina"), required=False, max_length=120)
    language = forms.ModelChoiceField(
        label=_("Idioma de trabajo"),
        queryset=Language.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("Todos"),
    )
    open_only = forms.BooleanField(label=_("Solo con postulación abierta"), required=False)

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Todos")), *countries]
        name_empty_choices(self, filtering=True)

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("sector"):
            queryset = queryset.filter(sector=data["sector"])
        if data.get("country"):
            queryset = queryset.filter(country=data["country"])
        if data.get("field"):
            queryset = queryset.filter(field__icontains=data["field"].strip())
        if data.get("language"):
            queryset = queryset.filter(language=data["language"])
        if data.get("open_only"):
            queryset = queryset.filter(deadline__gte=timezone.localdate(), taken__lt=F("seats"))
        return queryset
