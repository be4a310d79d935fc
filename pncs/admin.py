"""IME staff assign coordinators, curate opportunities and read the search/export audit."""

from django.contrib import admin

from core.access import is_ime_staff
from core.admin import ReadOnlyAdminMixin
from members.admin_lists import BigTableAdminMixin, MemberSearchMixin

from .models import Affiliation, Interest, Opportunity, Pncs, SearchAudit


@admin.register(Pncs)
class PncsAdmin(admin.ModelAdmin):
    list_display = ("sector", "host_institution", "contact_email", "is_active")
    list_filter = ("is_active",)
    filter_horizontal = ("coordinators",)
    search_fields = ("host_institution", "sector__name_es")
    # Adding or removing coordinators here keeps the "PNCS coordinators" group in sync
    # (pncs.signals.coordinators_changed calls services.sync_coordinator_groups).


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title_es", "pncs", "kind", "status", "deadline")
    list_filter = ("status", "kind", "sector")
    search_fields = ("title_es", "title_en")
    filter_horizontal = ("expertise", "contributions")
    raw_id_fields = ("created_by",)


@admin.register(Interest)
class InterestAdmin(BigTableAdminMixin, admin.ModelAdmin):
    list_display = ("opportunity", "member", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("member", "opportunity", "decided_by")


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("institution", "member", "relation")
    raw_id_fields = ("member",)


@admin.register(SearchAudit)
class SearchAuditAdmin(ReadOnlyAdminMixin, BigTableAdminMixin, MemberSearchMixin, admin.ModelAdmin):
    """Read-only, for IME staff: who searched or exported, when, filters and row count."""

    list_display = ("created_at", "user", "action", "row_count", "capped")
    list_filter = ("action", "created_at")
    search_fields = ("user__email",)  # who searched: members.admin_lists.people_matching
    list_select_related = ("user",)
    sortable_by = ("created_at",)
    readonly_fields = ("created_at", "user", "action", "filters", "row_count", "capped")

    def has_module_permission(self, request):
        return is_ime_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_ime_staff(request.user)
