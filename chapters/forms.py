"""Input of the chapters pages: join requests, Jornada registrations, the admin's reject reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Chapter, Membership


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
