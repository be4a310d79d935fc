from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX_LENGTH, MessageReport

EMPTY_MESSAGE = _("Escribe un mensaje antes de enviarlo.")


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Tu mensaje"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": EMPTY_MESSAGE},
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(EMPTY_MESSAGE)
        return body


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motivo"), choices=MessageReport.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Detalles (opcional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PreferenceForm(forms.Form):
    email_notices = forms.BooleanField(
        label=_("Avisarme por correo de mensajes nuevos"),
        required=False,
        help_text=_("El aviso no incluye el texto del mensaje; lo lees en el sitio."),
    )
    member_contact = forms.BooleanField(
        label=_("Permitir que otras personas de la red me escriban desde mi perfil"),
        required=False,
        help_text=_(
            "Si lo desactivas, tu perfil no muestra el botón «Enviar mensaje». Las "
            "conversaciones que ya tienes siguen abiertas (puedes bloquearlas)."
        ),
    )
