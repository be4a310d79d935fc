"""Forms of the pncs app; every ModelForm lists its fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.choices import name_empty_choices
from members.models import Contribution, ExpertiseTag, public_name
from members.progress import FIRST_YEAR, PNCS, last_year, measure_choices, year_message

from .models import Affiliation, Interest, Opportunity, Pncs, WorkLine

DEADLINE_IN_PAST = _("Elige una fecha límite de hoy en adelante.")


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "pncs",
            "kind",
            "title_es",
            "title_en",
            "description_es",
            "description_en",
            "institution",
            "location",
            "country",
            "is_remote",
            "deadline",
            "places",
            "status",
            "invite_only",
            "expertise",
            "contributions",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description_es": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "expertise": forms.SelectMultiple(attrs={"size": 8}),
            "contributions": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "institution": _(
                "En un comité de evaluación, se excluye de las sugerencias a quien declaró "
                "un vínculo con esta institución."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'
        self.fields["pncs"].queryset = Pncs.objects.coordinated_by(user).select_related("sector")
        self.fields["pncs"].empty_label = None
        self.fields["expertise"].queryset = ExpertiseTag.objects.all()
        self.fields["contributions"].queryset = Contribution.objects.all()

    def clean_deadline(self):
        from django.utils import timezone

        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline < timezone.localdate() and "deadline" in self.changed_data:
            raise forms.ValidationError(DEADLINE_IN_PAST)
        return deadline

    def save(self, commit=True):
        opportunity = super().save(commit=False)
        # The sector follows the PNCS that publishes the opportunity.
        opportunity.sector_id = opportunity.pncs.sector_id
        if commit:
            opportunity.save()
            self.save_m2m()
        return opportunity


class InterestForm(forms.ModelForm):
    class Meta:
        model = Interest
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}
        labels = {"message": _("Mensaje para la coordinación (opcional)")}
        help_texts = {"message": _("Cuéntales en pocas líneas por qué te interesa.")}


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Interest.Status.SHORTLISTED, _("Preseleccionar")),
            (Interest.Status.ACCEPTED, _("Aceptar")),
            (Interest.Status.DECLINED, _("Declinar")),
        ]
    )


class AffiliationForm(forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["institution", "relation"]
        help_texts = {
            "institution": _("Empresa, universidad u organismo con el que tienes un vínculo."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'

    def clean_institution(self):
        from .services import normalize_institution

        value = self.cleaned_data["institution"].strip()
        if not normalize_institution(value):
            raise forms.ValidationError(AFFILIATION_NAME_REQUIRED)
        return value


AFFILIATION_NAME_REQUIRED = _("Escribe el nombre de la institución.")


TARGET_MESSAGE = _("Escribe una meta de 1 en adelante (un número entero).")
MEASURE_MESSAGE = _("Elige qué cuenta esta línea de acción.")
RESPONSIBLE_MESSAGE = _("Elige a una persona que coordine este PNCS.")


class WorkLineForm(forms.ModelForm):
    """A line of action of a PNCS the user coordinates: its measure among those of the
    registry (members.progress), a target of 1 or more, a year a programme may have, and a
    responsible person among the PNCS's coordinators."""

    measure = forms.ChoiceField(label=_("Qué cuenta"), choices=())
    target = forms.IntegerField(
        label=_("Meta"),
        min_value=1,
        max_value=100000,
        error_messages={
            "min_value": TARGET_MESSAGE,
            "max_value": TARGET_MESSAGE,
            "invalid": TARGET_MESSAGE,
            "required": TARGET_MESSAGE,
        },
        help_text=_("Cuántas veces en el año (el avance se calcula solo)."),
    )
    year = forms.IntegerField(label=_("Año"))

    class Meta:
        model = WorkLine
        fields = [
            "pncs",
            "year",
            "heading",
            "title_es",
            "title_en",
            "measure",
            "target",
            "responsible",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)
        self.fields["pncs"].queryset = Pncs.objects.coordinated_by(user).select_related("sector")
        self.fields["pncs"].empty_label = None
        self.fields["measure"].choices = measure_choices(PNCS)
        self.fields["measure"].error_messages["invalid_choice"] = MEASURE_MESSAGE
        self.fields["measure"].error_messages["required"] = MEASURE_MESSAGE
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(coordinated_pncs__in=self.fields["pncs"].queryset)
            .distinct()
            .select_related("profile")
            .order_by("pk")
        )
        self.fields["responsible"].label_from_instance = _responsible_label
        self.fields["responsible"].error_messages["invalid_choice"] = RESPONSIBLE_MESSAGE

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not FIRST_YEAR <= year <= last_year():
            raise forms.ValidationError(year_message())
        return year

    def clean(self):
        cleaned = super().clean()
        point, responsible = cleaned.get("pncs"), cleaned.get("responsible")
        if point and responsible and not point.coordinators.filter(pk=responsible.pk).exists():
            self.add_error("responsible", RESPONSIBLE_MESSAGE)
        return cleaned


def _responsible_label(user):
    return public_name(user)


class SectorAnnouncementForm(forms.Form):
    """A coordinator's announcement to their sector, in both languages (Markdown)."""

    pncs = forms.ModelChoiceField(label=_("Sector (PNCS)"), queryset=Pncs.objects.none())
    subject_es = forms.CharField(label=_("Asunto (español)"), max_length=200)
    subject_en = forms.CharField(label=_("Asunto (inglés)"), max_length=200)
    body_es = forms.CharField(
        label=_("Mensaje (español)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("En formato Markdown."),
    )
    body_en = forms.CharField(
        label=_("Mensaje (inglés)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("En formato Markdown."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pncs"].queryset = Pncs.objects.coordinated_by_member(user.pk).select_related(
            "sector"
        )
        self.fields["pncs"].empty_label = None
        self.fields["pncs"].label_from_instance = lambda p: p.sector.name
