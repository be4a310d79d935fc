"""Admin of the members app (IME staff), and the admin's sign-in rules.

The admin login goes through allauth (`secure_admin_login`: its rate limits, email
verification and second factor apply), and staff who need a second factor
(`needs_mfa`) are sent to set up TOTP before any admin page (SECURITY.md A4, A5)."""

import csv
import logging
from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .access import has_mfa, mfa_setup_redirect, needs_mfa
from .models import (
    ArcoRequest,
    ConsentRecord,
    ExpertiseTag,
    PrivacyAcceptance,
    PrivacyNotice,
    Profile,
    ProfileSector,
    ProfileView,
    User,
)
from .services import csv_safe
from .services.privacy import CONSENT_PURPOSES

audit_log = logging.getLogger("talentnet.audit")

# --- The admin's door -----------------------------------------------------------

admin.site.login = secure_admin_login(admin.site.login)
_plain_admin_view = admin.site.admin_view


def _admin_view_requiring_mfa(view, cacheable=False):
    inner = _plain_admin_view(view, cacheable)

    @wraps(inner)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_active and user.is_staff and needs_mfa(user) and not has_mfa(user):
            return mfa_setup_redirect(request)
        return inner(request, *args, **kwargs)

    return wrapper


admin.site.admin_view = _admin_view_requiring_mfa


# --- People ---------------------------------------------------------------------------

# The staff CSV export carries this allow-list of fields only (SECURITY.md D6).
EXPORT_FIELDS = [
    ("user_id", _("id")),
    ("given_names", _("nombre(s)")),
    ("paternal_surname", _("apellido paterno")),
    ("maternal_surname", _("apellido materno")),
    ("country", _("país")),
    ("city", _("ciudad")),
    ("state_of_origin", _("estado de origen")),
    ("education_level", _("nivel de estudios")),
    ("employer", _("empleador")),
    ("position", _("puesto")),
]


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "email_verified", "is_active", "is_staff", "date_joined", "deleted_at"]
    list_filter = ["email_verified", "is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email"]
    readonly_fields = ["last_login", "date_joined", "deleted_at", "email_verified"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Estado"),
            {"fields": ["is_active", "email_verified", "deleted_at", "preferred_language"]},
        ),
        (_("Permisos"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Fechas"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class ProfileSectorInline(admin.TabularInline):
    model = ProfileSector
    extra = 0
    max_num = 3


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["purpose", "value", "source", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Exportar a CSV (campos permitidos)"))
def export_profiles_csv(modeladmin, request, queryset):
    """Staff-only CSV of the selected active profiles, with the allow-listed fields only."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    names = [name for name, _label in EXPORT_FIELDS]

    def rows():
        yield writer.writerow([str(label) for _name, label in EXPORT_FIELDS])
        for values in queryset.active().values_list(*names).iterator(chunk_size=500):
            yield writer.writerow([csv_safe(v) for v in values])

    # SECURITY.md D5: who exported how many rows, never the data itself.
    audit_log.info(
        "staff profile export: user=%s rows=%d", request.user.pk, queryset.active().count()
    )
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="perfiles.csv"'
    response["Cache-Control"] = "no-store"
    return response


class VerifiedFilter(admin.SimpleListFilter):
    title = _("correo verificado")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("1", _("Sí")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(user__email_verified=self.value() == "1")
        return queryset


class ActiveFilter(VerifiedFilter):
    title = _("activo")
    parameter_name = "active"

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(user__is_active=self.value() == "1")
        return queryset


class NeutralLogEntryMixin:
    """The admin's log of staff edits (who, when, which fields changed) names the object by
    its id, not by the person's name: the audit trail copies no personal data (D5)."""

    def _neutral(self, entries, obj):
        from django.contrib.admin.models import LogEntry

        ids = [e.pk for e in (entries if isinstance(entries, list) else [entries]) if e]
        LogEntry.objects.filter(pk__in=ids).update(
            object_repr=f"{obj._meta.verbose_name} #{obj.pk}"
        )
        return entries

    def log_addition(self, request, obj, message):
        return self._neutral(super().log_addition(request, obj, message), obj)

    def log_change(self, request, obj, message):
        return self._neutral(super().log_change(request, obj, message), obj)


@admin.register(Profile)
class ProfileAdmin(NeutralLogEntryMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "user",
        "country",
        "state_of_origin",
        "education_level",
        "updated_at",
    ]
    list_filter = [
        "country",
        "profile_sectors__sector",
        "state_of_origin",
        "education_level",
        VerifiedFilter,
        ActiveFilter,
        "directory_visibility",
    ]
    search_fields = [
        "given_names",
        "paternal_surname",
        "maternal_surname",
        "user__email",
        "headline",
    ]
    list_select_related = ["user"]
    autocomplete_fields = ["expertise"]
    filter_horizontal = ["languages", "contributions"]
    inlines = [ProfileSectorInline]
    actions = [export_profiles_csv]
    readonly_fields = [
        "user",
        *CONSENT_PURPOSES,  # changed only by the member (consent), never by staff
        "consent_history",
        "onboarded_at",
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("historial de consentimientos"))
    def consent_history(self, obj):
        from django.utils.html import format_html_join

        records = ConsentRecord.objects.filter(user_id=obj.pk)[:100]
        return (
            format_html_join(
                "\n",
                "<div>{} · {} = {} ({})</div>",
                (
                    (
                        r.recorded_at.strftime("%Y-%m-%d %H:%M"),
                        r.get_purpose_display(),
                        r.value,
                        r.get_source_display(),
                    )
                    for r in records
                ),
            )
            or "—"
        )


@admin.register(ExpertiseTag)
class ExpertiseTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# --- Privacy, consent, ARCO -------------------------------------------------------------


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at", "created_at"]
    ordering = ["-version"]

    def get_readonly_fields(self, request, obj=None):
        # A published version is evidence of what people accepted: it never changes.
        if obj is not None and obj.published_at is not None:
            return ["version", "summary_es", "summary_en", "body_es", "body_en", "published_at"]
        return []


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivacyAcceptance)
class PrivacyAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "notice", "accepted_at"]
    list_filter = ["notice"]
    search_fields = ["user__email"]
    list_select_related = ["user", "notice"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "purpose", "value", "source", "recorded_at"]
    list_filter = ["purpose", "source"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(ProfileView)
class ProfileViewAdmin(ReadOnlyAdmin):
    list_display = ["viewer", "profile", "viewed_on", "viewed_at"]
    list_filter = ["viewed_on"]
    search_fields = ["viewer__email"]
    list_select_related = ["viewer", "profile"]


@admin.register(ArcoRequest)
class ArcoRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "kind", "status", "created_at", "due_on", "answered_at"]
    list_filter = ["status", "kind", "due_on"]
    search_fields = ["user__email", "description"]
    readonly_fields = ["user", "kind", "description", "created_at", "due_on"]
    fields = [
        "user",
        "kind",
        "description",
        "created_at",
        "due_on",
        "status",
        "answered_at",
        "staff_notes",
    ]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False
