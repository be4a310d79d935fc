"""IME staff see and correct organisations in the admin; verification itself happens on the
PNCS's review page (counterparts.views), which e-mails the decision."""

from django.contrib import admin

from .models import Organization, OrganizationInvitation, OrganizationMember


class PersonInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("user", "created_at")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "kind", "main_sector", "state", "status", "submitted_at")
    list_filter = ("status", "kind", "main_sector", "state")
    search_fields = ("legal_name", "rfc")
    readonly_fields = (
        "slug",
        "status",
        "decision_reason",
        "decided_at",
        "decided_by",
        "created_at",
        "submitted_at",
    )
    list_select_related = ("main_sector",)
    inlines = [PersonInline]


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(admin.ModelAdmin):
    list_display = ("organization", "email", "role", "created_at", "expires_at", "accepted_at")
    fields = ("organization", "email", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = fields
    list_select_related = ("organization",)

    def has_add_permission(self, request):
        return False
