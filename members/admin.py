"""Admin of the members app (IME staff), and the admin's sign-in rules.

The admin login goes through allauth (`secure_admin_login`: its rate limits, email
verification and second factor apply), and every staff account (members.access.
`sees_others_personal_data`) is sent to set up TOTP before any admin page (SECURITY.md
A4, A5). Roles and permissions (superuser and staff flags, groups, permissions) are
changed by superusers only: no staff account can raise its own or anyone's powers."""

import csv
import logging
from functools import wraps

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.access import is_ime_staff, lacks_second_factor, mfa_setup_redirect
from core.admin import ReadOnlyAdminMixin
from core.spreadsheets import Echo, csv_response, csv_safe

from .admin_lists import BigTableAdminMixin, MemberSearchMixin
from .models import (
    AccountMerge,
    ArcoRequest,
    ConsentRecord,
    DuplicateCandidate,
    ExpertiseTag,
    PrivacyAcceptance,
    PrivacyNotice,
    Profile,
    ProfileSector,
    ProfileView,
    SecondFactor,
    Sector,
    SignedInSession,
    User,
)
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
        if user.is_active and user.is_staff and lacks_second_factor(user):
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


# What makes an account powerful: only superusers change these (SECURITY.md B4).
PRIVILEGE_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


def is_privileged_account(user) -> bool:
    """Staff or superuser: an account whose roles and credentials only superusers change."""
    return user.is_staff or user.is_superuser


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(BigTableAdminMixin, BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ["email"]
    # `email__icontains`: the trigram index of the addresses (migration 0007); sorted by the
    # address only (its index), never a sort of a million rows by another column.
    sortable_by = ["email"]
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

    def get_readonly_fields(self, request, obj=None):
        """Roles and permissions are shown to staff, changed by superusers only."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in PRIVILEGE_FIELDS if name not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        """A privileged account (staff or superuser) is changed by superusers only: changing
        its address or password would be a way into its powers."""
        if obj is not None and is_privileged_account(obj) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_privileged_account(obj) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Roles (groups) and their permissions: superusers only, whatever permissions a group
    holds (a staff account given `change_group` still could not widen a role)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ProfileSectorInline(admin.TabularInline):
    model = ProfileSector
    extra = 0
    max_num = 3


class ConsentRecordInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConsentRecord
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["purpose", "value", "source", "recorded_at"]
    readonly_fields = fields


@admin.action(description=_("Exportar a CSV (campos permitidos)"))
def export_profiles_csv(modeladmin, request, queryset):
    """Staff-only CSV of the selected active profiles, with the allow-listed fields only."""

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
    return csv_response(rows(), filename="perfiles.csv")


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


class SectorFilter(admin.SimpleListFilter):
    """Profiles with a sector (an EXISTS per row: no join that repeats rows, no DISTINCT)."""

    title = _("sector")
    parameter_name = "sector"

    def lookups(self, request, model_admin):
        return [(sector.slug, sector.name) for sector in Sector.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(
                    ProfileSector.objects.filter(profile=OuterRef("pk"), sector__slug=self.value())
                )
            )
        return queryset


@admin.register(Profile)
class ProfileAdmin(BigTableAdminMixin, MemberSearchMixin, NeutralLogEntryMixin, SimpleHistoryAdmin):
    member_search_path = "pk"
    sortable_by = ["updated_at"]
    list_display = [
        "__str__",
        "user",
        "country_name",
        "state_of_origin",
        "education_level",
        "updated_at",
    ]
    list_filter = [
        "country",
        SectorFilter,
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

    @admin.display(description=_("país de residencia"))
    def country_name(self, obj):
        # The country's name by its code (one lookup), not the admin's display of a choice
        # field, which builds the list of ~250 countries again for every row.
        return obj.country.name

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


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(PrivacyAcceptance)
class PrivacyAcceptanceAdmin(BigTableAdminMixin, MemberSearchMixin, ReadOnlyAdmin):
    ordering = ["-pk"]  # newest first, by the primary key's index
    sortable_by = []
    list_display = ["user", "notice", "accepted_at"]
    list_filter = ["notice"]
    search_fields = ["user__email"]
    list_select_related = ["user", "notice"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(BigTableAdminMixin, MemberSearchMixin, ReadOnlyAdmin):
    ordering = ["-pk"]  # newest first, by the primary key's index
    sortable_by = []
    list_display = ["user", "purpose", "value", "source", "recorded_at"]
    list_filter = ["purpose", "source"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(ProfileView)
class ProfileViewAdmin(BigTableAdminMixin, MemberSearchMixin, ReadOnlyAdmin):
    """The log of reads of members' data (profiles, directory pages, coordinators' pages of
    a member), and the top readers of a day: IME staff only (with their second factor, as
    every admin page)."""

    member_search_path = "viewer"
    list_display = ["viewed_at", "viewer", "kind", "profile", "row_count", "filters"]
    list_filter = ["kind", "viewed_on"]
    search_fields = ["viewer__email"]
    list_select_related = ["viewer", "profile"]
    ordering = ["-pk"]  # newest first, by the primary key's index
    sortable_by = []
    change_list_template = "admin/members/profileview/change_list.html"

    def has_module_permission(self, request):
        return is_ime_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_ime_staff(request.user)

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "top-readers/",
                self.admin_site.admin_view(self.top_readers_view),
                name="members_profileview_top_readers",
            ),
            *super().get_urls(),
        ]

    def top_readers_view(self, request):
        """Who read the most members' data on a day (today unless `?day=YYYY-MM-DD`)."""
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse

        from .forms import TopReadersForm
        from .services import daily_read_cap

        if not is_ime_staff(request.user):
            raise PermissionDenied
        form = TopReadersForm(request.GET or None)
        day = form.cleaned_data["day"] if form.is_valid() and form.cleaned_data["day"] else None
        day = day or timezone.localdate()
        rows = list(ProfileView.objects.top_readers(day=day))
        readers = User.objects.in_bulk([row["viewer"] for row in rows])
        caps = {kind: daily_read_cap(kind) for kind in ProfileView.Kind.values}
        for row in rows:
            row["reader"] = readers.get(row["viewer"])
            row["at_cap"] = [
                label
                for kind, label in ProfileView.Kind.choices
                if row[f"{kind}_pages"] >= caps[kind]
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Quién consultó más datos de miembros"),
            "opts": self.model._meta,
            "form": form,
            "day": day,
            "rows": rows,
            "caps": [(label, caps[kind]) for kind, label in ProfileView.Kind.choices],
        }
        return TemplateResponse(request, "admin/members/profileview/top_readers.html", context)


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


# --- allauth's addresses and sessions: a row or more per member ------------------------------

admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(BigTableAdminMixin, MemberSearchMixin, AllauthEmailAddressAdmin):
    """allauth's admin of addresses, over a million of them: bounded count and pages, and
    the search by the owner's name or address (members.admin_lists)."""

    ordering = ["-pk"]
    sortable_by = []

    def get_search_fields(self, request):
        return ["email"]


admin.site.unregister(UserSession)
admin.site.unregister(Authenticator)


@admin.register(SecondFactor)
class SecondFactorAdmin(BigTableAdminMixin, MemberSearchMixin, AllauthAuthenticatorAdmin):
    """allauth's admin of second factors, under the name members.models gives them: a row
    or more per member, so bounded like the sessions below."""

    ordering = ["-pk"]
    sortable_by = []
    search_fields = ["user__email"]
    list_filter = ["type"]
    list_select_related = ["user"]


@admin.register(SignedInSession)
class UserSessionAdmin(BigTableAdminMixin, MemberSearchMixin, AllauthUserSessionAdmin):
    """allauth's admin of signed-in sessions: bounded, searched by the owner (allauth's own
    search names `user__username`, a field this user model does not have)."""

    ordering = ["-pk"]
    sortable_by = []
    search_fields = ["user__email"]


# --- Duplicates and merges (issue 26) ---------------------------------------------------


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdmin):
    """Likely duplicate accounts for IME staff to review: dismiss a pair ("not a
    duplicate"), or start a merge, which both addresses must confirm by mail."""

    list_display = [
        "__str__",
        "first_account",
        "second_account",
        "reasons_shown",
        "similarity",
        "status",
        "found_at",
        "merge_link",
    ]
    list_filter = ["status"]
    list_select_related = ["first", "second"]
    ordering = ["-found_at", "-pk"]
    sortable_by = []
    actions = ["dismiss"]
    list_per_page = 50
    show_full_result_count = False

    def has_module_permission(self, request):
        return is_ime_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_ime_staff(request.user)

    def has_change_permission(self, request, obj=None):
        # The actions (dismiss, merge) are the only changes; the form stays read-only.
        return False

    @admin.display(description=_("Cuenta A"))
    def first_account(self, obj):
        return self._account(obj.first)

    @admin.display(description=_("Cuenta B"))
    def second_account(self, obj):
        return self._account(obj.second)

    def _account(self, user):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">{}</a>', reverse("admin:members_user_change", args=[user.pk]), user.email
        )

    @admin.display(description=_("Fusión"))
    def merge_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj.status != DuplicateCandidate.Status.OPEN:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:members_duplicatecandidate_merge", args=[obj.pk]),
            _("Iniciar la fusión"),
        )

    @admin.display(description=_("Motivos"))
    def reasons_shown(self, obj):
        return "; ".join(obj.reason_labels())

    @admin.action(description=_("No es un duplicado (descartar)"))
    def dismiss(self, request, queryset):
        from .services.duplicates import dismiss_candidate

        if not is_ime_staff(request.user):
            raise PermissionDenied
        done = sum(
            dismiss_candidate(candidate_id=pk, by=request.user)
            for pk in queryset.values_list("pk", flat=True)[:500]
        )
        self.message_user(request, _("Parejas descartadas: %(n)s.") % {"n": done})

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<int:pk>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="members_duplicatecandidate_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request, pk):
        """Start the merge of a pair: staff choose which account is kept; both addresses
        get a signed link, and nothing moves until both confirmed."""
        from django.contrib import messages
        from django.shortcuts import get_object_or_404, redirect
        from django.template.response import TemplateResponse

        from .forms import StaffMergeForm
        from .services.merging import start_staff_merge

        if not is_ime_staff(request.user):
            raise PermissionDenied
        candidate = get_object_or_404(
            DuplicateCandidate.objects.select_related("first", "second"), pk=pk
        )
        form = StaffMergeForm(request.POST or None, candidate=candidate)
        if request.method == "POST" and form.is_valid():
            merge = start_staff_merge(
                candidate_id=candidate.pk, keep_user_id=form.cleaned_data["keep"], by=request.user
            )
            if merge is None:
                messages.error(request, MERGE_NOT_STARTED)
            else:
                messages.success(request, MERGE_STARTED)
            return redirect("admin:members_duplicatecandidate_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Fusionar dos cuentas"),
            "opts": self.model._meta,
            "candidate": candidate,
            "form": form,
        }
        return TemplateResponse(request, "admin/members/duplicatecandidate/merge.html", context)


MERGE_STARTED = _(
    "Fusión iniciada: enviamos un enlace de confirmación a cada correo. Nada se mueve hasta "
    "que confirmen los dos."
)
MERGE_NOT_STARTED = _(
    "No se inició la fusión: la pareja ya no está por revisar, una de las cuentas se cerró o "
    "ya está en otra fusión pendiente."
)


@admin.register(AccountMerge)
class AccountMergeAdmin(ReadOnlyAdmin):
    """The audit of merges: who started each, when each address confirmed, what moved and
    what was dropped. IME staff only; a pending merge can be cancelled."""

    list_display = ["__str__", "kind", "status", "started_by", "created_at", "completed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["started_by"]
    ordering = ["-pk"]
    sortable_by = []
    actions = ["cancel"]
    readonly_fields = [
        "kept",
        "merged",
        "kind",
        "status",
        "started_by",
        "candidate",
        "kept_confirmed_at",
        "merged_confirmed_at",
        "created_at",
        "expires_at",
        "completed_at",
        "summary",
    ]
    fields = readonly_fields

    def has_module_permission(self, request):
        return is_ime_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_ime_staff(request.user)

    @admin.action(description=_("Cancelar las fusiones pendientes seleccionadas"))
    def cancel(self, request, queryset):
        from .services.merging import cancel_merge

        if not is_ime_staff(request.user):
            raise PermissionDenied
        done = sum(cancel_merge(merge_id=pk) for pk in queryset.values_list("pk", flat=True)[:500])
        self.message_user(request, _("Fusiones canceladas: %(n)s.") % {"n": done})
