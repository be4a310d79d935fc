"""Input of the chapters pages: join requests, Jornada registrations, the admin's reject reason,
appointments, the chapter's lines of action and statutes."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from members.progress import CHAPTER, FIRST_YEAR, last_year, measure_choices, year_message

from .models import (
    DATES_ORDER_MESSAGE,
    Chapter,
    ChapterLine,
    Membership,
    Officer,
    public_name,
    validate_statutes,
)


class MembershipRequestForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["message"]
        labels = {"message": _("Mensaje para la mesa directiva (opcional)")}
        widgets = {"message": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}


class RegistrationForm(forms.Form):
    """Register for a Jornada, optionally representing one of the member's chapters."""

    representing = forms.ModelChoiceField(
        label=_("Capítulo que representas (opcional)"),
        queryset=Chapter.objects.none(),
        required=False,
        empty_label=_("Ninguno"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representing"].queryset = Chapter.objects.filter(
            memberships__user=user, memberships__status=Membership.Status.APPROVED
        ).order_by("name")


class RejectReasonForm(forms.Form):
    """The admin's intermediate page of the bulk reject action."""

    reason = forms.CharField(
        label=_("Motivo del rechazo (se envía a la persona)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class MembershipDecisionForm(forms.Form):
    """A decision taken from the staff workbench's buttons (members.workbench)."""

    membership = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", _("Aprobar")), ("reject", _("Rechazar"))])
    reason = forms.CharField(required=False, max_length=1000)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return public_name(obj)


class AppointOfficerForm(forms.Form):
    """Appoint an approved member of the chapter to a role (IME's appointable roles; IME
    staff: any role)."""

    user = MemberChoiceField(label=_("Persona"), queryset=None)
    role = forms.ChoiceField(label=_("Cargo"))
    term_start = forms.DateField(
        label=_("Inicio del periodo"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    term_end = forms.DateField(
        label=_("Fin del periodo"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Déjalo vacío si el periodo no tiene fecha de término."),
    )

    def __init__(self, *args, chapter, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(
                chapter_memberships__chapter=chapter,
                chapter_memberships__status="approved",
                is_active=True,
            )
            .select_related("profile")
            .order_by("profile__paternal_surname", "profile__given_names", "pk")
        )
        self.fields["role"].choices = [
            (value, label) for value, label in Officer.Role.choices if value in roles
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", DATES_ORDER_MESSAGE)
        return cleaned


TARGET_MESSAGE = _("Escribe una meta de 1 en adelante (un número entero).")
MEASURE_MESSAGE = _("Elige qué cuenta esta línea de acción.")


class ChapterLineForm(forms.ModelForm):
    """A line of action of the chapter: free text in both languages, what it counts (the
    chapter measures of members.progress), a target of 1 or more, a year a programme may
    have."""

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
        model = ChapterLine
        fields = [
            "year",
            "title_es",
            "title_en",
            "description_es",
            "description_en",
            "measure",
            "target",
        ]
        widgets = {
            "description_es": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices(CHAPTER)
        self.fields["measure"].error_messages["invalid_choice"] = MEASURE_MESSAGE
        self.fields["measure"].error_messages["required"] = MEASURE_MESSAGE

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not FIRST_YEAR <= year <= last_year():
            raise forms.ValidationError(year_message())
        return year


STATUTES_REQUIRED_MESSAGE = _("Elige el PDF de los estatutos.")


class StatutesForm(forms.Form):
    """The chapter's statutes (a PDF, checked by chapters.models.validate_statutes) and
    whether the public may read them. The file may be left out to change only who sees it."""

    statutes = forms.FileField(
        label=_("Estatutos (PDF, hasta 10 MB)"),
        required=False,
        validators=[validate_statutes],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    statutes_public = forms.BooleanField(
        label=_("Cualquier persona puede leerlos en la página del capítulo"), required=False
    )

    def __init__(self, *args, chapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.chapter = chapter

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("statutes") and not self.chapter.statutes and not self.errors:
            self.add_error("statutes", STATUTES_REQUIRED_MESSAGE)
        return cleaned
