from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import FilterForm, name_empty_choices
from members.choices import MexicanState
from members.models import Sector

from .models import Organization, OrganizationMember
from .validators import normalise_rfc

RFC_TAKEN = _("Ya hay una organización registrada con este RFC.")
REASON_REQUIRED = _("Escribe el motivo o la información que necesitas: se envía a la organización.")


class OrganizationForm(forms.ModelForm):
    # Longer than an RFC: spaces and hyphens people type are removed (clean_rfc) before the
    # model's validator checks shape, date and check digit.
    rfc = forms.CharField(
        label=_("RFC"),
        max_length=20,
        help_text=_("12 caracteres para una persona moral; se valida el dígito verificador."),
    )

    class Meta:
        model = Organization
        fields = [
            "legal_name",
            "kind",
            "rfc",
            "state",
            "city",
            "main_sector",
            "sectors",
            "size",
            "website",
            "description_es",
            "description_en",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "description_es": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'

    def clean_rfc(self):
        rfc = normalise_rfc(self.cleaned_data["rfc"])
        taken = Organization.objects.filter(rfc__iexact=rfc)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(RFC_TAKEN)
        return rfc


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decisión"),
        widget=forms.RadioSelect,
        choices=[
            (Organization.Status.VERIFIED, _("Verificar")),
            (Organization.Status.INFO_REQUESTED, _("Pedir más información")),
            (Organization.Status.DECLINED, _("No aceptar")),
        ],
    )
    reason = forms.CharField(
        label=_("Motivo o información pedida"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") != Organization.Status.VERIFIED
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", REASON_REQUIRED)
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico de la persona"))
    role = forms.ChoiceField(
        label=_("Papel"),
        choices=OrganizationMember.Role.choices,
        initial=OrganizationMember.Role.MEMBER,
    )


class OrganizationFilterForm(FilterForm):
    """The public list's filters; an unknown value is an error shown next to its field."""

    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("order"),
        required=False,
        to_field_name="slug",
        empty_label=_("Todos"),
    )
    state = forms.ChoiceField(label=pgettext_lazy("entidad federativa", "Estado"), required=False)
    kind = forms.ChoiceField(label=_("Tipo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Todos")), *MexicanState.choices]
        self.fields["kind"].choices = [("", _("Todos")), *Organization.Kind.choices]
        name_empty_choices(self, filtering=True)  # again: the choices were just set

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("sector"):
            sector = data["sector"]
            other_sectors = Organization.sectors.through.objects.filter(
                organization=OuterRef("pk"), sector=sector
            )
            queryset = queryset.filter(Q(main_sector=sector) | Q(Exists(other_sectors)))
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset
