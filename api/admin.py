"""Where IME staff register partner applications (their OAuth 2.0 client, scopes and reach),
revoke them, and watch and replay webhook deliveries; the audit of partners' calls."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from oauth2_provider import models as oauth_models

from core.admin import ReadOnlyAdminMixin

from . import destinations, services
from .models import EVENT_SCOPE, Event, PartnerApplication, PartnerAudit, Scope, WebhookDelivery

REGISTERED_MESSAGE = _(
    "Aplicación registrada. Entrega al aliado su client_id «%(client_id)s» y su client_secret "
    "«%(secret)s»: el secreto no se vuelve a mostrar (solo se guarda su huella)."
)
REACH_REQUIRED_MESSAGE = _("El permiso «%(scope)s» necesita que elijas el %(field)s que alcanza.")
EVENT_SCOPE_MESSAGE = _("El evento «%(event)s» necesita el permiso «%(scope)s».")
REVOKED_MESSAGE = _("Aplicaciones revocadas: %(count)s.")
REPLAYED_MESSAGE = _("Entregas que se reenviarán: %(count)s.")
WEBHOOK_URL_REQUIRED_MESSAGE = _("Para suscribirse a eventos, indica la dirección de los webhooks.")

# Each scope and the field that says what it reaches.
SCOPE_REACH = {
    Scope.PROGRAM_RESULTS: ("program", _("programa")),
    Scope.CHAPTER_EVENTS: ("chapter", _("capítulo")),
    Scope.SECTOR_MEMBERS: ("sector", _("sector")),
}

# One home for partner clients: django-oauth-toolkit's own admin pages would let a client be
# made without scopes or reach; partner applications (below) create and revoke them.
for model in (
    oauth_models.get_application_model(),
    oauth_models.get_access_token_model(),
    oauth_models.get_refresh_token_model(),
    oauth_models.get_grant_model(),
    oauth_models.get_id_token_model(),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class PartnerApplicationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("permisos"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    webhook_events = forms.MultipleChoiceField(
        label=_("eventos suscritos"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = PartnerApplication
        fields = ["name", "scopes", "program", "chapter", "sector", "webhook_url", "webhook_events"]

    def clean(self):
        data = super().clean()
        scopes = set(data.get("scopes") or [])
        for scope, (field, label) in SCOPE_REACH.items():
            if scope in scopes and not data.get(field):
                self.add_error(
                    field, REACH_REQUIRED_MESSAGE % {"scope": Scope(scope).label, "field": label}
                )
            if scope not in scopes and data.get(field):
                data[field] = None  # a reach without its scope grants nothing: not kept
        for event in data.get("webhook_events") or []:
            needed = EVENT_SCOPE[Event(event)]
            if needed not in scopes:
                self.add_error(
                    "webhook_events",
                    EVENT_SCOPE_MESSAGE % {"event": event, "scope": Scope(needed).label},
                )
        if data.get("webhook_events") and not data.get("webhook_url"):
            self.add_error("webhook_url", WEBHOOK_URL_REQUIRED_MESSAGE)
        if data.get("webhook_url"):
            try:
                destinations.check_address(data["webhook_url"])
            except destinations.BlockedDestination:
                self.add_error("webhook_url", destinations.NOT_PUBLIC_MESSAGE)
        return data


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(admin.ModelAdmin):
    form = PartnerApplicationForm
    list_display = ["name", "client_id", "scope_list", "program", "chapter", "sector", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["oauth_application", "program", "chapter", "sector"]
    search_fields = ["name"]
    readonly_fields = ["client_id", "webhook_secret", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        fields = ["name", "scopes", "program", "chapter", "sector", "webhook_url", "webhook_events"]
        if obj is None:
            return fields
        return ["client_id", *fields, "webhook_secret", "created_by", "created_at", "revoked_at"]

    @admin.display(description=_("client_id"))
    def client_id(self, obj):
        return obj.oauth_application.client_id if obj.oauth_application_id else ""

    @admin.display(description=_("permisos"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description=_("activa"), boolean=True)
    def active(self, obj):
        return obj.is_active

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_active:
            return False  # a revoked application stays as it was (the record of what it had)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: its audit and deliveries keep pointing at it

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = services.register_partner(partner=obj, by=request.user)
        self.message_user(
            request,
            REGISTERED_MESSAGE % {"client_id": obj.client_id, "secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Revocar las aplicaciones elegidas (sus tokens dejan de valer)"))
    def revoke(self, request, queryset):
        count = sum(
            services.revoke_partner(partner_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            REVOKED_MESSAGE % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "message_id",
        "event",
        "partner",
        "status",
        "attempts",
        "response_status",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "event", "partner"]
    list_select_related = ["partner"]
    search_fields = ["message_id"]
    fields = [
        "message_id",
        "partner",
        "event",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "payload",
    ]
    actions = ["replay"]

    @admin.action(description=_("Reenviar las entregas elegidas"), permissions=["view"])
    def replay(self, request, queryset):
        count = services.replay_deliveries(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            REPLAYED_MESSAGE % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PartnerAudit)
class PartnerAuditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "partner", "action", "target", "row_count", "accepted"]
    list_filter = ["action", "accepted", "partner"]
    list_select_related = ["partner"]
