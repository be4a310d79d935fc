"""The Django admin of chapters and Jornadas.

IME staff (and superusers) curate everything. Chapter officers use the same admin
scoped to the chapters they currently officiate: every queryset, every per-object
permission, every foreign-key choice and every autocomplete goes through
`ScopedAdminMixin`, so rows of another chapter are neither listed nor reachable.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from simple_history.admin import SimpleHistoryAdmin

from core.access import is_ime_staff
from core.admin import ReadOnlyAdminMixin
from core.admin import ScopedAdminMixin as BaseScopedAdminMixin
from core.storage import StorageOutageAdminMixin
from members.admin_lists import BigTableAdminMixin, MemberSearchMixin

from . import page_cache, services, travel
from .exports import participants_csv_response
from .forms import DeclineReasonForm, RejectReasonForm
from .models import (
    AgendaItem,
    AppointableRole,
    Chapter,
    Jornada,
    JornadaProposal,
    Material,
    Membership,
    Officer,
    RegionalCoordinator,
    Registration,
    Speaker,
    clean_logo,
    public_name,
)
from .querysets import managed_chapter_ids

User = get_user_model()
USER_SEARCH_FIELDS = ("email", "profile__given_names", "profile__paternal_surname")
ANNOUNCE_DRAFT_MESSAGE = _("Borrador del aviso creado: revísalo, mira la vista previa y envíalo.")
TRAVEL_CAP_MESSAGE = _(
    "Llegaste al límite diario de consultas de necesidades de viaje. Vuelve a intentarlo mañana."
)

# Decisions offered on the list and, as buttons, on each request's own page (Django's
# ActionLocation; templates/admin/change_form_actions.html draws the buttons).
BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


class ScopedAdminMixin(BaseScopedAdminMixin):
    """Scope a ModelAdmin (or inline) to the chapters the user currently officiates.

    `scope` is the lookup from the model to its chapter's id ("pk" for Chapter).
    """

    scope = "chapter"

    def managed_ids(self, user):
        return managed_chapter_ids(user)

    def _writable(self, request, obj):
        """Outside a chapter IME suspended (its officers' tools are read-only)."""
        if self._ime(request) or obj is None or obj.pk is None:
            return True
        if isinstance(self, admin.options.InlineModelAdmin):
            scope, model = self.parent_scope, type(obj)
        else:
            scope, model = self.scope, self.model
        writable = managed_chapter_ids(request.user, writable=True)
        return model._default_manager.filter(pk=obj.pk, **{f"{scope}__in": writable}).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._writable(request, obj)

    def has_add_permission(self, request, *args):
        parent = args[0] if args else None
        return super().has_add_permission(request, *args) and self._writable(request, parent)

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        """Actions that change rows skip those of a suspended chapter (read-only for its
        officers); viewing ones (exports) still see them."""
        action = self.get_action(request.POST.get("action", ""), action_location)
        changes = action and set(getattr(action[0], "allowed_permissions", ())) - {"view"}
        if changes and not self._ime(request):
            writable = managed_chapter_ids(request.user, writable=True)
            queryset = queryset.filter(**{f"{self.scope}__in": writable})
        return super().response_action(request, queryset, action_location)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not self._ime(request):
            if db_field.name == "chapter" or (
                db_field.related_model is Chapter and db_field.name != "representing"
            ):
                kwargs["queryset"] = Chapter.objects.filter(
                    pk__in=managed_chapter_ids(request.user, writable=True)
                )
            elif db_field.related_model is Jornada:
                kwargs["queryset"] = Jornada.objects.managed_by(request.user)
            elif db_field.related_model is AgendaItem:
                kwargs["queryset"] = AgendaItem.objects.filter(
                    jornada__in=Jornada.objects.managed_by(request.user)
                )
            elif db_field.name in self.user_fields:
                # Officers pick among the approved members of their own chapters only.
                kwargs["queryset"] = (
                    User.objects.filter(
                        chapter_memberships__status=Membership.Status.APPROVED,
                        chapter_memberships__chapter_id__in=managed_chapter_ids(request.user),
                    )
                    .distinct()
                    .order_by("email")
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ManagedChapterFilter(admin.SimpleListFilter):
    """The chapters the user manages, from the chapters table (RelatedOnlyFieldListFilter
    would read the distinct chapters of every membership or registration on each page)."""

    title = _("capítulo")
    parameter_name = "chapter"
    lookup = "chapter"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in Chapter.objects.managed_by(request.user)
            .order_by("name")
            .values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{f"{self.lookup}_id": int(value)})
        return queryset


class ManagedJornadaFilter(admin.SimpleListFilter):
    """The Jornadas the user manages, newest first (not the distinct Jornadas of every
    registration)."""

    title = _("Jornada")
    parameter_name = "jornada"

    def lookups(self, request, model_admin):
        return [
            (str(pk), title)
            for pk, title in Jornada.objects.managed_by(request.user)
            .order_by("-starts_at")
            .values_list("pk", "title_es")[:200]
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(jornada_id=int(value))
        return queryset


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history loads the version without our queryset: check the scope first.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- Chapters, officers and memberships -------------------------------------------------


class OfficerInline(ScopedAdminMixin, admin.TabularInline):
    model = Officer
    parent_scope = "pk"
    extra = 0
    fields = ["user", "role", "term_start", "term_end", "suspended_at"]
    readonly_fields = ["suspended_at"]
    autocomplete_fields = ["user"]
    user_fields = ("user",)


class MembershipInline(ScopedAdminMixin, admin.TabularInline):
    model = Membership
    parent_scope = "pk"
    extra = 0
    fields = ["user", "status", "is_home", "requested_at", "decided_at"]
    readonly_fields = ["status", "is_home", "requested_at", "decided_at"]
    autocomplete_fields = ["user"]
    user_fields = ("user",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the approve/reject actions (they email the member)


class ChapterAdminForm(forms.ModelForm):
    uploader_id = None  # set per request by ChapterAdmin.get_form: whose uploads count

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "size") or logo == self.initial.get("logo"):
            return logo  # cleared, empty or unchanged
        return clean_logo(logo, account_id=self.uploader_id)


@admin.register(Chapter)
class ChapterAdmin(StorageOutageAdminMixin, ScopedHistoryAdmin):
    form = ChapterAdminForm
    scope = "pk"
    ordering = ["name"]
    list_display = ["name", "city", "country_name", "region", "status", "formalized_on", "members"]
    list_filter = ["status", "region", "country"]
    search_fields = ["name", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sectors"]
    inlines = [OfficerInline, MembershipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "status",
                    "formalized_on",
                    "appointments_by",
                    "suspended_at",
                    "suspension_reason",
                ]
            },
        ),
        (_("Ubicación"), {"fields": ["city", "country", "region", "latitude", "longitude"]}),
        (
            _("Presentación"),
            {
                "fields": [
                    "description_es",
                    "description_en",
                    "interests_es",
                    "interests_en",
                    "sectors",
                    "contact_email",
                    "website",
                    "linkedin_url",
                    "logo",
                ]
            },
        ),
    ]
    # What IME curates; officers edit only the presentation of their chapter.
    ime_only_fields = [
        "name",
        "slug",
        "status",
        "formalized_on",
        "appointments_by",
        "suspended_at",
        "suspension_reason",
        "city",
        "country",
        "region",
        "latitude",
        "longitude",
    ]

    def get_queryset(self, request):
        # The member counts of one cached GROUP BY for every chapter
        # (page_cache.member_counts), as a value per row: never a count of the memberships
        # on each page of the admin.
        counts = page_cache.member_counts()
        member_count = Case(
            *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
            default=Value(0),
            output_field=IntegerField(),
        )
        return super().get_queryset(request).annotate(member_count=member_count)

    @admin.display(description=_("país"), ordering="country")
    def country_name(self, obj):
        # By its code: the display of a choice field rebuilds ~250 countries for every row.
        return obj.country.name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for this request
        form.uploader_id = request.user.pk  # logo uploads count against the account
        return form

    @admin.display(description=_("integrantes"), ordering="member_count")
    def members(self, obj):
        return obj.member_count

    actions = ["suspend_selected", "reinstate_selected"]

    def get_readonly_fields(self, request, obj=None):
        if self._ime(request):
            return ["suspended_at"]  # IME suspends with the actions (audited)
        return self.ime_only_fields

    def has_suspend_permission(self, request):
        return self._ime(request)  # IME's power only

    @admin.action(description=_("Suspender los capítulos"), permissions=["suspend"])
    def suspend_selected(self, request, queryset):
        for chapter in queryset.filter(suspended_at__isnull=True):
            services.set_chapter_suspension(chapter=chapter, suspended=True, by=request.user)
        self.message_user(request, gettext("Capítulos suspendidos."))

    @admin.action(description=_("Levantar la suspensión de los capítulos"), permissions=["suspend"])
    def reinstate_selected(self, request, queryset):
        for chapter in queryset.filter(suspended_at__isnull=False):
            services.set_chapter_suspension(chapter=chapter, suspended=False, by=request.user)
        self.message_user(request, gettext("Suspensión levantada."))

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if self._ime(request) else {}

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Officer:
            for officer in formset.new_objects + [o for o, _f in formset.changed_objects]:
                services.grant_officer_access(user=officer.user)


@admin.register(Officer)
class OfficerAdmin(ScopedHistoryAdmin):
    list_display = [
        "officer_name",
        "user",
        "chapter",
        "role",
        "term_start",
        "term_end",
        "suspended_at",
    ]
    list_filter = ["role", ("chapter", admin.RelatedOnlyFieldListFilter)]
    readonly_fields = ["suspended_at", "appointed_by"]
    actions = ["suspend_selected", "reinstate_selected"]
    search_fields = [*(f"user__{f}" for f in USER_SEARCH_FIELDS), "chapter__name"]
    autocomplete_fields = ["user", "chapter"]
    user_fields = ("user",)
    list_select_related = ["chapter", "user__profile"]

    @admin.display(description=_("nombre"))
    def officer_name(self, obj):
        return public_name(obj.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.grant_officer_access(user=obj.user)

    def has_suspend_permission(self, request):
        return self._ime(request)  # IME's power only

    @admin.action(description=_("Suspender los cargos"), permissions=["suspend"])
    def suspend_selected(self, request, queryset):
        for officer in queryset.filter(suspended_at__isnull=True):
            services.set_officer_suspension(officer=officer, suspended=True, by=request.user)
        self.message_user(request, gettext("Cargos suspendidos."))

    @admin.action(description=_("Levantar la suspensión de los cargos"), permissions=["suspend"])
    def reinstate_selected(self, request, queryset):
        for officer in queryset.filter(suspended_at__isnull=False):
            services.set_officer_suspension(officer=officer, suspended=False, by=request.user)
        self.message_user(request, gettext("Suspensión levantada."))


@admin.register(AppointableRole)
class AppointableRoleAdmin(SimpleHistoryAdmin):
    """IME's list of the roles chapters fill by themselves (IME staff only: officers
    have no permission on it)."""

    list_display = ["role"]


@admin.register(RegionalCoordinator)
class RegionalCoordinatorAdmin(SimpleHistoryAdmin):
    """IME appoints regional coordinators (officers have no permission on them)."""

    list_display = ["user", "region", "term_start", "term_end", "suspended_at"]
    list_filter = ["region"]
    autocomplete_fields = ["user"]
    search_fields = [f"user__{f}" for f in USER_SEARCH_FIELDS]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.grant_officer_access(user=obj.user)


@admin.register(Membership)
class MembershipAdmin(BigTableAdminMixin, MemberSearchMixin, ScopedHistoryAdmin):
    list_display = [
        "user",
        "member_name",
        "chapter",
        "status",
        "is_home",
        "requested_at",
        "decided_at",
        "decided_by",
    ]
    list_filter = ["status", "is_home", ManagedChapterFilter, "requested_at"]
    search_fields = [*(f"user__{f}" for f in USER_SEARCH_FIELDS)]
    list_select_related = ["chapter", "user__profile", "decided_by"]
    autocomplete_fields = ["user", "chapter"]
    user_fields = ("user",)
    ordering = ["-pk"]  # newest request first, by the primary key's index (300,000 rows)
    sortable_by = []
    actions = ["approve_selected", "reject_selected"]
    fields = [
        "chapter",
        "user",
        "message",
        "status",
        "is_home",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "left_at",
    ]
    readonly_fields = [
        "status",
        "is_home",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "left_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["chapter", "user", "message"]
        return fields

    @admin.display(description=_("nombre"))
    def member_name(self, obj):
        return public_name(obj.user)

    def _decide(self, request, queryset, *, approve, reason=""):
        done, skipped = 0, 0
        for membership_id in queryset.values_list("pk", flat=True):
            try:
                services.decide_membership(
                    membership_id=membership_id,
                    decided_by=request.user,
                    approve=approve,
                    reason=reason,
                )
            except services.ChapterActionError:
                skipped += 1
            else:
                done += 1
        if done:
            text = (
                gettext("Solicitudes aprobadas: %(n)d.")
                if approve
                else gettext("Solicitudes rechazadas: %(n)d.")
            )
            self.message_user(request, text % {"n": done}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                gettext("Solicitudes que ya estaban decididas y no cambiaron: %(n)d.")
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Aprobar las solicitudes seleccionadas"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(
        description=_("Rechazar las solicitudes seleccionadas…"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def reject_selected(self, request, queryset):
        form = RejectReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide(request, queryset, approve=False, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rechazar solicitudes"),
            "form": form,
            "memberships": queryset.select_related("user__profile", "chapter"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            # Asked from the list or from one request's page: post back the same way.
            "action_field": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
        }
        return TemplateResponse(request, "chapters/admin/reject_memberships.html", context)


# --- Jornadas -----------------------------------------------------------------------------


def _in_zone(value, zone):
    """The same wall-clock time, in `zone`: 10:00 typed for a Jornada in Los Angeles means
    10:00 in Los Angeles, whatever the site's time zone (the one the form parsed it in)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None).replace(tzinfo=zone)


class JornadaTimeZoneMixin:
    """Date-times of a Jornada are shown and entered in the Jornada's own time zone."""

    tz_fields = ()

    def zone_of(self, obj):
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = None
        if object_id:
            try:
                obj = self.get_queryset(request).filter(pk=object_id).first()
            except (ValueError, ValidationError):
                obj = None  # a malformed id: the admin answers it below
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(self.zone_of(obj)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders lazily: render it while the zone is active.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # The zone printed beside every time (the class is built for this request).
            note = gettext("Hora de %(zone)s") % {"zone": self.zone_of(obj)}
            for name in self.tz_fields:
                if name in form.base_fields:
                    form.base_fields[name].help_text = note
        return form

    def save_model(self, request, obj, form, change):
        zone = self.zone_of(obj)
        for name in self.tz_fields:
            if name in form.cleaned_data:
                setattr(obj, name, _in_zone(getattr(obj, name), zone))
        super().save_model(request, obj, form, change)


class AgendaItemInline(ScopedAdminMixin, admin.StackedInline):
    model = AgendaItem
    scope = "jornada__chapter"
    parent_scope = "chapter"
    extra = 0
    fields = ["order", "starts_at", "title_es", "title_en", "description_es", "description_en"]
    show_change_link = True


class MaterialInline(ScopedAdminMixin, admin.TabularInline):
    model = Material
    scope = "jornada__chapter"
    parent_scope = "chapter"
    extra = 0
    fields = ["title", "file", "audience"]


@admin.register(Jornada)
class JornadaAdmin(StorageOutageAdminMixin, JornadaTimeZoneMixin, ScopedHistoryAdmin):
    tz_fields = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    def zone_of(self, obj):
        return obj.tz

    def save_formset(self, request, form, formset, change):
        if formset.model is AgendaItem:
            zone = form.instance.tz
            for item_form in formset.forms:
                if item_form.has_changed() and item_form.instance.starts_at:
                    item_form.instance.starts_at = _in_zone(item_form.instance.starts_at, zone)
        super().save_formset(request, form, formset, change)

    ordering = ["-starts_at"]  # explicit: Meta.ordering is dropped by the counts' GROUP BY
    list_display = [
        "title_es",
        "edition",
        "chapter",
        "local_start",
        "city",
        "is_published",
        "capacity",
        "confirmed",
        "waitlist",
        "travel_link",
    ]
    list_filter = [
        "is_published",
        "registration_mode",
        ("chapter", admin.RelatedOnlyFieldListFilter),
        "starts_at",
    ]
    search_fields = ["title_es", "title_en", "city", "venue", "slug"]
    prepopulated_fields = {"slug": ["title_es"]}

    @admin.display(description=_("inicio (hora local de la Jornada)"), ordering="starts_at")
    def local_start(self, obj):
        """The start in the Jornada's own zone, the zone printed (not the site's zone)."""
        local = timezone.localtime(obj.starts_at, obj.tz)
        return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} ({obj.tz.key})"

    autocomplete_fields = ["chapter"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline, MaterialInline]
    actions = ["export_participants", "promote_waitlists", "announce_selected"]
    fieldsets = [
        (None, {"fields": ["title_es", "title_en", "slug", "edition", "chapter", "is_published"]}),
        (
            _("Fecha y lugar"),
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "timezone",
                    "venue",
                    "city",
                    "country",
                    "online_url",
                ]
            },
        ),
        (_("Descripción"), {"fields": ["description_es", "description_en"]}),
        (
            _("Registro"),
            {
                "fields": [
                    "capacity",
                    "registration_mode",
                    "registration_opens_at",
                    "registration_closes_at",
                ]
            },
        ),
        (_("Logística (solo personal)"), {"fields": ["logistics_notes", "asks_travel_needs"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._ime(request):
            # Collecting travel data of participants from abroad is IME's decision.
            readonly.append("asks_travel_needs")
        return readonly

    # --- Participants from abroad (issue 21): IME staff only, in the admin (second
    # factor), every read audited (chapters.travel.audit).

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:jornada_id>/travel/",
                view(self.travel_view),
                name="chapters_jornada_travel",
            ),
            path(
                "<int:jornada_id>/travel.csv",
                view(self.travel_csv_view),
                name="chapters_jornada_travel_csv",
            ),
            path(
                "<int:jornada_id>/travel/<int:registration_id>/invitation.pdf",
                view(self.invitation_view),
                name="chapters_jornada_invitation",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("necesidades de viaje"))
    def travel_link(self, obj):
        if not obj.asks_travel_needs:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:chapters_jornada_travel", args=[obj.pk]),
            _("Logística"),
        )

    def _travel_jornada(self, request, jornada_id):
        if not is_ime_staff(request.user):
            raise PermissionDenied
        return get_object_or_404(Jornada.objects.filter(asks_travel_needs=True), pk=jornada_id)

    def _audited(self, request, jornada, view, row_count, registration_id=None):
        if travel.audit(
            reader=request.user,
            jornada=jornada,
            view=view,
            row_count=row_count,
            registration_id=registration_id,
        ):
            return None
        return HttpResponse(str(TRAVEL_CAP_MESSAGE), status=429, content_type="text/plain")

    @method_decorator(never_cache)
    def travel_view(self, request, jornada_id):
        jornada = self._travel_jornada(request, jornada_id)
        people = list(travel.travellers(jornada))
        refused = self._audited(request, jornada, "page", len(people))
        if refused:
            return refused
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Logística de participantes del extranjero"),
            "jornada": jornada,
            "people": [(r, travel.full_name(r.user)) for r in people],
        }
        return TemplateResponse(request, "admin/chapters/jornada_travel.html", context)

    def travel_csv_view(self, request, jornada_id):
        jornada = self._travel_jornada(request, jornada_id)
        count = travel.travellers(jornada).count()
        refused = self._audited(request, jornada, "csv", count)
        if refused:
            return refused
        return travel.travel_csv_response(jornada, f"logistica-jornada-{jornada.pk}.csv")

    def invitation_view(self, request, jornada_id, registration_id):
        jornada = self._travel_jornada(request, jornada_id)
        registration = get_object_or_404(
            travel.letter_recipients(jornada).select_related("jornada"), pk=registration_id
        )
        refused = self._audited(request, jornada, "letter", 1, registration_id=registration.pk)
        if refused:
            return refused
        return travel.invitation_pdf_response(registration)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chapter").with_counts()

    @admin.display(description=_("confirmados"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("en espera"), ordering="waitlist_count")
    def waitlist(self, obj):
        return obj.waitlist_count

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not self._ime(request) and "chapter" in form.base_fields:
            # Officers organise their chapter's events; network-wide Jornadas are IME's.
            form.base_fields["chapter"].required = True
        return form

    @admin.action(description=_("Exportar participantes (CSV)"), permissions=["view"])
    def export_participants(self, request, queryset):
        return participants_csv_response(
            jornada_ids=set(queryset.values_list("pk", flat=True)),
            user=request.user,
            filename="participantes.csv",
        )

    def has_announce_permission(self, request):
        return request.user.has_perm("announcements.add_announcement")

    @admin.action(
        description=_("Anunciar esta Jornada (crea un borrador)"), permissions=["announce"]
    )
    def announce_selected(self, request, queryset):
        """A draft announcement per selected Jornada; with one, straight to it for review."""
        drafts = [
            services.announce_jornada(jornada_id=pk, by=request.user)
            for pk in queryset.values_list("pk", flat=True)
        ]
        if len(drafts) == 1:
            self.message_user(request, ANNOUNCE_DRAFT_MESSAGE, messages.SUCCESS)
            return redirect("admin:announcements_announcement_change", drafts[0].pk)
        self.message_user(
            request,
            gettext("Borradores de aviso creados: %(n)d.") % {"n": len(drafts)},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Promover la lista de espera"), permissions=["change"])
    def promote_waitlists(self, request, queryset):
        promoted = 0
        for jornada_id in queryset.values_list("pk", flat=True):
            promoted += len(services.promote_waitlist(jornada_id=jornada_id))
        self.message_user(
            request,
            gettext("Personas que pasaron de la lista de espera a confirmadas: %(n)d.")
            % {"n": promoted},
            messages.SUCCESS,
        )


class SpeakerInline(ScopedAdminMixin, admin.StackedInline):
    model = Speaker
    scope = "agenda_item__jornada__chapter"
    parent_scope = "jornada__chapter"
    extra = 0
    fields = ["order", "member", "name", "affiliation", "bio"]
    autocomplete_fields = ["member"]
    user_fields = ("member",)


@admin.register(AgendaItem)
class AgendaItemAdmin(JornadaTimeZoneMixin, ScopedAdminMixin, admin.ModelAdmin):
    tz_fields = ("starts_at",)

    def zone_of(self, obj):
        return obj.jornada.tz

    scope = "jornada__chapter"
    list_display = ["title_es", "jornada", "order", "starts_at"]
    list_filter = [("jornada", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title_es", "title_en", "jornada__title_es"]
    list_select_related = ["jornada"]
    autocomplete_fields = ["jornada"]
    inlines = [SpeakerInline]


@admin.register(Registration)
class RegistrationAdmin(BigTableAdminMixin, MemberSearchMixin, ScopedHistoryAdmin):
    scope = "jornada__chapter"
    list_display = [
        "user",
        "participant_name",
        "jornada",
        "status",
        "representing",
        "queued_at",
        "checked_in_at",
    ]
    list_filter = [
        "status",
        ManagedJornadaFilter,
        ("checked_in_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [*(f"user__{f}" for f in USER_SEARCH_FIELDS)]
    sortable_by = []
    list_select_related = ["jornada", "user__profile", "representing"]
    fields = [
        "jornada",
        "user",
        "representing",
        "status",
        "registered_at",
        "queued_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
        "checked_in_by",
    ]
    readonly_fields = fields
    actions = ["check_in_selected", "approve_selected", "reject_selected", "export_selected"]

    def has_add_permission(self, request, *args):
        return False  # members register on the site; the service keeps the capacity

    @admin.display(description=_("nombre"))
    def participant_name(self, obj):
        return public_name(obj.user)

    @admin.action(description=_("Registrar asistencia"), permissions=["change"])
    def check_in_selected(self, request, queryset):
        count = services.check_in(
            registration_ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )
        self.message_user(
            request,
            gettext("Asistencias registradas: %(n)d.") % {"n": count},
            messages.SUCCESS,
        )

    def _decide(self, request, queryset, approve):
        count = services.decide_registrations(
            registration_ids=list(queryset.values_list("pk", flat=True)), approve=approve
        )
        self.message_user(
            request,
            gettext("Registros decididos: %(n)d.") % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Aprobar registros pendientes"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("No aprobar registros pendientes"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, False)

    @admin.action(description=_("Exportar participantes (CSV)"), permissions=["view"])
    def export_selected(self, request, queryset):
        return participants_csv_response(
            jornada_ids=set(queryset.values_list("jornada_id", flat=True)),
            user=request.user,
            filename="participantes.csv",
        )


# --- Proposals of the PNCS (issue 21) ------------------------------------------------------


@admin.register(JornadaProposal)
class JornadaProposalAdmin(admin.ModelAdmin):
    """IME reviews the coordinators' proposals: accept (it joins the Jornada's page) or
    decline with a reason; either way the coordinator is told by mail. IME staff only
    (officers hold no permission on proposals: chapters.roles)."""

    list_display = ["summary", "kind", "jornada", "sector", "proposer", "status", "created_at"]
    list_filter = ["status", "kind", ("jornada", admin.RelatedOnlyFieldListFilter), "sector"]
    list_select_related = ["jornada", "sector", "proposed_by__profile", "member__profile"]
    search_fields = ["title_es", "title_en", "name", "affiliation", "jornada__title_es"]
    readonly_fields = [
        "jornada",
        "sector",
        "proposed_by",
        "kind",
        "status",
        "title_es",
        "title_en",
        "description_es",
        "description_en",
        "starts_at",
        "agenda_item",
        "member",
        "name",
        "affiliation",
        "bio",
        "file",
        "audience",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_reason",
    ]
    fields = readonly_fields
    actions = ["accept_selected", "decline_selected"]

    def has_add_permission(self, request):
        return False  # coordinators propose on the site (/pncs/manage/jornadas/)

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was proposed and decided

    @admin.display(description=_("propuesta"))
    def summary(self, obj):
        return obj.summary

    @admin.display(description=_("propuesta por"))
    def proposer(self, obj):
        return public_name(obj.proposed_by) if obj.proposed_by_id else "—"

    def _decide(self, request, queryset, *, accept, reason=""):
        done, skipped = 0, 0
        for proposal_id in queryset.values_list("pk", flat=True):
            try:
                services.decide_proposal(
                    proposal_id=proposal_id, by=request.user, accept=accept, reason=reason
                )
            except services.ChapterActionError:
                skipped += 1
            else:
                done += 1
        if done:
            text = (
                gettext("Propuestas aceptadas: %(n)d.")
                if accept
                else gettext("Propuestas no aceptadas: %(n)d.")
            )
            self.message_user(request, text % {"n": done}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                gettext("Propuestas que ya estaban decididas y no cambiaron: %(n)d.")
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Aceptar las propuestas seleccionadas"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(
        description=_("No aceptar las propuestas seleccionadas…"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def decline_selected(self, request, queryset):
        form = DeclineReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide(request, queryset, accept=False, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("No aceptar propuestas"),
            "form": form,
            "proposals": queryset.select_related("jornada", "sector"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action_field": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
        }
        return TemplateResponse(request, "chapters/admin/decline_proposals.html", context)


# --- Member autocomplete ------------------------------------------------------------------
# `autocomplete_fields` on people need an admin for the user model with search_fields.
# The members app owns that admin; until it registers one, a minimal search-only admin
# stands in (visible to IME staff only, never in the index).
if not admin.site.is_registered(User):

    @admin.register(User)
    class MemberSearchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
        search_fields = USER_SEARCH_FIELDS
        ordering = ["email"]

        def has_module_permission(self, request):
            return False

        def has_view_permission(self, request, obj=None):
            return is_ime_staff(request.user)
