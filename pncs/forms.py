"""Forms of the pncs app; every ModelForm lists its fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import name_empty_choices
from members.models import Contribution, ExpertiseTag

from .models import Affiliation, Interest, Opportunity, Pncs

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
