from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import FilterForm, name_empty_choices
from members.choices import MexicanState
from members.models import ExpertiseTag, Language, Sector

from .models import (
    Engagement,
    EngagementOutcome,
    ExpertiseRequest,
    MentoringSession,
    Milestone,
    Organization,
    OrganizationMember,
)
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


# --- Requests for expertise (issue 20, step 3) ---------------------------------------------

TITLE_REQUIRED = _("Escribe el título y la descripción en español, en inglés o en ambos.")
TITLE_WITHOUT_DESCRIPTION = _("Falta la descripción en el idioma de este título.")
DESCRIPTION_WITHOUT_TITLE = _("Falta el título en el idioma de esta descripción.")
PLACE_REQUIRED = _("Escribe el lugar: la solicitud no es solo a distancia.")
START_IN_PAST = _("Elige una fecha de inicio de hoy en adelante.")
END_BEFORE_START = _("La fecha de fin no puede ser anterior a la de inicio.")
PEOPLE_RANGE = _("Indica entre 1 y 50 personas.")
MAX_PEOPLE = 50


class ExpertiseRequestForm(forms.ModelForm):
    class Meta:
        model = ExpertiseRequest
        fields = [
            "kind",
            "title_es",
            "description_es",
            "title_en",
            "description_en",
            "sector",
            "other_sectors",
            "expertise",
            "languages",
            "mode",
            "place",
            "starts_on",
            "ends_on",
            "people_sought",
        ]
        widgets = {
            "description_es": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "other_sectors": forms.CheckboxSelectMultiple,
            "expertise": forms.SelectMultiple(attrs={"size": 8}),
            "languages": forms.SelectMultiple(attrs={"size": 6}),
            "mode": forms.RadioSelect,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "people_sought": forms.NumberInput(attrs={"min": 1, "max": MAX_PEOPLE}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("order")
        self.fields["other_sectors"].queryset = Sector.objects.order_by("order")
        self.fields["expertise"].queryset = ExpertiseTag.objects.order_by("name")
        self.fields["languages"].queryset = Language.objects.all()

    def clean_people_sought(self):
        value = self.cleaned_data["people_sought"]
        if not 1 <= value <= MAX_PEOPLE:
            raise forms.ValidationError(PEOPLE_RANGE)
        return value

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if value < timezone.localdate() and "starts_on" in self.changed_data:
            raise forms.ValidationError(START_IN_PAST)
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
        if not any(data.get(name, "").strip() for name in ("title_es", "title_en")) and not any(
            data.get(name, "").strip() for name in ("description_es", "description_en")
        ):
            self.add_error("title_es", TITLE_REQUIRED)
        if (
            data.get("mode")
            in (
                ExpertiseRequest.Mode.IN_PERSON,
                ExpertiseRequest.Mode.EITHER,
            )
            and not data.get("place", "").strip()
        ):
            self.add_error("place", PLACE_REQUIRED)
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", END_BEFORE_START)
        return data


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        widget=forms.RadioSelect,
        choices=[
            (ExpertiseRequest.Status.ACCEPTED, _("Aceptar y publicar como oportunidad")),
            (ExpertiseRequest.Status.CHANGES, _("Pedir cambios")),
            (ExpertiseRequest.Status.DECLINED, _("No aceptar")),
        ],
    )
    visibility = forms.ChoiceField(
        label=_("Publicación"),
        widget=forms.RadioSelect,
        initial="invite_only",
        required=False,
        choices=[
            ("public", _("Pública: cualquier miembro puede expresar interés")),
            ("invite_only", _("Solo por invitación")),
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
        decision = data.get("decision")
        if (
            decision
            and decision != ExpertiseRequest.Status.ACCEPTED
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", REASON_REQUIRED)
        if decision == ExpertiseRequest.Status.ACCEPTED and not data.get("visibility"):
            data["visibility"] = "invite_only"
        return data


INVITE_NONE = _("Elige al menos un miembro de las sugerencias.")


class InviteMembersForm(forms.Form):
    members = forms.MultipleChoiceField(
        label=_("Miembros sugeridos"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = list(choices)
        self.fields["members"].error_messages["required"] = INVITE_NONE


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Tu respuesta"),
        widget=forms.RadioSelect,
        choices=[("accepted", _("Acepto")), ("declined", _("Declino"))],
    )
    reason = forms.CharField(
        label=_("Motivo (opcional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


NOT_VERIFIED = _("Solo una organización verificada por el PNCS puede presentar solicitudes.")


# --- Engagements (issue 20) ----------------------------------------------------------------

CANCEL_REASON_REQUIRED = _("Escribe el motivo de la cancelación: se envía a la otra parte.")
SESSION_MINUTES = _("Escribe una duración de 1 a 720 minutos.")
MILESTONE_DATE_RANGE = _("Elige una fecha entre 2000 y 2100.")
FIGURE_TOO_LARGE = _("Escribe un número de 0 a 100000.")
MAX_FIGURE = 100_000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _sane_date(value):
    # Dates far off are typos (a year 20266), not plans: refused before the database sees them.
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(MILESTONE_DATE_RANGE)
    return value


class CancelEngagementForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la cancelación"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": CANCEL_REASON_REQUIRED},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(CANCEL_REASON_REQUIRED)
        return reason


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on"]
        widgets = {"due_on": DATE_WIDGET}

    def clean_due_on(self):
        return _sane_date(self.cleaned_data["due_on"])


class GoalsForm(forms.Form):
    goals = forms.CharField(
        label=_("Objetivos de la mentoría (uno por línea)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MentoringSessionForm(forms.ModelForm):
    class Meta:
        model = MentoringSession
        fields = ["held_on", "minutes", "topic", "notes"]
        widgets = {
            "held_on": DATE_WIDGET,
            "minutes": forms.NumberInput(attrs={"min": 1, "max": 720}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_held_on(self):
        return _sane_date(self.cleaned_data["held_on"])

    def clean_minutes(self):
        value = self.cleaned_data["minutes"]
        if not 1 <= value <= 720:
            raise forms.ValidationError(SESSION_MINUTES)
        return value


class OutcomeForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("Calificación de la colaboración"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        help_text=_("5 es la mejor."),
    )

    class Meta:
        model = EngagementOutcome
        fields = [
            "hours_given",
            "students_hosted",
            "agreements_signed",
            "projects_started",
            "rating",
            "story",
            "share_story",
        ]
        widgets = {
            "story": forms.Textarea(attrs={"rows": 4}),
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": MAX_FIGURE})
                for name in (
                    "hours_given",
                    "students_hosted",
                    "agreements_signed",
                    "projects_started",
                )
            },
        }
        help_texts = {
            "story": _(
                "Unas líneas sobre lo que lograron. Solo se publica si ambas partes aceptan."
            ),
            "share_story": _(
                "La historia aparece en la página pública de la organización solo si la otra "
                "parte también acepta."
            ),
        }

    def _figure(self, name):
        value = self.cleaned_data[name]
        if value is None or not 0 <= value <= MAX_FIGURE:
            raise forms.ValidationError(FIGURE_TOO_LARGE)
        return value

    def clean_hours_given(self):
        return self._figure("hours_given")

    def clean_students_hosted(self):
        return self._figure("students_hosted")

    def clean_agreements_signed(self):
        return self._figure("agreements_signed")

    def clean_projects_started(self):
        return self._figure("projects_started")


DATES_REVERSED = _("Elige una fecha final igual o posterior a la inicial.")


class PipelineFilterForm(FilterForm):
    """The coordinator's pipeline filters; an unknown value is an error next to its field.
    The organisations offered are those the coordinator reviews (their sectors)."""

    state = forms.ChoiceField(label=_("Estado"), required=False)
    kind = forms.ChoiceField(label=_("Tipo"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organización"), queryset=Organization.objects.none(), required=False
    )
    date_from = forms.DateField(label=_("Desde"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Hasta"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Todos")), *Engagement.State.choices]
        self.fields["kind"].choices = [("", _("Todos")), *ExpertiseRequest.Kind.choices]
        self.fields["organization"].queryset = Organization.objects.reviewable_by(user).order_by(
            "legal_name"
        )
        self.fields["organization"].empty_label = _("Todas")
        name_empty_choices(self, filtering=True)

    def clean_date_from(self):
        return _sane_date(self.cleaned_data["date_from"])

    def clean_date_to(self):
        return _sane_date(self.cleaned_data["date_to"])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", DATES_REVERSED)
        return data

    def audit_filters(self) -> dict:
        """The filters as the audit log records them (ids and codes, no personal data)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "export": "engagement_pipeline",
            **{
                name: str(value.pk if hasattr(value, "pk") else value)
                for name, value in data.items()
                if value
            },
        }
