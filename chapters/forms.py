"""Input of the chapters pages: join requests, Jornada registrations, the admin's reject reason."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from members.models import Profile, Sector
from members.progress import CHAPTER, FIRST_YEAR, last_year, measure_choices, year_message

from .models import (
    DATES_ORDER_MESSAGE,
    SPEAKER_NAME_MESSAGE,
    AgendaItem,
    Chapter,
    ChapterLine,
    JornadaProposal,
    Membership,
    Officer,
    TravelNeeds,
    public_name,
    validate_statutes,
)

MEMBER_NOT_FOUND_MESSAGE = _(
    "No encontramos a ese miembro entre quienes aceptan el contacto de los PNCS. Revisa el "
    "número de su ficha o propón a la persona como ponente externa."
)
AGENDA_TIME_MESSAGE = _("Elige una hora dentro de las fechas de la Jornada.")


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


class DeclineReasonForm(forms.Form):
    """The admin's intermediate page of declining proposals of the PNCS."""

    reason = forms.CharField(
        label=_("Motivo (se envía a la persona coordinadora)"),
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


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PROPOSAL_FIELDS = {
    JornadaProposal.Kind.AGENDA_ITEM: [
        "sector",
        "title_es",
        "title_en",
        "starts_at",
        "description_es",
        "description_en",
    ],
    JornadaProposal.Kind.SPEAKER: [
        "sector",
        "agenda_item",
        "member_number",
        "name",
        "affiliation",
        "bio",
    ],
    JornadaProposal.Kind.MATERIAL: ["sector", "title_es", "file", "audience"],
}


class ProposalForm(forms.ModelForm):
    """A coordinator's proposal of one kind for a Jornada: only that kind's fields. The
    agenda time is read in the Jornada's own time zone; a member speaker is named by the
    number of their card in the PNCS search (members who allow PNCS contact only)."""

    member_number = forms.IntegerField(
        label=_("Número de ficha del miembro (opcional)"),
        required=False,
        min_value=1,
        help_text=_(
            "Para un miembro de la red: el número de su ficha en la búsqueda del PNCS. "
            "Para una persona externa, déjalo vacío y escribe su nombre."
        ),
    )
    starts_at = forms.DateTimeField(
        label=_("Hora de inicio (hora local de la Jornada)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = JornadaProposal
        fields = [
            "sector",
            "title_es",
            "title_en",
            "description_es",
            "description_en",
            "starts_at",
            "agenda_item",
            "name",
            "affiliation",
            "bio",
            "file",
            "audience",
        ]
        labels = {"name": _("Nombre de la persona ponente externa")}
        widgets = {
            "description_es": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }

    def __init__(self, *args, jornada, kind, sector_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.jornada, self.kind = jornada, kind
        wanted = PROPOSAL_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.fields["sector"].queryset = Sector.objects.filter(pk__in=sector_ids)
        self.fields["sector"].empty_label = None
        self.fields["sector"].label = _("En nombre del PNCS de")
        if "title_es" in self.fields:
            self.fields["title_es"].required = True
        if "agenda_item" in self.fields:
            self.fields["agenda_item"].queryset = AgendaItem.objects.filter(jornada=jornada)
            self.fields["agenda_item"].required = True
        if "file" in self.fields:
            self.fields["file"].required = True
        if "starts_at" in self.fields:
            self.fields["starts_at"].widget.attrs["data-zone"] = jornada.timezone
        self.instance.jornada = jornada
        self.instance.kind = kind

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        # Read as the Jornada's local time, whatever zone the site is in.
        local = value.replace(tzinfo=None) if value.tzinfo else value
        aware = local.replace(tzinfo=self.jornada.tz)
        start = self.jornada.starts_at - timedelta(days=1)
        end = self.jornada.ends_at + timedelta(days=1)
        if not start <= aware <= end:
            raise forms.ValidationError(AGENDA_TIME_MESSAGE)
        return aware

    def clean_member_number(self):
        number = self.cleaned_data.get("member_number")
        if not number:
            return None
        profile = (
            Profile.objects.contactable_by_pncs()
            .filter(user_id=number)
            .select_related("user")
            .first()
        )
        if profile is None:
            raise forms.ValidationError(MEMBER_NOT_FOUND_MESSAGE)
        return profile.user

    def clean(self):
        cleaned = super().clean()
        if self.kind == JornadaProposal.Kind.SPEAKER:
            member = cleaned.get("member_number")
            name = (cleaned.get("name") or "").strip()
            if member is None and not name and "member_number" not in self.errors:
                self.add_error("name", SPEAKER_NAME_MESSAGE)
            self.instance.member = member
        return cleaned


class TravelNeedsForm(forms.ModelForm):
    """A registrant's travel needs for a Jornada that asks for them."""

    class Meta:
        model = TravelNeeds
        fields = [
            "arrival_on",
            "departure_on",
            "lodging_needed",
            "invitation_letter_needed",
            "passport_name",
            "nationality",
        ]
        widgets = {"arrival_on": DATE_WIDGET, "departure_on": DATE_WIDGET}
        help_texts = {
            "passport_name": _("Solo si pides la carta de invitación."),
            "nationality": _("Solo si pides la carta de invitación."),
        }


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
